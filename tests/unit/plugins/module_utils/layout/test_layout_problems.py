# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What is wrong with a layout, found without an engine (engine_info's layout, the layout module's layout dict,
the filter layout_problems)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.layout.problems import check_layout, layout_problems

DC = {'name': 'dc', 'volumes': ['/data']}


@pytest.mark.parametrize('layout, prefix, problems', [
    pytest.param({}, '', [], id='empty'),
    pytest.param({'data_containers': [DC], 'consumers': [{'container': 'app', 'from': ['dc:ro']}]}, '', [],
                 id='wired-to-a-declared-one'),
    pytest.param({'data_containers': [DC], 'consumers': [{'container': 'app', 'from': ['dc', 'gone', 'lost:ro']}]},
                 'p_', ['p_consumers[0] (app): wired to gone, lost, which are not declared in p_data_containers '
                        '(declared: dc).'], id='undeclared'),
    pytest.param({'consumers': [{'container': 'app', 'from': ['gone']}]}, '',
                 ['consumers[0] (app): wired to gone, which is not declared in data_containers (declared: none).'],
                 id='none-declared'),
    pytest.param({'data_containers': [{'name': 'dc', 'volumes': ['/a', '/a']}]}, 'p_',
                 ['p_data_containers[0] (dc): volumes[1] (/a): container path /a is already used by volumes[0]; '
                  'each path may appear once.'], id='parser-complaint-first'),
    pytest.param({'volumes': [{'name': 'v', 'recreate': 'always'}]}, '',
                 ['volumes[0] (v): value of recreate must be one of: never, options-changed, got: always'],
                 id='choice'),
    pytest.param({'consumers': [{'container': 'app', 'volumes': ['appdata:/data', 'logs:/var/log:ro']}]}, '', [],
                 id='named-volumes'),
    pytest.param({'consumers': [{'container': 'app', 'volumes': ['/srv:/data']}]}, 'p_',
                 ["p_consumers[0] (app): Invalid volumes[0] volume name '/srv': use letters, digits, \"_\", \".\" and "
                  "\"-\", starting with a letter or digit, at least 2 characters."], id='named-volume-host-path'),
])
def test_layout_problems(layout, prefix, problems):
    assert layout_problems(layout, prefix) == problems


def test_check_layout_raises_every_problem_at_once():
    layout = {'consumers': [{'container': 'ab', 'from': ['xx']}, {'container': 'bc', 'from': ['yy']}]}
    with pytest.raises(InputError) as caught:
        check_layout(layout, 'p_')
    assert caught.value.details['layout_problems'] == [
        'p_consumers[0] (ab): wired to xx, which is not declared in p_data_containers (declared: none).',
        'p_consumers[1] (bc): wired to yy, which is not declared in p_data_containers (declared: none).']
    assert caught.value.msg == ' '.join(caught.value.details['layout_problems'])


@pytest.mark.parametrize('layout', [None, {}, {'data_containers': [DC]}])
def test_check_layout_passes_what_is_fine(layout):
    check_layout(layout)


@pytest.mark.parametrize('layout, message', [
    pytest.param({'data_container': [DC]}, 'layout: unknown key data_container; the keys are consumers, data_containers, '
                 'exclusive, volumes.', id='unknown-key'),
    pytest.param({'exclusive': 'maybe'}, "layout: argument 'exclusive' is of type", id='not-a-bool'),
    pytest.param(['volumes'], 'layout must be a dict with the keys consumers, data_containers, exclusive, volumes, '
                 'got list.', id='not-a-dict'),
])
def test_check_layout_refuses_a_layout_dict_it_cannot_read(layout, message):
    with pytest.raises(InputError) as caught:
        check_layout(layout, 'p_')
    assert caught.value.msg.startswith(message)


def test_check_layout_gives_the_spec_it_read():
    spec = check_layout({'data_containers': [DC], 'consumers': [{'container': 'app', 'from': ['dc']}],
                         'exclusive': 'yes'})
    assert [checked['name'] for dummy, checked, dummy2 in spec.data_containers] == ['dc']
    assert [item.exclusive for dummy, dummy2, item in spec.consumers] == [True]
