# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which container a restore may recreate (restore/target.py, data_only.py's rule in restore's words), as a table."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.restore.target import check_target, not_a_data_container

NEVER = '0001-01-01T00:00:00Z'
IMAGE = {'Config': {'Cmd': ['sh'], 'Entrypoint': None}}


def container(status='created', started=NEVER, running=False, cmd=('sh',), entrypoint=None, volumes_from=(),
              labels=None):
    return ContainerDetail({
        'Id': 'c' * 64, 'Name': '/dc',
        'Config': {'Cmd': list(cmd) if cmd else None, 'Entrypoint': entrypoint, 'Labels': labels or {}},
        'HostConfig': {'VolumesFrom': list(volumes_from)},
        'State': {'Status': status, 'Running': running, 'StartedAt': started}, 'Mounts': []})


@pytest.mark.parametrize('detail, reason', [
    (container(), None),
    # No command at all is no command of its own: data_only.py's one rule, which data_container follows too.
    (container(cmd=None), None),
    (container(status='exited', started='2024-01-01T00:00:00Z'), 'it has been started (status exited)'),
    (container(started='2024-01-01T00:00:00Z'), 'it has been started (status created)'),
    (container(volumes_from=['dc0:ro']), 'it is wired with --volumes-from to dc0:ro'),
    (container(cmd=['sleep', '1']), "it has a command of its own (cmd ['sleep', '1'])"),
    (container(entrypoint=['/init']), "it has a command of its own (entrypoint ['/init'])"),
    (container(status='exited', started='2024-01-01T00:00:00Z', cmd=['x'],
               labels={'persistent.volumes.data-container': 'true'}), None),
], ids=['founding-document', 'no-cmd', 'exited', 'started-once', 'wired', 'own-cmd', 'own-entrypoint', 'ours'])
def test_not_a_data_container(detail, reason):
    assert not_a_data_container(detail, IMAGE) == reason


def test_check_target_refuses_running_first():
    with pytest.raises(Refusal, match='Refusing to restore into container dc: it is running. '):
        check_target(container(status='running', started='2024-01-01T00:00:00Z', running=True,
                               labels={'persistent.volumes.data-container': 'true'}), IMAGE)
    with pytest.raises(Refusal, match=r'it is not a data container \(it has been started \(status exited\)\), and '
                                      'a restore recreates it. Restore into its data container'):
        check_target(container(status='exited', started='2024-01-01T00:00:00Z'), IMAGE)
    check_target(container(), IMAGE)
