# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A whole module run (EngineModule) and one layout item (SubEngine) offer the same declared interface."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.layout.runner import LayoutRun, SubEngine
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.interface import ATTRIBUTES, ModuleEngine
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule


def whole_module(engine_module, fake_api, check_mode):
    return engine_module(fake_api(), check_mode=check_mode)


def layout_item(engine_module, fake_api, check_mode):
    return LayoutRun(engine_module(fake_api(), check_mode=check_mode)).sub({'name': 'x'})


def test_the_interface_declares_what_each_implementation_must_give():
    assert ModuleEngine.__abstractmethods__ == frozenset(['check_mode', 'diff_mode', 'warn'])
    for cls in (EngineModule, SubEngine):
        assert issubclass(cls, ModuleEngine) and not cls.__abstractmethods__


@pytest.mark.parametrize('make', [whole_module, layout_item], ids=['EngineModule', 'SubEngine'])
@pytest.mark.parametrize('check_mode', [False, True])
def test_each_implementation_applies_a_plan(engine_module, fake_api, make, check_mode):
    engine = make(engine_module, fake_api, check_mode)
    assert all(hasattr(engine, name) for name in ATTRIBUTES)
    plan = Plan()
    plan.add('create_volume', 'v', 'missing', driver='local')
    plan.warn('careful')
    result, answers = engine.apply(plan)
    assert result == dict(changed=True, actions=['create volume v: missing'])
    assert engine.check_mode is check_mode
    assert (answers == []) is check_mode
