# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``exec_before`` / ``exec_after`` of a backup: commands run in running containers with ``docker exec``.

Parsed and checked with the task (``parse_commands``: a command is a list of words, or a string split
as a shell splits it, never given to a shell), observed before anything runs (``check_containers``:
each container exists and runs, not paused), and run (``run_command``): the exit code and the tail of
the output go to the result.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import shlex

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name

TAIL_TEXT = 2000  # characters of a command's output in the result


class ExecCommand(object):
    """One entry: ``container``, ``command`` (list of words), ``user`` (optional), ``where`` (its option)."""

    def __init__(self, container, command, user, where):
        self.container = container
        self.command = command
        self.user = user
        self.where = where

    def describe(self):
        return 'run in %s%s: %s' % (self.container, ' as %s' % self.user if self.user else '',
                                    ' '.join(shlex.quote(word) for word in self.command))

    def as_result(self, rc=None, output=None):
        entry = dict(container=self.container, command=list(self.command), ran=rc is not None, rc=rc)
        if output is not None:
            entry['output_tail'] = output
        return entry


def _words(command, where):
    if isinstance(command, str):
        try:
            words = shlex.split(command)
        except ValueError as exc:
            raise InputError('%s.command %r cannot be split into words (%s).' % (where, command, exc))
    elif isinstance(command, (list, tuple)) and all(isinstance(word, str) for word in command):
        words = list(command)
    else:
        raise InputError('%s.command must be a string or a list of strings, got %r.' % (where, command))
    if not words or not words[0].strip():
        raise InputError('%s.command is empty; give the program to run and its arguments.' % where)
    return words


def parse_commands(entries, option):
    """The ExecCommands of option ``option`` (a list of {container, command, user})."""
    commands = []
    for index, entry in enumerate(entries or []):
        where = '%s[%d]' % (option, index)
        if not isinstance(entry, dict):
            raise InputError('%s must be a dict with container and command, got %r.' % (where, entry))
        unknown = sorted(set(entry) - set(('container', 'command', 'user')))
        if unknown:
            raise InputError('%s has unknown keys %s; allowed: container, command, user.' % (where, ', '.join(unknown)))
        if not entry.get('container'):
            raise InputError('%s needs container (the running container to run the command in).' % where)
        container = check_name(entry['container'], '%s.container' % where)
        commands.append(ExecCommand(container, _words(entry.get('command'), where), entry.get('user'), where))
    return commands


def check_containers(api, commands):
    """Refuse, before anything runs, a command whose container does not exist or does not run."""
    for command in commands:
        raw = api.inspect_container(command.container)
        if raw is None:
            raise InputError('%s: container %r does not exist; exec commands run in running containers.'
                             % (command.where, command.container))
        state = raw.get('State') or {}
        if state.get('Paused') or not state.get('Running'):
            raise InputError('%s: container %s is %s; exec commands run in running containers (docker exec).'
                             % (command.where, command.container,
                                'paused' if state.get('Paused') else 'not running (%s)' % state.get('Status', 'stopped')))


def run_command(api, command):
    """Run one command; its result entry (``rc`` None when the engine could not run it, ``error`` says why)."""
    try:
        rc, tail = api.exec_command(command.container, command.command, user=command.user)
    except PersistentVolumesError as exc:
        entry = command.as_result()
        entry['error'] = exc.msg
        return entry
    return command.as_result(rc, tail.decode('utf-8', 'replace')[-TAIL_TEXT:])


def failed_entry(entry):
    """True when a command's result entry is a failure (it did not run, or exited non-zero)."""
    return entry.get('error') is not None or entry.get('rc') != 0


def summary(entry):
    """One line about a command's result, for a message."""
    head = '%s in %s' % (' '.join(entry['command']), entry['container'])
    if entry.get('error'):
        return '%s could not run: %s' % (head, entry['error'])
    lines = (entry.get('output_tail') or '').strip().splitlines()
    return '%s exited %s%s' % (head, entry['rc'], (' (last output: %s)' % ' | '.join(lines[-3:])) if lines else '')
