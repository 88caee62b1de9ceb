# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults of the engine itself: it dies in the middle of a run, restarts
between two tasks, is not there at all, or answers too slowly.

Whatever kills or restarts an engine does it to an extra engine of this module (its own
network namespace, data root and socket), never to the main one that other tests share.
A proxy in front of it holds one request of the run; the engine is killed (SIGKILL, as in
a power loss) while the module waits for the answer, then started again on the same data
root. Each test shows a clear message, the data written before read back after, and a
next run that converges (and a run after it that changes nothing).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import signal
import socket
import subprocess
import time
import uuid

import pytest

from conftest import IMAGE, LOOP, RUN_ID, run_module, wait_until
from proxy import EngineProxy
from slow_proxy import SlowProxy
from test_data_container import ANONYMOUS_FOR, dc, family, mounts
from test_data_container_crash import STEPS, RestartableEngine, read_on, start_module

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts')


class LabEngine(RestartableEngine):
    """The extra engine of this module: crash (SIGKILL), graceful restart, a client."""

    def restart(self):
        """Stop dockerd the ordinary way (SIGTERM), then start it again on the same data root."""
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        subprocess.run(['ip', 'netns', 'delete', self.name], check=False)
        self.start()

    def ensure_running(self):
        if self.process is None or self.process.poll() is not None:
            self.start()


@pytest.fixture(scope='module')
def extra_engine():
    engine = LabEngine('pvf%s' % RUN_ID)
    engine.start()
    try:
        # The busybox image, built into this engine the way 'make image' does it.
        built = subprocess.run([os.path.join(SCRIPTS, 'image.sh')], env=dict(os.environ, PV_DOCKER_SOCK=engine.docker_host),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False)
        assert built.returncode == 0, built.stdout.decode()
        yield engine
    finally:
        engine.stop()


@pytest.fixture
def engine(extra_engine):
    """The extra engine, up (a test that failed half-way may have left it down)."""
    extra_engine.ensure_running()
    client = extra_engine.client()
    extra_engine.api = client
    yield extra_engine
    client.close()


@pytest.fixture
def names():
    """Names unique to this test (the extra engine is shared by the tests of this module)."""
    prefix = 'pvf-%s-%s-' % (RUN_ID, uuid.uuid4().hex[:4])
    return lambda suffix: prefix + suffix


@pytest.fixture
def main_lab(lab):
    """conftest's lab on the main engine (its clean-up takes every volume these tests' containers mounted)."""
    return lab


TIDY_ALL_HELD = True


# --- helpers ------------------------------------------------------------------------
def on(engine, args):
    return dict(args, docker_host=engine.docker_host)


def run_on(engine, module, args, **kwargs):
    return run_module(module, on(engine, args), **kwargs)


def finished(process):
    """The JSON result of a module started with start_module, plus ``rc``."""
    out, err = process.communicate(timeout=120)
    out = out.decode()
    try:
        result = json.loads(out[out.index('{'):])
    except ValueError:
        raise AssertionError('module printed no JSON (rc=%s)\nstdout: %s\nstderr: %s'
                             % (process.returncode, out, err.decode()))
    result['rc'] = process.returncode
    return result


def assert_clear_failure(result, docker_host, *words):
    """rc 1 and a readable msg naming the engine (and ``words``), no traceback in it."""
    assert result['rc'] == 1, result
    msg = result['msg']
    assert 'Traceback' not in msg and 'Unexpected error' not in msg, msg
    assert docker_host in msg, msg
    for word in words:
        assert word in msg, msg


def shell_on(client, script, volumes_from=None, binds=None):
    """Run ``sh -c script`` in a throwaway container of that engine; return its output."""
    config = client.create_host_config(volumes_from=volumes_from, binds=binds, network_mode='none')
    made = client.create_container(IMAGE, command=['sh', '-c', script], host_config=config)
    try:
        client.start(made)
        code = client.wait(made, timeout=60)['StatusCode']
        output = client.logs(made).decode().strip()
    finally:
        client.remove_container(made, force=True)
    assert code == 0, output
    return output


def write_on(client, container, path, text):
    shell_on(client, 'echo %s > %s' % (text, path), volumes_from=[container])


def read_volume(client, volume, path='f'):
    return shell_on(client, 'cat /v/%s' % path, binds=['%s:/v:ro' % volume])


def crash_during(engine, module, args, pattern):
    """Run ``module`` through a proxy; when it sends the request matching ``pattern``, the
    engine dies (SIGKILL) and its connections close. Returns the module's result; the
    engine is started again (same data root) before returning."""
    with EngineProxy(upstream=engine.socket) as proxy:
        rule = proxy.intercept(pattern, 'hold')
        process = start_module(module, dict(args, docker_host=proxy.docker_host))
        try:
            assert rule.wait(60), 'the module never sent %s' % pattern
            assert process.poll() is None
            engine.api.close()
            engine.crash()
        except Exception:
            process.kill()
            raise
    result = finished(process)  # the proxy is gone: the held connection is closed
    print('%s, the engine died at %s: %s' % (module, rule.line, result['msg']))
    assert_clear_failure(result, proxy.docker_host, 'Cannot talk to the Docker engine')
    engine.start()
    engine.api = engine.client()
    return result


def orphans(api, name):
    """Volumes the module made for data container ``name`` that no container mounts."""
    mounted = set(m.get('Name') for c in api.containers(all=True) for m in c.get('Mounts') or [])
    labelled = api.volumes(filters={'label': '%s=%s' % (ANONYMOUS_FOR, name)}).get('Volumes') or []
    return sorted(v['Name'] for v in labelled if v['Name'] not in mounted)


def temporaries(client):
    """Names of the restore's temporary containers (pv-restore-*)."""
    return set(n.lstrip('/') for c in client.containers(all=True) for n in c['Names'] if n.startswith('/pv-restore-'))


def leftovers(client, *names):
    """Containers named ``<name>.pv-*``: replacements left by an interrupted swap."""
    return sorted(n.lstrip('/') for c in client.containers(all=True) for n in c['Names']
                  if any(n.lstrip('/').startswith(name + '.pv-') for name in names))


# --- 1. the engine dies in the middle of a layout run --------------------------------
def layout_args(name, extra=False):
    data, named = name('dc'), name('named')
    consumers = [
        dict(container=name('app'), image=IMAGE, command=LOOP, network_mode='none', **{'from': [data]}),
        dict(container=name('reader'), image=IMAGE, command=LOOP, network_mode='none', **{'from': [data + ':ro']}),
    ]
    if extra:
        consumers.append(dict(container=name('late'), image=IMAGE, command=LOOP, network_mode='none',
                              **{'from': [data]}))
    return dict(volumes=[dict(name=named, labels={'pvtest': RUN_ID})],
                data_containers=[dict(name=data, volumes=['/datastore', named + ':/named'] + (['/extra'] if extra else []))],
                consumers=consumers)


LAYOUT_STEPS = {
    # a consumer is being swapped: its replacement exists, its old container is being removed
    'consumer-swap': r'^DELETE /v[\d.]+/containers/({app}|{app_id})\?',  # removed by the ID observed
    # a new consumer is being created (the data container and the other consumers are done)
    'new-consumer': r'^POST /v[\d.]+/containers/create\?name={late} ',
}
PRECIOUS = 'precious-datastore\nprecious-named'


def read_both(client, container):
    return shell_on(client, 'cat /datastore/f /named/f', volumes_from=[container])


@pytest.mark.parametrize('step', sorted(LAYOUT_STEPS))   # the data container's swap: test_engine_dies_during_a_recreation
def test_engine_dies_during_a_layout_run(engine, names, step):
    client = engine.api
    data, app = names('dc'), names('app')
    first = run_on(engine, 'layout', layout_args(names))
    assert first['rc'] == 0 and first['changed'] is True, first.get('msg')
    for path in ('/datastore', '/named'):
        write_on(client, data, path + '/f', 'precious' + path.replace('/', '-'))
    original = mounts(client, data)

    failed = crash_during(engine, 'layout', on(engine, layout_args(names, extra=True)),
                          LAYOUT_STEPS[step].format(app=app, app_id=client.inspect_container(app)['Id'],
                                                    late=names('late')))
    assert failed['msg'].startswith('consumers[%d] (' % (0 if step == 'consumer-swap' else 2)), failed['msg']
    client = engine.api

    # Right after the restart: the data is reachable through every container that holds it.
    for holder in family(client, data) + family(client, app):
        assert read_both(client, holder) == PRECIOUS
    assert [mounts(client, holder)['/datastore'] for holder in family(client, data)] == [original['/datastore']]

    again = run_on(engine, 'layout', layout_args(names, extra=True))
    assert again['rc'] == 0 and again['changed'] is True, again.get('msg')
    settled = run_on(engine, 'layout', layout_args(names, extra=True))
    assert settled['rc'] == 0 and settled['changed'] is False, settled['objects']
    everything = (data, app, names('reader'), names('late'))
    assert [family(client, name) for name in everything] == [[name] for name in everything]
    now = mounts(client, data)
    assert all(now[path] == original[path] for path in original) and '/extra' in now
    for container in everything:
        assert mounts(client, container) == now
        assert read_both(client, container) == PRECIOUS


# --- 1. the engine dies in the middle of a data_container recreation -------------------
@pytest.mark.parametrize('step', ['remove'])   # rename: test_data_container_crash.py; create: nothing done yet
def test_engine_dies_during_a_recreation(engine, names, step):
    client = engine.api
    args = on(engine, dict(name=names('dc'), volumes=['/datastore', names('named') + ':/named'], labels={'app': 'one'}))
    assert dc(args)['changed'] is True
    for path in ('/datastore', '/named'):
        write_on(client, args['name'], path + '/f', 'kept' + path.replace('/', '-'))
    original = mounts(client, args['name'])
    changed = dict(args, volumes=args['volumes'] + ['/b'], labels={'app': 'two'})

    crash_during(engine, 'data_container', changed, STEPS[step].format(name=args['name'].replace('.', r'\.')))
    client = engine.api
    left = family(client, args['name'])
    assert len(left) == (2 if step == 'remove' else 1), left
    for holder in left:
        for path in ('/datastore', '/named'):
            assert read_on(client, holder, path + '/f') == 'kept' + path.replace('/', '-')

    result = dc(changed)
    assert result['rc'] == 0 and result['changed'] is True, result.get('msg')
    assert result['released_volumes'] == []
    again = dc(changed)
    assert again['rc'] == 0 and again['changed'] is False, again['actions']
    assert family(client, args['name']) == [args['name']]
    assert all(mounts(client, args['name'])[path] == original[path] for path in original)
    for path in ('/datastore', '/named'):
        assert read_on(client, args['name'], path + '/f') == 'kept' + path.replace('/', '-')


# --- 1. the engine dies in the middle of a volume_restore -----------------------------
RESTORE_STEPS = {
    # the archive is being written into the fresh volume, through a temporary container
    'fill': r'^PUT /v[\d.]+/containers/pv-restore-[0-9a-f]+/archive\?',
    # the data container is being swapped: its old container is being removed ...
    'swap': r'^DELETE /v[\d.]+/containers/({dc}|[0-9a-f]{{64}})\?',
    # ... the old one is gone, the replacement (holding the restored volume) is being renamed
    'rename': r'^POST /v[\d.]+/containers/{dc}\.pv-[0-9a-f]+/rename\?',
    # the data container holds the restored volume; its consumer is being re-wired
    'rewire': r'^POST /v[\d.]+/containers/create\?name={app}\.pv-[0-9a-f]+ ',
}


def read_or_error(client, container, path):
    try:
        return read_on(client, container, path)
    except Exception as exc:  # pylint: disable=broad-except
        return '<cannot read: %s>' % exc


LEFT_TEMPORARY = ('restore_runner.py Restore.fill/restore_container: the temporary pv-restore-* container (and the '
                  'half-filled volume it holds) of a run that died is never removed by a later run')
NO_LEFTOVERS = ('restore_runner.py restore_container: inspect_named only and DataContainerPlanner(leftovers=[]); the '
                'replacement left by the interrupted swap is not recognised')
NO_REWIRE = ('restore_runner.py restore_container: rewire_consumers runs only when a path is restored; after a crash '
             'between the swap and the re-wiring, the next runs report no change and the consumer keeps the old data')


@pytest.mark.parametrize('step', [
    pytest.param('fill'),
    pytest.param('swap'),
    pytest.param('rename'),
    pytest.param('rewire'),
])
def test_engine_dies_during_a_restore(engine, names, step, tmp_path):
    client = engine.api
    before = temporaries(client)
    data, app = names('dc'), names('app')
    assert dc(on(engine, dict(name=data, volumes=['/datastore'])))['changed'] is True
    made = run_on(engine, 'volumes_from', dict(container=app, image=IMAGE, command=LOOP, network_mode='none',
                                               **{'from': [data]}))
    assert made['rc'] == 0, made.get('msg')
    write_on(client, data, '/datastore/f', 'backed-up')
    archive = str(tmp_path / 'dc.tar.gz')
    backup = run_on(engine, 'volume_backup', dict(container=data, dest=archive))
    assert backup['rc'] == 0 and backup['changed'] is True, backup.get('msg')
    write_on(client, data, '/datastore/f', 'written-after-the-backup')
    previous = mounts(client, data)['/datastore']
    restore = dict(src=archive, container=data)

    crash_during(engine, 'volume_restore', on(engine, restore), RESTORE_STEPS[step].format(dc=data, app=app))
    client = engine.api
    # Nothing that was there is lost: the previous volume and its data, and a data container.
    assert read_volume(client, previous) == 'written-after-the-backup'
    holders = family(client, data)
    assert holders
    for holder in holders:
        assert read_on(client, holder, '/datastore/f') in ('backed-up', 'written-after-the-backup')

    # The next runs of the same task converge (every problem is listed, not only the first).
    problems = []
    for attempt in ('first', 'second'):
        result = run_on(engine, 'volume_restore', restore)
        if result['rc'] != 0:
            problems.append('%s run after the restart failed: %s' % (attempt, result['msg']))
    if result['rc'] == 0 and result['changed']:
        problems.append('second run after the restart still changed: %s' % result.get('actions'))
    for container in (data, app):
        seen = read_or_error(client, container, '/datastore/f')
        if seen != 'backed-up':
            problems.append('%s reads %r, not the restored data' % (container, seen))
    assert read_volume(client, previous) == 'written-after-the-backup'
    if family(client, data) != [data] or family(client, app) != [app]:
        problems.append('containers: %s' % (family(client, data) + family(client, app)))
    left = leftovers(client, data, app) + sorted(temporaries(client) - before)
    if left:
        problems.append('left behind: %s' % left)
    result = dc(on(engine, dict(name=data, volumes=['/datastore'])))
    if result['rc'] != 0 or result['changed']:
        problems.append('data_container then: rc=%s %s' % (result['rc'], result.get('msg') or result['actions']))
    result = run_on(engine, 'volumes_from', dict(container=app, **{'from': [data]}))
    if result['rc'] != 0 or result['changed']:
        problems.append('volumes_from then: rc=%s %s' % (result['rc'], result.get('msg') or result['actions']))
    assert not problems, 'after the restart:\n' + '\n'.join(problems)


# --- 2. the engine restarts between two tasks -----------------------------------------
def test_engine_restarts_between_two_tasks(engine, names):
    client = engine.api
    args = on(engine, dict(name=names('dc'), volumes=['/datastore', dict(path='/owned', owner=65534, mode='0750')]))
    assert dc(args)['changed'] is True
    write_on(client, args['name'], '/datastore/f', 'before-the-restart')
    original = mounts(client, args['name'])
    client.close()
    engine.restart()
    client = engine.api = engine.client()

    assert dc(args)['changed'] is False          # the next task: nothing to do
    wired = run_on(engine, 'volumes_from', dict(container=names('app'), image=IMAGE, command=LOOP,
                                                network_mode='none', **{'from': [args['name']]}))
    assert wired['rc'] == 0 and wired['changed'] is True, wired.get('msg')
    assert mounts(client, names('app'))['/datastore'] == original['/datastore']
    assert read_on(client, names('app'), '/datastore/f') == 'before-the-restart'
    assert shell_on(client, "stat -c '%u %a' /owned", volumes_from=[args['name']]) == '65534 750'
    layout = run_on(engine, 'layout', dict(data_containers=[dict(name=args['name'], volumes=args['volumes'])],
                                           consumers=[dict(container=names('app'), **{'from': [args['name']]})]))
    assert layout['rc'] == 0 and layout['changed'] is False, layout['objects']


# --- 3. the engine's socket is missing ------------------------------------------------
MINIMAL_ARGS = {
    'volume': dict(name='pvf-missing-volume'),
    'volume_info': {},
    'data_container': dict(name='pvf-missing-dc', volumes=['/datastore']),
    'volumes_from': dict(container='pvf-missing-app', image=IMAGE, **{'from': ['pvf-missing-dc']}),
    'layout': dict(data_containers=[dict(name='pvf-missing-dc', volumes=['/datastore'])]),
    'volume_backup': dict(volume='pvf-missing-volume'),   # dest: in tmp_path
}


@pytest.mark.parametrize('module', sorted(MINIMAL_ARGS))
def test_missing_socket_names_the_docker_host(module, tmp_path):
    docker_host = 'unix://%s' % (tmp_path / 'no-engine-here.sock')
    args = dict(MINIMAL_ARGS[module], docker_host=docker_host)
    if module == 'volume_backup':
        args['dest'] = str(tmp_path / 'never-written.tar')
    for check in (True, False) if module in ('data_container', 'layout') else (False,):
        result = run_module(module, args, check=check)
        assert_clear_failure(result, docker_host, 'the socket does not exist (is the Docker engine running?)')
        assert result['changed'] is False
    assert os.listdir(str(tmp_path)) == []


def test_stale_socket_of_a_dead_engine_names_the_docker_host(tmp_path):
    """What a crashed engine leaves: the socket file, and nobody listening on it."""
    path = str(tmp_path / 'dead.sock')
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()
    result = run_module('data_container', dict(name='pvf-stale-dc', volumes=['/datastore'], docker_host='unix://' + path))
    assert_clear_failure(result, 'unix://' + path, 'connection refused')


# --- 4. the engine answers slowly -------------------------------------------------------
@pytest.fixture
def slow_proxy():
    with SlowProxy() as running:
        yield running


def test_an_engine_slower_than_timeout_changes_nothing(main_lab, slow_proxy):
    """Every answer 5 s late, timeout 2: the very first request times out."""
    slow_proxy.delay('.', 5)
    name = main_lab.name('dc')
    started = time.time()
    result = dc(dict(name=name, volumes=['/datastore']), docker_host=slow_proxy.docker_host, timeout=2)
    assert time.time() - started < 30
    assert_clear_failure(result, slow_proxy.docker_host, 'did not answer within timeout=2 seconds')
    assert result['changed'] is False and family(main_lab.api, name) == [] and orphans(main_lab.api, name) == []


@pytest.mark.parametrize('step', ['create'])   # the engine made the replacement; the module timed out
def test_a_slow_answer_in_the_middle_of_a_recreation(main_lab, api, slow_proxy, step):
    """The engine does the step, but answers after the module's timeout; no data is lost."""
    lab = main_lab
    name = lab.name('dc')
    args = dict(name=name, volumes=['/datastore', lab.name('named') + ':/named'], labels={'app': 'one'})
    assert dc(args)['changed'] is True
    for path in ('/datastore', '/named'):
        lab.write(path + '/f', 'slow' + path.replace('/', '-'), volumes_from=[name])
    original = mounts(api, name)
    changed = dict(args, volumes=args['volumes'] + ['/b'], labels={'app': 'two'})
    delayed = slow_proxy.delay(STEPS[step].format(name=name), 5)
    result = dc(changed, docker_host=slow_proxy.docker_host, timeout=2)
    assert len(delayed.lines) == 1, slow_proxy.requests
    assert_clear_failure(result, slow_proxy.docker_host, 'did not answer within timeout=2 seconds')
    wait_until(lambda: len(family(api, name)) == 2, 'the engine creating the replacement')  # its answer is late
    for holder in family(api, name):
        for path in ('/datastore', '/named'):
            assert lab.read(path + '/f', volumes_from=[holder]) == 'slow' + path.replace('/', '-')

    converged = dc(changed)     # no delay now; after a late rename there is nothing left to do
    assert converged['rc'] == 0 and converged['changed'] is (step != 'rename'), converged.get('msg')
    assert converged['released_volumes'] == []
    assert dc(changed)['changed'] is False
    assert family(api, name) == [name] and orphans(api, name) == []
    assert all(mounts(api, name)[path] == original[path] for path in original)
    for path in ('/datastore', '/named'):
        assert lab.read(path + '/f', volumes_from=[name]) == 'slow' + path.replace('/', '-')


def test_a_slow_answer_in_the_middle_of_a_layout(main_lab, api, slow_proxy):
    lab = main_lab
    data, app = lab.name('dc'), lab.name('app')
    args = dict(data_containers=[dict(name=data, volumes=['/datastore'])],
                consumers=[dict(container=app, image=IMAGE, command=LOOP, **{'from': [data]})])
    assert dc(dict(name=data, volumes=['/datastore']))['changed'] is True
    lab.write('/datastore/f', 'slow-layout', volumes_from=[data])
    slow_proxy.delay(r'^POST /v[\d.]+/containers/create\?name=%s ' % app, 5)
    result = run_module('layout', dict(args, docker_host=slow_proxy.docker_host, timeout=2))
    assert_clear_failure(result, slow_proxy.docker_host, 'consumers[0] (%s): ' % app, 'timeout=2 seconds')
    wait_until(lambda: family(api, app), 'the engine creating %s' % app)  # its answer is late
    converged = run_module('layout', args)
    assert converged['rc'] == 0, converged.get('msg')
    assert run_module('layout', args)['changed'] is False
    assert family(api, app) == [app] and family(api, data) == [data]
    assert lab.read('/datastore/f', volumes_from=[app]) == 'slow-layout'
