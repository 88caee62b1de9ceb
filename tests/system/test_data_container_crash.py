# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""data_container recreation interrupted at each step (DESIGN.md, promise 3).

A proxy in front of the engine stops one request of the recreation: the connection is
dropped, or the module process is killed while it waits. The data must stay reachable
through whatever containers exist, and the next run must converge to exactly one data
container holding the original volumes.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import signal
import subprocess
import sys

import docker
import pytest

from conftest import IMAGE, RUN_ID, run_module
from lab import ExtraEngine
from proxy import EngineProxy
from test_data_container import ANONYMOUS_FOR, dc, family, kinds, mounts

# The requests of a recreation (create replacement, remove old, rename), in order.
STEPS = {
    'create': r'^POST /v[\d.]+/containers/create\?name={name}\.pv-[0-9a-f]+ ',
    'remove': r'^DELETE /v[\d.]+/containers/({name}|[0-9a-f]{{64}})\?',  # by name or by the ID observed
    'rename': r'^POST /v[\d.]+/containers/{name}\.pv-[0-9a-f]+/rename\?',
}
# What is left after the interruption: the old container, the replacement, or both.
LEFT = {'create': ['old'], 'remove': ['old', 'new'], 'rename': ['new']}


def start_module(module, args):
    """run_module, but in the background, so that the test can kill the process."""
    payload = dict(args, _ansible_check_mode=False, _ansible_diff=False)
    code = ('import runpy, sys; sys.argv = ["module", sys.argv[1]]; '
            'runpy.run_module("ansible_collections.persistent.volumes.plugins.modules.%s", '
            'run_name="__main__")' % module)
    return subprocess.Popen([sys.executable, '-c', code, json.dumps({'ANSIBLE_MODULE_ARGS': payload})],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def proxy():
    with EngineProxy() as running:
        yield running


def interrupt(proxy, step, how, args):
    """Run the module through the proxy and stop it right before ``step``."""
    rule = proxy.intercept(STEPS[step].format(name=args['name'].replace('.', r'\.')),
                           'close' if how == 'close' else 'hold')
    through_proxy = dict(args, docker_host=proxy.docker_host)
    if how == 'close':
        result = run_module('data_container', through_proxy)
        assert rule.event.is_set(), 'the module never sent the request of step %s: %s' % (step, result)
        assert result['rc'] == 1 and 'Cannot talk to the Docker engine at %s' % proxy.docker_host in result['msg']
        assert 'Traceback' not in result['msg']
        return result
    process = start_module('data_container', through_proxy)
    try:
        assert rule.wait(60), 'the module never sent the request of step %s' % step
        assert process.poll() is None
    finally:
        process.kill()
        process.wait(timeout=30)
    return None


def prepared(lab, api):
    """A data container with an anonymous and a named volume holding data; its spec and volumes."""
    name, named = lab.name('dc'), lab.name('named')
    args = dict(name=name, volumes=['/datastore', '%s:/named' % named], labels={'app': 'one'})
    assert dc(args)['changed'] is True
    for path in ('/datastore', '/named'):
        lab.write(path + '/f', 'precious' + path.replace('/', '-'), volumes_from=[name])
    return args, mounts(api, name)


def assert_reachable(lab, api, container, original):
    for path in ('/datastore', '/named'):
        assert mounts(api, container)[path] == original[path], '%s lost %s' % (container, path)
        assert lab.read(path + '/f', volumes_from=[container]) == 'precious' + path.replace('/', '-')


def assert_converged(lab, api, args, original, read=True):
    name = args['name']
    assert family(api, name) == [name]
    replacing = api.containers(all=True, filters={'label': 'persistent.volumes.replaces=%s' % name})
    assert [c['Names'] for c in replacing] in ([], [['/' + name]])
    info = api.inspect_container(name)
    assert info['State']['Status'] == 'created' and info['Config']['Labels']['app'] == args['labels']['app']
    assert sorted(mounts(api, name)) == sorted(v.split(':')[-1] for v in args['volumes'])
    assert all(mounts(api, name)[path] == original[path] for path in original)
    if read:
        assert_reachable(lab, api, name, original)


@pytest.mark.parametrize('how', ['close', 'kill'])
@pytest.mark.parametrize('step', ['create', 'remove', 'rename'])
def test_interrupted_recreation_keeps_data_and_converges(lab, api, proxy, step, how):
    args, original = prepared(lab, api)
    name = args['name']
    changed = dict(args, volumes=args['volumes'] + ['/b'], labels={'app': 'two'})
    interrupt(proxy, step, how, changed)

    left = family(api, name)
    assert (name in left) == ('old' in LEFT[step]), left
    assert len([n for n in left if n != name]) == ('new' in LEFT[step]), left
    for container in left:  # the data is reachable through whatever exists
        assert_reachable(lab, api, container, original)

    result = dc(changed)
    assert result['rc'] == 0 and result['changed'] is True, result
    assert result['recreated'] is True and result['released_volumes'] == []
    assert_converged(lab, api, changed, original)
    again = dc(changed)
    assert again['changed'] is False and again['actions'] == [], again['actions']
    assert_converged(lab, api, changed, original, read=False)
    assert mounts(api, name)['/b'] == result['volumes']['/b']


@pytest.mark.parametrize('step', ['create', 'remove', 'rename'])
def test_going_back_to_the_old_spec_after_an_interruption(lab, api, proxy, step):
    args, original = prepared(lab, api)
    interrupt(proxy, step, 'close', dict(args, volumes=args['volumes'] + ['/b'], labels={'app': 'two'}))
    predicted = dc(args, check=True)
    assert predicted['rc'] == 0 and predicted['changed'] is (step != 'create')
    result = dc(args)
    assert result['rc'] == 0 and kinds(result) == kinds(predicted)
    # 'remove': the replacement never took the name; the empty volume it made for /b goes with it.
    # 'rename': the replacement is all that is left, so it is the container and /b is released (kept).
    assert [r['path'] for r in result['released_volumes']] == (['/b'] if step == 'rename' else [])
    assert len([a for a in result['actions'] if a.startswith('remove volume')]) == (1 if step == 'remove' else 0)
    assert_converged(lab, api, args, original)
    assert dc(args)['changed'] is False


def test_absent_with_remove_volumes_after_an_interruption(lab, api, proxy):
    """Both containers own the volumes: each is removed once (it used to be planned twice)."""
    args, original = prepared(lab, api)
    interrupt(proxy, 'remove', 'close', dict(args, volumes=args['volumes'] + ['/b']))
    assert len(family(api, args['name'])) == 2
    absent = dict(name=args['name'], state='absent', remove_volumes=True)
    predicted = dc(absent, check=True)
    result = dc(absent)
    assert result['rc'] == 0, result['msg']
    assert result['actions'] == predicted['actions'] and family(api, args['name']) == []
    assert not lab.volume_exists(original['/datastore'])
    assert lab.read('/n/f', binds=['%s:/n' % original['/named']]) == 'precious-named'


def test_an_interrupted_create_leaves_no_orphan_volume(lab, api, proxy):
    args, original = prepared(lab, api)
    changed = dict(args, volumes=args['volumes'] + ['/b'])
    interrupt(proxy, 'create', 'close', changed)
    assert dc(changed)['changed'] is True
    mounted = set(m['Name'] for c in api.containers(all=True) for m in c.get('Mounts') or [] if m.get('Name'))
    orphans = [v['Name'] for v in api.volumes(filters={'label': '%s=%s' % (ANONYMOUS_FOR, args['name'])})['Volumes']
               if v['Name'] not in mounted]
    assert orphans == []


class RestartableEngine(ExtraEngine):
    """An extra engine (its own netns, data root and socket) that can crash and come back."""

    def crash(self):
        """SIGKILL dockerd and its containerd (which runs in a session of its own)."""
        with open(os.path.join(self.root, 'exec', 'containerd', 'containerd.pid')) as handle:
            containerd = int(handle.read().strip())
        os.killpg(self.process.pid, signal.SIGKILL)
        os.kill(containerd, signal.SIGKILL)
        self.process.wait()
        # What a reboot does: the netns, the mounts and the run directory (exec root) are gone.
        subprocess.run(['ip', 'netns', 'delete', self.name], check=False)
        subprocess.run(['umount', os.path.join(self.root, 'data')], check=False)
        shutil.rmtree(os.path.join(self.root, 'exec'))

    def client(self):
        return docker.APIClient(base_url=self.docker_host, version='auto', timeout=60)


def read_on(client, container, path):
    """cat ``path`` in a throwaway consumer of ``container`` on another engine."""
    config = client.create_host_config(volumes_from=[container], network_mode='none')
    made = client.create_container(IMAGE, command=['cat', path], host_config=config)
    try:
        client.start(made)
        assert client.wait(made, timeout=60)['StatusCode'] == 0
        return client.logs(made).decode().strip()
    finally:
        client.remove_container(made, force=True)


def test_engine_killed_during_recreation(api):
    """The engine itself dies (SIGKILL) while the rename is pending, then comes back."""
    engine = RestartableEngine('pvr%s' % RUN_ID)
    engine.start()
    try:
        client = engine.client()
        client.load_image(b''.join(api.get_image(IMAGE)))
        args = dict(name='pv-crash-dc', volumes=['/datastore'], labels={'app': 'one'}, docker_host=engine.docker_host)
        assert dc(args)['changed'] is True
        original = mounts(client, args['name'])
        config = client.create_host_config(volumes_from=[args['name']], network_mode='none')
        writer = client.create_container(IMAGE, command=['sh', '-c', 'echo survived > /datastore/f'],
                                         host_config=config)
        client.start(writer)
        assert client.wait(writer, timeout=60)['StatusCode'] == 0
        client.remove_container(writer)
        changed = dict(args, volumes=['/datastore', '/b'], labels={'app': 'two'})
        with EngineProxy(upstream=engine.socket) as proxy:
            rule = proxy.intercept(STEPS['rename'].format(name=args['name']), 'hold')
            process = start_module('data_container', dict(changed, docker_host=proxy.docker_host))
            assert rule.wait(60), 'the module never asked for the rename'
            engine.crash()
            process.kill()
            process.wait(timeout=30)
        client.close()
        engine.start()
        client = engine.client()
        left = family(client, args['name'])
        assert len(left) == 1 and left[0].startswith(args['name'] + '.pv-'), left
        assert read_on(client, left[0], '/datastore/f') == 'survived'
        result = dc(changed)
        assert result['rc'] == 0 and result['changed'] is True, result
        assert dc(changed)['changed'] is False
        assert family(client, args['name']) == [args['name']]
        assert mounts(client, args['name'])['/datastore'] == original['/datastore']
        assert read_on(client, args['name'], '/datastore/f') == 'survived'
        client.close()
    finally:
        engine.stop()
