# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A backup through the engine, against the declared fake: the archive and its manifest are written
through a temporary reader, the same data again keeps the earlier archive, check mode writes nothing,
and a failed write leaves neither a partial file nor the reader."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import os
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.backup.runner import converge_backup
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

IMAGE = {'Id': 'sha256:' + '1' * 64, 'Config': {'Volumes': None}}


def directory_tar(root, files):
    """The engine's tar stream of a directory ``root`` holding ``files`` ({name: bytes})."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w') as tar:
        info = tarfile.TarInfo(root)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1700000000
        tar.addfile(info)
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo('%s/%s' % (root, name))
            info.size, info.mode, info.mtime = len(data), 0o644, 1700000000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


class Volume(FakeEngineAPI):
    """An engine with volume ``data`` (no container holds it) whose content is ``files``."""

    def __init__(self, files):
        super(Volume, self).__init__(volumes=['data'], images={'persistent-volumes/data-only:1': IMAGE})
        self.files = files

    def archive_stream(self, container, path):
        super(Volume, self).archive_stream(container, path)
        data = directory_tar(os.path.basename(path), self.files)
        return iter([data[i:i + 1000] for i in range(0, len(data), 1000)])


def backup(engine_module, api, dest, check_mode=False, keep=None, compression='none'):
    params = dict(volume='data', dest=dest, compression=compression, method='engine', force=False, keep=keep, host='h1',
                  container=None, paths=None)
    return converge_backup(engine_module(api, params=params, check_mode=check_mode))


def written_members(dest):
    with tarfile.open(dest) as tar:
        return dict((info.name, tar.extractfile(info).read() if info.isreg() else None) for info in tar)


def test_a_backup_writes_the_archive_and_its_manifest_through_a_temporary_reader(engine_module, tmp_path):
    dest = str(tmp_path / 'v.tar')
    api = Volume({'f': b'hello'})
    result = backup(engine_module, api, dest)
    assert result['changed'] is True and result['dest'] == dest
    assert written_members(dest)['volume/f'] == b'hello'
    with open(result['manifest_path']) as handle:
        manifest = json.load(handle)
    assert manifest['sha256'] == result['sha256']
    assert [call[0] for call in api.calls if call[0] in ('create_container', 'archive_stream', 'remove_container')] == [
        'create_container', 'archive_stream', 'remove_container']
    assert sorted(os.listdir(str(tmp_path))) == sorted(['v.tar', os.path.basename(result['manifest_path'])])


def test_the_same_data_again_keeps_the_earlier_archive(engine_module, tmp_path):
    dest = str(tmp_path / 'v.tar')
    first = backup(engine_module, Volume({'f': b'hello'}), dest)
    before = os.stat(dest)
    again = backup(engine_module, Volume({'f': b'hello'}), dest)
    assert again['changed'] is False and again['sha256'] == first['sha256']
    assert os.stat(dest).st_ino == before.st_ino
    changed = backup(engine_module, Volume({'f': b'hello!'}), dest)
    assert changed['changed'] is True and changed['sha256'] != first['sha256']


def test_check_mode_writes_nothing(engine_module, tmp_path):
    api = Volume({'f': b'hello'})
    result = backup(engine_module, api, str(tmp_path / 'v.tar'), check_mode=True)
    assert result['changed'] is True
    assert os.listdir(str(tmp_path)) == []
    assert not set(api.names()) & set(['create_container', 'remove_container', 'put_archive'])


def test_a_failed_read_leaves_no_partial_file_and_no_reader(engine_module, tmp_path):
    api = Volume({'f': b'hello'})
    api.fail_next('archive_stream', EngineError('the engine went away'))
    with pytest.raises(EngineError, match='the engine went away'):
        backup(engine_module, api, str(tmp_path / 'v.tar'))
    assert os.listdir(str(tmp_path)) == []
    assert api.names().count('remove_container') == 1
    assert api.containers == []


def test_a_series_keeps_the_newest_generations(engine_module, tmp_path):
    """With keep, each new archive is a generation of its own; the oldest go once the new one is in place."""
    dest = str(tmp_path / 'v.tar')
    results = []
    for content in (b'one', b'two', b'three'):
        results.append(backup(engine_module, Volume({'f': content}), dest, keep=2))
    last = results[-1]
    assert len(last['generations']) == 2 and last['dest'] in last['generations']
    assert last['removed_generations'] == [results[0]['dest']]
    assert not os.path.exists(results[0]['dest']) and os.path.exists(results[1]['dest'])
    assert written_members(last['dest'])['volume/f'] == b'three'


def test_the_content_digest_is_the_same_whatever_the_compression_and_check_mode_reads_it(engine_module, tmp_path):
    """The manifest's content digest is of the data, not of the file: gzip or not, and as check mode reads it."""
    plain = backup(engine_module, Volume({'f': b'hello', 'g': b'x' * 100000}), str(tmp_path / 'plain.tar'))
    packed = backup(engine_module, Volume({'f': b'hello', 'g': b'x' * 100000}), str(tmp_path / 'packed.tar.gz'),
                    compression='gzip')
    assert plain['manifest']['content_sha256'] == packed['manifest']['content_sha256']
    assert plain['sha256'] != packed['sha256']
    assert os.path.getsize(packed['dest']) < os.path.getsize(plain['dest'])
    # a holder reads it without a temporary container: check mode reads and finds the archive up to date
    api = Volume({'f': b'hello', 'g': b'x' * 100000})
    api.containers.append(dict(Id='c' * 64, Names=['/app'], Labels={}, State='running', Image='app',
                               Mounts=[dict(Type='volume', Name='data', Destination='/volume')]))
    predicted = backup(engine_module, api, str(tmp_path / 'plain.tar'), check_mode=True)
    assert predicted['changed'] is False and predicted['sha256'] == plain['sha256']
