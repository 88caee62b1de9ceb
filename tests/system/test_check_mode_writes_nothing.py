# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check mode writes nothing, to the engine or to the host (DESIGN.md promise 8).

Every module runs in check mode, in a situation where a real run would change things,
against an engine of its own (its own network namespace, data root and socket), so every
event that engine reports in the time window of the run is the module's. The engine's
events endpoint is asked for that window afterwards; the test asserts there is none
besides the reads of the archive endpoint (``archive-path``, and the volume mounts the
engine makes to serve them), and that no file under the host directories the tasks name
was written.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import pathlib
import time

import docker
import pytest

from conftest import IMAGE, LOOP, RUN_ID, run_module
from lab import ExtraEngine

# What the engine reports for reads through the archive endpoint (GET/HEAD .../archive).
READS = {('container', 'archive-path'), ('volume', 'mount'), ('volume', 'unmount')}


@pytest.fixture(scope='module')
def engine(api):
    """An engine of this module's own, with local/busybox loaded."""
    own = ExtraEngine('pvc%s' % RUN_ID)
    own.start()
    client = docker.APIClient(base_url=own.docker_host, version='auto', timeout=120)
    client.load_image(b''.join(api.get_image(IMAGE)))
    own.api = client
    yield own
    client.close()
    own.stop()


def real(engine, module, args):
    result = run_module(module, dict(args, docker_host=engine.docker_host))
    assert result['rc'] == 0, result.get('msg')
    return result


@pytest.fixture(scope='module')
def state(engine, tmp_path_factory):
    """What the check-mode runs look at: a data container with data, a consumer wired to it,
    a named volume with data, one that no container holds, an unused volume, archives of the
    data container (older than its data now) and of the named volume, host directories."""
    host = tmp_path_factory.mktemp('check-mode-host')
    (host / 'existing').mkdir()
    os.chmod(str(host / 'existing'), 0o755)
    client = engine.api
    real(engine, 'data_container', dict(name='dc', volumes=['/datastore', 'named:/named']))
    real(engine, 'volume', dict(name='unused'))
    write(client, 'echo kept > /datastore/f && echo kept > /named/f', volumes_from=['dc'])
    write(client, 'echo loose > /loose/f', binds=['loose:/loose'])
    real(engine, 'volumes_from', dict(container='app', image=IMAGE, command=LOOP, network_mode='none',
                                      **{'from': ['dc']}))
    archive = str(host / 'dc.tar')
    real(engine, 'volume_backup', dict(container='dc', dest=archive, compression='none'))
    volume_archive = str(host / 'named.tar')
    real(engine, 'volume_backup', dict(volume='named', dest=volume_archive, compression='none'))
    write(client, 'echo newer > /datastore/g', volumes_from=['dc'])  # the archive is older than the data now
    # The watcher sees writes: a real run's window holds its events.
    since = time.time()
    real(engine, 'volume', dict(name='seen'))
    assert ('volume', 'create') in [(e['Type'], e['Action']) for e in events_between(client, since, time.time())]
    return dict(host=host, archive=archive, volume_archive=volume_archive)


def write(client, script, volumes_from=None, binds=None):
    """Run ``sh -c script`` in a throwaway container on the engine."""
    config = client.create_host_config(volumes_from=volumes_from, binds=binds, network_mode='none')
    writer = client.create_container(IMAGE, command=['sh', '-c', script], host_config=config)
    client.start(writer)
    assert client.wait(writer, timeout=60)['StatusCode'] == 0
    client.remove_container(writer)


def host_files(root):
    """Every path below ``root`` with what a write would change."""
    found = {}
    for directory, dirs, files in os.walk(str(root)):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            found[path] = (info.st_mode, info.st_uid, info.st_gid, info.st_size, info.st_mtime_ns)
    return found


def scenarios(host, archive, volume_archive):
    """module, args, whether a real run would change something (volume_info never does)."""
    new_dir, existing = str(host / 'new' / 'www'), str(host / 'existing')
    return {
        'volume-create': ('volume', dict(name='fresh', labels={'tier': 'db'}), True),
        'volume-remove': ('volume', dict(name='unused', state='absent'), True),
        'volume_info': ('volume_info', dict(include_usage=True, include_layout=True), False),
        'data_container-create': ('data_container', dict(name='dc2', volumes=[
            '/a', dict(path='/b', owner=1000, mode='0750')]), True),
        'data_container-recreate': ('data_container', dict(name='dc', volumes=[
            '/datastore', 'named:/named', dict(path='/more', owner=1000)]), True),
        'data_container-root-attributes': ('data_container', dict(name='dc', volumes=[
            dict(path='/datastore', owner=1000, mode='0700'), 'named:/named']), True),
        'data_container-remove': ('data_container', dict(name='dc', state='absent', force=True,
                                                         remove_volumes=True), True),
        'volumes_from-create': ('volumes_from', dict(container='app2', image=IMAGE, command=LOOP,
                                                     network_mode='none', running=True, **{'from': ['dc:ro']}), True),
        'volumes_from-recreate': ('volumes_from', dict(container='app', running=True, env={'A': '1'},
                                                       **{'from': ['dc']}), True),
        'bind_mount-new-dir': ('bind_mount', dict(container='app', source=new_dir, target='/www', owner=1000,
                                                  mode='0750'), True),
        'bind_mount-existing-dir': ('bind_mount', dict(container='app', source=existing, target='/srv', owner=1000,
                                                       mode='0700'), True),
        'layout': ('layout', dict(
            volumes=[dict(name='lv')],
            data_containers=[dict(name='ldc', volumes=['/data', dict(path='/logs', mode='0750')])],
            consumers=[dict(container='lapp', image=IMAGE, command=LOOP, network_mode='none',
                            running=True, binds=[dict(source=new_dir, target='/www', mode='0750')],
                            **{'from': ['ldc']})]), True),
        'volume_backup-container': ('volume_backup', dict(container='dc', dest=str(host / 'new.tar')), True),
        'volume_backup-volume-held': ('volume_backup', dict(volume='named', dest=str(host / 'named2.tar')), True),
        'volume_backup-volume-held-by-nobody': ('volume_backup', dict(volume='loose', dest=str(host / 'loose.tar')),
                                                True),
        'volume_restore-container': ('volume_restore', dict(src=archive, container='dc'), True),
        'volume_restore-empty-volume': ('volume_restore', dict(src=volume_archive, volume='unused'), True),
    }


NAMES = sorted(scenarios(pathlib.PurePosixPath('/'), '', ''))


def events_between(client, since, until):
    return list(client.events(since='%.9f' % since, until='%.9f' % until, decode=True))


@pytest.mark.parametrize('scenario', NAMES)
def test_check_mode_writes_nothing(engine, state, scenario):
    module, args, changes = scenarios(state['host'], state['archive'], state['volume_archive'])[scenario]
    files = host_files(state['host'])
    since = time.time()
    result = run_module(module, dict(args, docker_host=engine.docker_host), check=True)
    until = time.time()
    assert result['rc'] == 0, result.get('msg')
    if changes:
        assert result['changed'] is True, result
    events = events_between(engine.api, since, until)
    writes = [(e.get('Type'), e.get('Action'), (e.get('Actor') or {}).get('Attributes', {}).get('name'))
              for e in events if (e.get('Type'), e.get('Action')) not in READS]
    assert writes == [], 'check mode of %s made the engine report %s' % (module, writes)
    assert host_files(state['host']) == files, 'check mode of %s wrote on the host' % module
