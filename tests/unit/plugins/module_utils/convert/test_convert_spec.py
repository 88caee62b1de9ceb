# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""convert's pure parts: default volume names, the options' checks, the swap names a consumer goes by,
the named-volume entries of a consumer (layout's ``volumes``) and quiesce's stops."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.named_volumes import NamedVolumes, parse_named
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import stop_for_copy
from ansible_collections.persistent.volumes.plugins.module_utils.convert.observe import (
    is_ours,
    logical_names,
    recorded_running,
)
from ansible_collections.persistent.volumes.plugins.module_utils.convert.spec import ConvertSpec, default_volume_name
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan


@pytest.mark.parametrize('container, path, expected', [
    ('dbdata', '/datastore', 'dbdata-datastore'),
    ('datacontainer', '/datastore', 'datacontainer-datastore'),
    ('dbdata', '/var/lib/postgresql/data', 'dbdata-var-lib-postgresql-data'),
    ('dc', '/my data/ü', 'dc-my-data'),
    ('dc', '/a.b_c', 'dc-a.b_c'),
])
def test_default_volume_name(container, path, expected):
    assert default_volume_name(container, path) == expected


def spec(**params):
    return ConvertSpec(dict(dict(container='dc', volume_names={}, quiesce='stop', method='auto'), **params))


@pytest.mark.parametrize('params, paths, fragment', [
    (dict(container='-bad'), ['/d'], "Invalid container name '-bad'"),
    (dict(volume_names={'d': 'vol'}), ['/d'], "container path 'd' is relative"),
    (dict(volume_names={'/d': 'x'}), ['/d'], "Invalid volume_names['/d'] volume name 'x'"),
    (dict(volume_names={'/e': 'vol'}), ['/d'], 'volume_names: /e is no path of data container dc; its paths are /d.'),
    (dict(volume_names={'/a': 'vol', '/b': 'vol'}), ['/a', '/b'], 'volume_names: /a and /b would both become volume vol'),
    (dict(volume_names={'/a': 'dc-b'}), ['/a', '/b'], 'volume_names: /a and /b would both become volume dc-b'),
    (dict(quiesce='pause'), ['/d'], 'quiesce must be one of stop, none'),
    (dict(volume_names=['/d']), ['/d'], 'volume_names must be a map'),
])
def test_bad_options_are_named(params, paths, fragment):
    with pytest.raises(InputError) as raised:
        spec(**params).names_for(paths)
    assert fragment in raised.value.msg


def test_names_for_fills_in_defaults():
    assert spec(volume_names={'/a': 'mine'}).names_for(['/a', '/b']) == {'/a': 'mine', '/b': 'dc-b'}


def container(name, labels=None, running=False, cid=None):
    return ContainerDetail({'Id': cid or name, 'Name': '/' + name, 'Config': {'Labels': labels or {}},
                            'State': {'Running': running}})


def test_a_swap_half_done_goes_by_the_consumer_name():
    aside = container('app.pv-abc123-old')
    replacement = container('app', {'persistent.volumes.replaces': 'app', 'persistent.volumes.previous': 'app.pv-abc123-old'})
    leftover = container('web.pv-def456', {'persistent.volumes.replaces': 'web'})
    plain = container('db')
    assert logical_names([aside, replacement, leftover, plain]) == {
        'app.pv-abc123-old': 'app', 'app': 'app', 'web.pv-def456': 'web', 'db': 'db'}


@pytest.mark.parametrize('labels, container_name, path, ours', [
    ({'persistent.volumes.converted-from': 'dc', 'persistent.volumes.converted-path': '/d'}, 'dc', '/d', True),
    ({'persistent.volumes.converted-from': 'dc', 'persistent.volumes.converted-path': '/e'}, 'dc', '/d', False),
    ({'persistent.volumes.converted-from': 'other', 'persistent.volumes.converted-path': '/d'}, 'dc', '/d', False),
    ({}, 'dc', '/d', False),
    (None, 'dc', '/d', False),
])
def test_is_ours(labels, container_name, path, ours):
    assert is_ours({'Labels': labels}, container_name, path) is ours


@pytest.mark.parametrize('value, expected', [('a,b', {'a', 'b'}), ('', set()), (None, set()), ('a,,b,', {'a', 'b'})])
def test_recorded_running(value, expected):
    assert recorded_running({'Labels': {'persistent.volumes.converted-running': value}}) == expected


@pytest.mark.parametrize('mode, stopped', [('stop', ['app']), ('none', [])])
def test_quiesce_stops_only_running_containers(mode, stopped):
    plan = Plan()
    assert stop_for_copy(plan, [container('app', running=True), container('idle')], mode, 'the data') == stopped
    assert [(a.kind, a.target) for a in plan.actions] == [('stop_container', name) for name in stopped]


@pytest.mark.parametrize('entries, binds', [
    (['appdata:/data'], ['appdata:/data']),
    (['appdata:/data:ro', 'logs:/var/log:rw'], ['appdata:/data:ro', 'logs:/var/log']),
])
def test_parse_named(entries, binds):
    assert parse_named(entries) == binds


@pytest.mark.parametrize('entries, fragment', [
    (['/host:/data'], "Invalid volumes[0] volume name '/host'"),
    (['appdata'], "volumes[0]: 'appdata' is not \"name:/path\""),
    (['appdata:/data:z'], "volumes[0]: 'appdata:/data:z' is not"),
    (['appdata:data'], "container path 'data' is relative"),
    (['a1:/data', 'b1:/data'], 'volumes[1]: /data is mounted twice.'),
    ('appdata:/data', 'volumes must be a list'),
    ([3], "volumes[0]: 3 is not"),
])
def test_parse_named_refuses(entries, fragment):
    with pytest.raises(InputError) as raised:
        parse_named(entries)
    assert fragment in raised.value.msg


@pytest.mark.parametrize('have, wanted, expected', [
    ([], ['v:/d'], ['v:/d']),
    (['v:/d:rw'], ['v:/d'], ['v:/d:rw']),                       # the same, as the engine wrote it: kept
    (['/host:/x:ro', 'old:/d'], ['v:/d'], ['/host:/x:ro', 'v:/d']),
    (['v:/d'], ['v:/d:ro'], ['v:/d:ro']),
])
def test_named_volumes_apply_to_binds(have, wanted, expected):
    assert NamedVolumes(wanted).binds(have) == expected
