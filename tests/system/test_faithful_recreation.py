# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A recreated consumer is the same container in every setting.

An application container made by hand with ``docker run`` and a long list of options, on two
user networks (aliases, a static address), is rewired with volumes_from, with bind_mount and
through layout. ``docker inspect`` before and after is compared over every field; only what
``app_lab.MAY_DIFFER`` lists may differ. Its peers resolve its aliases to it on each network,
the data written before is read back, and a re-run changes nothing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random
import subprocess

import pytest

from app_lab import address, dns_names_differences, inspect_differences, lab_network, resolve, run_as_root, user_aliases
from conftest import IMAGE, LOOP, RUN_ID, run_module


@pytest.fixture
def networks(lab, api):
    with lab_network(api, lab, 'front', subnet=True) as front, lab_network(api, lab, 'back') as back:
        yield [front, back]


def docker_cli(*args):
    subprocess.run(['docker'] + list(args), check=True, stdout=subprocess.DEVNULL)


def run_app(lab, networks):
    """``docker run`` with the settings a recreation must keep (hostname, aliases, addresses, ...), then ``docker network connect`` to a second network."""
    (front, prefix), (back, dummy) = networks
    name = lab.name('app')
    docker_cli('run', '-d', '--name', name, '--hostname', 'app1', '--domainname', 'example.internal',
               '--network', front, '--network-alias', 'api', '--ip', prefix + '.10',
               '-p', '127.0.0.1:%d:8080' % random.randint(20000, 29999), '--expose', '8080',
               '--health-cmd', 'true', '--health-interval', '30s', '--restart', 'unless-stopped',
               '--memory', '64m', '--cpu-shares', '512', '--cap-drop', 'NET_RAW', '--tmpfs', '/run:size=1m',
               '--ulimit', 'nofile=1024:2048', '--log-opt', 'max-size=1m', '--add-host', 'db.local:10.0.0.5',
               '--init', '--pids-limit', '100', '--shm-size', '16m', '--label', 'team=blue',
               '--label', 'pvtest=' + RUN_ID, '--stop-timeout', '42', '--stop-signal', 'SIGINT',
               '--workdir', '/tmp', '--user', '1000:1000', '--env', 'A=1', '-v', '/own', IMAGE, *LOOP)
    docker_cli('network', 'connect', '--alias', 'back-api', back, name)
    peers = {}
    for network, dummy in networks:
        peers[network] = lab.name('peer-' + network[-4:])
        docker_cli('run', '-d', '--name', peers[network], '--network', network, '--label', 'pvtest=' + RUN_ID,
                   IMAGE, *LOOP)
    return name, prefix + '.10', peers


def rewire(how, app, data, source, check=False, diff=False):
    if how == 'bind_mount':
        return run_module('bind_mount', {'container': app, 'source': source, 'target': '/srv/www',
                                         'read_only': True}, check=check, diff=diff)
    if how == 'layout':
        result = run_module('layout', {'consumers': [{'container': app, 'from': [data]}]}, check=check, diff=diff)
        if result['rc'] == 0:
            consumer = result['objects']['consumers'][0]
            result.update(recreated=consumer.get('recreated'), reasons=consumer.get('reasons'),
                          actions=consumer['actions'])
            result['diff'] = dict((side, result['diff'][side]['consumers'][app]) for side in ('before', 'after')) \
                if diff else None
        return result
    return run_module('volumes_from', {'container': app, 'from': [data]}, check=check, diff=diff)


def assert_same_container(before, after):
    """Every field equal but what MAY_DIFFER allows, and the allowed ones checked where they can be."""
    assert inspect_differences(before, after) == [] and dns_names_differences(before, after) == []
    assert after['Id'] != before['Id'] and after['State']['Running'] is True
    kept = dict((m['Destination'], m.get('Name') or m['Source']) for m in before['Mounts'])
    now = dict((m['Destination'], m.get('Name') or m['Source']) for m in after['Mounts'])
    assert dict((path, now.get(path)) for path in kept) == kept
    for network, settings in before['NetworkSettings']['Networks'].items():
        assert user_aliases(after, network) == user_aliases(before, network)
        if settings['IPAMConfig'] and settings['IPAMConfig'].get('IPv4Address'):
            assert address(after, network) == address(before, network)


@pytest.mark.parametrize('how', ['volumes_from', 'bind_mount', 'layout'])
def test_a_rewired_application_is_the_same_container(lab, api, networks, tmp_path, how):
    app, static, peers = run_app(lab, networks)
    (front, dummy), (back, dummy) = networks
    data = lab.name('dc')
    assert run_module('data_container', {'name': data, 'volumes': ['/datastore']})['rc'] == 0
    source = str(tmp_path / 'www')
    assert run_as_root(api, app, 'echo kept > /own/f') == (0, '')
    before = api.inspect_container(app)

    predicted = rewire(how, app, data, source, check=True, diff=True)
    assert predicted['rc'] == 0 and predicted['changed'] is True and predicted['recreated'] is True, predicted
    assert any('attach to network %s (aliases back-api)' % back in action for action in predicted['actions'])
    assert predicted['diff']['after']['networks'] == predicted['diff']['before']['networks'] == {
        front: {'Aliases': ['api'], 'IPAMConfig': {'IPv4Address': static}},
        back: {'Aliases': ['back-api'], 'IPAMConfig': {}, 'DriverOpts': {}}}
    now = api.inspect_container(app)
    assert now['Id'] == before['Id'] and inspect_differences(before, now) == []   # check mode changed nothing

    done = rewire(how, app, data, source)
    assert done['rc'] == 0 and done['changed'] is True and done['recreated'] is True, done
    after = api.inspect_container(app)
    assert_same_container(before, after)
    assert address(after, front) == static
    assert resolve(api, peers[front], 'api') == resolve(api, peers[front], app) == [static]
    assert resolve(api, peers[back], 'back-api') == resolve(api, peers[back], app) == [address(after, back)]
    assert run_as_root(api, app, 'cat /own/f') == (0, 'kept')
    if how == 'bind_mount':
        (tmp_path / 'www' / 'index.html').write_text('served\n')
        assert run_as_root(api, app, 'cat /srv/www/index.html') == (0, 'served')
    else:
        assert run_as_root(api, app, 'echo shared > /datastore/f') == (0, '')
        assert lab.read('/datastore/f', volumes_from=[data]) == 'shared'

    again = rewire(how, app, data, source)
    assert again['rc'] == 0 and again['changed'] is False, again
    assert api.inspect_container(app)['Id'] == after['Id']
