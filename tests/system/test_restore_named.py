# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A restore stays restored when the data container's paths are named volumes (promise 10).

The sequence a new user runs: a data container with ``pgdata:/data``, an application wired to it,
a backup, a bad migration, a restore, then the same tasks again (the role's nightly run). The
restored data must be in ``pgdata`` itself, seen through the data container and every consumer,
the earlier content kept in a volume of its own, and the re-run must change nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import subprocess

import docker
import pytest

from conftest import IMAGE, LOOP, failed, run_module, venv_tool
from test_restore_hostile import mounts, ok

PREVIOUS_OF = 'persistent.volumes.previous-of'
JOURNAL = 'persistent.volumes.temporary=restore-journal'


def app_on(lab, dc, name='app', running=True):
    app = lab.name(name)
    ok(run_module('volumes_from', {'container': app, 'from': [dc], 'image': IMAGE, 'command': LOOP,
                                   'running': running}))
    return app


def sh_read(lab, api, container, path):
    exec_id = api.exec_create(container, ['cat', path])
    return api.exec_start(exec_id).decode().strip()


def sequence(lab, api, tmp_path, method):
    """A data container on a named volume, an app writing through it, a backup: (data container, volume,
    app, backup args, restore args)."""
    dc, volume = lab.name('nvdc'), lab.name('pgdata')
    dc_args = dict(name=dc, volumes=['%s:/data' % volume])
    ok(run_module('data_container', dc_args))
    app = app_on(lab, dc)
    assert api.exec_start(api.exec_create(app, ['sh', '-c', 'echo v1-good > /data/f'])) == b''
    dest = str(tmp_path / 'nvdc.tar.gz')
    ok(run_module('volume_backup', dict(container=dc, dest=dest, compression='gzip', method=method)))
    api.exec_start(api.exec_create(app, ['sh', '-c', 'echo v2-bad > /data/f; mkdir -p /data/new; echo x > /data/new/g']))
    return dc, dc_args, volume, app, dict(src=dest, container=dc, method=method)


@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_restore_into_a_named_volume_stays_restored(lab, api, tmp_path, method):
    dc, dc_args, volume, app, restore = sequence(lab, api, tmp_path, method)
    idle = app_on(lab, dc, 'idle', running=False)
    ids = dict((name, api.inspect_container(name)['Id']) for name in (dc, app, idle))

    predicted = ok(run_module('volume_restore', restore, check=True))
    assert predicted['changed'] is True and predicted['restored'] == ['/data']
    [previous] = predicted['previous_volumes']
    assert previous['path'] == '/data' and previous['was_in'] == dc and previous['volume'].startswith(volume + '.previous-')
    assert not lab.volume_exists(previous['volume']) and sh_read(lab, api, app, '/data/f') == 'v2-bad'

    result = ok(run_module('volume_restore', restore))
    assert result['changed'] is True and result['restored'] == ['/data'] and result['volumes'] == {'/data': volume}
    [kept] = result['previous_volumes']
    assert kept['path'] == '/data' and kept['was_in'] == dc and result['restarted'] == [app]
    # the data is in the named volume itself, seen through the data container and every consumer
    assert mounts(api, dc) == {'/data': volume} and mounts(api, app)['/data'] == volume
    assert dict((name, api.inspect_container(name)['Id']) for name in (dc, app, idle)) == ids
    assert api.inspect_container(app)['State']['Running'] is True
    assert sh_read(lab, api, app, '/data/f') == 'v1-good' and lab.read('/data/f', volumes_from=[dc]) == 'v1-good'
    assert lab.read('/data/f', volumes_from=[idle]) == 'v1-good'
    assert lab.run('test ! -e /data/new', volumes_from=[dc])[0] == 0  # nothing of the bad migration is left
    # the earlier content, in a volume of its own, named and labelled (volume_info shows it)
    assert lab.read('/p/f /p/new/g', binds=['%s:/p:ro' % kept['volume']]) == 'v2-bad\nx'
    info = ok(run_module('volume_info', dict(name=kept['volume'])))
    labels = info['volumes'][0]['labels']
    assert labels[PREVIOUS_OF] == volume and labels['persistent.volumes.was-in'] == dc
    assert labels['persistent.volumes.restored-path'] == '/data'
    whose = info['volumes'][0]['previous_of']
    assert (whose['volume'], whose['path'], whose['was_in']) == (volume, '/data', dc) and whose['replaced_at']
    assert not api.containers(all=True, filters={'label': JOURNAL})

    # the role's next run: the same tasks change nothing, and the data stays the archive's
    for check in (True, False):
        assert ok(run_module('data_container', dc_args, check=check))['changed'] is False
        wired = ok(run_module('volumes_from', {'container': app, 'from': [dc], 'image': IMAGE, 'command': LOOP,
                                               'running': True}, check=check))
        assert wired['changed'] is False
        again = ok(run_module('volume_restore', restore, check=check))
        assert again['changed'] is False and again['restored'] == [] and again['previous_volumes'] == []
    assert sh_read(lab, api, app, '/data/f') == 'v1-good' and lab.read('/data/f', volumes_from=[dc]) == 'v1-good'


@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_restore_into_a_named_volume_used_directly(lab, api, tmp_path, method):
    volume = lab.name('shared')
    api.create_volume(volume)
    user = lab.container(lab.name('user'), binds=['%s:/v' % volume], start=True, command=LOOP)
    lab.write('/v/f', 'v1-good', binds=['%s:/v' % volume])
    dest = str(tmp_path / 'v.tar')
    ok(run_module('volume_backup', dict(volume=volume, dest=dest, method=method)))
    lab.write('/v/f', 'v2-bad', binds=['%s:/v' % volume])
    args = dict(src=dest, volume=volume, method=method)
    result = ok(run_module('volume_restore', args))
    assert result['changed'] is True and result['restarted'] == [user]
    [kept] = result['previous_volumes']
    assert kept['volume'].startswith(volume + '.previous-') and kept['was_in'] == volume
    assert sh_read(lab, api, user, '/v/f') == 'v1-good' and api.inspect_container(user)['State']['Running']
    assert lab.read('/p/f', binds=['%s:/p:ro' % kept['volume']]) == 'v2-bad'
    for check in (True, False):
        assert ok(run_module('volume_restore', args, check=check))['changed'] is False


def test_restore_refuses_a_bind_mounted_path_and_a_running_rm_container(lab, api, tmp_path):
    directory = tmp_path / 'host'
    directory.mkdir()
    dc = lab.name('dc')
    ok(run_module('data_container', dict(name=dc, volumes=['%s:/data' % directory])))
    (directory / 'f').write_text(u'from-the-host')
    dest = str(tmp_path / 'b.tar')
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    ok(run_module('volume_backup', dict(container=source, dest=dest)))
    for check in (True, False):
        failed(run_module('volume_restore', dict(src=dest, container=dc), check=check),
               'Refusing to restore /data into data container %s: it is a bind mount of the host directory %s'
               % (dc, directory), 'nothing was changed')
    assert (directory / 'f').read_text() == u'from-the-host'

    volume = lab.name('rmvol')
    api.create_volume(volume)
    lab.write('/v/f', 'other', binds=['%s:/v' % volume])
    rm = lab.name('rm')
    api.create_container(IMAGE, command=LOOP, name=rm, host_config=api.create_host_config(
        binds=['%s:/v' % volume], auto_remove=True))
    api.start(rm)
    try:
        for check in (True, False):
            failed(run_module('volume_restore', dict(src=dest, volume=volume), check=check),
                   'Refusing to restore into volume %s: container %s uses it and runs with --rm' % (volume, rm))
        assert api.inspect_container(rm)['State']['Running'] is True
    finally:
        try:
            api.remove_container(rm, force=True)
        except docker.errors.APIError:
            pass


ROLE_PLAY = '''
- name: The role, as the nightly run applies it
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    data_volume_container_data_containers:
      - name: %(dc)s
        volumes: ["%(volume)s:/data"]
    data_volume_container_consumers:
      - container: %(app)s
        from: [%(dc)s]
        image: %(image)s
        command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
        running: true
  roles:
    - persistent.volumes.data_volume_container
'''


def role_run(ansible_env, play):
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local', play], env=ansible_env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False)
    output = proc.stdout.decode()
    assert proc.returncode == 0, output
    return output


@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_the_role_after_a_restore_changes_nothing(lab, api, tmp_path, ansible_env, method):
    dc, volume, app = lab.name('nvdc'), lab.name('pgdata'), lab.name('nvapp')
    play = tmp_path / 'role.yml'
    play.write_text(ROLE_PLAY % dict(dc=dc, volume=volume, app=app, image=IMAGE))
    role_run(ansible_env, str(play))
    api.exec_start(api.exec_create(app, ['sh', '-c', 'echo v1-good > /data/f']))
    dest = str(tmp_path / 'nvdc.tar.gz')
    ok(run_module('volume_backup', dict(container=dc, dest=dest, compression='gzip', method=method)))
    api.exec_start(api.exec_create(app, ['sh', '-c', 'echo v2-bad > /data/f']))
    restored = ok(run_module('volume_restore', dict(src=dest, container=dc, method=method)))
    assert restored['changed'] is True and restored['method'] == method
    ids = dict((name, api.inspect_container(name)['Id']) for name in (dc, app))

    output = role_run(ansible_env, str(play))
    assert re.search(r'localhost\s*: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0', output), output
    assert '[WARNING]' not in output, output
    assert dict((name, api.inspect_container(name)['Id']) for name in (dc, app)) == ids
    assert sh_read(lab, api, app, '/data/f') == 'v1-good' and lab.read('/data/f', volumes_from=[dc]) == 'v1-good'
    assert mounts(api, dc) == {'/data': volume} and mounts(api, app)['/data'] == volume


def test_a_restored_volume_the_task_declares_otherwise_is_kept_with_a_warning(lab, api, tmp_path):
    dc, volume = lab.name('dc'), lab.name('declared')
    ok(run_module('data_container', dict(name=dc, volumes=['/data'])))
    lab.write('/data/f', 'v1-good', volumes_from=[dc])
    dest = str(tmp_path / 'dc.tar')
    ok(run_module('volume_backup', dict(container=dc, dest=dest)))
    lab.write('/data/f', 'v2-bad', volumes_from=[dc])
    restored = ok(run_module('volume_restore', dict(src=dest, container=dc)))['volumes']['/data']
    assert len(restored) == 64  # an anonymous path gets a fresh volume: the task declaring /data agrees
    assert ok(run_module('data_container', dict(name=dc, volumes=['/data'])))['warning_texts'] == []

    declared = dict(name=dc, volumes=['%s:/data' % volume])
    for check in (True, False):
        kept = ok(run_module('data_container', declared, check=check))
        assert kept['changed'] is False and mounts(api, dc) == {'/data': restored}
        [warning] = kept['warning_texts']
        assert 'data container %s: /data holds volume %s, which a restore filled' % (dc, restored) in warning
        assert 'but the task declares %s there' % volume in warning and 'release_volumes: true' in warning
    assert lab.read('/data/f', volumes_from=[dc]) == 'v1-good' and not lab.volume_exists(volume)

    released = ok(run_module('data_container', dict(declared, release_volumes=True)))
    assert released['changed'] is True and mounts(api, dc) == {'/data': volume}
    assert [item['volume'] for item in released['released_volumes']] == [restored]
    again = ok(run_module('volume_restore', dict(src=dest, container=dc)))
    assert again['changed'] is True and again['volumes'] == {'/data': volume}
    assert lab.read('/data/f', volumes_from=[dc]) == 'v1-good'
    assert ok(run_module('data_container', declared))['changed'] is False


def test_restore_refuses_two_paths_of_one_named_volume(lab, api, tmp_path):
    source, dc, volume = lab.name('src'), lab.name('dc'), lab.name('both')
    ok(run_module('data_container', dict(name=source, volumes=['/a', '/b'])))
    dest = str(tmp_path / 'ab.tar')
    ok(run_module('volume_backup', dict(container=source, dest=dest)))
    ok(run_module('data_container', dict(name=dc, volumes=['%s:/a' % volume, '%s:/b' % volume])))
    lab.write('/a/f', 'kept', volumes_from=[dc])
    for check in (True, False):
        failed(run_module('volume_restore', dict(src=dest, container=dc), check=check),
               'Refusing to restore /a and /b into data container %s: volume %s holds both paths' % (dc, volume))
    assert lab.read('/b/f', volumes_from=[dc]) == 'kept'
    assert ok(run_module('volume_restore', dict(src=dest, container=dc, paths=['/b'])))['changed'] is True
