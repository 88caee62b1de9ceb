# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The layout's lists as ansible-core checks them (LAYOUT_ARGS, the module's suboptions), and as
LayoutSpec parses them once checked."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator

from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LAYOUT_ARGS, LayoutSpec


@pytest.mark.parametrize('params, error', [
    pytest.param({'volumes': [{'name': 'vol'}]}, None, id='valid'),
    pytest.param({'volumes': [{'nom': 'vol'}]}, 'missing required arguments: name found in volumes', id='required'),
    pytest.param({'volumes': [{'name': 'vol', 'recreate': 'always'}]},
                 'value of recreate must be one of: never, options-changed, got: always found in volumes', id='choices'),
    pytest.param({'consumers': [{'container': 'app', 'binds': [{'target': '/t'}]}]},
                 'state is present but all of the following are missing: source found in consumers -> binds',
                 id='bind-source-required-if-present'),
    pytest.param({'consumers': [{'container': 'app', 'binds': [{'target': '/t', 'state': 'absent'}]}]}, None,
                 id='bind-absent-needs-no-source'),
])
def test_ansible_core_checks_the_items(params, error):
    result = ModuleArgumentSpecValidator(LAYOUT_ARGS).validate(params)
    assert (result.errors.msg if result.error_messages else None) == error


def test_a_checked_layout_is_parsed_with_the_items_defaults():
    checked = ModuleArgumentSpecValidator(LAYOUT_ARGS).validate({
        'volumes': [{'name': 'vol'}], 'data_containers': [{'name': 'dc', 'volumes': ['/data']}],
        'consumers': [{'container': 'app', 'from': ['dc'], 'binds': [{'source': '/srv', 'target': '/srv'}]}]})
    spec = LayoutSpec(checked.validated_parameters, checked=True)
    assert [(where, item.driver) for where, dummy, item in spec.volumes] == [('volumes[0] (vol)', 'local')]
    (where, params, consumer), = spec.consumers
    assert where == 'consumers[0] (app)' and consumer.wiring == [('dc', 'rw')] and consumer.exclusive is False
    assert consumer.binds[0]['state'] == 'present' and consumer.binds[0]['create_source'] is True
