# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A restore's swap of the data container, against the declared fake: the plan keeps every volume
that stays and takes the restored ones, and a failed swap removes only the replacement it made."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.restore.swap import plan_swap, rollback_swap
from ansible_collections.persistent.volumes.tests.unit.conftest import raw_inspect
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

OLD = 'o' * 64
KEPT = 'k' * 64
NEW = 'n' * 64


class Engine(object):
    def __init__(self, api):
        self.api = api


def engine_with(*containers):
    api = FakeEngineAPI()
    for item in containers:
        api.add_container(raw_inspect(**item))
    return Engine(api)


def replacement(name, status='created', created='2024-05-02T10:00:00Z'):
    return dict(name=name, labels={pv_labels.REPLACES: 'store', pv_labels.DATA_CONTAINER: 'true'}, status=status,
                created=created)


@pytest.mark.parametrize('leftovers, known, removed', [
    pytest.param([replacement('store.pv-aaa')], [], ['store.pv-aaa'], id='the-replacement-this-run-made'),
    pytest.param([replacement('store.pv-aaa')], ['store.pv-aaa'], [], id='one-that-was-there-before'),
    pytest.param([replacement('store.pv-aaa', status='running')], [], [], id='one-that-runs'),
    pytest.param([], [], [], id='nothing-made'),
])
def test_rollback_removes_only_what_this_run_made(leftovers, known, removed):
    engine = engine_with(dict(name='store', mounts=[(OLD, '/data')]), *leftovers)
    before = ContainerDetail(engine.api.inspected['store'])
    known_ids = [engine.api.inspected[name]['Id'] for name in known]
    assert rollback_swap(engine, 'store', before, known_ids) == removed
    assert [call[1] for call in engine.api.calls if call[0] == 'remove_container'] == [
        engine.api.inspected[name]['Id'] for name in removed]


def test_rollback_after_the_old_container_is_gone_leaves_the_replacement_to_the_next_run():
    engine = engine_with(dict(name='store', mounts=[(OLD, '/data')]), replacement('store.pv-aaa'))
    before = ContainerDetail(raw_inspect('store-before', mounts=[(OLD, '/data')]))
    assert rollback_swap(engine, 'store', before, []) == []
    assert 'remove_container' not in engine.api.names()


def test_rollback_never_raises():
    engine = engine_with(dict(name='store', mounts=[(OLD, '/data')]), replacement('store.pv-aaa'))
    engine.api.fail_next('remove_container', EngineError('engine went away'))
    assert rollback_swap(engine, 'store', ContainerDetail(engine.api.inspected['store']), []) == []


def test_the_swap_plan_takes_the_restored_volume_and_keeps_the_others(monkeypatch):
    engine = engine_with(dict(name='store', mounts=[(OLD, '/data'), (KEPT, '/conf')],
                              labels={pv_labels.DATA_CONTAINER: 'true'}))
    engine.api.images['sha256:' + '1' * 64] = {'Id': 'sha256:' + '1' * 64, 'Config': {'Volumes': None}}
    current = ContainerDetail(engine.api.inspected['store'])
    monkeypatch.setattr('ansible_collections.persistent.volumes.plugins.module_utils.restore.swap.read_root',
                        lambda api, container, path: None)
    plan = plan_swap(engine, 'store', current, [], current, {'/data': NEW})
    assert plan.kinds[:1] == ['create_container'] and 'remove_container' in plan.kinds
    assert plan.kinds[-1] == 'rename_container'
    create = plan.actions[0]
    assert sorted(create.args['binds']) == sorted(['%s:/conf:rw' % KEPT, '%s:/data:rw' % NEW])
    assert [item['volume'] for item in plan.released] == [OLD]
    assert 'create_volume' not in plan.kinds and 'remove_volume' not in plan.kinds
