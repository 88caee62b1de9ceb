# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER, ENGINE_ANONYMOUS
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import (
    EngineState,
    container_name,
)

ANON = 'f' * 64
BIND = {'Type': 'bind', 'Source': '/srv/www', 'Destination': '/www', 'Mode': '', 'RW': True, 'Propagation': 'rprivate'}


def uses(state, volume):
    return [use.as_dict() for use in state.uses(volume)]


def test_single_user_is_a_mount_and_is_not_inspected(make_state):
    state = make_state(['data'], [dict(name='app', mounts=[('data', '/data')])])
    assert uses(state, 'data') == [dict(container='app', destination='/data', read_only=False, via='mount')]
    assert state.fake_inspect.calls == []


@pytest.mark.parametrize('entry, consumer_mount, read_only', [
    pytest.param('datacontainer', ('data', '/datastore'), False, id='rw'),
    pytest.param('datacontainer:ro', ('data', '/datastore', 'ro'), True, id='ro'),
    pytest.param('datacontainer:rw', ('data', '/datastore'), False, id='explicit-rw'),
])
def test_volumes_from_is_told_apart_from_mount(make_state, entry, consumer_mount, read_only):
    state = make_state(['data'], [
        dict(name='datacontainer', mounts=[('data', '/datastore')], state='created'),
        dict(name='app', mounts=[consumer_mount]),
    ], volumes_from={'app': [entry]})
    assert uses(state, 'data') == [
        dict(container='app', destination='/datastore', read_only=read_only, via='volumes_from'),
        dict(container='datacontainer', destination='/datastore', read_only=False, via='mount'),
    ]


def test_two_direct_users_are_both_mounts_and_each_inspected_once(make_state):
    state = make_state(['a1', 'a2'], [
        dict(name='one', mounts=[('a1', '/a'), ('a2', '/b')]),
        dict(name='two', mounts=[('a1', '/a'), ('a2', '/b', 'ro')], state='exited'),
    ])
    assert [use['via'] for use in uses(state, 'a1') + uses(state, 'a2')] == ['mount'] * 4
    assert uses(state, 'a2')[1]['read_only'] is True
    assert sorted(state.fake_inspect.calls) == sorted([state.container('one').id, state.container('two').id])


def test_index_is_computed_once(make_state):
    state = make_state(['data'], [dict(name='a', mounts=[('data', '/d')]), dict(name='b', mounts=[('data', '/d')])])
    state.uses('data')
    state.uses('data')
    assert len(state.fake_inspect.calls) == 2


def test_volumes_from_a_removed_container_counts_as_mount(make_state):
    state = make_state(['data'], [dict(name='a', mounts=[('data', '/d')]), dict(name='b', mounts=[('data', '/d')])],
                       volumes_from={'b': ['gone']})
    assert [use['via'] for use in uses(state, 'data')] == ['mount', 'mount']


def test_volumes_from_by_container_id(make_state):
    containers = [dict(name='store', mounts=[('data', '/d')], state='created'), dict(name='app', mounts=[('data', '/d')])]
    store_id = make_state([], containers).container('store').id
    state = make_state(['data'], containers, volumes_from={'app': [store_id[:12] + ':ro']})
    assert uses(state, 'data')[0] == dict(container='app', destination='/d', read_only=False, via='volumes_from')


def test_bind_mounts_are_ignored(make_state):
    state = make_state(['data'], [dict(name='web', mounts=[BIND, ('data', '/data')])])
    assert uses(state, 'data') == [dict(container='web', destination='/data', read_only=False, via='mount')]
    assert uses(state, '/srv/www') == []
    assert uses(state, None) == []


def test_mount_without_type_but_with_name_is_a_volume(make_state):
    raw = {'Name': 'data', 'Destination': '/d', 'RW': False}
    state = make_state(['data'], [dict(name='old', mounts=[raw])])
    assert uses(state, 'data') == [dict(container='old', destination='/d', read_only=True, via='mount')]


def test_link_aliases_in_names_are_ignored(make_state):
    state = make_state(['data'], [dict(name='db', mounts=[('data', '/var/lib/db')], aliases=[('web', 'db')])])
    assert state.containers[0].name == 'db'
    assert uses(state, 'data')[0]['container'] == 'db'


@pytest.mark.parametrize('summary, expected', [
    pytest.param({'Names': ['/app']}, 'app', id='plain'),
    pytest.param({'Names': ['/web/db', '/db']}, 'db', id='alias-first'),
    pytest.param({'Names': ['/a/b']}, 'a/b', id='only-alias'),
    pytest.param({'Names': [], 'Name': '/named'}, 'named', id='inspect-style-name'),
    pytest.param({'Id': 'abc123'}, 'abc123', id='id-fallback'),
    pytest.param({'Id': 'abc123', 'Names': [], 'State': 'removing', 'Status': 'Removal In Progress'}, 'abc123',
                 id='removal-cut-short'),  # as Docker 20.10 lists a container whose removal its stop cut short
])
def test_container_name(summary, expected):
    assert container_name(summary) == expected


@pytest.mark.parametrize('containers, volumes_from, expected', [
    pytest.param([dict(name='aaa', mounts=[('data', '/d')], state='created'),
                  dict(name='zzz', mounts=[('data', '/d')], state='created', labels={DATA_CONTAINER: 'true'})],
                 None, 'zzz', id='label-beats-never-started'),
    pytest.param([dict(name='aaa', mounts=[('data', '/d')], state='running', labels={DATA_CONTAINER: 'true'}),
                  dict(name='zzz', mounts=[('data', '/d')], state='created')],
                 None, 'aaa', id='label-wins-even-if-started'),
    pytest.param([dict(name='store', mounts=[('data', '/d')], state='created')], None, 'store',
                 id='never-started-founding-document'),
    pytest.param([dict(name='app', mounts=[('data', '/d')], state='exited')], None, None, id='started-once'),
    pytest.param([dict(name='app', mounts=[('data', '/d')], labels={DATA_CONTAINER: 'false'}, state='exited')],
                 None, None, id='label-not-true'),
    pytest.param([dict(name='data-c', mounts=[('data', '/d')], state='running'),
                  dict(name='consumer', mounts=[('data', '/d')], state='created')],
                 {'consumer': ['data-c']}, None, id='never-started-consumer-via-volumes-from'),
    pytest.param([], None, None, id='dangling'),
])
def test_data_container_of(make_state, containers, volumes_from, expected):
    state = make_state(['data'], containers, volumes_from=volumes_from)
    assert state.data_container_of('data') == expected


@pytest.mark.parametrize('volume, expected', [
    pytest.param(ANON, True, id='64-hex'),
    pytest.param('0123456789abcdef' * 4, True, id='64-hex-mixed-digits'),
    pytest.param('f' * 63, False, id='63-hex'),
    pytest.param('F' * 64, False, id='upper-case'),
    pytest.param(dict(name='cache', labels={ENGINE_ANONYMOUS: ''}), True, id='engine-label'),
    pytest.param(dict(name='cache', labels={'other': ''}), False, id='named'),
])
def test_is_anonymous(make_state, volume, expected):
    state = make_state([volume])
    name = volume if isinstance(volume, str) else volume['name']
    assert state.is_anonymous(name) is expected


@pytest.mark.parametrize('key, found', [
    pytest.param('app', 'app', id='name'),
    pytest.param('full-id', 'app', id='id'),
    pytest.param('id-12', 'app', id='id-prefix-12'),
    pytest.param('id-11', None, id='short-prefix'),
    pytest.param('nope', None, id='missing'),
])
def test_container_lookup(make_state, key, found):
    state = make_state([], [dict(name='app'), dict(name='other')])
    full = state.container('app').id
    key = {'full-id': full, 'id-12': full[:12], 'id-11': full[:11]}.get(key, key)
    result = state.container(key)
    assert (result.name if result else None) == found


def test_load_one_volume_filters_containers(fake_api):
    api = fake_api(['data'], [dict(name='app', mounts=[('data', '/d')]), dict(name='web')])
    state = EngineState.load(api, volume_name='data')
    assert api.calls == [('inspect_volume', 'data'), ('list_containers', {'volume': 'data'})]
    assert [c.name for c in state.containers] == ['app']
    assert state.sizes is None


def test_load_missing_volume_lists_nothing_else(fake_api):
    api = fake_api()
    state = EngineState.load(api, volume_name='data')
    assert api.calls == [('inspect_volume', 'data')]
    assert state.volumes == {} and state.containers == []


def test_load_all_with_usage(fake_api):
    api = fake_api(['a', 'b'], usage={'a': 4096, 'b': -1})
    state = EngineState.load(api, include_usage=True)
    assert api.calls == [('list_volumes',), ('list_containers', None), ('disk_usage',)]
    assert state.sizes == {'a': 4096, 'b': None}
