# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.model.differences import DifferenceTracker


def names_of(differences):
    """The names of the recorded differences, as describe() gives them."""
    return [line.split(':')[0] for line in differences.describe()]


@pytest.mark.parametrize('wanted, observed, names', [
    pytest.param('local', 'local', [], id='same'),
    pytest.param('nfs', 'local', ['driver'], id='different'),
    pytest.param(None, 'local', [], id='unset-wanted-is-no-difference'),
    pytest.param('local', None, ['driver'], id='missing-observed'),
    pytest.param('', 'local', ['driver'], id='empty-string-is-a-value'),
])
def test_compare(wanted, observed, names):
    differences = DifferenceTracker()
    differences.compare('driver', wanted, observed)
    assert names_of(differences) == names
    assert bool(differences) is bool(names)


@pytest.mark.parametrize('wanted, observed, names', [
    pytest.param({'tier': 'db'}, {'tier': 'db'}, [], id='same'),
    pytest.param({'tier': 'db'}, {'tier': 'db', 'com.example.owner': 'ops'}, [], id='extra-observed-keys-ignored'),
    pytest.param({'tier': 'db'}, {'tier': 'web'}, ['labels.tier'], id='changed-value'),
    pytest.param({'tier': 'db'}, None, ['labels.tier'], id='observed-none'),
    pytest.param({'b': '1', 'a': '2'}, {}, ['labels.a', 'labels.b'], id='sorted-by-key'),
    pytest.param(None, {'tier': 'db'}, [], id='wanted-none'),
    pytest.param({}, {'tier': 'db'}, [], id='wanted-empty'),
])
def test_compare_subset(wanted, observed, names):
    differences = DifferenceTracker()
    differences.compare_subset('labels', wanted, observed)
    assert names_of(differences) == names


def test_describe_one_line_per_difference():
    differences = DifferenceTracker()
    differences.compare('driver', 'nfs', 'local')
    differences.compare_subset('labels', {'tier': 'db', 'new': 'x'}, {'tier': 'web'})
    assert differences.describe() == [
        "driver: 'nfs' wanted, 'local' found",
        "labels.new: 'x' wanted, None found",
        "labels.tier: 'db' wanted, 'web' found",
    ]


def test_add_records_explicitly():
    differences = DifferenceTracker()
    differences.add('image', wanted='a', observed='b')
    assert names_of(differences) == ['image']
    assert differences.describe() == ["image: 'a' wanted, 'b' found"]
