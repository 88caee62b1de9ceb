# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.plan.execute import execute
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI


class RecordingAPI(FakeEngineAPI):
    def __init__(self):
        super(RecordingAPI, self).__init__()
        self.calls = []

    def create_volume(self, name, driver, driver_options, labels):
        self.calls.append(('create_volume', name, driver, driver_options, labels))
        return 'created %s' % name

    def remove_volume(self, name):
        self.calls.append(('remove_volume', name))
        return 'removed %s' % name


def recreate_plan():
    plan = Plan(before={'name': 'data'}, after={'name': 'data', 'labels': {'a': 'b'}})
    plan.add('remove_volume', 'data', 'options changed')
    plan.add('create_volume', 'data', 'options changed', driver='local', driver_options={'o': 'x'}, labels={'a': 'b'})
    return plan


def test_check_mode_makes_no_call():
    api = RecordingAPI()
    assert execute(recreate_plan(), api, check_mode=True) == []
    assert api.calls == []


def test_actions_run_in_order_with_their_arguments():
    api = RecordingAPI()
    answers = execute(recreate_plan(), api, check_mode=False)
    assert api.calls == [('remove_volume', 'data'), ('create_volume', 'data', 'local', {'o': 'x'}, {'a': 'b'})]
    assert answers == ['removed data', 'created data']


def test_plan_views():
    plan = recreate_plan()
    assert plan.changed is True
    assert plan.kinds == ['remove_volume', 'create_volume']
    assert plan.describe() == ['remove volume data: options changed', 'create volume data: options changed']
    assert repr(plan.actions[0]) == "Action('remove_volume', 'data')"
    assert plan.diff() == {'before': {'name': 'data'}, 'after': {'name': 'data', 'labels': {'a': 'b'}}}


def test_empty_plan():
    plan = Plan()
    plan.warn('careful')
    assert (plan.changed, plan.kinds, plan.warnings, plan.drift) == (False, [], ['careful'], [])
    assert plan.diff() == {'before': {}, 'after': {}}
    assert execute(plan, RecordingAPI(), check_mode=False) == []
