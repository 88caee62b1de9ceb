# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a consumer is created with: the create_consumer arguments of its plan."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from docker.types import ContainerConfig

from ansible_collections.persistent.volumes.plugins.module_utils.consumer_plan import WAS_RUNNING
from ansible_collections.persistent.volumes.plugins.module_utils.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.labels import DATA_CONTAINER, REPLACES
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer_fixtures import (
    ANON_A, DATA, IMAGE_REF, action_of, build_planner, web,
)
from ansible_collections.persistent.volumes.tests.unit.conftest import container_id

TMPFS = {'Type': 'tmpfs', 'Target': '/run'}


def create_args(spec, holder, **kwargs):
    kwargs.setdefault('pairs', [('data', 'rw')])
    return action_of(build_planner(spec, holder=holder, sources=[DATA], **kwargs).plan(), 'create_consumer').args


def test_create_arguments_keep_the_container_and_relabel():
    holder = web(cmd=['sleep', '1d'], env=['PATH=/bin', 'A=1'], restart='always', network_mode='app-net',
                 labels={'tier': 'web', REPLACES: 'web', WAS_RUNNING: 'false', DATA_CONTAINER: 'true'},
                 config={'Tty': True, 'OpenStdin': True, 'StopSignal': 'SIGINT', 'ExposedPorts': {'80/tcp': {}},
                         'Healthcheck': {'Test': ['CMD', 'true']}},
                 host={'PortBindings': {'80/tcp': [{'HostPort': '8080'}]}, 'Memory': 1 << 28, 'CapAdd': ['NET_ADMIN']})
    args = create_args({'env': {'B': '2'}, 'labels': {'team': 'x'}}, holder)
    assert args['image'] == IMAGE_REF
    assert args['create'] == dict(
        command=['sleep', '1d'], entrypoint=None, environment=['A=1', 'B=2', 'PATH=/bin'], user=None, working_dir=None,
        labels={'tier': 'web', 'team': 'x', REPLACES: 'web', WAS_RUNNING: 'true'}, tty=True, stdin_open=True,
        stop_signal='SIGINT', healthcheck={'Test': ['CMD', 'true']}, ports=[('80', 'tcp')])
    host = args['host_config']
    assert (host['Memory'], host['CapAdd'], host['PortBindings']) == (1 << 28, ['NET_ADMIN'],
                                                                      {'80/tcp': [{'HostPort': '8080'}]})
    assert (host['Binds'], host['VolumesFrom'], host['NetworkMode']) == (None, ['data:rw'], 'app-net')
    assert host['RestartPolicy'] == {'Name': 'always', 'MaximumRetryCount': 0}
    assert holder.raw['HostConfig']['Binds'] is None and holder.labels[WAS_RUNNING] == 'false'


@pytest.mark.parametrize('spec, name, policy', [
    ({'restart_policy': 'no', 'network_mode': 'host'}, 'host', ''),
    ({'restart_policy': 'unless-stopped', 'network_mode': 'none'}, 'none', 'unless-stopped'),
])
def test_create_arguments_override_host_config(spec, name, policy):
    for holder in (web(), None):
        args = create_args(dict(spec, image=IMAGE_REF, env={'Z': '1'}), holder)
        assert args['host_config']['NetworkMode'] == name
        assert args['host_config']['RestartPolicy'] == {'Name': policy, 'MaximumRetryCount': 0}


def test_new_consumer_arguments():
    plan = build_planner({'image': 'app:1', 'command': 'sh -c "sleep 1"', 'labels': {'a': 'b'}},
                         sources=[DATA], pairs=[('data', 'ro')], binds=['/srv/x:/x:ro']).plan()
    args = action_of(plan, 'create_consumer').args
    assert args['image'] == 'app:1' and args['create']['labels'] == {'a': 'b'}
    assert args['create']['command'] == ['sh', '-c', 'sleep 1']
    assert args['host_config'] == {'Binds': ['/srv/x:/x:ro'], 'VolumesFrom': ['data:ro']}
    assert plan.after == dict(state='present', name='web', running=False, volumes_from=['data:ro'],
                              binds=['/srv/x:/x:ro'], mounts={'/data': 'dv1', '/x': '/srv/x'})


@pytest.mark.parametrize('command', ['', '  ', []])
def test_empty_command_keeps_the_containers_command(command):
    plan = build_planner({'command': command, 'env': {'A': '1'}}, holder=web(cmd=['sleep', '1d']), sources=[DATA],
                         pairs=[('data', 'rw')]).plan()
    assert plan.reasons == ["env.A: '1' wanted, None found"]
    assert action_of(plan, 'create_consumer').args['create']['command'] == ['sleep', '1d']


def test_exposed_ports_survive_docker_py():
    holder = web(config={'ExposedPorts': {'80/tcp': {}, '53/udp': {}}})
    create = create_args({'env': {'A': '1'}}, holder)['create']
    assert create['ports'] == [('53', 'udp'), ('80', 'tcp')]
    config = ContainerConfig('1.41', IMAGE_REF, create.pop('command'), **create)
    assert config['ExposedPorts'] == {'80/tcp': {}, '53/udp': {}}


@pytest.mark.parametrize('pairs, wiring, released', [
    ([('data', 'rw')], [], []),
    ([], ["volumes_from: [] wanted, ['data:rw'] found"], [dict(path='/data', volume='dv1', was_in='web')]),
])
def test_volumes_from_by_id_is_not_pinned_as_own_bind(pairs, wiring, released):
    holder = web(volumes_from=[container_id('data') + ':rw'])
    plan = build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA], pairs=pairs,
                         old_sources={container_id('data'): DATA}).plan()
    host = action_of(plan, 'create_consumer').args['host_config']
    assert host['Binds'] is None and host['VolumesFrom'] == (['data:rw'] if pairs else None)
    assert plan.reasons == wiring + ["env.A: '1' wanted, None found"]
    assert plan.released == released
    assert plan.after['mounts'] == ({'/data': 'dv1'} if pairs else {})


@pytest.mark.parametrize('mount, volume', [
    ({'Type': 'volume', 'Source': 'myvol', 'Target': '/v'}, 'myvol'),
    ({'Type': 'volume', 'Target': '/v'}, ANON_A),
])
def test_mounts_api_volume_not_mounted_twice(mount, volume):
    holder = web(mounts=[('dv1', '/data'), (volume, '/v')], host={'Mounts': [TMPFS, mount]})
    host = create_args({'env': {'A': '1'}}, holder)['host_config']
    # re-attached once, by name through Binds; the tmpfs at /run stays a --mount
    assert host['Binds'] == ['%s:/v:rw' % volume]
    assert host['Mounts'] == [TMPFS]
    targets = [bind.split(':')[1] for bind in host['Binds']] + [m['Target'] for m in host['Mounts']]
    assert sorted(targets) == ['/run', '/v']


def test_mounts_api_volume_is_not_dropped_for_a_bind():
    mount = {'Type': 'volume', 'Source': 'myvol', 'Target': '/v'}
    holder = web(mounts=[('dv1', '/data'), ('myvol', '/v')], host={'Mounts': [mount]})
    with pytest.raises(Refusal) as caught:
        build_planner({}, holder=holder, sources=[DATA], pairs=[('data', 'rw')], binds=['/srv/v:/v:rw']).plan()
    assert all(part in caught.value.msg for part in ('web:', 'myvol', '/v', '/srv/v')), caught.value.msg
