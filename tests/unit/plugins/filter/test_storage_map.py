# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The storage map filters as Jinja calls them: formats, and readable errors."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.persistent.volumes.plugins.filter.storage_map import FilterModule
from ansible_collections.persistent.volumes.tests.unit.plugins.plugin_utils.storage_fixtures import small_host

FILTERS = FilterModule().filters()


def test_names():
    assert sorted(FILTERS) == ['storage_graph', 'storage_rows', 'storage_summary']


@pytest.mark.parametrize('args, start', [((), '<svg xmlns='), (('svg',), '<svg xmlns='), (('dot',), 'digraph ')])
def test_formats(args, start):
    assert FILTERS['storage_graph'](small_host(), *args).startswith(start)


def test_title():
    assert '<title>host-a</title>' in FILTERS['storage_graph'](small_host(), title='host-a')


def test_bad_format():
    with pytest.raises(AnsibleFilterError) as caught:
        FILTERS['storage_graph'](small_host(), 'png')
    assert str(caught.value) == "persistent.volumes.storage_graph: format must be one of dot, svg, got 'png'."


@pytest.mark.parametrize('name', ['storage_graph', 'storage_rows', 'storage_summary'])
def test_bad_input(name):
    with pytest.raises(AnsibleFilterError) as caught:
        FILTERS[name]({'msg': 'Cannot talk to the Docker engine'})
    assert str(caught.value) == (
        "persistent.volumes.%s: expects the result of persistent.volumes.volume_info (a dict with 'volumes', "
        "or the list of volumes), got dict." % name)


def test_rows_and_summary():
    assert len(FILTERS['storage_rows'](small_host())) == 11
    assert FILTERS['storage_summary'](small_host())['dangling_volumes'] == 2
