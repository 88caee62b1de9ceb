# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a layout run that failed after a write reports as done and as left."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.layout.runner import LayoutRun

V0, V1, DC, APP = 'volumes[0] (a)', 'volumes[1] (b)', 'data_containers[0] (dc)', 'consumers[0] (app)'
REHEARSAL = [(V0, ['create volume a: missing']), (V1, ['create volume b: missing']),
             (DC, ['create volume N: new anonymous volume for /data', 'create container dc: missing']),
             (APP, ['create consumer app: missing'])]


@pytest.mark.parametrize('planned, where, details, expected', [
    pytest.param([(V0, ['create volume a: missing'])], V1,
                 dict(actions_done=[], actions_left=['create volume b: missing']),
                 dict(changed=True, actions_done=['%s: create volume a: missing' % V0],
                      actions_left=['%s: create volume b: missing' % V1,
                                    '%s: create volume N: new anonymous volume for /data' % DC,
                                    '%s: create container dc: missing' % DC, '%s: create consumer app: missing' % APP]),
                 id='engine-error-in-the-second-volume'),
    pytest.param([(V0, []), (V1, [])], DC,
                 dict(actions_done=['create volume N: new anonymous volume for /data'],
                      actions_left=['create container dc: missing']),
                 dict(changed=True, actions_done=['%s: create volume N: new anonymous volume for /data' % DC],
                      actions_left=['%s: create container dc: missing' % DC, '%s: create consumer app: missing' % APP]),
                 id='half-way-through-an-item'),
    pytest.param([(V0, []), (V1, []), (DC, [])], APP, {},
                 dict(changed=False, actions_done=[], actions_left=['%s: create consumer app: missing' % APP]),
                 id='refused-while-planning-nothing-done'),
])
def test_account(fake_api, engine_module, planned, where, details, expected):
    run = LayoutRun(engine_module(fake_api()), rehearsal=REHEARSAL)
    run.planned = planned
    run.account(where, details)
    assert details == expected
