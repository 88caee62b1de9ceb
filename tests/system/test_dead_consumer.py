# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A consumer the engine marked for removal is recreated, not started.

When a removal fails half-way (two clients racing on the same consumer made the engine
answer "unable to remove filesystem ... directory not empty"), the engine keeps the
container as ``dead``: starting it answers 409 "container is marked for removal". Here
the half-way removal is made on purpose (an immutable file in the container's directory),
then volumes_from and layout must recreate the consumer with its wiring, and the data
written before is read back through another container."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import subprocess

import docker
import pytest

from conftest import IMAGE, LOOP, run_module, sh
from test_volumes_from import ok, same_named

REASON = 'the engine marked %s for removal (status dead): it cannot be used again'


def make_dead(api, name):
    """Remove ``name`` and make the engine fail half-way, as a lost race does: it stays, dead."""
    root = api.info()['DockerRootDir']
    pin = os.path.join(root, 'containers', api.inspect_container(name)['Id'], 'pvtest-pin')
    with open(pin, 'w'):
        pass
    if subprocess.run(['chattr', '+i', pin], check=False, capture_output=True).returncode != 0:
        os.remove(pin)
        pytest.skip('chattr +i does not work below %s' % root)
    try:
        api.stop(name, timeout=5)
        with pytest.raises(docker.errors.APIError) as caught:
            api.remove_container(name, v=False)
        assert 'unable to remove filesystem' in str(caught.value), caught.value
    finally:
        subprocess.run(['chattr', '-i', pin], check=True)
    state = api.inspect_container(name)['State']
    assert state['Dead'] is True and state['Status'] == 'dead', state
    with pytest.raises(docker.errors.APIError) as caught:
        api.start(name)
    assert 'marked for removal' in str(caught.value), caught.value


def data_and_consumer(lab, api):
    data, consumer = lab.name('dc'), lab.name('c')
    ok(run_module('data_container', {'name': data, 'volumes': ['/data']}))
    ok(run_module('volumes_from', {'container': consumer, 'from': [data], 'image': IMAGE, 'command': LOOP,
                                   'running': True}))
    assert sh(api, consumer, 'echo precious > /data/f') == (0, '')
    make_dead(api, consumer)
    return data, consumer


def masked(actions):
    """Actions with the replacement's random suffix masked."""
    return [re.sub(r'\.pv-[0-9a-f]{6}', '.pv-*', action) for action in actions]


def test_volumes_from_recreates_a_dead_consumer(lab, api):
    data, consumer = data_and_consumer(lab, api)
    dead_id = api.inspect_container(consumer)['Id']
    volume = api.inspect_container(data)['Mounts'][0]['Name']
    args = {'container': consumer, 'from': [data], 'image': IMAGE, 'command': LOOP, 'running': True}

    predicted = ok(run_module('volumes_from', args, check=True, diff=True))
    assert predicted['changed'] is True and predicted['recreated'] is True
    assert predicted['reasons'] == [REASON % consumer]
    assert masked(predicted['actions']) == [
        'create consumer %s.pv-*: recreate, keeping every other setting' % consumer,
        'remove container %s: replaced by %s.pv-*' % (consumer, consumer),
        'rename container %s.pv-*: take the place of the old container' % consumer,
        'start container %s: running=true' % consumer]
    assert predicted['diff']['before']['running'] is False and predicted['diff']['after']['running'] is True
    assert api.inspect_container(consumer)['Id'] == dead_id  # check mode changed nothing

    done = ok(run_module('volumes_from', args, diff=True))
    assert done['changed'] is True and done['recreated'] is True
    assert masked(done['actions']) == masked(predicted['actions'])
    assert done['mounts'] == {'/data': volume} and done['container']['running'] is True
    now = api.inspect_container(consumer)
    assert now['Id'] != dead_id and now['State']['Running'] is True
    assert same_named(api, consumer) == [consumer]
    assert sh(api, consumer, 'cat /data/f') == (0, 'precious')
    assert lab.read('/data/f', volumes_from=[data]) == 'precious'

    again = ok(run_module('volumes_from', args))
    assert again['changed'] is False and again['actions'] == []


def test_layout_recreates_a_dead_consumer(lab, api):
    data, consumer = data_and_consumer(lab, api)
    layout = {'data_containers': [{'name': data, 'volumes': ['/data']}],
              'consumers': [{'container': consumer, 'from': [data], 'image': IMAGE, 'command': LOOP, 'running': True}]}

    predicted = ok(run_module('layout', layout, check=True))
    assert predicted['changed'] is True
    assert api.inspect_container(consumer)['State']['Status'] == 'dead'

    done = ok(run_module('layout', layout))
    assert done['changed'] is True
    assert api.inspect_container(consumer)['State']['Running'] is True
    assert same_named(api, consumer) == [consumer]
    assert lab.read('/data/f', volumes_from=[consumer]) == 'precious'

    again = ok(run_module('layout', layout))
    assert again['changed'] is False
