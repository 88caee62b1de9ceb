# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A restore into a new volume through the engine, against the declared fake: an archive the backup
wrote goes whole into a fresh volume through a holder that is removed after; check mode plans the
same actions and writes nothing; a failed fill takes back the holder and the volume it made."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.restore.runner import converge_restore
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.backup.test_backup_runner import Volume, backup

KINDS = ['create_volume', 'create_container', 'put_archive', 'remove_container']


class Target(Volume):
    """The engine the backup read ``data`` from; the restore writes into it (what each holder received)."""

    def __init__(self):
        super(Target, self).__init__({'f': b'hello', 'g': b'world'})
        self.received = []

    def put_archive(self, container, path, data):
        with tarfile.open(fileobj=io.BytesIO(data.read())) as tar:
            self.received.append((container, path, dict((info.name, tar.extractfile(info).read())
                                                        for info in tar if info.isreg())))
        return super(Target, self).put_archive(container, path, None)


def restore(engine_module, api, src, check_mode=False):
    params = dict(src=src, manifest=None, container=None, volume='restored', paths=None, add_paths=False,
                  method='engine', docker_host='tcp://engine.example:2376')
    return converge_restore(engine_module(api, params=params, check_mode=check_mode))


@pytest.fixture
def archive(engine_module, tmp_path):
    dest = str(tmp_path / 'data.tar')
    backup(engine_module, Target(), dest)
    return dest


def test_the_archive_goes_into_a_new_volume_through_a_holder(engine_module, archive):
    api = Target()
    result = restore(engine_module, api, archive)
    assert result['changed'] is True and result['restored'] == ['/volume']
    assert [name for name in api.names() if name in KINDS] == KINDS
    (holder, path, files), = api.received
    assert (path, files) == ('/', {'volume/f': b'hello', 'volume/g': b'world'})
    assert 'restored' in api.volumes and api.containers == []


def test_check_mode_plans_the_same_and_writes_nothing(engine_module, archive):
    api = Target()
    predicted = restore(engine_module, api, archive, check_mode=True)
    assert predicted['changed'] is True and len(predicted['actions']) == 4
    assert not set(api.names()) & set(KINDS) and 'restored' not in api.volumes


def test_a_failed_fill_takes_back_its_holder_and_its_volume(engine_module, archive):
    api = Target()
    api.fail_next('put_archive', EngineError('no space left on device'))
    with pytest.raises(EngineError, match='no space left on device'):
        restore(engine_module, api, archive)
    assert 'restored' not in api.volumes and api.containers == []


def test_a_volume_that_holds_the_archive_already_is_left_as_it_is(engine_module, archive):
    """Read back through a temporary reader (removed again), found to hold the archive's data: no change."""
    api = Target()
    api.volumes['restored'] = dict(Name='restored', Driver='local', Labels=None, Options=None, Mountpoint='/nowhere')
    result = restore(engine_module, api, archive)
    assert result['changed'] is False and result['restored'] == []
    writes = [name for name in api.names() if name in KINDS + ['remove_volume']]
    assert writes == ['create_container', 'remove_container'] and api.received == []
    assert 'restored' in api.volumes and api.containers == []
