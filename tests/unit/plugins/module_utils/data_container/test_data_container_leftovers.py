# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volumes a leftover replacement made for itself: removed only when empty and held by nothing else.

A leftover (``<name>.pv-*``) that a plan removes never had the data container's name: a run
that crashed or lost a race to another one made it, with fresh volumes for the paths it
added. Those become orphans when the leftover goes, unless the plan removes them too; and
they may only go when nothing else holds them and they are empty.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DataContainerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER, OWNED, REPLACES

from ansible_collections.persistent.volumes.tests.unit.conftest import container_id

A, B, C = 'a' * 64, 'b' * 64, 'c' * 64
NAME = 'store'
L, L0 = NAME + '.pv-aaaaaa', NAME + '.pv-bbbbbb'
R = NAME + '.pv-000001'


def dc(mounts, owned=(), name=NAME, replaces=False, created='2024-05-01T10:00:00Z'):
    labels = {DATA_CONTAINER: 'true', OWNED: json.dumps(sorted(owned))}
    if replaces:
        labels[REPLACES] = NAME
    return dict(name=name, mounts=mounts, labels=labels, created=created)


def leftover(mounts, owned, name=L, created='2024-05-02T10:00:00Z'):
    return dc(mounts, owned, name=name, replaces=True, created=created)


# The race the fix is for: another run swapped in its container (A at /data, C at /extra)
# while this run's replacement L (A at /data, B at /extra, B made by it) lost.
RACE_HOLDER = dc([(A, '/data'), (C, '/extra')], owned=[A, C])
RACE_LEFTOVER = leftover([(A, '/data'), (B, '/extra')], owned=[A, B])
EMPTY_B = {(container_id(L), '/extra')}

CASES = [
    # spec, holder, leftovers, others, empty, actions, removed volumes, released (path, volume, was_in)
    pytest.param(['/data', '/extra'], RACE_HOLDER, [RACE_LEFTOVER], [], EMPTY_B,
                 [('remove_container', L), ('remove_volume', B)], [B], [], id='lost-race-empty-volume-removed'),
    pytest.param(['/data', '/extra'], RACE_HOLDER, [RACE_LEFTOVER], [], set(),
                 [('remove_container', L)], [], [('/extra', B, L)], id='lost-race-volume-with-data-kept'),
    pytest.param(['/data', '/extra'], RACE_HOLDER, [RACE_LEFTOVER], [], None,
                 [('remove_container', L)], [], [('/extra', B, L)], id='cannot-tell-kept'),
    pytest.param(['/data', '/extra'], RACE_HOLDER, [leftover([(A, '/data'), (B, '/extra')], owned=[A])], [], EMPTY_B,
                 [('remove_container', L)], [], [('/extra', B, L)], id='not-made-by-it-kept'),
    pytest.param(['/data', '/extra'], RACE_HOLDER, [RACE_LEFTOVER],
                 [dict(name='app', mounts=[(B, '/extra')])], EMPTY_B,
                 [('remove_container', L)], [], [('/extra', B, L)], id='used-by-another-container-kept'),
    pytest.param(['/data'], dc([(A, '/data'), (B, '/extra')], owned=[A, B]), [RACE_LEFTOVER], [], EMPTY_B,
                 [('create_container', R), ('remove_container', L), ('remove_container', NAME),
                  ('rename_container', R)], [], [('/extra', B, NAME)], id='held-by-the-holder-released-not-removed'),
    pytest.param(['/data', '/extra'], dc([(A, '/data')], owned=[A]), [RACE_LEFTOVER], [], EMPTY_B,
                 [('create_container', R), ('remove_container', L), ('remove_container', NAME),
                  ('rename_container', R)], [], [], id='wanted-volume-carried-over'),
    pytest.param(['/data'], dc([(A, '/data')], owned=[A]),
                 [leftover([(A, '/data'), (C, '/old')], owned=[A, C], name=L0, created='2024-05-01T11:00:00Z'),
                  RACE_LEFTOVER], [], {(container_id(L0), '/old'), (container_id(L), '/extra')},
                 [('remove_container', L0), ('remove_volume', C), ('remove_container', L), ('remove_volume', B)],
                 [C, B], [], id='two-leftovers-both-cleaned'),
    pytest.param(['/data', '/new'], RACE_HOLDER, [RACE_LEFTOVER], [], EMPTY_B,
                 [('create_volume', '%064x' % 1), ('create_container', R), ('remove_container', L),
                  ('remove_volume', B), ('remove_container', NAME), ('rename_container', R)],
                 [B], [('/extra', C, NAME)], id='recreation-cleans-the-leftover-too'),
]


@pytest.mark.parametrize('spec, holder, leftovers, others, empty, actions, removed, released', CASES)
def test_leftover_volumes(data_planner, spec, holder, leftovers, others, empty, actions, removed, released):
    planner = data_planner(DataContainerSpec(NAME, volumes=spec, release_volumes=True), holder, leftovers, others=others,
                           empty=empty)
    plan = planner.plan()
    assert [(a.kind, a.target) for a in plan.actions] == actions
    removals = [a for a in plan.actions if a.kind == 'remove_volume']
    assert [a.target for a in removals] == removed
    assert all(a.args == dict(only_if_unused=True) for a in removals)
    assert [(r['path'], r['volume'], r['was_in']) for r in plan.released] == released
    kept = set(w.origin for w in plan.wanted if w.type == 'volume')
    assert not kept & set(removed)


def test_a_volume_is_removed_only_after_its_leftover(data_planner):
    plan = data_planner(DataContainerSpec(NAME, volumes=['/data', '/extra']), RACE_HOLDER, [RACE_LEFTOVER],
                        empty=EMPTY_B).plan()
    kinds = [(a.kind, a.target) for a in plan.actions]
    assert kinds.index(('remove_container', L)) < kinds.index(('remove_volume', B))
    assert plan.changed
