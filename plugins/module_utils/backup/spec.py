# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a backup task asks for, checked before anything is looked at."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.persistent.volumes.plugins.module_utils.archive.age import check_recipients
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import METHODS
from ansible_collections.persistent.volumes.plugins.module_utils.archive.writer import COMPRESSIONS
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import RETENTION_RULES
from ansible_collections.persistent.volumes.plugins.module_utils.backup.hooks import parse_commands
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import QUIESCE_MODES
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError

EXEC_OPTIONS = dict(
    container=dict(type='str', required=True),
    command=dict(type='raw', required=True),
    user=dict(type='str'),
)

# The volume_backup module's options (its DOCUMENTATION); the layout module's backup option runs each
# data container's backup with them too.
BACKUP_ARGS = dict(
    container=dict(type='str'),
    paths=dict(type='list', elements='str'),
    volume=dict(type='str'),
    dest=dict(type='path', required=True),
    compression=dict(type='str', default='gzip', choices=sorted(COMPRESSIONS)),
    force=dict(type='bool', default=False),
    method=dict(type='str', default='auto', choices=METHODS),
    keep=dict(type='int'),
    keep_daily=dict(type='int'),
    keep_weekly=dict(type='int'),
    keep_monthly=dict(type='int'),
    encrypt_to=dict(type='list', elements='str'),
    host=dict(type='str'),
    quiesce=dict(type='str', default='none', choices=list(QUIESCE_MODES)),
    exec_before=dict(type='list', elements='dict', default=[], options=EXEC_OPTIONS),
    exec_after=dict(type='list', elements='dict', default=[], options=EXEC_OPTIONS),
)
MUTUALLY_EXCLUSIVE = [('container', 'volume')]
REQUIRED_ONE_OF = [('container', 'volume')]


def check_dest(dest):
    if not os.path.isabs(dest):
        raise InputError('dest must be an absolute path on the managed host, got %r.' % dest)
    if os.path.isdir(dest):
        raise InputError('dest %s is a directory; give the archive file name.' % dest)
    parent = os.path.dirname(dest)
    if not os.path.isdir(parent):
        raise InputError('The directory of dest, %s, does not exist; create it first.' % parent)


WHAT_RULES_COUNT = dict(keep='dated archives to keep', keep_daily='days to keep an archive of',
                        keep_weekly='ISO weeks to keep an archive of', keep_monthly='months to keep an archive of')


def retention_of(params, named=None):
    """The retention rules the task sets (``keep``, ``keep_daily``, ``keep_weekly``, ``keep_monthly``);
    ``named(rule)`` is how the task names a rule in a message (the layout's backup.keep, the role's variable)."""
    retention = {}
    for rule in RETENTION_RULES:
        count = params.get(rule)
        if count is None:
            continue
        if count < 1:
            raise InputError('%s must be 1 or more (the number of %s), got %d.'
                             % (named(rule) if named else rule, WHAT_RULES_COUNT[rule], count))
        retention[rule] = count
    return retention


def check_host(host, option='host'):
    """``host`` (None: not given), refused unless it names a host as an inventory does: the directory of its
    archives in a shared backup directory, and the host its manifests name."""
    if host is not None and (not host.strip() or '/' in host or host in ('.', '..')):
        raise InputError('%s must be a host name (as the inventory names it), got %r.' % (option, host))
    return host


class BackupSpec(object):
    """The source (a data container and its ``paths``, or a ``volume``), where the archive goes
    (``dest``, or a series of dated archives kept by ``keep`` and the calendar rules), how (``compression``,
    ``method``, ``encrypt_to``), whether an archive still up to date is written again (``force``), and what keeps
    the data still while it is read (``quiesce``, ``exec_before``, ``exec_after``: consistency.py)."""

    def __init__(self, params, dest_ready=True):
        """``dest_ready`` false: ``dest``'s directory is made later (the layout's backups check their options
        before anything is changed, and make the directory after the layout converged)."""
        self.dest = params['dest']
        if dest_ready:
            check_dest(self.dest)
        self.retention = retention_of(params)
        self.keep = self.retention.get('keep')
        self.dated = bool(self.retention)
        self.container = params.get('container')
        self.paths = params.get('paths')
        self.volume = params.get('volume')
        if not self.container and self.paths:
            raise InputError('paths goes with container; a volume is backed up whole.')
        self.compression = params['compression']
        self.force = bool(params.get('force'))
        self.method = params['method']
        self.host = params.get('host')
        self.encrypt_to = check_recipients(params['encrypt_to']) if params.get('encrypt_to') is not None else None
        check_host(self.host)
        self.quiesce = params.get('quiesce') or 'none'
        if self.quiesce not in QUIESCE_MODES:
            raise InputError('quiesce must be one of %s, got %r.' % (', '.join(QUIESCE_MODES), self.quiesce))
        self.exec_before = parse_commands(params.get('exec_before'), 'exec_before')
        self.exec_after = parse_commands(params.get('exec_after'), 'exec_after')
