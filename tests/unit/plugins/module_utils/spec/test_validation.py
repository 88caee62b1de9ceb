# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import (
    check_name,
    string_map,
)

RULE = 'letters, digits, "_", "." and "-", starting with a letter or digit, at least 2 characters'


@pytest.mark.parametrize('name', ['db', 'pg-data', 'app_data.v2', '0data', 'A1', 'x' * 200])
def test_check_name_accepts_engine_names(name):
    assert check_name(name) == name


@pytest.mark.parametrize('name, shown', [
    pytest.param('a', "'a'", id='one-character'),
    pytest.param('-x', "'-x'", id='leading-dash'),
    pytest.param('.hidden', "'.hidden'", id='leading-dot'),
    pytest.param('_x', "'_x'", id='leading-underscore'),
    pytest.param('a b', "'a b'", id='space'),
    pytest.param('x/y', "'x/y'", id='slash'),
    pytest.param('x:y', "'x:y'", id='colon'),
    pytest.param('', "''", id='empty'),
    pytest.param(None, 'None', id='none'),
    pytest.param(123, '123', id='int'),
    pytest.param(['db'], "['db']", id='list'),
])
def test_check_name_refuses_with_rule(name, shown):
    with pytest.raises(InputError) as caught:
        check_name(name, 'volume name')
    assert caught.value.msg == 'Invalid volume name %s: use %s.' % (shown, RULE)


def test_check_name_default_label_is_name():
    with pytest.raises(InputError, match=r"^Invalid name 'a': use letters"):
        check_name('a')


def test_check_name_refuses_trailing_newline():
    with pytest.raises(InputError, match='Invalid volume name'):
        check_name('db\n', 'volume name')


@pytest.mark.parametrize('value, expected', [
    pytest.param(None, None, id='none-is-unset'),
    pytest.param({}, {}, id='empty'),
    pytest.param({'tier': 'db'}, {'tier': 'db'}, id='strings-kept'),
    pytest.param({'size': 5, 'ratio': 1.5}, {'size': '5', 'ratio': '1.5'}, id='numbers-become-text'),
    pytest.param({'o': ''}, {'o': ''}, id='empty-value-allowed'),
])
def test_string_map_normalises(value, expected):
    assert string_map(value, 'labels') == expected


def test_string_map_returns_a_copy():
    value = {'tier': 'db'}
    result = string_map(value, 'labels')
    result['tier'] = 'web'
    assert value == {'tier': 'db'}


@pytest.mark.parametrize('value, option, message', [
    pytest.param({'backup': True}, 'labels', 'labels.backup must be a string (quote it), got bool True.',
                 id='bool-yes'),
    pytest.param({'backup': False}, 'labels', 'labels.backup must be a string (quote it), got bool False.',
                 id='bool-no'),
    pytest.param({'o': ['a', 'b']}, 'driver_options', "driver_options.o must be a string (quote it), got list ['a', 'b'].",
                 id='list'),
    pytest.param({'o': {'a': 1}}, 'driver_options', "driver_options.o must be a string (quote it), got dict {'a': 1}.",
                 id='dict'),
    pytest.param({'tier': None}, 'labels', 'labels.tier must be a string (quote it), got NoneType None.',
                 id='null'),
    pytest.param({1: 'x'}, 'labels', 'labels: keys must be non-empty strings, got 1.', id='int-key'),
    pytest.param({'': 'x'}, 'labels', "labels: keys must be non-empty strings, got ''.", id='empty-key'),
    pytest.param(['tier=db'], 'labels', 'labels must be a dictionary of strings, got list.', id='not-a-dict'),
    pytest.param('tier=db', 'labels', 'labels must be a dictionary of strings, got str.', id='string'),
])
def test_string_map_refuses_with_option_key(value, option, message):
    with pytest.raises(InputError) as caught:
        string_map(value, option)
    assert caught.value.msg == message
