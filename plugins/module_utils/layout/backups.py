# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The layout's backups (its ``backup`` option), taken in the same task once the layout converged.

Each data container the layout keeps (state present) is backed up as volume_backup backs it up, by
the same engine (backup/runner.py), into ``<dir>/<host>/<name>.tar[.gz|.xz]``. Every option is
checked with the task, before the layout changes anything. ``<dir>`` and ``<dir>/<host>`` are made
private (0700) when they are missing; an existing directory keeps its owner and mode.

With ``copies_to`` (the role passes ``<backup host>:<dir>``), the archives that
``<dir>/<host>/.copies.json`` does not record as copied there are listed in ``pending_copies``. The
role's handler writes that record once the backup host checked its copies, so a run after an outage
of the backup host still copies what an earlier run could not.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.persistent.volumes.plugins.module_utils.archive.age import check_recipients
from ansible_collections.persistent.volumes.plugins.module_utils.archive.writer import COMPRESSIONS
from ansible_collections.persistent.volumes.plugins.module_utils.backup.hooks import parse_commands
from ansible_collections.persistent.volumes.plugins.module_utils.backup.runner import converge_backup, engine_host
from ansible_collections.persistent.volumes.plugins.module_utils.backup.spec import (
    BACKUP_ARGS,
    BackupSpec,
    check_host,
    retention_of,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import QUIESCE_MODES
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import inspect_named

# The layout module's backup option (documented in plugins/modules/layout.py).
LAYOUT_BACKUP_ARGS = dict(
    dir=dict(type='path', required=True),
    host=dict(type='str'),
    compression=dict(type='str', default='gzip', choices=sorted(COMPRESSIONS)),
    keep=dict(type='int'),
    keep_daily=dict(type='int'),
    keep_weekly=dict(type='int'),
    keep_monthly=dict(type='int'),
    encrypt_to=dict(type='list', elements='str'),
    quiesce=dict(type='str', default='none', choices=list(QUIESCE_MODES)),
    exec_before=dict(type='dict', default={}),
    exec_after=dict(type='dict', default={}),
    copies_to=dict(type='str'),
)
PASSED = ('compression', 'keep', 'keep_daily', 'keep_weekly', 'keep_monthly', 'quiesce')
SUFFIX = dict(none='', gzip='.gz', xz='.xz')
COPIES_RECORD = '.copies.json'
RECORD_LIMIT = 1 << 20
KEPT = ('dest', 'manifest_path', 'generations', 'removed_generations', 'sha256', 'method', 'method_reason',
        'quiesced', 'exec_before', 'exec_after')


def backup_params(options, name, where):
    """volume_backup's options for data container ``name``, checked as volume_backup checks them
    (``dest`` is set when the run knows its host)."""
    params = dict((key, options.get(key)) for key in PASSED)
    params.update(container=name, dest=os.path.join(options['dir'], name), host=options.get('host'),
                  encrypt_to=options.get('encrypt_to') or None,
                  exec_before=(options.get('exec_before') or {}).get(name, []),
                  exec_after=(options.get('exec_after') or {}).get(name, []))
    result = ArgumentSpecValidator(BACKUP_ARGS).validate(params)
    if result.error_messages:
        raise InputError('%s: %s' % (where, '; '.join(result.error_messages)))
    try:
        BackupSpec(result.validated_parameters, dest_ready=False)
    except InputError as exc:
        raise InputError('%s: %s' % (where, exc.msg), **exc.details)
    return result.validated_parameters


def hook_containers(params):
    """The containers a backup's exec_before and exec_after commands run in."""
    return [entry['container'] for key in ('exec_before', 'exec_after') for entry in params.get(key) or []]


class LayoutBackups(object):
    """The backups the ``backup`` option asks for, checked (every problem named as ``prefix`` names the
    options: the role's variables are data_volume_container_backup_*); ``run`` takes them."""

    def __init__(self, options, spec, prefix=''):
        self.options = options
        self.prefix = prefix
        self.dir = options['dir']
        if not os.path.isabs(self.dir):
            raise InputError('%s must be an absolute directory on the managed host, got %r.' % (self.option('dir'), self.dir))
        self.host = check_host(options.get('host'), 'backup.host')  # the role passes the inventory name
        names = [item.name for dummy, dummy2, item in spec.data_containers if item.state == 'present']
        self.check_options(names)
        self.items = [(name, backup_params(options, name, 'backup of %s' % name)) for name in names]

    def option(self, key):
        """How the task names suboption ``key``: backup.keep, or the role's data_volume_container_backup_keep."""
        return '%sbackup_%s' % (self.prefix, key) if self.prefix else 'backup.%s' % key

    def check_options(self, names):
        """The options every backup shares, checked once and named as the task names them."""
        retention_of(self.options, self.option)
        if self.options.get('encrypt_to'):
            check_recipients(self.options['encrypt_to'], self.option('encrypt_to'))
        for key in ('exec_before', 'exec_after'):
            commands = self.options.get(key) or {}
            unknown = sorted('%s' % name for name in commands if name not in names)
            if unknown:
                raise InputError('%s names %s, which %s not a data container this layout keeps (%s).' % (
                    self.option(key), ', '.join(unknown), 'is' if len(unknown) == 1 else 'are', ', '.join(names) or 'none'))
            for name, entries in commands.items():
                if not isinstance(entries, list):
                    raise InputError('%s[%s] must be a list of commands, got %s.'
                                     % (self.option(key), name, type(entries).__name__))
                parse_commands(entries, '%s[%s]' % (self.option(key), name))

    def folder(self, engine):
        return os.path.join(self.dir, self.host or engine_host(engine.api))

    def make_folders(self, engine, folder):
        """The directories to make (none when they exist), made unless in check mode; a path that is there and
        no directory is refused, in check mode too."""
        missing = [path for path in (self.dir, folder) if not os.path.isdir(path)]
        for path in missing:
            if os.path.lexists(path):
                raise PersistentVolumesError('%s is there and is no directory; the archives cannot go below it. '
                                             'Move it, or choose another %s.' % (path, self.option('dir')))
        if not engine.check_mode:
            for path in missing:
                try:
                    os.makedirs(path, mode=0o700, exist_ok=True)
                    os.chmod(path, 0o700)
                except OSError as exc:
                    raise PersistentVolumesError('%s cannot be made: %s.' % (path, exc.strerror or exc))
        return ['create %s (mode 0700)' % path for path in missing]

    def dest(self, folder, name):
        return os.path.join(folder, '%s.tar%s' % (name, SUFFIX[self.options['compression']]))

    def predicted(self, name, dest, made):
        """Check mode, when the backup cannot be read yet: no directory, or a data container (or a container of
        its exec_before or exec_after) that the layout makes."""
        return dict(changed=True, dest=dest, actions=made + ['back up %s into %s once the layout is carried out'
                                                             % (name, dest)])

    def take(self, run, name, params, folder, made, readable):
        """One data container's backup; ``made``: the directories made for it (the first one's actions);
        ``readable``: false in check mode when the directories are still to be made."""
        dest = self.dest(folder, name)
        if run.check_mode:
            missing = [container for container in [name] + hook_containers(params)
                       if inspect_named(run.api, container) is None]
            if missing or not readable:
                return self.predicted(name, dest, made)
        params = dict(params, dest=dest, host=self.host or os.path.basename(folder))
        result = converge_backup(run.sub(params))
        result['actions'] = made + list(result.get('actions') or [])
        result['changed'] = bool(result.get('changed') or made)
        return result

    def run(self, run, layout_result):
        """Take the backups after ``layout_result`` (the layout's converged result), and add them to it."""
        folder = self.folder(run.engine)
        try:
            made = self.make_folders(run.engine, folder) if self.items else []
        except PersistentVolumesError as exc:
            raise failure(exc, 'backups', layout_result, [], run.check_mode)
        readable = not (made and run.check_mode)
        entries, diff = [], dict(before={}, after={})
        for name, params in self.items:
            try:
                result = self.take(run, name, params, folder, made, readable)
            except PersistentVolumesError as exc:
                raise failure(exc, 'backup of %s' % name, layout_result, entries, run.check_mode, made)
            made = []
            entry = dict(name=name, changed=bool(result.get('changed')), actions=list(result.get('actions') or []))
            entry.update((key, result[key]) for key in KEPT if key in result)
            entries.append(entry)
            if 'diff' in result:
                diff['before'][name], diff['after'][name] = result['diff'].get('before'), result['diff'].get('after')
        return self.merge(run.engine, layout_result, entries, diff, folder)

    def merge(self, engine, result, entries, diff, folder):
        changed = sum(1 for entry in entries if entry['changed'])
        result['objects']['backups'] = entries
        summary = result['summary']
        summary['backups'] = dict(total=len(entries), changed=changed)
        summary['changed'] += changed
        summary['unchanged'] += len(entries) - changed
        result['changed'] = bool(result['changed'] or changed)
        if 'diff' in result:
            result['diff']['before']['backups'], result['diff']['after']['backups'] = diff['before'], diff['after']
        if self.options.get('copies_to'):
            result['pending_copies'] = pending_copies(folder, self.options['copies_to'], entries, engine.check_mode)
        return result


def failure(exc, where, layout_result, entries, check_mode, made=()):
    """The error of the backups failing at ``where``, saying what the layout, the earlier backups (``entries``)
    and this one changed (in check mode, nothing)."""
    done = []
    if not check_mode:
        done = ['%s: %s' % (entry['name'], action) for group in ('volumes', 'data_containers', 'consumers')
                for entry in layout_result['objects'][group] if entry['changed'] for action in entry['actions']]
        done += ['backup of %s: %s' % (entry['name'], action) for entry in entries if entry['changed']
                 for action in entry['actions']]
        done += ['%s: %s' % (where, action) for action in list(made) + list(exc.details.get('actions_done') or [])]
    details = dict(exc.details, objects=dict(layout_result['objects'], backups=entries))
    details.update(changed=bool(done or (exc.details.get('changed') and not check_mode)), actions_done=done)
    return type(exc)('%s: %s' % (where, exc.msg), **details)


def read_record(folder, copies_to):
    """The archive names ``<folder>/.copies.json`` records as copied to ``copies_to``; none when it is
    missing, not a regular file, too large, unreadable or about another place."""
    path = os.path.join(folder, COPIES_RECORD)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return set()
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > RECORD_LIMIT:
            return set()
        with os.fdopen(os.dup(fd), 'rb') as handle:
            record = json.loads(handle.read(RECORD_LIMIT).decode('utf-8'))
    except (OSError, ValueError):
        return set()
    finally:
        os.close(fd)
    if not isinstance(record, dict) or record.get('to') != copies_to or not isinstance(record.get('archives'), list):
        return set()
    return set(name for name in record['archives'] if isinstance(name, str))


def pending_copies(folder, copies_to, entries, check_mode):
    """The names of this host's archives (each backup's generations, or its archive) with no recorded copy."""
    recorded = read_record(folder, copies_to)
    pending = []
    for entry in entries:
        for path in entry.get('generations') or [entry['dest']]:
            name = os.path.basename(path)
            if name not in recorded and name not in pending and (check_mode or os.path.isfile(path)):
                pending.append(name)
    return pending


def layout_backups(engine, spec):
    """The checked LayoutBackups of the task's ``backup`` option, or None without it."""
    options = engine.params.get('backup')
    return LayoutBackups(options, spec, engine.params.get('layout_prefix') or '') if options else None
