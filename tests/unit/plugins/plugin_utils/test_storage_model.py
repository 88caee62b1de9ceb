# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""volume_info's result -> nodes, edges, table rows and a host's summary."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import (
    StorageInputError,
    build_model,
    human_size,
    short_name,
)
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_table import storage_rows, storage_summary

from ansible_collections.persistent.volumes.tests.unit.plugins.plugin_utils.storage_fixtures import (
    ANON,
    MIB,
    OLD_ANON,
    hundred_volumes,
    small_host,
    use,
    volume,
)


def edges(model):
    return sorted((e.source, e.target, e.kind, e.path, e.read_only) for e in model.edges)


def kinds(model):
    return dict((key, node.kind) for key, node in model.nodes.items())


SMALL_EDGES = [
    ('c:cache', 'v:cachevol', 'mount', '/cache', False),
    ('c:db', 'c:dc-db', 'volumes_from', None, False),
    ('c:dc-db', 'v:' + ANON, 'mount', '/backup', False),
    ('c:dc-db', 'v:pgdata', 'mount', '/var/lib/postgresql/data', False),
    ('c:dc-www', 'h:/srv/conf', 'bind', '/etc/app', True),
    ('c:dc-www', 'v:www', 'mount', '/srv/www', False),
    ('c:web', 'c:dc-www', 'volumes_from', None, True),
    ('c:web', 'h:/var/log/web', 'bind', '/logs', False),
]


def test_small_host_nodes_and_edges():
    model = build_model(small_host())
    assert kinds(model) == {
        'c:dc-db': 'data_container', 'c:dc-www': 'data_container', 'c:cache': 'container', 'c:db': 'container',
        'c:web': 'container', 'v:' + ANON: 'volume', 'v:' + OLD_ANON: 'volume', 'v:cachevol': 'volume',
        'v:old-data': 'volume', 'v:pgdata': 'volume', 'v:www': 'volume', 'h:/srv/conf': 'host_path',
        'h:/var/log/web': 'host_path'}
    assert edges(model) == SMALL_EDGES
    assert sorted(n.name for n in model.of_kind('volume') if n.dangling) == [OLD_ANON, 'old-data']
    assert sorted(n.name for n in model.of_kind('volume') if n.anonymous) == [ANON, OLD_ANON]
    assert model.sizes_known and model.nodes['v:pgdata'].size == 48 * MIB


def without_layout(result):
    return dict((k, v) for k, v in result.items() if k != 'layout')


# (volumes, expected edges): without the layout, --volumes-from uses find their source
@pytest.mark.parametrize('volumes, expected', [
    pytest.param([volume('v', [use('dc', '/d'), use('app', '/d', via='volumes_from')], 'dc')],
                 [('c:app', 'c:dc', 'volumes_from', None, False), ('c:dc', 'v:v', 'mount', '/d', False)],
                 id='source-is-the-data-container'),
    pytest.param([volume('v', [use('web', '/d'), use('sidecar', '/d', True, 'volumes_from')])],
                 [('c:sidecar', 'c:web', 'volumes_from', None, True), ('c:web', 'v:v', 'mount', '/d', False)],
                 id='source-is-a-running-container'),
    pytest.param([volume('a', [use('dc', '/a'), use('app', '/a', via='volumes_from')], 'dc'),
                  volume('b', [use('dc', '/b'), use('app', '/b', via='volumes_from')], 'dc')],
                 [('c:app', 'c:dc', 'volumes_from', None, False), ('c:dc', 'v:a', 'mount', '/a', False),
                  ('c:dc', 'v:b', 'mount', '/b', False)], id='one-wiring-edge-for-two-volumes'),
    pytest.param([volume('v', [use('app', '/d', via='volumes_from')])], [], id='source-gone'),
    pytest.param([volume('v', [use('x', '/one'), use('x', '/two', True)])],
                 [('c:x', 'v:v', 'mount', '/one', False), ('c:x', 'v:v', 'mount', '/two', True)], id='mounted-twice'),
])
def test_volumes_only(volumes, expected):
    model = build_model(dict(volumes=volumes))
    assert edges(model) == expected
    assert edges(build_model(volumes)) == expected  # the list alone is accepted too


def test_small_host_without_layout_has_no_host_paths():
    model = build_model(without_layout(small_host()))
    assert not model.of_kind('host_path')
    assert edges(model) == [e for e in SMALL_EDGES if e[2] != 'bind']


def test_sizes_unknown_without_usage():
    vols = [dict((k, v) for k, v in vol.items() if k != 'size_bytes') for vol in small_host()['volumes']]
    assert not build_model(vols).sizes_known
    summary = storage_summary(vols)
    assert (summary['sizes_known'], summary['size'], summary['dangling_size']) == (False, '?', '?')


@pytest.mark.parametrize('result, message', [
    (None, "expects the result of persistent.volumes.volume_info (a dict with 'volumes', or the list of volumes), "
           "got NoneType"),
    ('text', 'got str'),
    ({'exists': False}, 'got dict'),
    ({'volumes': [{'driver': 'local'}]}, 'volumes[0] is not a volume of volume_info (a dict with a name)'),
    ({'volumes': ['pgdata']}, 'volumes[0] is not a volume of volume_info'),
    ({'volumes': [], 'layout': ['x']}, "'layout' must be the dict volume_info returns with include_layout=true, got list"),
])
def test_bad_input(result, message):
    with pytest.raises(StorageInputError) as caught:
        build_model(result)
    assert message in str(caught.value)


@pytest.mark.parametrize('size, text', [
    (None, '?'), (0, '0 B'), (1023, '1023 B'), (1024, '1.0 KiB'), (1536, '1.5 KiB'), (48 * MIB, '48.0 MiB'),
    (5 * 1024 ** 4, '5.0 TiB'), (3 * 1024 ** 6, '3072.0 PiB'),
])
def test_human_size(size, text):
    assert human_size(size) == text


@pytest.mark.parametrize('name, shown', [(ANON, 'aaaaaaaaaaaa\u2026'), ('pgdata', 'pgdata'), ('A' * 64, 'A' * 64)])
def test_short_name(name, shown):
    assert short_name(name) == shown


def test_rows_of_small_host():
    rows = [(r['storage'], r['kind'], r['size'], r['container'], r['container_kind'], r['path'], r['mode'], r['via'],
             r['dangling'], r['anonymous'], r['data_container']) for r in storage_rows(small_host())]
    assert rows == [
        (ANON, 'volume', '2.0 KiB', 'db', 'container', '/backup', 'rw', 'volumes-from', False, True, 'dc-db'),
        (ANON, 'volume', '2.0 KiB', 'dc-db', 'data_container', '/backup', 'rw', 'mount', False, True, 'dc-db'),
        ('cachevol', 'volume', '0 B', 'cache', 'container', '/cache', 'rw', 'mount', False, False, None),
        ('ffff' * 16, 'volume', '?', None, None, None, '', None, True, True, None),
        ('old-data', 'volume', '5.0 MiB', None, None, None, '', None, True, False, None),
        ('pgdata', 'volume', '48.0 MiB', 'db', 'container', '/var/lib/postgresql/data', 'rw', 'volumes-from', False,
         False, 'dc-db'),
        ('pgdata', 'volume', '48.0 MiB', 'dc-db', 'data_container', '/var/lib/postgresql/data', 'rw', 'mount', False,
         False, 'dc-db'),
        ('www', 'volume', '1.5 KiB', 'dc-www', 'data_container', '/srv/www', 'rw', 'mount', False, False, 'dc-www'),
        ('www', 'volume', '1.5 KiB', 'web', 'container', '/srv/www', 'ro', 'volumes-from', False, False, 'dc-www'),
        ('/srv/conf', 'host_path', '', 'dc-www', 'data_container', '/etc/app', 'ro', 'bind', False, False, None),
        ('/var/log/web', 'host_path', '', 'web', 'container', '/logs', 'rw', 'bind', False, False, None),
    ]


@pytest.mark.parametrize('result, expected', [
    (small_host(), dict(volumes=6, anonymous_volumes=2, dangling_volumes=2, data_containers=2, containers=3,
                        host_paths=2, sizes_known=True, size_bytes=2048 + 5 * MIB + 48 * MIB + 1536,
                        dangling_size_bytes=5 * MIB, size='53.0 MiB', dangling_size='5.0 MiB')),
    (hundred_volumes(), dict(volumes=100, anonymous_volumes=7, dangling_volumes=35, data_containers=30, containers=30,
                             host_paths=0, sizes_known=True, size_bytes=(1395 * 3 + 10) * MIB + 595 * 102400,
                             dangling_size_bytes=595 * 102400, size='4.2 GiB', dangling_size='58.1 MiB')),
    (dict(volumes=[]), dict(volumes=0, anonymous_volumes=0, dangling_volumes=0, data_containers=0, containers=0,
                            host_paths=0, sizes_known=False, size_bytes=0, dangling_size_bytes=0, size='?',
                            dangling_size='?')),
])
def test_summary(result, expected):
    assert storage_summary(result) == expected


@pytest.mark.parametrize('converted, shown', [
    (None, None),
    (dict(container='datacontainer', path='/datastore', volume=ANON), 'datacontainer:/datastore'),
])
def test_rows_say_where_a_converted_volume_came_from(converted, shown):
    entry = dict(volume('datacontainer-datastore', used_by=[use('app', '/datastore')]),
                 converted_from=converted)
    assert [row['converted_from'] for row in storage_rows([entry])] == [shown]
