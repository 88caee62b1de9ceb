# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Quiescing the containers that write a volume while its data is copied (``quiesce``).

``stop``: the containers that run are stopped before the copy, so that the copy is the data,
and started again afterwards whatever happens (``resume``, best effort, its problems returned
to be reported). ``pause``: the same with ``docker pause`` / ``unpause`` (the processes are
frozen, not shut down: files they had half written stay half written, so ``stop`` is the one
a database needs unless it is told first, see volume_backup's exec_before). ``none``: nothing
is stopped; a copy of a volume that is written meanwhile is not the data, and the module says so.

Which containers: ``writers_of`` reads what the engine reports (each container's mounts), never
names: a container writes a volume when it mounts it read-write (by name, as ``--volumes-from``
does too, the engine reports the volume itself) or binds read-write the volume's directory,
a directory inside it or one above it. Containers that mount it read-only cannot tear the copy
and are left running; a paused one is left as it is.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import posixpath

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import PAUSE_CONTAINER, STOP_CONTAINER

QUIESCE_CHOICES = ('stop', 'none')  # convert: its consumers are recreated, so never left paused
QUIESCE_MODES = ('none', 'stop', 'pause')  # volume_backup
QUIESCE_ACTION = {'stop': STOP_CONTAINER, 'pause': PAUSE_CONTAINER}
_VERB = {'stop': ('stop', 'started'), 'pause': ('pause', 'unpaused')}


class Writer(object):
    """A running container that writes a volume being read: its ``name``, ``id`` and ``via``
    (how: 'volume NAME at /dst' or 'bind /src at /dst')."""

    def __init__(self, name, container_id, via):
        self.name = name
        self.id = container_id
        self.via = via

    def as_dict(self):
        return dict(container=self.name, id=self.id, via=list(self.via))


def _related(one, other):
    """True when directory ``one`` is ``other``, inside it or above it."""
    one, other = posixpath.normpath(one), posixpath.normpath(other)
    return one == other or one.startswith(other.rstrip('/') + '/') or other.startswith(one.rstrip('/') + '/')


def _ways_in(mounts, volumes):
    """How ``mounts`` (a container summary's Mounts) reach ``volumes`` ({name: Mountpoint}) read-write."""
    ways = []
    for mount in mounts or []:
        if not mount.get('RW', True):
            continue
        kind, destination = mount.get('Type'), mount.get('Destination')
        if kind == 'volume' and mount.get('Name') in volumes:
            ways.append('volume %s at %s' % (mount['Name'], destination))
        elif kind == 'bind' and mount.get('Source') and any(
                point and _related(mount['Source'], point) for point in volumes.values()):
            ways.append('bind %s at %s' % (mount['Source'], destination))
    return ways


def writers_of(summaries, volumes):
    """The running containers (of ``summaries``, as the engine lists them) that write any of
    ``volumes`` ({volume name: its Mountpoint}), as Writers, in name order."""
    found = []
    for summary in summaries:
        if summary.get('State') != 'running':
            continue
        ways = _ways_in(summary.get('Mounts'), volumes)
        if ways:
            name = ((summary.get('Names') or ['/' + summary['Id']])[0]).lstrip('/')
            found.append(Writer(name, summary['Id'], ways))
    return sorted(found, key=lambda writer: writer.name)


def quiesce_actions(plan, writers, mode, what):
    """Add the stop (or pause) of each of ``writers`` to ``plan``; return their names."""
    if mode not in QUIESCE_ACTION:
        return []
    verb, again = _VERB[mode]
    for writer in writers:
        plan.add(QUIESCE_ACTION[mode], writer.name, 'quiesce=%s: it writes %s (%s)' % (mode, what, ', '.join(writer.via)),
                 text='%s %s while %s is read (%s again afterwards)' % (verb, writer.name, what, again), id=writer.id)
    return [writer.name for writer in writers]


def stop_for_copy(plan, containers, mode, what):
    """Add a stop of each running one of ``containers`` (ContainerDetail) to ``plan`` when ``mode`` is
    stop; return the names of those it stops. ``what`` says what is copied."""
    if mode != 'stop':
        return []
    stopped = []
    for container in containers:
        if container.running:
            plan.add(STOP_CONTAINER, container.name, 'quiesce=stop: it writes %s, which is copied' % what,
                     text='stop %s while %s is copied (started again afterwards)' % (container.name, what))
            stopped.append(container.name)
    return stopped


def _resume_one(api, name, mode):
    raw = api.inspect_container(name)
    state = (raw or {}).get('State') or {}
    if not raw:
        return
    if mode == 'pause' and state.get('Paused'):
        api.unpause_container(name)
    elif mode == 'stop' and not state.get('Running'):
        api.start_container(name)


def resume(api, names, mode='stop'):
    """Start (``stop``) or unpause (``pause``) every one of ``names`` that exists and is still
    quiesced; each is tried whatever the others did. Return the problems met (text)."""
    problems = []
    for name in names:
        try:
            _resume_one(api, name, mode)
        except PersistentVolumesError as exc:
            problems.append('%s: %s' % (name, exc.msg))
    return problems


def start_again(api, names):
    """Start every one of ``names`` that exists and does not run; return the problems met (text)."""
    return resume(api, names, 'stop')
