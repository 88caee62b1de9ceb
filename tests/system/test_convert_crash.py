# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""convert interrupted at each step, and a consumer whose replacement cannot start.

A proxy in front of the engine stops one request of the conversion: the connection is
dropped, or the module process is killed while it waits. Whatever is left, the data stays
reachable through the consumer, and the next run converges: every consumer mounts the named
volumes holding the data, runs as it did, and nothing the conversion made is left behind.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from conftest import LOOP, container_names, run_module, sh
from proxy import EngineProxy
from test_convert import convert, data_container, mounted
from test_data_container_crash import start_module


# The requests of a conversion, in order ({app}: the running consumer).
STEPS = {
    'holder': r'^POST /v[\d.]+/containers/create\?name=pv-convert-[0-9a-f]+ ',
    'stop': r'^POST /v[\d.]+/containers/{app}/stop',
    'copy': r'^PUT /v[\d.]+/containers/pv-convert-[0-9a-f]+/archive\?',
    'proved': r'^DELETE /v[\d.]+/containers/pv-convert-[0-9a-f]+\?',
    'replica': r'^POST /v[\d.]+/containers/create\?name={app}\.pv-[0-9a-f]+ ',
    'aside': r'^POST /v[\d.]+/containers/{app}/rename\?',
    'start': r'^POST /v[\d.]+/containers/{app}/start',
    'remove_old': r'^DELETE /v[\d.]+/containers/[0-9a-f]{{64}}\?',
}


@pytest.fixture
def proxy():
    with EngineProxy() as running:
        yield running


def scene(lab, api):
    data = data_container(lab)
    lab.write('/datastore/f', 'precious', volumes_from=[data])
    app = lab.container(lab.name('app'), volumes_from=[data], start=True, command=LOOP)
    idle = lab.container(lab.name('idle'), volumes_from=[data + ':ro'])
    return data, app, idle


def interrupt(proxy, step, how, args, app):
    rule = proxy.intercept(STEPS[step].format(app=app.replace('.', r'\.')), 'close' if how == 'close' else 'hold')
    through_proxy = dict(args, docker_host=proxy.docker_host)
    if how == 'close':
        result = run_module('convert', through_proxy)
        assert rule.event.is_set(), 'the module never sent the request of step %s: %s' % (step, result)
        assert result['rc'] == 1 and 'Traceback' not in result['msg'], result
        return result
    process = start_module('convert', through_proxy)
    try:
        assert rule.wait(60), 'the module never sent the request of step %s' % step
        assert process.poll() is None
    finally:
        process.kill()
        process.wait(timeout=30)
    return None


def family(api, lab):
    return container_names(api, lab.prefix)


def assert_converged(lab, api, data, app, idle):
    assert family(api, lab) == sorted([data, app, idle])
    assert api.containers(all=True, filters={'label': 'persistent.volumes.temporary=convert'}) == []
    assert mounted(api, app)['/datastore'] == (data + '-datastore', True)
    assert mounted(api, idle)['/datastore'] == (data + '-datastore', False)
    assert api.inspect_container(app)['State']['Running'] is True
    assert api.inspect_container(idle)['State']['Status'] == 'created'
    assert sh(api, app, 'cat /datastore/f') == (0, 'precious')
    assert lab.read('/datastore/f', volumes_from=[idle]) == 'precious'
    assert api.inspect_container(data)['HostConfig']['VolumesFrom'] in (None, [])


@pytest.mark.parametrize('how', ['close', 'kill'])
@pytest.mark.parametrize('step', sorted(STEPS))
def test_an_interrupted_conversion_is_finished_by_the_next_run(lab, api, proxy, step, how):
    data, app, idle = scene(lab, api)
    args = dict(container=data, method='engine')
    interrupt(proxy, step, how, args, app)
    # whatever is left, the data is reachable through a container of the application's name or aside
    left = [name for name in family(api, lab) if name.startswith(app)]
    assert left, family(api, lab)
    assert any(lab.read('/datastore/f', volumes_from=[name]) == 'precious' for name in left)

    done = convert(data, method='engine')
    assert done['rc'] == 0, done
    assert_converged(lab, api, data, app, idle)
    again = convert(data, method='engine')
    assert again['rc'] == 0 and again['changed'] is False, again


def test_a_consumer_whose_replacement_cannot_start_is_rolled_back(lab, api, proxy):
    data, app, idle = scene(lab, api)
    before = api.inspect_container(app)
    old = mounted(api, data)
    rule = proxy.intercept(STEPS['start'].format(app=app), 'close')
    result = run_module('convert', dict(container=data, remove_data_container=True, docker_host=proxy.docker_host))
    assert rule.event.is_set()
    assert result['rc'] != 0 and result['changed'] is True and 'Traceback' not in result['msg'], result
    assert 'The replacement of %s could not start, so it was removed and the old %s was put back' % (app, app) \
        in result['msg'], result['msg']
    assert 'keeps its volumes and is not removed' in result['msg']
    now = api.inspect_container(app)
    assert now['Id'] == before['Id'] and now['State']['Running'] is True   # put back, and started again
    assert mounted(api, app)['/datastore'] == old['/datastore']
    assert mounted(api, data) == old                                         # the data container is kept
    assert sh(api, app, 'cat /datastore/f') == (0, 'precious')
    assert family(api, lab) == sorted([data, app, idle])

    done = convert(data)
    assert done['rc'] == 0 and done['changed'] is True, done
    assert_converged(lab, api, data, app, idle)
