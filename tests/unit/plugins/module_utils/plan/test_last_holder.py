# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The last holder of a volume: one rule for consumers and data containers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DataContainerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER
from ansible_collections.persistent.volumes.plugins.module_utils.plan.last_holder import orphaned, refuse_orphans

from ansible_collections.persistent.volumes.tests.unit.conftest import container_id

A, B = 'a' * 64, 'b' * 64
NAME = 'store'
DATA = {DATA_CONTAINER: 'true'}


def entry(volume, path):
    return dict(volume=volume, path=path, was_in=NAME)


@pytest.mark.parametrize('released, held, empty, expected', [
    pytest.param([], set(), set(), [], id='nothing-released'),
    pytest.param([entry(A, '/data')], set(), set(), [entry(A, '/data')], id='held-by-nobody'),
    pytest.param([entry(A, '/data')], {A}, set(), [], id='held-elsewhere'),
    pytest.param([entry(A, '/data')], set(), {A}, [], id='empty'),
    pytest.param([entry(A, '/data'), entry(B, '/logs')], {B}, set(), [entry(A, '/data')], id='one-of-two'),
])
def test_orphaned(released, held, empty, expected):
    assert orphaned(released, lambda volume: volume in held, lambda e: e['volume'] not in empty) == expected


def test_orphaned_without_a_data_test_counts_every_volume_as_holding_data():
    assert orphaned([entry(A, '/data')], lambda volume: False) == [entry(A, '/data')]


def test_refuse_orphans_message_and_release():
    with pytest.raises(Refusal) as caught:
        refuse_orphans('web', [entry(A, '/data')], 'its data containers no longer provide', 'Re-attach it', False)
    assert caught.value.msg == (
        'Refusing to recreate web: it is the last container holding volume %s at /data, which its data containers '
        'no longer provide, so that data would be reachable through no container. Re-attach it, or set '
        'release_volumes=true to let it go (the volume is kept, not deleted); nothing was changed.' % A)
    assert caught.value.details == dict(released_volumes=[entry(A, '/data')])
    refuse_orphans('web', [entry(A, '/data')], 'why', 'hint', True)
    refuse_orphans('web', [], 'why', 'hint', False)


# A data container change: spec, holder mounts, other containers, empty (path), release_volumes, refused volume.
CHANGES = [
    pytest.param(['named:/data'], [(A, '/data')], [], set(), False, A, id='anonymous-with-data-replaced-by-named'),
    pytest.param(['named:/data'], [(A, '/data')], [], set(), True, None, id='released-on-request'),
    pytest.param(['named:/data'], [(A, '/data')], [], {'/data'}, False, None, id='empty-volume-let-go'),
    pytest.param(['named:/data'], [(A, '/data')], [dict(name='app', mounts=[(A, '/data')])], set(), False, None,
                 id='a-consumer-still-holds-it'),
    pytest.param(['/data'], [(A, '/data'), (B, '/logs')], [], set(), False, B, id='path-dropped'),
    pytest.param(['/data', '/srv/logs:/logs'], [(A, '/data'), (B, '/logs')], [], {'/data'}, False, B,
                 id='volume-becomes-bind'),
    pytest.param(['/data'], [(A, '/data')], [], set(), False, None, id='nothing-dropped'),
]


@pytest.mark.parametrize('volumes, mounts, others, empty, release, refused', CHANGES)
def test_data_container_keeps_the_last_holder_rule(data_planner, volumes, mounts, others, empty, release, refused):
    spec = DataContainerSpec(NAME, volumes=volumes, release_volumes=release)
    planner = data_planner(spec, dict(mounts=mounts, labels=DATA), others=others,
                           empty=set((container_id(NAME), path) for path in empty))
    if refused is None:
        planner.plan()
        return
    with pytest.raises(Refusal) as caught:
        planner.plan()
    path = dict((volume, path) for volume, path in mounts)[refused]
    assert caught.value.msg == (
        'Refusing to recreate data container store: it is the last container holding volume %s at %s, which this '
        'task no longer mounts, so that data would be reachable through no container. Keep it in volumes (for example '
        '"%s:%s", at this or another path), or set release_volumes=true to let it go (the volume is kept, not '
        'deleted); nothing was changed.' % (refused, path, refused, path))
    assert [e['volume'] for e in caught.value.details['released_volumes']] == [refused]
