# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.modules.volumes_from import ARGUMENT_SPEC as VOLUMES_FROM_ARGS
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.wiring import parse_from, wanted_pairs

NAME_RULE = 'letters, digits, "_", "." and "-", starting with a letter or digit, at least 2 characters'
FORMS = 'use "name", "name:ro" or "name:rw".'


@pytest.mark.parametrize('entries, expected', [
    ([], []),
    (['data'], [('data', 'rw')]),
    (['data:ro'], [('data', 'ro')]),
    (['data:rw'], [('data', 'rw')]),
    ([{'container': 'data'}], [('data', 'rw')]),
    ([{'container': 'data', 'mode': 'ro'}], [('data', 'ro')]),
    ([{'container': 'data', 'mode': 'rw'}], [('data', 'rw')]),
    (['logs:ro', {'container': 'data'}, 'db.v1_x-2'], [('logs', 'ro'), ('data', 'rw'), ('db.v1_x-2', 'rw')]),
])
def test_parse_from(entries, expected):
    assert parse_from(entries) == expected


def test_a_consumer_in_its_own_from_is_refused():
    assert parse_from(['data'], 'web') == [('data', 'rw')]
    for entries in (['data', 'web'], [{'container': 'web', 'mode': 'ro'}]):
        with pytest.raises(InputError) as caught:
            parse_from(entries, 'web')
        assert caught.value.msg.endswith('web is the consumer itself; a container cannot take volumes from itself. '
                                         'Name data containers only.')


@pytest.mark.parametrize('entries, message', [
    ('data', 'from must be a list, got str.'),
    ({'container': 'data'}, 'from must be a list, got dict.'),
    (None, 'from must be a list, got NoneType.'),
    (['data:ro:z'], "from[0]: 'data:ro:z' has a colon where none belongs; " + FORMS),
    (['ab', 'b::'], "from[1]: 'b::' has a colon where none belongs; " + FORMS),
    (['data:'], "from[0]: 'data:' ends with a colon; " + FORMS),
    (['data:z'], "from[0]: unknown mode 'z'; allowed: ro, rw."),
    (['data:RO'], "from[0]: unknown mode 'RO'; allowed: ro, rw."),
    ([{'container': 'data', 'mode': 'z'}], "from[0]: unknown mode 'z'; allowed: ro, rw."),
    ([{'container': 'data', 'mode': None}], 'from[0]: unknown mode None; allowed: ro, rw.'),
    ([{'container': 'data', 'mode': True}], 'from[0]: unknown mode True; allowed: ro, rw.'),
    (['data', 'data:ro'], 'from[1]: container data is listed twice.'),
    (['data', {'container': 'data'}], 'from[1]: container data is listed twice.'),
    ([':ro'], "Invalid from[0] container name '': use %s." % NAME_RULE),
    (['d'], "Invalid from[0] container name 'd': use %s." % NAME_RULE),
    (['-data'], "Invalid from[0] container name '-data': use %s." % NAME_RULE),
    (['ok', 'bad name'], "Invalid from[1] container name 'bad name': use %s." % NAME_RULE),
    ([{'mode': 'ro'}], 'Invalid from[0] container name None: use %s.' % NAME_RULE),
    ([{'container': 5}], 'Invalid from[0] container name 5: use %s.' % NAME_RULE),
    ([{'container': 'data', 'name': 'x'}], 'from[0]: unknown key name; allowed: container, mode.'),
    ([{'container': 'data', 'ro': 1, 'z': 2}], 'from[0]: unknown key ro, z; allowed: container, mode.'),
    ([5], 'from[0]: must be a string ("name", "name:ro") or a dict {container, mode}, got int.'),
    ([['data', 'ro']], 'from[0]: must be a string ("name", "name:ro") or a dict {container, mode}, got list.'),
    ([None], 'from[0]: must be a string ("name", "name:ro") or a dict {container, mode}, got NoneType.'),
])
def test_parse_from_refusals(entries, message):
    with pytest.raises(InputError) as caught:
        parse_from(entries)
    assert caught.value.msg == message


HAVE = [('data', 'rw'), ('logs', 'ro')]


@pytest.mark.parametrize('have, wanted, exclusive, state, expected', [
    ([], [('data', 'rw')], False, 'present', [('data', 'rw')]),
    (HAVE, [], False, 'present', HAVE),
    (HAVE, [('data', 'rw')], False, 'present', HAVE),
    (HAVE, [('data', 'ro')], False, 'present', [('data', 'ro'), ('logs', 'ro')]),
    (HAVE, [('logs', 'rw')], False, 'present', [('data', 'rw'), ('logs', 'rw')]),
    (HAVE, [('cache', 'ro')], False, 'present', HAVE + [('cache', 'ro')]),
    (HAVE, [('cache', 'rw'), ('data', 'ro')], False, 'present', [('data', 'ro'), ('logs', 'ro'), ('cache', 'rw')]),
    (HAVE, [('logs', 'ro'), ('data', 'rw')], False, 'present', HAVE),
    (HAVE, [], True, 'present', []),
    (HAVE, [('logs', 'ro')], True, 'present', [('logs', 'ro')]),
    (HAVE, [('cache', 'rw'), ('data', 'ro')], True, 'present', [('cache', 'rw'), ('data', 'ro')]),
    (HAVE, [('logs', 'ro'), ('data', 'rw')], True, 'present', [('logs', 'ro'), ('data', 'rw')]),
    (HAVE, [('data', 'rw')], False, 'absent', [('logs', 'ro')]),
    (HAVE, [('data', 'ro')], False, 'absent', [('logs', 'ro')]),
    (HAVE, [('data', 'rw')], True, 'absent', [('logs', 'ro')]),
    (HAVE, [('cache', 'rw')], False, 'absent', HAVE),
    (HAVE, [('data', 'rw'), ('logs', 'rw')], False, 'absent', []),
    ([], [('data', 'rw')], False, 'absent', []),
])
def test_wanted_pairs(have, wanted, exclusive, state, expected):
    before = list(have)
    assert wanted_pairs(have, wanted, exclusive, state) == expected
    assert have == before


def test_absent_of_a_parsed_list_removes_only_what_is_named():
    assert wanted_pairs(HAVE, parse_from(['logs:rw']), False, 'absent') == [('data', 'rw')]


def test_argument_spec():
    assert VOLUMES_FROM_ARGS['from'] == dict(type='list', elements='raw', required=True)
    assert VOLUMES_FROM_ARGS['exclusive']['default'] is False
    assert VOLUMES_FROM_ARGS['state'] == dict(type='str', default='present', choices=['present', 'absent'])
