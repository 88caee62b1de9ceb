# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two paths of volume_backup and volume_restore on the real engine: the direct path (the
volume's directory) and the engine's archive endpoint write the same archive, and an archive made
on one restores on the other, owners, modes, times, links, empty directories and sparse files
included; the direct path is only taken when it is proved to be the engine's directory."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import legacy_mode
from conftest import failed, run_module
from proxy import EngineProxy
from test_backup_restore import PATHS, assert_attributes, data_container, populate
from test_restore_hostile import mountpoint, mounts, ok, snapshot

SPARSE = 64 << 20


# The one clean-up (conftest's lab) takes every volume this file's containers mounted.
TIDY_ALL_HELD = True


def add_sparse(root):
    path = os.path.join(root, 'sparse.img')
    with open(path, 'wb') as handle:
        handle.truncate(SPARSE)
        handle.seek(SPARSE // 2)
        handle.write(b'middle')
    os.utime(path, (1500000000, 1500000000))


def filled_source(lab, api):
    source = data_container(lab, 'src')
    volumes = mounts(api, source)
    for path in PATHS:
        populate(mountpoint(api, volumes[path]), path)
    add_sparse(mountpoint(api, volumes['/data']))
    os.utime(mountpoint(api, volumes['/data']), (1500000000, 1500000007))
    return source, dict((path, snapshot(mountpoint(api, volumes[path]))) for path in PATHS)


@pytest.mark.parametrize('made_by, restored_by', [('direct', 'engine'), ('engine', 'direct')])
@pytest.mark.parametrize('compression', ['none', 'gzip'])
def test_an_archive_made_on_one_path_restores_on_the_other(lab, api, tmp_path, made_by, restored_by, compression):
    source, expected = filled_source(lab, api)
    archives = {}
    for method in ('direct', 'engine'):
        dest = str(tmp_path / ('%s.tar' % method))
        made = ok(run_module('volume_backup', dict(container=source, dest=dest, compression=compression,
                                                   method=method)))
        assert made['method'] == method and made['manifest']['content_scheme'] == 2
        archives[method] = made
    assert archives['direct']['manifest']['content_sha256'] == archives['engine']['manifest']['content_sha256']
    assert archives['direct']['paths'] == archives['engine']['paths']
    with open(str(tmp_path / 'direct.tar'), 'rb') as one, open(str(tmp_path / 'engine.tar'), 'rb') as two:
        assert one.read() == two.read()  # the very same bytes, compressed or not

    target = data_container(lab, 'dst')
    src = str(tmp_path / ('%s.tar' % made_by))
    restored = ok(run_module('volume_restore', dict(src=src, container=target, method=restored_by)))
    assert restored['changed'] is True and restored['method'] == restored_by
    after = mounts(api, target)
    for path in PATHS:
        tree = snapshot(mountpoint(api, after[path]))
        assert tree == expected[path], path
        assert_attributes(tree, path)
    sparse = os.stat(os.path.join(mountpoint(api, after['/data']), 'sparse.img'))
    assert sparse.st_size == SPARSE
    if restored_by == 'direct':
        assert sparse.st_blocks * 512 <= 1 << 20  # the holes stay holes
    assert lab.read('/data/plain.txt /srv/logs/sub/deeper/file', volumes_from=[target]) == \
        'plain in /data\ndeep in /srv/logs'

    for method in ('direct', 'engine'):  # the data is the archive's now, whichever path looks
        again = ok(run_module('volume_restore', dict(src=src, container=target, method=method)))
        assert again['changed'] is False and again['restored'] == []
        same = ok(run_module('volume_backup', dict(container=target, dest=str(tmp_path / 'again.tar'),
                                                   compression=compression, method=method)))
        assert same['manifest']['content_sha256'] == archives[made_by]['manifest']['content_sha256']


def test_a_scheme_1_archive_still_restores_and_is_recognised(lab, api, tmp_path):
    """Archives written before the canonical layout (no content_scheme) restore, and are known."""
    source, expected = filled_source(lab, api)
    dest = str(tmp_path / 'old.tar')
    ok(run_module('volume_backup', dict(container=source, dest=dest, compression='none', paths=['/srv/logs'])))
    legacy = legacy_manifest(api, source, dest)
    for method in ('engine', 'direct'):
        volume = lab.name('v' + method)
        restored = ok(run_module('volume_restore', dict(src=dest, volume=volume, method=method)))
        assert restored['changed'] is True
        assert snapshot(mountpoint(api, volume)) == expected['/srv/logs']
        again = ok(run_module('volume_restore', dict(src=dest, volume=volume, method=method)))
        assert again['changed'] is False
    again = ok(run_module('volume_backup', dict(container=source, dest=dest, compression='none',
                                                paths=['/srv/logs'])))
    assert again['changed'] is False and again['manifest'] == legacy  # the old archive still holds this data


def legacy_manifest(api, source, dest):
    """Rewrite the manifest beside ``dest`` as the collection wrote it before (scheme 1 digests, made on
    Docker 20.10, whose archive endpoint gives modes with the file type bits; Docker 26's does not)."""
    import hashlib
    import json
    import tarfile
    with open(dest + '.manifest.json') as handle:
        manifest = json.load(handle)
    digest = hashlib.sha256()
    stream, dummy = api.get_archive(source, '/srv/logs')
    with tarfile.open(fileobj=Chunks(stream), mode='r|') as engine_stream:
        for info in engine_stream:
            name = 'srv/logs' + info.name[len('logs'):]
            link = 'srv/logs' + info.linkname[len('logs'):] if info.islnk() else info.linkname
            digest.update(('%s\0%s\0%o\0%d\0%d\0%d\0%d\0%s\0' % (
                name, info.type.decode('latin-1'), legacy_mode(info.type.decode('latin-1'), info.mode), info.uid,
                info.gid, int(info.mtime), info.size,
                link)).encode('utf-8', 'surrogateescape'))
            if info.isreg():
                digest.update(engine_stream.extractfile(info).read())
    entry = manifest['paths'][0]
    entry['content_sha256'] = digest.hexdigest()
    manifest['content_sha256'] = hashlib.sha256(('srv/logs\0%s\n' % entry['content_sha256']).encode()).hexdigest()
    del manifest['content_scheme']
    with open(dest + '.manifest.json', 'w') as handle:
        json.dump(manifest, handle)
    return manifest


class Chunks(object):
    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.buffer = b''

    def read(self, size):
        while len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def test_auto_goes_through_the_engine_when_the_socket_is_not_the_engine_s(lab, api, tmp_path):
    volume = lab.name('vol')
    api.create_volume(volume)
    populate(mountpoint(api, volume), '/volume')
    dest = str(tmp_path / 'v.tar')
    with EngineProxy() as proxy:
        made = ok(run_module('volume_backup', dict(volume=volume, dest=dest, docker_host=proxy.docker_host)))
        assert made['method'] == 'engine'
        assert made['method_reason'] == (
            'neither the process listening on %s (pid %d) nor the one that accepted a connection to it (pid %d) '
            'holds %s/volumes/metadata.db open: it is not the engine that owns the volumes seen here (a '
            "proxy, an engine in another mount namespace or root, or another machine's engine)"
            % (proxy.path, os.getpid(), os.getpid(), api.info()['DockerRootDir']))
        for check in (True, False):
            failed(run_module('volume_backup', dict(volume=volume, dest=dest, method='direct', force=True,
                                                    docker_host=proxy.docker_host), check=check),
                   'method=direct cannot be used: neither the process listening on %s' % proxy.path,
                   'Use method=auto (or engine) to go through the engine\'s archive endpoint; nothing was changed.')
        restored = ok(run_module('volume_restore', dict(src=dest, volume=lab.name('copy'),
                                                        docker_host=proxy.docker_host)))
        assert restored['method'] == 'engine' and restored['changed'] is True
    assert snapshot(mountpoint(api, lab.name('copy'))) == snapshot(mountpoint(api, volume))
