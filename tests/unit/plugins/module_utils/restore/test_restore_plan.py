# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A restore's plan (restore/planner.py, fill.py): stale fills taken back, each volume created,
held and filled, the data container's swap, the holders removed, in that order."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import Access
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import (
    ANONYMOUS_FOR,
    RESTORED_FROM,
    RESTORED_PATH,
    TEMPORARY,
)
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import ArchiveFill, Fill
from ansible_collections.persistent.volumes.plugins.module_utils.restore.planner import plan_restore

ENTRY = dict(path='/data', member='data')


def archive():
    return ArchiveFill('/b/a.tar', dict(paths=[ENTRY]), 'digest', Access('engine', 'method=engine was asked'))


def swap():
    plan = Plan()
    plan.add('create_container', 'dc.pv-1', 'recreate: volumes changed')
    plan.add('remove_container', 'dc', 'replaced by dc.pv-1')
    plan.add('rename_container', 'dc.pv-1', 'take the place of the old container', new_name='dc')
    return plan


@pytest.mark.parametrize('stale, image, create, with_swap, kinds', [
    pytest.param([], True, True, True, ['create_volume', 'create_container', 'fill_volume', 'create_container',
                                        'remove_container', 'rename_container', 'remove_container'],
                 id='into-a-data-container'),
    pytest.param([('filler', ['v'])], False, True, False,
                 ['remove_container', 'remove_volume', 'build_data_image', 'create_volume', 'create_container',
                  'fill_volume', 'remove_container'], id='into-a-new-volume-after-a-killed-run'),
    pytest.param([], True, False, False, ['create_container', 'fill_volume', 'remove_container'],
                 id='into-an-empty-volume'),
])
def test_plan_restore(stale, image, create, with_swap, kinds):
    fill = Fill('v', ENTRY, 'dc' if with_swap else 'v', create=create)
    plan = plan_restore(archive(), [fill], stale, fill.owner, image, swap() if with_swap else None)
    assert plan.kinds == kinds
    filled = plan.actions[kinds.index('fill_volume')]
    assert filled.describe() == 'fill volume v for /data from /b/a.tar (engine)'
    holder = plan.actions[kinds.index('fill_volume') - 1]
    assert holder.target == fill.holder == filled.args['holder'] == plan.actions[-1].target
    assert holder.target.startswith('pv-restore-') and holder.args['binds'] == ['v:/data:rw']
    assert holder.args['labels'] == {TEMPORARY: 'restore'}
    if create:
        made = plan.actions[kinds.index('create_volume')]
        assert made.args['labels'] == {RESTORED_FROM: 'digest', RESTORED_PATH: '/data', ANONYMOUS_FOR: fill.owner}
    if stale:
        assert plan.describe()[0] == 'remove what an interrupted restore into v left (its filler, the volume)'
        assert plan.actions[1].args == dict(only_if_unused=True)
