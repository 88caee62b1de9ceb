# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property tests of the mount-entry and ``from``-entry parsers (hostile input).

Each parser either returns a normalised result or raises ``InputError`` whose message
names the offending item; never another exception, never a traceback in the message.
Known bugs are kept as strict xfails with their failing examples.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import posixpath
import re

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import (
    ANONYMOUS,
    BIND,
    VOLUME,
    parse_id,
    parse_mode,
    parse_mount,
    parse_mounts,
)
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import NAME_PATTERN
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.wiring import parse_from, wanted_pairs

# Deterministic and database-less, applied per test (no global profile is loaded).
CI = settings(derandomize=True, database=None, deadline=None, max_examples=300,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(CI, max_examples=5)

SAFE_CHARS = st.characters(exclude_characters='\x00')
LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(SAFE_CHARS, max_size=12)
JSON = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=6)
PIECES = ['/', '/', ':', '.', '..', '//', 'a', 'data', 'vol_1', 'db.v2', '-x', 'ro', 'rw', 'RO', ' ', '\n', '\t',
          '\x00', '\u00e9', '\u00b2', '\u0663', '\u200b', 'x' * 300, ':ro', ':rw', '/srv']
MOUNTISH = st.lists(st.sampled_from(PIECES), max_size=8).map(''.join) | st.text(SAFE_CHARS, max_size=20)
GOOD_SEGMENT = st.sampled_from(['data', 'a', 'srv', 'vol_1', 'x y', '\u00e9t\u00e9', 'ro', '\n', '\x00', '-'])
SEGMENT = st.one_of(GOOD_SEGMENT, GOOD_SEGMENT, GOOD_SEGMENT, st.sampled_from(['.', '..', '', 'a:b']))
ABSOLUTE = st.lists(SEGMENT, min_size=1, max_size=4).map(lambda parts: '/' + '/'.join(parts))
PATHLIKE = st.one_of(ABSOLUTE, ABSOLUTE, ABSOLUTE, st.lists(SEGMENT, min_size=1, max_size=3).map('/'.join), st.just('/'))
VALID_NAME = st.from_regex(r'[a-zA-Z0-9][a-zA-Z0-9_.-]{1,12}', fullmatch=True)
VOLNAME = st.one_of(VALID_NAME, VALID_NAME, VALID_NAME, st.sampled_from(['a', '-x', '.v', 'my vol', 'v\n', '\u00e9t\u00e9']))
SOURCE = st.none() | VOLNAME | ABSOLUTE
SUFFIX = st.sampled_from(['', '', '', ':ro', ':ro', ':rw', ':RO', ':', ':ro:ro', ':z'])
STRUCTURED = st.builds(lambda source, target, suffix: target + suffix if source is None else '%s:%s%s' % (source, target, suffix),
                       SOURCE, PATHLIKE, SUFFIX)
ID_VALUES = (LEAVES | st.sampled_from(['root', 'nobody', 'daemon', '0', '1000', '4294967294', '4294967295', '-1', '+5',
                                       ' 7', '\u00b2', '\u0663', '\uff11\uff12', '1e3', '0x10', 'no-such-user-pv'])
             | st.text('0123456789', min_size=1, max_size=40) | st.integers(-2 ** 70, 2 ** 70))
MODE_VALUES = (LEAVES | st.sampled_from(['0750', '750', '7777', '17777', '0o750', 'u+rwx', '-1', '\u0667\u0665\u0660'])
               | st.text('012345678', min_size=1, max_size=30) | st.integers(-2 ** 70, 2 ** 70))
GOOD_ID = st.sampled_from([0, 1000, 2 ** 32 - 2, 'root', '0', '1000'])
GOOD_MODE = st.integers(0, 0o7777) | st.integers(0, 0o7777).map('%04o'.__mod__)
DICT_ENTRY = st.fixed_dictionaries({'path': ABSOLUTE}, optional={
    'source': st.one_of(SOURCE, SOURCE, MOUNTISH), 'read_only': st.booleans(),
    'owner': GOOD_ID | ID_VALUES, 'group': GOOD_ID | ID_VALUES, 'mode': GOOD_MODE | MODE_VALUES,
}) | st.fixed_dictionaries({}, optional={
    'path': MOUNTISH | JSON, 'source': MOUNTISH | JSON, 'read_only': st.booleans() | JSON,
    'owner': ID_VALUES, 'group': ID_VALUES, 'mode': MODE_VALUES,
}) | st.dictionaries(st.sampled_from(['path', 'source', 'target', 'ro', 'size', '']) | st.text(max_size=5), JSON, max_size=3)
ENTRY = st.one_of(STRUCTURED, STRUCTURED, MOUNTISH, DICT_ENTRY, DICT_ENTRY, JSON)


def assert_clear(exc, pattern):
    """The message is text naming the item (``pattern`` matches its start), without a traceback."""
    assert isinstance(exc.msg, str) and exc.msg
    assert re.match(pattern, exc.msg), exc.msg
    assert 'Traceback' not in exc.msg


def assert_valid_spec(spec):
    target = spec.target
    assert isinstance(target, str) and target.startswith('/') and target != '/' and ':' not in target
    assert posixpath.normpath(target) == target and not target.startswith('//')
    assert isinstance(spec.read_only, bool)
    assert spec.mode is None or (isinstance(spec.mode, int) and 0 <= spec.mode <= 0o7777)
    for number in (spec.owner, spec.group):
        assert number is None or (isinstance(number, int) and not isinstance(number, bool) and 0 <= number <= 2 ** 32 - 2)
    if spec.source is None:
        assert spec.kind == ANONYMOUS
    elif spec.source.startswith('/'):
        assert spec.kind == BIND and ':' not in spec.source
        assert posixpath.normpath(spec.source) == spec.source and not spec.source.startswith('//')
        assert not spec.wants_root_attributes
    else:
        assert spec.kind == VOLUME and NAME_PATTERN.match(spec.source) and ':' not in spec.source
    if spec.read_only:
        assert not spec.wants_root_attributes


def as_string(spec):
    """The string form of a spec (None when it has none: read-only anonymous, owner/group/mode)."""
    if spec.wants_root_attributes or (spec.source is None and spec.read_only):
        return None
    if spec.source is None:
        return spec.target
    return '%s:%s%s' % (spec.source, spec.target, ':ro' if spec.read_only else '')


def same(left, right):
    return all(getattr(left, name) == getattr(right, name) for name in ('target', 'source', 'kind', 'read_only', 'owner',
                                                                        'group', 'mode'))


# --- parse_mount / parse_mounts ---------------------------------------------------------
@CI
@given(entry=ENTRY)
@example(entry='vol:/data:ro')
@example(entry='/a\n:/b')
@example(entry='/' + 'a' * 100000)
@example(entry={'path': '/p', 'owner': '\u00b2', 'mode': '\u0667\u0665\u0660'})
@example(entry={'path': '/data', 'source': 'dbvol', 'read_only': True})
def test_parse_mount_normalises_and_round_trips_or_names_the_entry(entry):
    """An accepted entry's string form (source:target[:ro]) parses back to the same spec."""
    try:
        spec = parse_mount(entry, 'ITEM')
    except InputError as exc:
        assert_clear(exc, r'ITEM: ')
        return
    assert_valid_spec(spec)
    text = as_string(spec)
    assert text is not None or not isinstance(entry, str)
    if text is not None:
        assert same(parse_mount(text, 'ITEM'), spec)


@CI
@given(entries=st.lists(ENTRY, max_size=5) | JSON)
@example(entries=['/data', 'v1:/data'])
@example(entries=['/a', {'path': '/b', 'source': 'vol', 'read_only': True}, '/srv:/c:rw'])
def test_parse_mounts_gives_unique_normal_targets_or_names_the_entry(entries):
    try:
        specs = parse_mounts(entries)
    except InputError as exc:
        if isinstance(entries, list):
            assert_clear(exc, r'volumes\[(\d+)\] \(')
            assert int(re.match(r'volumes\[(\d+)\]', exc.msg).group(1)) < len(entries)
        else:
            assert_clear(exc, r'volumes must be a list')
        return
    assert len(specs) == len(entries or [])
    for spec in specs:
        assert_valid_spec(spec)
    assert len(set(spec.target for spec in specs)) == len(specs)


PATH_PART = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e, exclude_characters=':/'), min_size=1, max_size=8)


@CI
@given(target=st.lists(PATH_PART, min_size=1, max_size=4), source=st.one_of(
    st.none(), st.from_regex(r'[a-zA-Z0-9][a-zA-Z0-9_.-]{1,20}', fullmatch=True),
    st.lists(PATH_PART, max_size=4).map(lambda parts: '/' + '/'.join(parts))), read_only=st.booleans())
def test_formatted_specs_parse_back(target, source, read_only):
    """Every well-formed source:target[:ro] parses to exactly what was formatted (when its paths are normal)."""
    target = '/' + '/'.join(target)
    text = target if source is None else '%s:%s%s' % (source, target, ':ro' if read_only else ':rw')
    normal = all(posixpath.normpath(path) == path for path in (target, source or '/') if path.startswith('/'))
    if not normal:
        with pytest.raises(InputError):
            parse_mount(text, 'ITEM')
        return
    spec = parse_mount(text, 'ITEM')
    assert (spec.target, spec.source, spec.read_only) == (target, source, read_only and source is not None)


# --- parse_id / parse_mode ---------------------------------------------------------------
@CI
@given(value=ID_VALUES, kind=st.sampled_from(['owner', 'group']))
@example(value=2 ** 32 - 2, kind='owner')
@example(value='\u0663', kind='group')
@example(value=True, kind='owner')
def test_parse_id_gives_an_id_in_range_or_names_it(value, kind):
    try:
        number = parse_id(value, kind, 'ITEM')
    except InputError as exc:
        assert_clear(exc, r'ITEM: %s ' % kind)
        return
    if value is None:
        assert number is None
        return
    assert isinstance(number, int) and not isinstance(number, bool) and 0 <= number <= 2 ** 32 - 2
    if isinstance(value, int):
        assert number == value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        assert number == int(value)


@CI
@given(value=MODE_VALUES)
@example(value='0750')
@example(value=0o10000)
@example(value='\u0667\u0665\u0660')
def test_parse_mode_gives_a_mode_in_range_or_names_it(value):
    try:
        mode = parse_mode(value, 'ITEM')
    except InputError as exc:
        assert_clear(exc, r'ITEM: mode ')
        return
    if value is None:
        assert mode is None
        return
    assert isinstance(mode, int) and not isinstance(mode, bool) and 0 <= mode <= 0o7777
    digits = value[2:] if isinstance(value, str) and value[:2] in ('0o', '0O') else value
    assert mode == (value if isinstance(value, int) else int(digits, 8))
    assert isinstance(value, int) or set(digits) <= set('01234567')


@CI
@given(mode=st.integers(0, 0o7777))
def test_parse_mode_round_trips_octal_text(mode):
    assert parse_mode('%04o' % mode, 'ITEM') == parse_mode('%o' % mode, 'ITEM') == parse_mode('0o%o' % mode, 'ITEM') \
        == mode


@CI
@given(number=st.integers(0, 0o7777))
def test_parse_mode_takes_a_number_only_when_it_reads_one_way(number):
    """An unquoted YAML number is the mode when its digits are not octal, or read the same either
    way; otherwise it is refused with both quoted forms in the message."""
    digits = str(number)
    try:
        mode = parse_mode(number, 'ITEM')
    except InputError as exc:
        assert set(digits) <= set('01234567') and int(digits, 8) != number
        assert 'mode: "%s"' % digits.zfill(4) in exc.msg and 'mode: "%04o"' % number in exc.msg, exc.msg
        return
    assert mode == number


@FEW
@given(value=st.sampled_from(['9' * 4301, '0' * 5000]))
@example(value='9' * 5000)
def test_parse_id_of_a_very_long_digit_string_is_refused_cleanly(value):
    with pytest.raises(InputError):
        parse_id(value, 'owner', 'ITEM')


@FEW
@given(value=st.text(min_size=1, max_size=5).map(lambda text: text + '\x00'), kind=st.sampled_from(['owner', 'group']))
@example(value='a\x00b', kind='owner')
def test_parse_id_of_a_name_with_nul_is_refused_cleanly(value, kind):
    with pytest.raises(InputError):
        parse_id(value, kind, 'ITEM')


@FEW
@given(value=st.sampled_from([10 ** 4300, -10 ** 4400]), parser=st.sampled_from(['owner', 'mode']))
@example(value=10 ** 5000, parser='mode')
def test_huge_int_is_refused_cleanly(value, parser):
    with pytest.raises(InputError):
        if parser == 'mode':
            parse_mode(value, 'ITEM')
        else:
            parse_id(value, parser, 'ITEM')


# --- wiring: from entries and the resulting --volumes-from list -------------------------
NAMES = ['web', 'db', 'data-1', 'data.v2', 'A1', 'a', '-x', '', 'x y', 'é1', 'db\n']
FROM_TEXT = st.lists(st.sampled_from(NAMES + [':', 'ro', 'rw', 'RO', ':ro', ':rw', ':', '/']), max_size=4).map(''.join)
FROM_DICT = (st.fixed_dictionaries({}, optional={'container': st.sampled_from(NAMES) | JSON,
                                                 'mode': st.sampled_from(['ro', 'rw', 'RW', '']) | JSON})
             | st.dictionaries(st.sampled_from(['container', 'mode', 'name', 'Container']), JSON, max_size=3))
FROM_ENTRY = st.builds(lambda name, suffix: name + suffix, VOLNAME, SUFFIX) | FROM_TEXT | FROM_DICT | JSON


def expected_pair(entry):
    if isinstance(entry, str):
        name, dummy, mode = entry.partition(':')
        return name, mode or 'rw'
    return entry['container'], entry.get('mode', 'rw')


@CI
@given(entries=st.lists(FROM_ENTRY, max_size=5) | JSON)
@example(entries=['db', 'web:ro', {'container': 'data-1', 'mode': 'rw'}])
@example(entries=['db:', 'db::ro', 'db:ro:rw'])
def test_parse_from_gives_engine_names_or_names_the_entry(entries):
    try:
        pairs = parse_from(entries)
    except InputError as exc:
        if isinstance(entries, list):
            assert_clear(exc, r'(Invalid )?from\[(\d+)\]')
            assert int(re.search(r'from\[(\d+)\]', exc.msg).group(1)) < len(entries)
        else:
            assert_clear(exc, r'from must be a list')
        return
    assert pairs == [expected_pair(entry) for entry in entries]
    for name, mode in pairs:
        assert re.match(r'[a-zA-Z0-9][a-zA-Z0-9_.-]+\Z', name) and mode in ('ro', 'rw')
    assert len(set(name for name, dummy in pairs)) == len(pairs)


@FEW
@given(entry=st.dictionaries(st.integers() | st.none(), st.text(max_size=3), min_size=1, max_size=2))
@example(entry={'container': 'db', 5: 'x'})
def test_parse_from_dict_with_non_string_key_is_refused_cleanly(entry):
    with pytest.raises(InputError):
        parse_from([entry])


POOL = ['web', 'db', 'data1', 'data2', 'logs']
PAIRS = st.lists(st.tuples(st.sampled_from(POOL), st.sampled_from(['ro', 'rw'])), max_size=5, unique_by=lambda pair: pair[0])


@CI
@given(have=PAIRS, wanted=PAIRS, exclusive=st.booleans(), state=st.sampled_from(['present', 'absent']))
def test_wanted_pairs_applies_the_wanted_wiring(have, wanted, exclusive, state):
    result = wanted_pairs(have, wanted, exclusive, state)
    names = set(name for name, dummy in wanted)
    if state == 'absent':
        assert not names & set(name for name, dummy in result)
        assert result == [pair for pair in have if pair[0] not in names]
        return
    for pair in wanted:
        assert pair in result
    assert len(set(name for name, dummy in result)) == len(result)
    if exclusive:
        assert result == wanted
        return
    kept = [pair for pair in result if pair[0] not in names]
    assert kept == [pair for pair in have if pair[0] not in names]
    assert [name for name, dummy in result][:len(have)] == [name for name, dummy in have]
