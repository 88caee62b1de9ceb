# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import MountedAt
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER, OWNED, REPLACES

A = 'a' * 64
B = 'b' * 64


@pytest.mark.parametrize('raw, expected', [
    pytest.param({'Type': 'volume', 'Name': 'dbvol', 'Source': '/var/lib/docker/volumes/dbvol/_data',
                  'Destination': '/db', 'RW': True},
                 dict(path='/db', type='volume', volume='dbvol', source='/var/lib/docker/volumes/dbvol/_data',
                      read_only=False), id='volume'),
    pytest.param({'Type': 'volume', 'Name': A, 'Destination': '/d', 'RW': False},
                 dict(path='/d', type='volume', volume=A, source=None, read_only=True), id='volume-ro'),
    pytest.param({'Type': 'bind', 'Source': '/srv/www', 'Destination': '/www', 'RW': True},
                 dict(path='/www', type='bind', volume=None, source='/srv/www', read_only=False), id='bind'),
    pytest.param({'Type': 'bind', 'Name': 'ignored', 'Source': '/srv', 'Destination': '/s', 'RW': False},
                 dict(path='/s', type='bind', volume=None, source='/srv', read_only=True), id='bind-name-ignored'),
    pytest.param({'Name': 'dbvol', 'Destination': '/db', 'RW': True},
                 dict(path='/db', type='volume', volume='dbvol', source=None, read_only=False), id='no-type-volume'),
    pytest.param({'Source': '/srv', 'Destination': '/s'},
                 dict(path='/s', type='bind', volume=None, source='/srv', read_only=False), id='no-type-no-rw-bind'),
])
def test_mounted_at_from_inspect(raw, expected):
    assert MountedAt.from_inspect(raw).as_dict() == expected


@pytest.mark.parametrize('mounted, identity, own, forced_ro, forced_rw', [
    pytest.param(MountedAt('/db', 'volume', name='dbvol'), 'volume:dbvol', 'dbvol:/db:rw', 'dbvol:/db:ro',
                 'dbvol:/db:rw', id='volume-rw'),
    pytest.param(MountedAt('/db', 'volume', name=A, source='/x', read_only=True), 'volume:' + A, A + ':/db:ro',
                 A + ':/db:ro', A + ':/db:rw', id='volume-ro'),
    pytest.param(MountedAt('/www', 'bind', source='/srv/www'), 'bind:/srv/www', '/srv/www:/www:rw',
                 '/srv/www:/www:ro', '/srv/www:/www:rw', id='bind'),
])
def test_identity_and_bind_string(mounted, identity, own, forced_ro, forced_rw):
    assert mounted.identity == identity
    assert mounted.bind_string() == own
    assert mounted.bind_string(read_only=True) == forced_ro
    assert mounted.bind_string(read_only=False) == forced_rw


def test_detail_fields(make_inspect):
    raw = make_inspect('store', mounts=[('dbvol', '/db', 'ro'), ('/srv/www', '/www')], status='exited',
                       labels={'tier': 'db', DATA_CONTAINER: 'true', REPLACES: 'old'}, volumes_from=['other:ro'],
                       image_ref='app:1', image_id='sha256:' + 'c' * 64)
    detail = ContainerDetail(raw)
    assert (detail.id, detail.name, detail.image_id, detail.image_ref) == (
        raw['Id'], 'store', 'sha256:' + 'c' * 64, 'app:1')
    assert (detail.running, detail.status, detail.volumes_from) == (False, 'exited', ['other:ro'])
    assert detail.is_data_container is True and detail.replaces == 'old'
    assert sorted(detail.mounts) == ['/db', '/www']
    assert detail.mounts['/db'].read_only is True and detail.mounts['/www'].type == 'bind'
    assert detail.volume_map() == {'/db': 'dbvol', '/www': '/srv/www'}
    assert detail.summary() == dict(name='store', id=raw['Id'], image='app:1',
                                    image_id='sha256:' + 'c' * 64, labels=raw['Config']['Labels'], status='exited')


def test_detail_of_sparse_inspect_data():
    detail = ContainerDetail({'Id': 'abc', 'Config': None, 'HostConfig': None, 'State': None, 'Mounts': None})
    assert (detail.name, detail.labels, detail.running, detail.status, detail.volumes_from, detail.mounts) == (
        '', {}, False, None, [], {})
    assert detail.is_data_container is False and detail.replaces is None
    assert detail.owned_volumes == set() and detail.volume_map() == {}


@pytest.mark.parametrize('labels, running, is_data', [
    pytest.param({DATA_CONTAINER: 'true'}, False, True, id='labelled'),
    pytest.param({DATA_CONTAINER: 'yes'}, False, False, id='other-value'),
    pytest.param({}, False, False, id='plain'),
])
def test_is_data_container(make_inspect, labels, running, is_data):
    detail = ContainerDetail(make_inspect('store', labels=labels, status='running' if running else 'created'))
    assert detail.is_data_container is is_data


def test_running_comes_from_state(make_inspect):
    assert ContainerDetail(make_inspect('web', status='running')).running is True


def test_labels_are_a_copy(make_inspect):
    raw = make_inspect('store', labels={'a': 'b'})
    ContainerDetail(raw).labels['a'] = 'changed'
    assert raw['Config']['Labels'] == {'a': 'b'}


MOUNTS = [(A, '/a'), (B, '/b'), ('dbvol', '/db'), ('/srv/x', '/x')]


@pytest.mark.parametrize('label, expected', [
    pytest.param(None, {A, B}, id='no-label-anonymous-mounts'),
    pytest.param('["%s"]' % A, {A}, id='label'),
    pytest.param('["%s", "dbvol"]' % B, {B, 'dbvol'}, id='label-is-authoritative'),
    pytest.param('[]', set(), id='empty-list-owns-nothing'),
    pytest.param('', {A, B}, id='empty-label-falls-back'),
    pytest.param('not json', {A, B}, id='invalid-json-falls-back'),
    pytest.param('{"a": 1}', {A, B}, id='not-a-list-falls-back'),
    pytest.param('"%s"' % A, {A, B}, id='string-falls-back'),
    pytest.param('[1, 2]', {'1', '2'}, id='items-become-text'),
])
def test_owned_volumes(make_inspect, label, expected):
    labels = {OWNED: label} if label is not None else {}
    assert ContainerDetail(make_inspect('store', mounts=MOUNTS, labels=labels)).owned_volumes == expected


def test_owned_fallback_ignores_named_volumes_that_look_almost_anonymous(make_inspect):
    mounts = [('A' * 64, '/upper'), ('a' * 63, '/short'), ('dbvol', '/db')]
    assert ContainerDetail(make_inspect('store', mounts=mounts)).owned_volumes == set()
