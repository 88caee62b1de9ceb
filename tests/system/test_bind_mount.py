# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.bind_mount against the real engine: the host directory, the mount, the
refusals, and the consumer's other storage surviving every recreation (written and read back)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat
from concurrent.futures import ThreadPoolExecutor

import docker
import pytest

from conftest import DOCKER_HOST, IMAGE, LOOP, RUN_ID, container_names, failed, raw_binds, run_module, sh


def bind(container, source, target, check=False, diff=False, **args):
    args.update(container=container, target=target)
    if source is not None:
        args['source'] = source
    return run_module('bind_mount', args, check=check, diff=diff)


def ok(result):
    assert result['rc'] == 0 and 'msg' not in result, result
    return result


def exists(api, name):
    try:
        return api.inspect_container(name)
    except docker.errors.NotFound:
        return None


def mounts(api, name):
    return dict((m['Destination'], m) for m in api.inspect_container(name)['Mounts'])


def host_view(side, path):
    """The host directory in one side of the diff (one, or keyed by path)."""
    return side.get('host_directory') or side['host_directories'][path]


def holders(api, volume):
    return container_names(api, volume=volume)


def test_host_directory_prepared_and_mounted_read_only(lab, api, tmp_path):
    src = str(tmp_path / 'www' / 'html')
    c = lab.name('c')
    args = dict(image=IMAGE, command=LOOP, running=True, read_only=True, owner=1234, group='2345', mode='0750')
    wanted = dict(path=src, state='directory', owner=1234, group=2345, mode='0750')
    actions = ['create host directory %s: missing' % src, 'create consumer %s: missing' % c,
               'start container %s: running=true' % c]
    predicted = ok(bind(c, src, '/srv', check=True, diff=True, **args))
    assert predicted['changed'] is True and predicted['actions'] == actions
    assert predicted['host_directory'] == wanted
    assert host_view(predicted['diff']['before'], src) == {'path': src, 'state': 'absent'}
    assert host_view(predicted['diff']['after'], src) == wanted
    assert not os.path.exists(str(tmp_path / 'www')) and exists(api, c) is None
    created = ok(bind(c, src, '/srv', diff=True, **args))
    assert created['changed'] is True and created['actions'] == actions
    assert created['host_directory'] == wanted and created['diff'] == predicted['diff']
    info = os.stat(src)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 2345, 0o750)
    assert created['container']['running'] is True and created['mounts'] == {'/srv': src}
    assert raw_binds(api, c) == ['%s:/srv:ro' % src]
    code, output = sh(api, c, 'echo no > /srv/f')
    assert code != 0 and 'Read-only file system' in output
    lab.write('/w/page', 'served', binds=['%s:/w' % src])
    assert sh(api, c, 'cat /srv/page') == (0, 'served')
    again = ok(bind(c, src, '/srv', **args))
    assert again['changed'] is False and again['actions'] == []
    container_id = api.inspect_container(c)['Id']
    args['mode'] = '0700'
    change = ['set host attributes %s: mode 0700 wanted, 0750 found' % src]
    predicted = ok(bind(c, src, '/srv', check=True, diff=True, **args))
    assert predicted['changed'] is True and predicted['actions'] == change and predicted['recreated'] is False
    assert host_view(predicted['diff']['before'], src)['mode'] == '0750'
    assert host_view(predicted['diff']['after'], src)['mode'] == '0700'
    assert stat.S_IMODE(os.stat(src).st_mode) == 0o750
    changed = ok(bind(c, src, '/srv', **args))
    assert changed['changed'] is True and changed['actions'] == change and changed['recreated'] is False
    assert stat.S_IMODE(os.stat(src).st_mode) == 0o700 and api.inspect_container(c)['Id'] == container_id
    assert sh(api, c, 'cat /srv/page') == (0, 'served')


def test_selinux_relabel_and_propagation_reach_the_engine(lab, api, tmp_path):
    src = str(tmp_path / 'shared')
    c = lab.name('c')
    args = dict(image=IMAGE, command=LOOP, selinux_relabel='z', propagation='rslave')
    ok(bind(c, src, '/m', **args))  # not started: rslave needs a shared host mount to start
    detail = api.inspect_container(c)
    assert raw_binds(api, c) == ['%s:/m:rw,rslave,z' % src]
    assert detail['Mounts'][0]['Propagation'] == 'rslave' and 'z' in detail['Mounts'][0]['Mode'].split(',')
    assert ok(bind(c, src, '/m', **args))['changed'] is False


SENSITIVE = ['/', '/etc', '/etc/ssl', '/proc/1', '/sys', '/dev/shm', '/root', '/boot', '/var/run/docker.sock',
             '/tmp/../etc', '/etc/.', '//etc', '/etc/']


def test_sensitive_paths_are_refused(lab, api, tmp_path):
    c = lab.container(lab.name('c'))
    before = api.inspect_container(c)
    data_root = api.info()['DockerRootDir']
    (tmp_path / 'etc-link').symlink_to('/etc')
    (tmp_path / 'vol-link').symlink_to(os.path.join(data_root, 'volumes'))
    paths = SENSITIVE + [data_root, os.path.join(data_root, 'volumes'), str(tmp_path / 'etc-link'),
                         str(tmp_path / 'etc-link' / 'ssl'), str(tmp_path / 'vol-link')]
    jobs = [(path, check) for path in paths for check in (True, False)]
    with ThreadPoolExecutor(8) as pool:  # 36 module runs: side by side
        results = list(pool.map(lambda job: bind(c, job[0], '/x', check=job[1], owner=0, mode='0700'), jobs))
    for (path, check), result in zip(jobs, results):
        failed(result, 'Refusing to bind-mount %s into %s' % (path, c), 'allow_sensitive=true', 'Nothing was changed')
    assert api.inspect_container(c) == before
    failed(bind(c, str(tmp_path / 'etc-link'), '/x'), 'resolves to /etc')
    etc = os.stat('/etc')
    allowed = ok(bind(c, '/etc', '/hostetc', allow_sensitive=True, read_only=True, running=True, command=LOOP))
    assert allowed['changed'] is True and allowed['mounts'] == {'/hostetc': '/etc'}
    assert raw_binds(api, c) == ['/etc:/hostetc:ro']
    assert sh(api, c, 'test -f /hostetc/passwd && echo yes') == (0, 'yes')
    assert sh(api, c, 'touch /hostetc/pvtest')[0] != 0 and not os.path.exists('/etc/pvtest')
    assert os.stat('/etc') == etc
    assert ok(bind(c, None, '/hostetc', state='absent'))['mounts'] == {}


@pytest.mark.parametrize('which', ['socket', 'data root'])
@pytest.mark.parametrize('up', [1, 2])
def test_parents_of_the_socket_and_data_root_are_refused(lab, api, which, up):
    """(/var/run and /run, /var/lib and /var on a default engine; the lab's own engines' elsewhere.)"""
    path = DOCKER_HOST[len('unix://'):] if which == 'socket' else api.info()['DockerRootDir']
    for dummy in range(up):
        path = os.path.dirname(path)
    c = lab.container(lab.name('c'))
    failed(bind(c, path, '/x', check=True), 'Refusing to bind-mount %s' % path)


def test_remote_engine_cannot_prepare_the_host_side(lab, tmp_path):
    c, remote, src = lab.name('c'), 'tcp://127.0.0.1:1', str(tmp_path / 'src')
    for check in (True, False):
        failed(bind(c, src, '/x', check=check, docker_host=remote, image=IMAGE),
               'docker_host %s is not a local socket' % remote, 'cannot prepare the host directory %s' % src,
               'create_source=false')
    failed(bind(c, src, '/x', docker_host=remote, image=IMAGE, create_source=False),
           'Cannot talk to the Docker engine at %s' % remote)
    assert not os.path.exists(src)


def test_absent_removes_the_mount_and_keeps_everything_else(lab, api, tmp_path):
    dc = lab.name('dc')
    assert run_module('data_container', {'name': dc, 'volumes': ['/data']})['rc'] == 0
    c = lab.container(lab.name('c'), volumes=['/own'], volumes_from=[dc], start=True, command=LOOP)
    own = mounts(api, c)['/own']['Name']
    assert sh(api, c, 'echo mine > /own/x && echo shared > /data/y') == (0, '')
    src = str(tmp_path / 'host')
    added = ok(bind(c, src, '/m'))
    assert added['changed'] is True and added['recreated'] is True
    assert added['reasons'] and 'bind mounts' in added['reasons'][0]
    assert added['volumes_from'] == ['%s:rw' % dc] and added['container']['running'] is True
    assert added['mounts']['/own'] == own and added['mounts']['/m'] == src
    assert sh(api, c, 'cat /own/x /data/y && echo host > /m/z') == (0, 'mine\nshared')
    assert lab.read('/data/y', volumes_from=[dc]) == 'shared'
    removed = ok(bind(c, None, '/m', state='absent'))
    assert removed['changed'] is True and removed['recreated'] is True and '/m' not in removed['mounts']
    assert removed['container']['running'] is True and removed['volumes_from'] == ['%s:rw' % dc]
    with open(os.path.join(src, 'z')) as handle:
        assert handle.read() == 'host\n'
    assert mounts(api, c)['/own']['Name'] == own and holders(api, own) == [c]
    assert sh(api, c, 'cat /own/x /data/y') == (0, 'mine\nshared')
    assert ok(bind(c, None, '/m', state='absent'))['changed'] is False
    assert ok(bind(lab.name('nobody'), None, '/m', state='absent'))['changed'] is False


def test_bind_over_an_own_volume_is_refused(lab, api, tmp_path):
    c = lab.container(lab.name('c'), volumes=['/own'], start=True, command=LOOP)
    own = mounts(api, c)['/own']['Name']
    assert sh(api, c, 'echo precious > /own/x') == (0, '')
    before = api.inspect_container(c)['Id']
    for check in (True, False):
        failed(bind(c, str(tmp_path / 'host'), '/own', check=check, create_source=False), own, '/own')
    assert api.inspect_container(c)['Id'] == before and holders(api, own) == [c]
    assert lab.read('/own/x', volumes_from=[c]) == 'precious'


def test_absent_at_an_own_volume_path_converges(lab, api):
    c = lab.container(lab.name('c'), volumes=['/own'], start=True, command=LOOP)
    own = mounts(api, c)['/own']['Name']
    assert sh(api, c, 'echo mine > /own/x') == (0, '')
    ok(run_module('volumes_from', {'container': c, 'from': [], 'env': {'A': '1'}}))  # re-attaches /own as a Bind
    assert raw_binds(api, c) == ['%s:/own:rw' % own]
    first = ok(bind(c, None, '/own', state='absent'))
    assert holders(api, own) == [c] and sh(api, c, 'cat /own/x') == (0, 'mine')
    assert first['changed'] is False or ok(bind(c, None, '/own', state='absent'))['changed'] is False


@pytest.mark.parametrize('args, fragment', [
    (dict(source='/tmp/pvt-%s-x' % RUN_ID, target='srv'), "target: container path 'srv' is relative"),
    (dict(source='/tmp/pvt-%s-x' % RUN_ID, target='/a/../b'), "target: container path '/a/../b' is not normalised"),
    (dict(source='/tmp/pvt-%s-x' % RUN_ID, target='/m', owner='no-such-user-pv'),
     "source: owner 'no-such-user-pv' does not resolve to a user"),
    (dict(source='/tmp/pvt-%s-x' % RUN_ID, target='/m', group='no-such-group-pv'),
     "source: group 'no-such-group-pv' does not resolve to a group"),
    (dict(source='/tmp/pvt-%s-x' % RUN_ID, target='/m', mode='u+x'), "(symbolic modes are not supported), got 'u+x'"),
    (dict(target='/m'), 'state is present but all of the following are missing: source'),
    (dict(source='.', target='/m'), "source must be an absolute host path, got '.'"),
    (dict(source='/tmp/pvt-%s-x/../y' % RUN_ID, target='/m'), 'is not normalised'),
    (dict(source='/tmp/pvt-%s-x' % RUN_ID, target='/m', selinux_relabel='q'), 'selinux_relabel must be one of'),
])
def test_bad_input_is_refused(lab, api, args, fragment):
    c = lab.name('c')
    for check in (True, False):
        failed(run_module('bind_mount', dict(args, container=c, image=IMAGE), check=check), fragment)
    assert exists(api, c) is None and not os.path.exists('/tmp/pvt-%s-x' % RUN_ID)
