# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER
from ansible_collections.persistent.volumes.plugins.module_utils.volume.info import (
    describe_volume,
    describe_volumes,
)

ANON = 'a' * 64
FOUNDING = [
    dict(name='datacontainer', mounts=[(ANON, '/datastore')], state='created', labels={DATA_CONTAINER: 'true'}),
    dict(name='app', mounts=[(ANON, '/datastore', 'ro')], state='exited'),
]


def test_dangling_named_volume(make_state):
    state = make_state([dict(name='db', labels={'tier': 'db'}, options={'type': 'tmpfs'})])
    assert describe_volume(state, 'db') == dict(
        name='db', driver='local', mountpoint='/var/lib/docker/volumes/db/_data', labels={'tier': 'db'},
        options={'type': 'tmpfs'}, scope='local', created_at='2024-05-01T10:00:00Z', anonymous=False,
        used_by=[], dangling=True, data_container=None, converted_from=None)


def test_a_converted_volume_says_where_it_came_from(make_state):
    labels = {'persistent.volumes.converted-from': 'datacontainer', 'persistent.volumes.converted-path': '/datastore',
              'persistent.volumes.converted-volume': ANON, 'persistent.volumes.converted-running': 'app'}
    state = make_state([dict(name='datacontainer-datastore', labels=labels)])
    assert describe_volume(state, 'datacontainer-datastore')['converted_from'] == dict(
        container='datacontainer', path='/datastore', volume=ANON)


def test_data_container_volume_with_consumer(make_state):
    state = make_state([ANON], FOUNDING, volumes_from={'app': ['datacontainer:ro']})
    entry = describe_volume(state, ANON)
    assert entry['anonymous'] is True
    assert entry['dangling'] is False
    assert entry['data_container'] == 'datacontainer'
    assert entry['used_by'] == [
        dict(container='app', destination='/datastore', read_only=True, via='volumes_from'),
        dict(container='datacontainer', destination='/datastore', read_only=False, via='mount'),
    ]
    assert 'size_bytes' not in entry


def test_size_bytes_only_with_sizes(make_state):
    state = make_state(['db', 'logs'], sizes={'db': 8192})
    entries = describe_volumes(state)
    assert [(entry['name'], entry['size_bytes']) for entry in entries] == [('db', 8192), ('logs', None)]
    assert 'size_bytes' not in describe_volume(make_state(['db']), 'db')


def test_describe_volumes_sorted_and_empty(make_state):
    assert [entry['name'] for entry in describe_volumes(make_state(['zz', ANON, 'bb']))] == [ANON, 'bb', 'zz']
    assert describe_volumes(make_state()) == []


def test_a_named_volumes_earlier_content_says_whose_it_is(make_state):
    labels = {'persistent.volumes.previous-of': 'pgdata', 'persistent.volumes.restored-path': '/data',
              'persistent.volumes.was-in': 'pgstore', 'persistent.volumes.replaced-at': '2026-12-06T20:00:00Z'}
    state = make_state([dict(name='pgdata.previous-20261206T200000Z-0a0b', labels=labels), 'pgdata'])
    assert describe_volume(state, 'pgdata.previous-20261206T200000Z-0a0b')['previous_of'] == dict(
        volume='pgdata', path='/data', was_in='pgstore', replaced_at='2026-12-06T20:00:00Z')
    assert 'previous_of' not in describe_volume(state, 'pgdata')
