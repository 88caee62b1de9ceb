# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A careless consumer task never takes the application down and never changes what it should not
(and what cannot be recreated faithfully is refused, by name).

* A replacement that cannot start is removed and the old container is put back, running, with
  its static address; a new consumer that cannot start is removed again with the empty volumes
  its creation made. A swap an interrupted run left is finished or rolled back.
* Refused, with check mode predicting it and nothing changed: a bind mount over a path a
  --volumes-from source provides, a consumer in its own ``from``, a running ``--rm`` container,
  a container whose network, PID or IPC namespace another one shares.
* ``working_dir`` is compared as the engine stores it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import docker
import pytest

import app_lab
from app_lab import address, run_as_root
from conftest import IMAGE, LOOP, RUN_ID, failed, run_module
from lab import ExtraEngine
from test_faithful_recreation import docker_cli
from test_volumes_from import exists, ok, same_named, wire

front = app_lab.front  # a fixture, found by pytest under this name

REPLACES, WAS_RUNNING, PREVIOUS = ('persistent.volumes.%s' % label for label in ('replaces', 'was-running', 'previous'))


def data_with_file(lab, suffix='dc', path='/data'):
    data = lab.name(suffix)
    assert run_module('data_container', {'name': data, 'volumes': [path]})['rc'] == 0
    lab.write('%s/f' % path, 'precious', volumes_from=[data])
    return data


def app_on(lab, front, data):
    """A running consumer of ``data`` with a static address (taken at start, so a rollback must
    stop the replacement before the old container can have it again)."""
    network, prefix = front
    app = lab.name('app')
    docker_cli('run', '-d', '--name', app, '--network', network, '--ip', prefix + '.10', '--volumes-from', data,
               '--label', 'pvtest=' + RUN_ID, '-v', '/own', IMAGE, *LOOP)
    return app, prefix + '.10'


@pytest.mark.parametrize('change, cause', [
    ({'command': '/nonexistent-binary'}, '/nonexistent-binary'),
    ({'user': 'nosuchuser'}, 'nosuchuser'),
])
def test_a_replacement_that_cannot_start_puts_the_application_back(lab, api, front, change, cause):
    data = data_with_file(lab)
    app, static = app_on(lab, front, data)
    assert run_as_root(api, app, 'echo mine > /own/f') == (0, '')
    before = api.inspect_container(app)
    predicted = ok(wire(app, [data], check=True, **change))
    assert predicted['changed'] is True and 'start container %s: the replacement of %s' % (app, app) in \
        predicted['actions']
    result = wire(app, [data], **change)
    assert result['rc'] != 0 and result['changed'] is True and 'Traceback' not in result['msg'], result
    assert result['msg'].startswith('The replacement of %s could not start, so it was removed and the old %s was put '
                                    'back as it was; nothing else changed. The cause: ' % (app, app)), result['msg']
    assert cause in result['msg']
    now = api.inspect_container(app)
    assert now['Id'] == before['Id'] and now['State']['Running'] is True and now['Name'] == before['Name']
    assert address(now, front[0]) == static and same_named(api, app) == [app]
    assert run_as_root(api, app, 'cat /own/f /data/f') == (0, 'mine\nprecious')
    assert ok(wire(app, [data]))['changed'] is False


@pytest.fixture(scope='module')
def own_engine(api):
    """An engine of this test's own, whose volumes only it makes (the main engine is shared), with
    local/busybox and an image declaring a VOLUME, whose containers get an anonymous volume."""
    engine = ExtraEngine('pvtc%s' % RUN_ID)
    engine.start()
    try:
        client = docker.APIClient(base_url=engine.docker_host, version='auto', timeout=120)
        client.load_image(api.get_image(IMAGE))
        client.create_container(IMAGE, name='maker')
        client.commit('maker', repository='vol', tag='1', changes=['VOLUME /appdata'])
        client.remove_container('maker')
        yield engine, client
        client.close()
    finally:
        engine.stop()


def volumes_of(client):
    return sorted(volume['Name'] for volume in client.volumes().get('Volumes') or [])


@pytest.mark.parametrize('change, cause', [
    ({'command': '/nonexistent-binary'}, '/nonexistent-binary'),
    ({'user': 'nosuchuser', 'command': 'sleep 60'}, 'nosuchuser'),
])
def test_a_new_consumer_that_cannot_start_is_not_left_behind(own_engine, change, cause):
    engine, client = own_engine
    there = dict(docker_host=engine.docker_host)
    assert run_module('data_container', dict(there, name='dc', volumes=['/data']))['rc'] == 0
    try:
        volumes = volumes_of(client)
        result = wire('app', ['dc'], image='vol:1', running=True, **dict(there, **change))
        assert result['rc'] != 0 and 'Traceback' not in result['msg'], result
        assert result['msg'].startswith('app was created but could not start, so it was removed again (it never '
                                        'ran), with the empty volumes its creation made; nothing else changed. The '
                                        'cause: '), result['msg']
        assert cause in result['msg']
        assert [c['Names'] for c in client.containers(all=True)] == [['/dc']]
        assert volumes_of(client) == volumes
        created = ok(wire('app', ['dc'], image='vol:1', running=True, command='sleep 60', **there))
        assert created['changed'] is True and client.inspect_container('app')['State']['Running'] is True
    finally:
        for summary in client.containers(all=True):
            client.remove_container(summary['Id'], force=True, v=True)
        for name in volumes_of(client):
            client.remove_volume(name)


def interrupted_swap(api, app, data, started):
    """The state a run that died inside a safe swap leaves: the replacement has the name (running
    when ``started``), the old container is stopped and aside, named in the replacement's label."""
    replacement, aside = app + '.pv-abcdef', app + '.pv-abcdef-old'
    api.create_container(IMAGE, command=LOOP, name=replacement, host_config=api.create_host_config(
        volumes_from=['%s:rw' % data]), labels={REPLACES: app, WAS_RUNNING: 'true', PREVIOUS: aside, 'pvtest': RUN_ID})
    api.stop(app)
    api.rename(app, aside)
    api.rename(replacement, app)
    if started:
        api.start(app)
    return replacement, aside


@pytest.mark.parametrize('started', [False, True], ids=['rolled-back', 'finished'])
def test_an_interrupted_swap_is_finished_or_rolled_back(lab, api, started):
    data = data_with_file(lab)
    app = lab.name('app')
    ok(wire(app, [data], image=IMAGE, command=LOOP, running=True))
    old_id = api.inspect_container(app)['Id']
    replacement, aside = interrupted_swap(api, app, data, started)
    new_id = api.inspect_container(app)['Id']
    wanted = ['remove container %s: replaced by %s, which runs (finish an interrupted recreation)' % (aside, app)] \
        if started else [
        'rename container %s: roll back an interrupted recreation' % app,
        'rename container %s: roll back an interrupted recreation: the old container gets its name back' % aside,
        'remove container %s: roll back an interrupted recreation (the replacement never ran)' % replacement,
        'start container %s: it was running before an interrupted recreation' % app]
    predicted = ok(wire(app, [data], check=True))
    assert predicted['actions'] == wanted and predicted['recreated'] is True
    assert same_named(api, app) == sorted([app, aside])
    done = ok(wire(app, [data]))
    assert done['actions'] == wanted
    now = api.inspect_container(app)
    assert now['Id'] == (new_id if started else old_id) and now['State']['Running'] is True
    assert same_named(api, app) == [app]
    assert run_as_root(api, app, 'cat /data/f') == (0, 'precious')
    assert ok(wire(app, [data]))['changed'] is False


def test_a_bind_mount_over_a_wired_path_is_refused(lab, api, tmp_path):
    data = data_with_file(lab)
    app = lab.name('app')
    ok(wire(app, [data], image=IMAGE, command=LOOP, running=True))
    before = api.inspect_container(app)
    for check in (True, False):
        failed(run_module('bind_mount', {'container': app, 'source': str(tmp_path / 'hide'), 'target': '/data'},
                          check=check),
               "Refusing to bind-mount over /data in %s: %s provides /data through --volumes-from, and a bind mount "
               "there would hide that data container's data." % (app, data), 'nothing was changed')
    assert api.inspect_container(app) == before and not (tmp_path / 'hide').exists()
    assert run_as_root(api, app, 'cat /data/f') == (0, 'precious')


def test_a_consumer_in_its_own_from_is_refused(lab, api):
    data = data_with_file(lab)
    app = lab.name('app')
    message = 'from[1]: %s is the consumer itself; a container cannot take volumes from itself.' % app
    for check in (True, False):
        failed(wire(app, [data, app], check=check, image=IMAGE, command=LOOP), message)
        failed(run_module('layout', {'consumers': [{'container': app, 'from': [data, app], 'image': IMAGE}]},
                          check=check), message)
    assert exists(api, app) is None
    ok(wire(app, [data], image=IMAGE, command=LOOP))
    before = api.inspect_container(app)
    failed(wire(app, [data, app]), message)
    assert api.inspect_container(app) == before


def test_working_dir_is_compared_as_the_engine_stores_it(lab, api):
    data = data_with_file(lab)
    app = lab.name('app')
    created = ok(wire(app, [data], image=IMAGE, command=LOOP, running=True, working_dir='/tmp/'))
    assert created['changed'] is True and api.inspect_container(app)['Config']['WorkingDir'] == '/tmp'
    app_id = api.inspect_container(app)['Id']
    for spelling in ('/tmp/', '/a/../tmp', '//tmp/.', '/tmp'):
        for check in (True, False):
            assert ok(wire(app, [data], check=check, working_dir=spelling))['changed'] is False, spelling
    assert api.inspect_container(app)['Id'] == app_id


def test_an_application_that_cannot_be_recreated_faithfully_is_refused(lab, api):
    """A running --rm container, and one whose network, PID or IPC namespace others share (by name or by
    ID): refused in check mode and for real, nothing changed, the sharers named and still running."""
    data = data_with_file(lab)
    auto, main, alone = lab.name('rm'), lab.name('main'), lab.name('alone')
    sidecar, top, shm = lab.name('sidecar'), lab.name('top'), lab.name('shm')
    docker_cli('run', '-d', '--rm', '--name', auto, '--label', 'pvtest=' + RUN_ID, IMAGE, *LOOP)
    for name in (main, alone):
        docker_cli('run', '-d', '--name', name, '--ipc', 'shareable', '--label', 'pvtest=' + RUN_ID, IMAGE, *LOOP)
    main_id = api.inspect_container(main)['Id']
    for name, option in ((sidecar, '--network=container:' + main), (top, '--pid=container:' + main_id),
                         (shm, '--ipc=container:' + main)):
        docker_cli('run', '-d', '--name', name, option, '--label', 'pvtest=' + RUN_ID, IMAGE, *LOOP)
    docker_cli('run', '-d', '--name', lab.name('pidalone'), '--pid=container:' + alone, '--label', 'pvtest=' + RUN_ID,
               IMAGE, *LOOP)
    cases = [(auto, ['Refusing to recreate %s: it runs with auto-remove (docker run --rm)' % auto]),
             (main, ['Refusing to recreate %s: %s shares its network namespace (network_mode container:%s)'
                     % (main, sidecar, main), '%s shares its PID namespace (--pid container:%s)' % (top, main),
                     '%s shares its IPC namespace (--ipc container:%s)' % (shm, main),
                     'Remove or recreate %s without container:%s first' % (', '.join(sorted([shm, sidecar, top])), main)]),
             (alone, ['Refusing to recreate %s: %s shares its PID namespace (--pid container:%s)'
                      % (alone, lab.name('pidalone'), alone)])]
    for name, messages in cases:
        before = dict((other, api.inspect_container(other)['Id']) for other in (name, sidecar, top, shm))
        for check in (True, False):
            failed(wire(name, [data], check=check), *(messages + ['nothing was changed']))
        assert all(api.inspect_container(other)['Id'] == before[other] and
                   api.inspect_container(other)['State']['Running'] for other in before)
    for name in (sidecar, top, shm):
        api.remove_container(name, force=True)
    assert ok(wire(main, [data]))['recreated'] is True
    assert run_as_root(api, main, 'cat /data/f') == (0, 'precious')


def test_a_restart_policy_of_the_same_name_keeps_its_retry_count(lab, api):
    """--restart on-failure:5, then restart_policy: on-failure (and a recreation for another reason):
    still 5 retries; only another policy name changes it."""
    data = data_with_file(lab)
    app = lab.name('app')
    docker_cli('run', '-d', '--name', app, '--restart', 'on-failure:5', '--label', 'pvtest=' + RUN_ID, IMAGE, *LOOP)
    for check in (True, False):
        assert ok(wire(app, [data], check=check, restart_policy='on-failure'))['changed'] is True
    policy = api.inspect_container(app)['HostConfig']['RestartPolicy']
    assert policy == {'Name': 'on-failure', 'MaximumRetryCount': 5}
    assert run_as_root(api, app, 'cat /data/f') == (0, 'precious')
    assert ok(wire(app, [data], restart_policy='on-failure'))['changed'] is False
    assert ok(wire(app, [data], restart_policy='always'))['changed'] is True
    assert api.inspect_container(app)['HostConfig']['RestartPolicy'] == {'Name': 'always', 'MaximumRetryCount': 0}


def test_a_recreation_says_what_it_leaves_in_the_container_layer(lab, api):
    """A file the application wrote outside its volumes does not follow it into the replacement (it
    starts from the image, as with any tool); check mode and the real run warn, naming the path."""
    data = data_with_file(lab)
    app = lab.name('app')
    docker_cli('run', '-d', '--name', app, '--label', 'pvtest=' + RUN_ID, IMAGE, *LOOP)
    assert run_as_root(api, app, 'mkdir -p /var/lib/app && echo lost > /var/lib/app/db') == (0, '')
    warning = ("Recreating %s leaves behind what its processes wrote outside its volumes and bind mounts, in the "
               "container's own layer (1 path: /var/lib/app/db)" % app)
    predicted = ok(wire(app, [data], check=True))
    assert predicted['changed'] and [text for text in predicted['warning_texts'] if text.startswith(warning)]
    assert run_as_root(api, app, 'cat /var/lib/app/db') == (0, 'lost')
    result = ok(wire(app, [data]))
    assert result['recreated'] and [text for text in result['warning_texts'] if text.startswith(warning)]
    assert run_as_root(api, app, 'cat /data/f') == (0, 'precious')
    assert run_as_root(api, app, 'test -e /var/lib/app/db')[0] != 0
    assert not ok(wire(app, [data]))['changed']
