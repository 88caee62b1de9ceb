# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a consumer is created with: the create request (``body``) of its plan, built from the
whole inspect of the old container, and the networks it is connected to before it starts."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import PREVIOUS, WAS_RUNNING
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER, REPLACES
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer.consumer_fixtures import (
    ANON_A, ASIDE, DATA, IMAGE_ID, IMAGE_REF, NEW_IMAGE_ID, FakeFacts, action_of, build_planner, web,
)
from ansible_collections.persistent.volumes.tests.unit.conftest import container_id

TMPFS = {'Type': 'tmpfs', 'Target': '/run'}
WEB_ID = container_id('web')
# Config and HostConfig keys as the engine reports them, one of them unknown to this code.
CONFIG = {'Hostname': 'app1', 'Domainname': 'example.internal', 'Tty': True, 'OpenStdin': True, 'StopSignal': 'SIGINT',
          'StopTimeout': 42, 'ExposedPorts': {'80/tcp': {}}, 'Healthcheck': {'Test': ['CMD', 'true']},
          'MacAddress': '02:42:ac:11:00:99', 'Shell': None, 'Volumes': None, 'OnBuild': None,
          'FutureConfigSetting': {'x': 1}}
HOST = {'PortBindings': {'80/tcp': [{'HostPort': '8080'}]}, 'Memory': 1 << 28, 'CapDrop': ['CAP_NET_RAW'],
        'Init': True, 'Tmpfs': {'/run': 'size=1m'}, 'Ulimits': [{'Name': 'nofile', 'Soft': 1024, 'Hard': 2048}],
        'ExtraHosts': ['db.local:10.0.0.5'], 'PidsLimit': 100, 'ShmSize': 1 << 24, 'FutureHostSetting': [1, 2]}


def endpoint(aliases=None, ipv4=None, **extra):
    """An endpoint as inspect reports it on a started container (the engine's state included)."""
    settings = {'IPAMConfig': {'IPv4Address': ipv4} if ipv4 else {}, 'Links': None, 'Aliases': aliases,
                'NetworkID': 'f' * 64, 'EndpointID': 'e' * 64, 'Gateway': '172.29.77.1', 'IPAddress': ipv4 or '172.18.0.9',
                'IPPrefixLen': 24, 'IPv6Gateway': '', 'GlobalIPv6Address': '', 'GlobalIPv6PrefixLen': 0,
                'MacAddress': '02:42:ac:1d:4d:0a', 'DriverOpts': None}
    settings.update(extra)
    return settings


def networked(networks, mode='front', **kwargs):
    holder = web(network_mode=mode, **kwargs)
    holder.raw['NetworkSettings'] = {'Networks': networks}
    return holder


def create_args(spec, holder, **kwargs):
    kwargs.setdefault('pairs', [('data', 'rw')])
    return action_of(build_planner(spec, holder=holder, sources=[DATA], **kwargs).plan(), 'create_consumer').args


def test_replacement_is_the_old_container_with_the_wanted_changes():
    holder = web(cmd=['sleep', '1d'], env=['PATH=/bin', 'A=1', 'B=1'], restart='always', network_mode='app-net',
                 labels={'tier': 'web', REPLACES: 'web', WAS_RUNNING: 'false', DATA_CONTAINER: 'true'},
                 config=CONFIG, host=HOST)
    before = copy.deepcopy(holder.raw)
    body = create_args({'env': {'B': '2', 'C': '3'}, 'labels': {'team': 'x'}}, holder)['body']
    expected = dict(before['Config'], Image=IMAGE_REF, Env=['PATH=/bin', 'A=1', 'B=2', 'C=3'],
                    Labels={'tier': 'web', 'team': 'x', REPLACES: 'web', WAS_RUNNING: 'true',
                            PREVIOUS: ASIDE})
    host = body.pop('HostConfig')
    assert body == expected
    assert host == dict(before['HostConfig'], Binds=None, VolumesFrom=['data:rw'])
    assert holder.raw == before


@pytest.mark.parametrize('mode, config, kept', [
    ('default', {'Hostname': WEB_ID[:12]}, {}),                                  # the engine's default
    ('default', {'Hostname': 'app1', 'Domainname': 'example.internal'}, {'Hostname': 'app1', 'Domainname': 'example.internal'}),
    ('front', {'Hostname': WEB_ID[:12], 'Domainname': 'example.internal'}, {'Domainname': 'example.internal'}),
    ('container:' + 'c' * 64, {'Hostname': 'other', 'Domainname': 'x.internal'}, {}),  # the other container's
    ('host', {'Hostname': 'dockerhost'}, {}),                                     # the host's
    ('host', {'Hostname': 'app1'}, {'Hostname': 'app1'}),
])
def test_only_a_hostname_set_by_the_user_is_given_back(mode, config, kept):
    body = create_args({'env': {'A': '1'}}, web(network_mode=mode, config=config))['body']
    assert dict((key, body[key]) for key in ('Hostname', 'Domainname') if key in body) == kept


def test_a_new_image_gives_its_own_defaults():
    holder = web(env=['PATH=/bin', 'A=1'], cmd=['sh'], labels={'maker': 'image', 'team': 'blue'},
                 config={'ExposedPorts': {'53/udp': {}, '80/tcp': {}}, 'Volumes': {'/var/lib/app': {}},
                         'WorkingDir': '', 'StopSignal': 'SIGINT'})
    facts = FakeFacts()
    body = create_args({'image': 'app:2'}, holder, image={'Id': NEW_IMAGE_ID}, facts=facts)['body']
    assert ('image', IMAGE_ID) in facts.asked
    kept = (body['Image'], body['Env'], body['ExposedPorts'], body['Volumes'])
    assert kept == ('app:2', ['A=1'], {'80/tcp': {}}, None)
    assert 'Cmd' not in body and 'Entrypoint' not in body and 'WorkingDir' not in body
    assert body['Labels']['team'] == 'blue' and 'maker' not in body['Labels'] and body['StopSignal'] == 'SIGINT'


def test_a_command_set_by_the_user_survives_a_new_image():
    body = create_args({'image': 'app:2'}, web(cmd=['serve', '--port', '80']), image={'Id': NEW_IMAGE_ID})['body']
    assert (body['Cmd'], body['Entrypoint']) == (['serve', '--port', '80'], None)


@pytest.mark.parametrize('images, image, warned', [
    ({IMAGE_REF: {'Id': IMAGE_ID}}, IMAGE_REF, False),
    ({IMAGE_REF: {'Id': NEW_IMAGE_ID}}, IMAGE_ID, True),   # the tag moved: the same image, by its ID
    ({}, IMAGE_ID, True),                                  # the tag is gone
])
def test_the_replacement_runs_the_same_image(images, image, warned):
    plan = build_planner({'env': {'A': '1'}}, holder=web(), sources=[DATA], pairs=[('data', 'rw')],
                         facts=FakeFacts(images=images)).plan()
    assert action_of(plan, 'create_consumer').args['body']['Image'] == image
    assert bool([w for w in plan.warnings if IMAGE_REF in w and 'by its ID' in w]) is warned


def test_every_network_is_kept_with_its_aliases_addresses_and_links():
    holder = networked({'front': endpoint(['api', WEB_ID[:12], 'app1'], ipv4='172.29.77.10', DriverOpts={'a': 'b'}),
                        'back': endpoint(['back-api', WEB_ID[:12]], Links=['db:database']),
                        'bare': endpoint([WEB_ID[:12]])}, config={'Hostname': 'app1'})
    plan = build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA], pairs=[('data', 'rw')],
                         facts=FakeFacts(networks=['front', 'back', 'bare'])).plan()
    body = action_of(plan, 'create_consumer').args['body']
    assert body['HostConfig']['NetworkMode'] == 'front'
    assert body['NetworkingConfig'] == {'EndpointsConfig': {'front': {
        'Aliases': ['api'], 'IPAMConfig': {'IPv4Address': '172.29.77.10'}, 'DriverOpts': {'a': 'b'}}}}
    connects = [(a.target, a.args['network'], a.args['endpoint']) for a in plan.actions if a.kind == 'connect_network']
    assert connects == [(plan.actions[0].target, 'back', {'Aliases': ['back-api'], 'IPAMConfig': {},
                                                          'Links': ['db:database']}),
                        (plan.actions[0].target, 'bare', {'IPAMConfig': {}})]
    assert plan.kinds[:3] == ['create_consumer', 'connect_network', 'connect_network']
    assert plan.after['networks'] == plan.before['networks'] == {
        'back': connects[0][2], 'bare': connects[1][2], 'front': body['NetworkingConfig']['EndpointsConfig']['front']}
    assert 'connect network %s: attach to network back (aliases back-api; links db:database)' % plan.actions[0].target \
        in plan.describe()


def test_a_network_named_by_id_is_the_primary_one():
    holder = networked({'front': endpoint(['api'], ipv4='172.29.77.10')}, mode='f' * 12)
    plan = build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA], pairs=[('data', 'rw')],
                         facts=FakeFacts(networks=['front', 'f' * 64])).plan()
    body = action_of(plan, 'create_consumer').args['body']
    assert body['NetworkingConfig']['EndpointsConfig'] == {'front': {'Aliases': ['api'],
                                                                     'IPAMConfig': {'IPv4Address': '172.29.77.10'}}}
    assert 'connect_network' not in plan.kinds


def test_a_new_network_mode_replaces_the_primary_network_only():
    holder = networked({'front': endpoint(['api']), 'back': endpoint(['back-api'])})
    plan = build_planner({'network_mode': 'app-net'}, holder=holder, sources=[DATA], pairs=[('data', 'rw')],
                         facts=FakeFacts(networks=['front', 'back', 'app-net'])).plan()
    assert 'NetworkingConfig' not in action_of(plan, 'create_consumer').args['body']
    assert [a.args['network'] for a in plan.actions if a.kind == 'connect_network'] == ['back']


def test_default_bridge_links_are_given_as_create_takes_them():
    host = create_args({'env': {'A': '1'}}, web(host={'Links': ['/db:/web/database', '/cache:/web/cache']}))
    assert host['body']['HostConfig']['Links'] == ['db:database', 'cache:cache']


@pytest.mark.parametrize('spec, name, policy', [
    ({'restart_policy': 'no', 'network_mode': 'host'}, 'host', ''),
    ({'restart_policy': 'unless-stopped', 'network_mode': 'none'}, 'none', 'unless-stopped'),
])
def test_create_arguments_override_host_config(spec, name, policy):
    for holder in (web(), None):
        host = create_args(dict(spec, image=IMAGE_REF, env={'Z': '1'}), holder)['body']['HostConfig']
        assert host['NetworkMode'] == name
        assert host['RestartPolicy'] == {'Name': policy, 'MaximumRetryCount': 0}


@pytest.mark.parametrize('have, wanted, policy', [
    ({'Name': 'on-failure', 'MaximumRetryCount': 5}, 'on-failure', {'Name': 'on-failure', 'MaximumRetryCount': 5}),
    ({'Name': 'on-failure', 'MaximumRetryCount': 5}, 'always', {'Name': 'always', 'MaximumRetryCount': 0}),
    ({'Name': 'on-failure', 'MaximumRetryCount': 5}, None, {'Name': 'on-failure', 'MaximumRetryCount': 5}),
    ({'Name': 'no', 'MaximumRetryCount': 0}, 'no', {'Name': 'no', 'MaximumRetryCount': 0}),
    ({'Name': '', 'MaximumRetryCount': 0}, 'no', {'Name': '', 'MaximumRetryCount': 0}),
    ({'Name': 'always', 'MaximumRetryCount': 0}, 'on-failure', {'Name': 'on-failure', 'MaximumRetryCount': 0}),
])
def test_a_restart_policy_of_the_same_name_keeps_its_retry_count(have, wanted, policy):
    spec = {'env': {'Z': '1'}}
    if wanted:
        spec['restart_policy'] = wanted
    host = create_args(spec, web(host={'RestartPolicy': have}))['body']['HostConfig']
    assert host['RestartPolicy'] == policy


def test_new_consumer_arguments():
    plan = build_planner({'image': 'app:1', 'command': 'sh -c "sleep 1"', 'labels': {'a': 'b'}, 'running': True,
                          'working_dir': '/srv/./app/'},
                         sources=[DATA], pairs=[('data', 'ro')], binds=['/srv/x:/x:ro']).plan()
    body = action_of(plan, 'create_consumer').args['body']
    assert body == {'Image': 'app:1', 'Cmd': ['sh', '-c', 'sleep 1'], 'Labels': {'a': 'b'}, 'WorkingDir': '/srv/app',
                    'HostConfig': {'Binds': ['/srv/x:/x:ro'], 'VolumesFrom': ['data:ro']}}
    start = action_of(plan, 'start_container')
    assert [(undo.kind, undo.target, undo.args) for undo in start.args['undo']] == [
        ('discard_new_consumer', 'web', {'keep_paths': ['/data', '/x']})]
    assert plan.after == dict(state='present', name='web', running=True, volumes_from=['data:ro'],
                              binds=['/srv/x:/x:ro'], mounts={'/data': 'dv1', '/x': '/srv/x'}, networks={'bridge': {}})


@pytest.mark.parametrize('command', ['', '  ', []])
def test_empty_command_keeps_the_containers_command(command):
    plan = build_planner({'command': command, 'env': {'A': '1'}}, holder=web(cmd=['sleep', '1d']), sources=[DATA],
                         pairs=[('data', 'rw')]).plan()
    assert plan.reasons == ["env.A: '1' wanted, None found"]
    assert action_of(plan, 'create_consumer').args['body']['Cmd'] == ['sleep', '1d']


@pytest.mark.parametrize('pairs, wiring, released', [
    ([('data', 'rw')], [], []),
    ([], ["volumes_from: [] wanted, ['data:rw'] found"], [dict(path='/data', volume='dv1', was_in='web')]),
])
def test_volumes_from_by_id_is_not_pinned_as_own_bind(pairs, wiring, released):
    holder = web(volumes_from=[container_id('data') + ':rw'])
    plan = build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA], pairs=pairs,
                         old_sources={container_id('data'): DATA}).plan()
    host = action_of(plan, 'create_consumer').args['body']['HostConfig']
    assert host['Binds'] is None and host['VolumesFrom'] == (['data:rw'] if pairs else None)
    assert plan.reasons == wiring + ["env.A: '1' wanted, None found"]
    assert plan.released == released
    assert plan.after['mounts'] == ({'/data': 'dv1'} if pairs else {})


# --mount entries as Docker 26 reports them in HostConfig.Mounts: whatever the mount API carries.
SUBPATH = {'Type': 'volume', 'Source': 'sv', 'Target': '/v', 'VolumeOptions': {'Subpath': 's', 'NoCopy': True}}
DRIVER = {'Type': 'volume', 'Source': 'dv', 'Target': '/d', 'ReadOnly': True, 'Consistency': 'cached',
          'VolumeOptions': {'Labels': {'k': 'v'}, 'DriverConfig': {'Name': 'local', 'Options': {'o': 'size=1m'}}}}
SIZED = {'Type': 'tmpfs', 'Target': '/scratch', 'TmpfsOptions': {'SizeBytes': 1 << 20, 'Mode': 0o1770}}
SHARED = {'Type': 'bind', 'Source': '/srv/www', 'Target': '/www', 'ReadOnly': True,
          'BindOptions': {'Propagation': 'rslave', 'NonRecursive': True, 'ReadOnlyNonRecursive': True}}
RRO = {'Type': 'bind', 'Source': '/srv/ro', 'Target': '/ro', 'ReadOnly': True,
       'BindOptions': {'ReadOnlyForceRecursive': True}}


@pytest.mark.parametrize('mount, volume', [
    (SUBPATH, 'sv'), (DRIVER, 'dv'), (SIZED, None), (SHARED, None), (RRO, None),
    ({'Type': 'volume', 'Source': 'myvol', 'Target': '/v'}, 'myvol'),
])
def test_mount_api_entries_go_into_the_replacement_unchanged(mount, volume):
    mounts = [('dv1', '/data')] + ([(volume, mount['Target'])] if volume else [])
    holder = web(mounts=mounts, host={'Mounts': [TMPFS, mount]})
    plan = build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA], pairs=[('data', 'rw')]).plan()
    host = action_of(plan, 'create_consumer').args['body']['HostConfig']
    # not turned into a bind string (which would drop the subpath, the options, the propagation...)
    assert host['Binds'] is None
    assert host['Mounts'] == [TMPFS, mount]
    if volume:
        assert plan.after['mounts'][mount['Target']] == volume


def test_an_anonymous_mount_api_volume_is_pinned_to_the_volume_it_has():
    """``--mount type=volume,dst=/v`` has no source: the replacement gets the very same volume, by name,
    with the entry's other fields unchanged (else it would get a fresh empty one)."""
    mount = {'Type': 'volume', 'Target': '/v', 'VolumeOptions': {'NoCopy': True}}
    holder = web(mounts=[('dv1', '/data'), (ANON_A, '/v')], host={'Mounts': [mount]})
    host = create_args({'env': {'A': '1'}}, holder)['body']['HostConfig']
    assert host['Binds'] is None
    assert host['Mounts'] == [dict(mount, Source=ANON_A)]
    assert holder.raw['HostConfig']['Mounts'] == [mount]


def test_binds_stay_binds_next_to_mounts():
    holder = web(mounts=[('dv1', '/data'), ('sv', '/v'), ('nv', '/n')], binds=['nv:/n:ro,nocopy'],
                 host={'Mounts': [SUBPATH]})
    host = create_args({'env': {'A': '1'}}, holder)['body']['HostConfig']
    assert host['Binds'] == ['nv:/n:ro,nocopy'] and host['Mounts'] == [SUBPATH]


def test_mounts_api_volume_is_not_dropped_for_a_bind():
    mount = {'Type': 'volume', 'Source': 'myvol', 'Target': '/v'}
    holder = web(mounts=[('dv1', '/data'), ('myvol', '/v')], host={'Mounts': [mount]})
    with pytest.raises(Refusal) as caught:
        build_planner({}, holder=holder, sources=[DATA], pairs=[('data', 'rw')], binds=['/srv/v:/v:rw']).plan()
    assert all(part in caught.value.msg for part in ('web:', 'myvol', '/v', '/srv/v')), caught.value.msg
