# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A restore into a data container through the engine, against the declared fake: a fresh volume is
filled, the data container swapped crash-safely (replacement first), the previous volume kept and
reported; check mode predicts the same actions and writes nothing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.backup.runner import converge_backup
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.restore.runner import converge_restore
from ansible_collections.persistent.volumes.tests.unit.conftest import raw_inspect
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.backup.test_backup_runner import IMAGE, Volume

OLD = 'a' * 64


def store_engine(files):
    """An engine with the data container ``store`` (an anonymous volume at /data) reading as ``files``."""
    api = Volume(files)
    api.images[IMAGE['Id']] = IMAGE
    api.volumes[OLD] = dict(Name=OLD, Driver='local', Labels=None, Options=None, Mountpoint='/nowhere')
    api.add_container(raw_inspect('store', mounts=[(OLD, '/data')], labels={pv_labels.DATA_CONTAINER: 'true'},
                                  image_id=IMAGE['Id']))
    return api


def run(engine_module, api, params, module, check_mode=False):
    params = dict(params, docker_host='tcp://engine.example:2376')
    return module(engine_module(api, params=params, check_mode=check_mode))


@pytest.fixture
def archive(engine_module, tmp_path):
    """The archive of the data container's /data as it was (``f``: archived)."""
    dest = str(tmp_path / 'store.tar')
    backup_params = dict(container='store', paths=['/data'], volume=None, dest=dest, compression='none',
                         method='engine', force=False, keep=None, host='h1')
    run(engine_module, store_engine({'f': b'archived'}), backup_params, converge_backup)
    return dict(src=dest, manifest=None, container='store', volume=None, paths=None, add_paths=False, method='engine')


def test_a_restore_fills_a_fresh_volume_and_swaps_it_in(engine_module, archive):
    api = store_engine({'f': b'changed since'})
    result = run(engine_module, api, archive, converge_restore)
    assert result['changed'] is True
    writes = [call for call in api.calls if call[0] in ('create_volume', 'create_container', 'put_archive',
                                                        'remove_container', 'rename_container', 'remove_volume')]
    kinds = [call[0] for call in writes]
    assert kinds[:3] == ['create_volume', 'create_container', 'put_archive']  # the fresh volume, its holder, the data
    new_volume = writes[0][1]
    replacement = [call for call in writes if call[0] == 'create_container'][1]
    assert '%s:/data:rw' % new_volume in replacement[3]  # the replacement mounts the restored volume
    # crash-safe: the replacement exists before the old container goes, then takes its name
    assert kinds.index('create_container', 2) < kinds.index('remove_container') < kinds.index('rename_container')
    assert 'remove_volume' not in kinds and OLD in api.volumes  # the previous volume is kept
    assert result['previous_volumes'] == [{'path': '/data', 'volume': OLD, 'was_in': 'store'}]
    assert result['volumes'] == {'/data': new_volume} and result['restored'] == ['/data']


def shape(actions):
    """The actions without the names this run draws at random (volumes, holders, replacements)."""
    return [' '.join(action.split(' ')[:2]) for action in actions]


def test_check_mode_predicts_the_real_run_and_writes_nothing(engine_module, archive):
    api = store_engine({'f': b'changed since'})
    predicted = run(engine_module, api, archive, converge_restore, check_mode=True)
    writes = set(['create_volume', 'create_container', 'put_archive', 'remove_container', 'rename_container'])
    assert not set(api.names()) & writes
    done = run(engine_module, store_engine({'f': b'changed since'}), archive, converge_restore)
    assert predicted['changed'] is done['changed'] is True
    assert shape(predicted['actions']) == shape(done['actions'])
    assert predicted['previous_volumes'] == done['previous_volumes']
