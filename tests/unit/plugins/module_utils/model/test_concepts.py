# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The concepts every planner shares, each decided by one rule: "never started", "wired to",
a ``--volumes-from`` entry, a container's binds and own mount paths, and "data-only"."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.model.container import (
    ContainerDetail,
    names_container,
    never_started,
    split_volumes_from,
)
from ansible_collections.persistent.volumes.plugins.module_utils.model.data_only import is_data_only
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER
from ansible_collections.persistent.volumes.plugins.module_utils.volume.layout_report import is_data_container
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.plan.swap import add_plain_swap
from ansible_collections.persistent.volumes.plugins.module_utils.restore.consumers import old_references

from ansible_collections.persistent.volumes.tests.unit.conftest import raw_inspect

ID = 'c0ffee' + '1' * 58


@pytest.mark.parametrize('status, started_at, expected', [
    pytest.param('created', None, True, id='listing-created'),
    pytest.param('created', '', True, id='created-empty-time'),
    pytest.param('created', '0001-01-01T00:00:00Z', True, id='created-zero-time'),
    pytest.param('created', '2024-05-01T10:00:00.1Z', False, id='created-but-a-start-was-tried'),
    pytest.param('exited', '0001-01-01T00:00:00Z', False, id='exited'),
    pytest.param('running', '2024-05-01T10:00:00Z', False, id='running'),
    pytest.param('dead', None, False, id='dead'),
    pytest.param(None, None, False, id='no-status'),
])
def test_never_started(status, started_at, expected):
    assert never_started(status, started_at) is expected


@pytest.mark.parametrize('entry, expected', [
    pytest.param('data', ('data', 'rw'), id='plain'),
    pytest.param('data:ro', ('data', 'ro'), id='ro'),
    pytest.param('data:rw', ('data', 'rw'), id='rw'),
    pytest.param(ID, (ID, 'rw'), id='by-id'),
])
def test_split_volumes_from(entry, expected):
    assert split_volumes_from(entry) == expected


@pytest.mark.parametrize('reference, expected', [
    pytest.param('data', True, id='name'),
    pytest.param(ID, True, id='id'),
    pytest.param(ID[:12], True, id='12-hex-prefix'),
    pytest.param(ID[:11], False, id='too-short-a-prefix'),
    pytest.param('dat', False, id='name-prefix'),
    pytest.param('other', False, id='other-name'),
    pytest.param('', False, id='empty'),
])
def test_names_container(reference, expected):
    assert names_container(reference, 'data', ID) is expected


def detail(volumes_from=None, binds=None, mounts=None, status='created', labels=None, cmd=None, started_at=None):
    raw = raw_inspect('c', volumes_from=volumes_from, status=status, labels=labels)
    raw['HostConfig'].update(Binds=binds, Mounts=mounts)
    raw['State']['StartedAt'] = started_at
    if cmd is not None:
        raw['Config']['Cmd'] = cmd
    return ContainerDetail(raw)


@pytest.mark.parametrize('volumes_from, name, container_id, expected', [
    pytest.param(['data'], 'data', ID, True, id='by-name'),
    pytest.param(['data:ro'], 'data', ID, True, id='by-name-ro'),
    pytest.param([ID], 'data', ID, True, id='by-id'),
    pytest.param([ID[:12] + ':ro'], 'data', ID, True, id='by-id-prefix-ro'),
    pytest.param(['other', 'data'], 'data', None, True, id='second-of-two'),
    pytest.param(['other'], 'data', ID, False, id='other'),
    pytest.param(None, 'data', ID, False, id='none'),
])
def test_takes_volumes_from(volumes_from, name, container_id, expected):
    assert detail(volumes_from=volumes_from).takes_volumes_from(name, container_id) is expected


@pytest.mark.parametrize('binds, mounts, expected', [
    pytest.param(None, None, set(), id='nothing'),
    pytest.param(['/srv:/data:ro'], None, {'/data'}, id='host-bind'),
    pytest.param(['vol:/data', 'other:/logs:rw'], None, {'/data', '/logs'}, id='named-volume-binds'),
    pytest.param(None, [{'Type': 'volume', 'Source': 'v', 'Target': '/m'}], {'/m'}, id='mount-api'),
    pytest.param(['/srv:/a'], [{'Type': 'bind', 'Source': '/x', 'Target': '/b'}], {'/a', '/b'}, id='both'),
])
def test_own_destinations(binds, mounts, expected):
    assert detail(binds=binds, mounts=mounts).own_destinations == expected


def test_binds_and_pairs_come_from_the_inspect():
    container = detail(volumes_from=['a', 'b:ro'], binds=['/srv:/data:ro,rshared'])
    assert container.volumes_from_pairs == [('a', 'rw'), ('b', 'ro')]
    assert container.binds == ['/srv:/data:ro,rshared']
    assert container.split_binds == [('/srv', '/data', {'ro', 'rshared'})]


IMAGE = {'Config': {'Cmd': ['sh']}}


@pytest.mark.parametrize('container, image, expected', [
    pytest.param(detail(), None, True, id='founding-document-no-command'),
    pytest.param(detail(cmd=['sh']), IMAGE, True, id='image-command'),
    pytest.param(detail(cmd=['/bin/true']), None, True, id='no-op-command'),
    pytest.param(detail(cmd=['serve']), IMAGE, False, id='own-command'),
    pytest.param(detail(volumes_from=['x']), None, False, id='takes-volumes-from'),
    pytest.param(detail(status='exited'), None, False, id='started-once'),
    pytest.param(detail(started_at='2024-05-01T10:00:00Z'), None, False, id='created-but-start-tried'),
    pytest.param(detail(status='exited', labels={DATA_CONTAINER: 'true'}), None, True, id='collection-label'),
])
def test_is_data_only(container, image, expected):
    assert is_data_only(container, image) is expected


@pytest.mark.parametrize('mounts, cmd, volumes_from, status, expected', [
    pytest.param([('v', '/data')], None, None, 'created', True, id='holds-a-volume'),
    pytest.param([], None, None, 'created', False, id='holds-nothing'),
    pytest.param([('v', '/data')], ['serve'], None, 'created', True, id='command-judged-only-on-recreation'),
    pytest.param([('v', '/data')], None, ['x'], 'created', False, id='takes-volumes-from'),
    pytest.param([('v', '/data')], None, None, 'exited', False, id='started-once'),
])
def test_the_layout_report_lists_data_containers_by_the_facts_it_sees(mounts, cmd, volumes_from, status, expected):
    raw = raw_inspect('c', mounts=mounts, volumes_from=volumes_from, status=status)
    if cmd:
        raw['Config']['Cmd'] = cmd
    assert is_data_container(ContainerDetail(raw)) is expected


@pytest.mark.parametrize('volumes_from, expected', [
    pytest.param(['data'], {}, id='by-name-stays'),
    pytest.param([ID + ':ro'], {ID: 'data'}, id='by-id'),
    pytest.param([ID[:12], 'other'], {ID[:12]: 'data'}, id='by-prefix-beside-another'),
    pytest.param(['other'], {}, id='not-wired'),
])
def test_a_restore_rewires_consumers_wired_by_the_old_id_by_name(volumes_from, expected):
    assert old_references(detail(volumes_from=volumes_from), 'data', ID) == expected


def swap_container(name, running=False):
    return ContainerDetail(raw_inspect(name, status='running' if running else 'created'))


@pytest.mark.parametrize('current, others, replacement, start, expected', [
    pytest.param(swap_container('dc'), [], 'dc.pv-1', False,
                 [('remove_container', 'dc'), ('rename_container', 'dc.pv-1')], id='data-container'),
    pytest.param(None, [swap_container('dc.pv-0')], 'dc.pv-1', False,
                 [('remove_container', 'dc.pv-0'), ('rename_container', 'dc.pv-1')], id='only-a-leftover'),
    pytest.param(swap_container('dc'), [swap_container('dc.pv-0')], 'dc.pv-1', False,
                 [('remove_container', 'dc.pv-0'), ('remove_container', 'dc'), ('rename_container', 'dc.pv-1')],
                 id='leftovers-first'),
    pytest.param(swap_container('dc', running=True), [], 'dc.pv-1', True,
                 [('stop_container', 'dc'), ('remove_container', 'dc'), ('rename_container', 'dc.pv-1'),
                  ('start_container', 'dc')], id='a-consumer-that-ran'),
    pytest.param(None, [], 'dc', False, [], id='nothing-to-swap'),
])
def test_one_plain_swap_for_consumers_and_data_containers(current, others, replacement, start, expected):
    """The replacement exists before anything is removed; the leftovers go before the old container, and
    the name passes last: no volume is held by no container at any step."""
    plan, dropped = Plan(), []
    add_plain_swap(plan, 'dc', replacement, current, others, start=start, reason='it ran',
                   removed=lambda leftover: dropped.append(leftover.name))
    assert [(action.kind, action.target) for action in plan.actions] == expected
    assert dropped == [container.name for container in others]
