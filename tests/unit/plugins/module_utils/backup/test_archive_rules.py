# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of backup and restore, as tables: which container a restore may recreate
(restore_target), which file a backup may replace (archive_destination), the generations of a
series (archive_generations) and when the direct path may be taken (archive_locality)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.backup.destination import FORMAT, foreign_reason
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import (
    free_generation_path,
    generation_path,
    list_generations,
    remove_generation,
    split_dest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import (
    choose_access,
    engine_access,
    volume_problem,
    Access,
)
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.restore.target import (
    check_target,
    not_a_data_container,
)

NEVER = '0001-01-01T00:00:00Z'
IMAGE = {'Config': {'Cmd': ['sh'], 'Entrypoint': None}}


def container(status='created', started=NEVER, running=False, cmd=('sh',), entrypoint=None, volumes_from=(),
              labels=None):
    return ContainerDetail({
        'Id': 'c' * 64, 'Name': '/dc',
        'Config': {'Cmd': list(cmd) if cmd else None, 'Entrypoint': entrypoint, 'Labels': labels or {}},
        'HostConfig': {'VolumesFrom': list(volumes_from)},
        'State': {'Status': status, 'Running': running, 'StartedAt': started}, 'Mounts': []})


# --- restore_target ----------------------------------------------------------------------
@pytest.mark.parametrize('detail, reason', [
    (container(), None),
    (container(cmd=None), 'it has a command of its own (cmd None)'),
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


# --- archive_destination -------------------------------------------------------------------
def write(path, content):
    with open(str(path), 'w') as handle:
        handle.write(content)


def manifest(source, size, fmt=FORMAT):
    return json.dumps(dict(format=fmt, source=source, size=size))


SOURCE = {'container': 'dc'}
NOT_OURS = '{d}/b.tar.manifest.json is not a persistent.volumes backup manifest'


@pytest.mark.parametrize('files, reason', [
    ({}, None),
    ({'b.tar': 'data', 'b.tar.manifest.json': manifest(SOURCE, 4)}, None),
    ({'b.tar.manifest.json': manifest(SOURCE, 4)}, None),
    ({'b.tar': 'precious'}, 'it has no backup manifest beside it ({d}/b.tar.manifest.json)'),
    ({'b.tar': 'data', 'b.tar.manifest.json': '{"not": "ours"}'}, NOT_OURS),
    ({'b.tar': 'data', 'b.tar.manifest.json': 'garbage'}, NOT_OURS),
    ({'b.tar': 'data', 'b.tar.manifest.json': manifest({'volume': 'v'}, 4)},
     'its manifest says it is an archive of volume v'),
    ({'b.tar': 'more data', 'b.tar.manifest.json': manifest(SOURCE, 4)},
     'its manifest describes another file (4 bytes, the file has 9)'),
    ({'b.tar.manifest.json': 'precious'}, '{d}/b.tar.manifest.json is not a persistent.volumes backup manifest'),
], ids=['nothing', 'earlier-archive', 'manifest-only', 'a-user-file', 'foreign-manifest', 'broken-manifest',
        'other-source', 'other-size', 'a-user-file-at-the-manifest-name'])
def test_foreign_reason(tmp_path, files, reason):
    for name, content in files.items():
        write(tmp_path / name, content)
    found = foreign_reason(str(tmp_path / 'b.tar'), SOURCE)
    assert found == (reason.format(d=str(tmp_path)) if reason else None)


def test_foreign_reason_of_a_symlink(tmp_path):
    write(tmp_path / 'target', 'x')
    os.symlink(str(tmp_path / 'target'), str(tmp_path / 'b.tar'))
    assert foreign_reason(str(tmp_path / 'b.tar'), SOURCE) == '%s/b.tar is a symbolic link' % tmp_path


# --- archive_generations -------------------------------------------------------------------
@pytest.mark.parametrize('dest, stem, suffix', [
    ('/b/app.tar.gz', '/b/app', '.tar.gz'), ('/b/app.tar', '/b/app', '.tar'), ('/b/app.tgz', '/b/app', '.tgz'),
    ('/b/app.tar.xz', '/b/app', '.tar.xz'), ('/b/app', '/b/app', ''), ('/b/.tar', '/b/.tar', '')])
def test_split_dest(dest, stem, suffix):
    assert split_dest(dest) == (stem, suffix)


def generation(tmp_path, stamp, source=None, content='data', name='app'):
    source = source or SOURCE
    path = tmp_path / ('%s.%s.tar.gz' % (name, stamp))
    write(path, content)
    write(str(path) + '.manifest.json', manifest(source, len(content)))
    return str(path)


def test_generations_of_the_same_source_only_newest_first(tmp_path):
    old = generation(tmp_path, '20240101T000000Z')
    new = generation(tmp_path, '20240301T000000Z')
    generation(tmp_path, '20240201T000000Z', source={'container': 'other'})
    generation(tmp_path, '20240401T000000Z', name='app.x')  # another series that starts alike
    write(tmp_path / 'app.20240501T000000Z.tar.gz', 'no manifest')
    write(tmp_path / 'app.tar.gz', 'the single archive of before')
    found = list_generations(str(tmp_path / 'app.tar.gz'), SOURCE, FORMAT)
    assert [g.path for g in found] == [new, old]
    remove_generation(found[-1])
    assert not os.path.exists(old) and not os.path.exists(old + '.manifest.json')


def test_generation_names_sort_by_time_and_wait_when_taken(tmp_path):
    dest = str(tmp_path / 'app.tar.gz')
    assert generation_path(dest, 0) == str(tmp_path / 'app.19700101T000000Z.tar.gz')
    taken = generation(tmp_path, '19700101T000000Z')
    slept = []
    assert free_generation_path(dest, now=0, sleep=slept.append) == str(tmp_path / 'app.19700101T000001Z.tar.gz')
    assert slept == [1] and os.path.exists(taken)


# --- archive_locality ----------------------------------------------------------------------
class Options(object):
    def __init__(self, docker_host, tls=False):
        self.docker_host = docker_host
        self.uses_tls = tls


class Engine(object):
    def __init__(self, docker_host, tls=False, info=None):
        self.options = Options(docker_host, tls)
        self.api = self
        self._info = info or {}

    def info(self):
        return self._info


@pytest.mark.parametrize('host, tls, method, reason', [
    ('unix:///var/run/docker.sock', False, 'engine', 'method=engine was asked'),
    ('tcp://10.0.0.1:2376', True, 'auto', 'the engine is not on a local Unix socket (docker_host=tcp://10.0.0.1:2376)'),
    ('ssh://user@host', False, 'auto', 'the engine is not on a local Unix socket (docker_host=ssh://user@host)'),
    ('unix:///nonexistent/docker.sock', False, 'auto', 'cannot ask the socket /nonexistent/docker.sock who serves it'),
])
def test_engine_access_falls_back_to_the_engine(host, tls, method, reason):
    access = engine_access(Engine(host, tls), method)
    assert access.method == 'engine' and access.reason.startswith(reason)


def test_direct_that_cannot_be_proved_is_refused():
    with pytest.raises(Refusal, match=r'^method=direct cannot be used: the engine is not on a local Unix socket '
                                      r'\(docker_host=tcp://h:2375\)\. Use method=auto'):
        choose_access(Engine('tcp://h:2375'), 'direct', [])


@pytest.mark.parametrize('volume, problem', [
    ({'Name': 'v', 'Driver': 'nfs-plugin', 'Mountpoint': '/x'}, 'volume v uses the driver nfs-plugin, not local'),
    ({'Name': 'v', 'Driver': 'local', 'Options': {'type': 'nfs', 'o': 'addr=1.2.3.4'}, 'Mountpoint': '/x'},
     'volume v is a local volume with mount options o, type (mounted only while in use)'),
    ({'Name': 'v', 'Driver': 'local', 'Mountpoint': ''}, 'volume v has no Mountpoint'),
    ({'Name': 'v', 'Driver': 'local', 'Mountpoint': '/nonexistent/v/_data'},
     'cannot look at the Mountpoint of volume v: No such file or directory'),
])
def test_volume_problem(volume, problem):
    assert volume_problem(Access('direct', 'proved', pid=os.getpid()), volume) == problem


def test_volume_problem_of_the_engine_s_own_directory(tmp_path):
    volume = {'Name': 'v', 'Driver': 'local', 'Mountpoint': str(tmp_path)}
    assert volume_problem(Access('direct', 'proved', pid=os.getpid()), volume) is None
