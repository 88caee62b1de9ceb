# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property tests of the option parsers: names, string maps, commands, env, the consumer,
volume, data-container and layout specs (hostile input).

Each either returns a normalised result or raises ``InputError`` whose message names the
offending option or item; never another exception, never a traceback in the message.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import shlex
import string

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from hypothesis import HealthCheck, example, given, settings, strategies as st

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import (
    CONSUMER_ARGS,
    RESTART_POLICIES,
    command_list,
    parse_env,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DataContainerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import PREFIX
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LayoutSpec
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name, string_map
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import RECREATE_CHOICES, VolumeSpec

# Deterministic and database-less, applied per test (no global profile is loaded).
CI = settings(derandomize=True, database=None, deadline=None, max_examples=300,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(CI, max_examples=150)

LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=6)
VALID_NAME = st.from_regex(r'[a-zA-Z0-9][a-zA-Z0-9_.-]{1,12}', fullmatch=True)
NAMEISH = st.one_of(VALID_NAME, VALID_NAME, st.sampled_from(['a', '-x', '.v', '_v', 'my vol', 'db\n', 'db/x', 'db:ro',
                                                             '\u00e9t\u00e9', 'd\u00b2', 'x' * 300, '', 7]), JSON)
LABEL_KEY = st.sampled_from(['app', 'tier', PREFIX + 'data-container', PREFIX, '', 'a=b', 'k\n']) | st.text(max_size=8)
LABEL_VALUE = st.one_of(st.text(max_size=8), st.text(max_size=8), st.integers(), st.floats(), st.booleans(), st.none(),
                        st.lists(st.text(max_size=3), max_size=2))
PLAIN_MAP = st.dictionaries(st.sampled_from(['app', 'tier', 'o']), st.text(max_size=4) | st.integers(), max_size=2)
STRING_MAP = st.one_of(PLAIN_MAP, st.dictionaries(LABEL_KEY, LABEL_VALUE, max_size=4), JSON)
COMMAND = st.one_of(st.text(max_size=20), st.lists(st.text(max_size=5) | st.integers() | st.floats(), max_size=4),
                    st.sampled_from(['sleep 1', 'sh -c "echo a"', "a 'b", 'a "b', 'x \\', '']), JSON)
TEXT_OR_NONE = st.none() | st.text(max_size=12) | st.sampled_from(['/srv', 'rel/dir', '/', 'local/busybox:latest'])


def assert_clear(exc, fragment):
    """The message is text naming the item (``fragment``: a regex searched for), without a traceback."""
    assert isinstance(exc.msg, str) and exc.msg
    assert re.search(fragment, exc.msg), (fragment, exc.msg)
    assert 'Traceback' not in exc.msg


def is_engine_name(value):
    allowed = set(string.ascii_letters + string.digits + '_.-')
    return (isinstance(value, str) and len(value) >= 2 and value[0] in string.ascii_letters + string.digits
            and set(value) <= allowed)


# --- validation --------------------------------------------------------------------------
@CI
@given(value=NAMEISH)
@example(value='db\n')
@example(value='\uff41\uff42')
def test_check_name_accepts_exactly_engine_names(value):
    try:
        assert check_name(value, 'volume name') == value
    except InputError as exc:
        assert_clear(exc, r'^Invalid volume name .*: use letters')
        assert not is_engine_name(value)
        return
    assert is_engine_name(value)


@CI
@given(value=STRING_MAP)
@example(value={'a': True})
@example(value={'': 'x'})
def test_string_map_gives_text_or_names_the_key(value):
    try:
        result = string_map(value, 'labels')
    except InputError as exc:
        assert_clear(exc, r'^labels( must|: keys|\.)')
        return
    if value is None:
        assert result is None
        return
    assert sorted(result) == sorted(value)
    for key, item in value.items():
        assert isinstance(key, str) and key and not isinstance(item, bool)
        assert result[key] == (item if isinstance(item, str) else str(item))


@CI
@given(value=COMMAND)
@example(value='sh -c "echo a"')
@example(value=[1, 2.5, 'x'])
@example(value=[True])
def test_command_list_gives_words_or_names_the_option(value):
    try:
        words = command_list(value, 'command')
    except InputError as exc:
        assert_clear(exc, r'^command(:| must)')
        return
    if value is None:
        assert words is None
    elif isinstance(value, str):
        assert words == shlex.split(value)
    else:
        assert words == [str(item) for item in value] and not any(isinstance(item, bool) for item in value)


@CI
@given(value=STRING_MAP)
@example(value={'A=B': 'x'})
def test_parse_env_gives_text_or_names_the_variable(value):
    try:
        env = parse_env(value)
    except InputError as exc:
        assert_clear(exc, r'^env( must|: keys|\.|: variable name)')
        return
    for key, item in (env or {}).items():
        assert isinstance(key, str) and key and '=' not in key and isinstance(item, str)


# --- ConsumerSpec, VolumeSpec, DataContainerSpec: one option at a time ---------------------
CONSUMER_VALUES = dict(container=NAMEISH, image=TEXT_OR_NONE | st.just('repo/name:tag') | st.just('a b'), command=COMMAND,
                       entrypoint=COMMAND, env=STRING_MAP, user=TEXT_OR_NONE, working_dir=TEXT_OR_NONE,
                       labels=STRING_MAP, network_mode=TEXT_OR_NONE, running=st.none() | st.booleans(),
                       restart_policy=st.none() | st.sampled_from(RESTART_POLICIES + ['never', 'Always', '']))
CONSUMER_NAMES = dict(container='container name', image='image', command='command', entrypoint='entrypoint', env='env',
                      working_dir='working_dir', labels='labels', restart_policy='restart_policy')


def one_option(values):
    return st.sampled_from(sorted(values)).flatmap(lambda option: st.tuples(st.just(option), values[option]))


@CI
@given(option=one_option(CONSUMER_VALUES))
@example(option=('labels', {PREFIX + 'replaces': 'x'}))
@example(option=('working_dir', 'srv'))
def test_consumer_spec_is_valid_or_names_the_option(option):
    name, value = option
    kwargs = dict(container='web')
    kwargs[name] = value
    try:
        spec = ConsumerSpec(**kwargs)
    except InputError as exc:
        assert name in CONSUMER_NAMES
        assert_clear(exc, re.escape(CONSUMER_NAMES[name]))
        return
    assert is_engine_name(spec.name)
    assert spec.image is None or (spec.image and not any(char.isspace() for char in spec.image))
    for words in (spec.command, spec.entrypoint):
        assert words is None or all(isinstance(word, str) for word in words)
    assert spec.command is None or spec.command
    assert all(isinstance(v, str) and '=' not in k for k, v in (spec.env or {}).items())
    assert spec.working_dir is None or spec.working_dir.startswith('/')
    assert not any(key.startswith(PREFIX) for key in spec.labels or {})
    assert spec.restart_policy is None or spec.restart_policy in RESTART_POLICIES


@SLOW
@given(params=st.fixed_dictionaries({'container': NAMEISH}, optional=dict(
    (key, JSON | values) for key, values in CONSUMER_VALUES.items() if key != 'container')))
def test_consumer_spec_after_the_argument_spec_is_valid_or_refused(params):
    """What the module hands over (the argument spec applied first) never crashes ConsumerSpec."""
    result = ArgumentSpecValidator(CONSUMER_ARGS).validate(params)
    if result.error_messages:
        return
    try:
        ConsumerSpec.from_params(result.validated_parameters)
    except InputError as exc:
        assert_clear(exc, '|'.join(re.escape(text) for text in CONSUMER_NAMES.values()))


@settings(CI, max_examples=5)
@given(value=st.integers() | st.lists(st.text(), max_size=1))
@example(value=5)
def test_consumer_spec_working_dir_of_another_type_is_refused_cleanly(value):
    with pytest.raises(InputError):
        ConsumerSpec('web', working_dir=value)


VOLUME_VALUES = dict(name=NAMEISH, state=st.sampled_from(['present', 'absent', 'gone', '']) | JSON,
                     driver=st.sampled_from(['local', 'nfs', ' ', '']) | JSON, driver_options=STRING_MAP,
                     labels=STRING_MAP, recreate=st.sampled_from(RECREATE_CHOICES + ['always']) | JSON)
VOLUME_NAMES = dict(name='volume name', state='state', driver='driver', driver_options='driver_options', labels='labels',
                    recreate='recreate')


@CI
@given(option=one_option(VOLUME_VALUES))
@example(option=('driver', '  '))
def test_volume_spec_is_valid_or_names_the_option(option):
    name, value = option
    kwargs = dict(name='vol_1')
    kwargs[name] = value
    try:
        spec = VolumeSpec(**kwargs)
    except InputError as exc:
        assert_clear(exc, re.escape(VOLUME_NAMES[name]))
        return
    assert is_engine_name(spec.name) and spec.state in ('present', 'absent') and spec.recreate in RECREATE_CHOICES
    assert isinstance(spec.driver, str) and spec.driver.strip()
    assert all(isinstance(v, str) for v in spec.driver_options.values())


DATA_VALUES = dict(name=NAMEISH, labels=STRING_MAP, image=TEXT_OR_NONE | st.sampled_from([' busybox', 'busybox ', 'a\tb']),
                   volumes=st.lists(st.sampled_from(['/data', 'vol_1:/v', '/srv:/s:ro', 'rel', '/data', {'path': '/d'},
                                                     {'path': '/e', 'mode': 'u+x'}]) | JSON, max_size=3) | JSON)
DATA_NAMES = dict(name='container name', labels='labels', image='image', volumes=r'^volumes')


@CI
@given(option=one_option(DATA_VALUES))
@example(option=('volumes', ['/data', '/data']))
def test_data_container_spec_is_valid_or_names_the_option(option):
    name, value = option
    kwargs = dict(name='store')
    kwargs[name] = value
    try:
        spec = DataContainerSpec(**kwargs)
    except InputError as exc:
        assert_clear(exc, DATA_NAMES[name] if name == 'volumes' else re.escape(DATA_NAMES[name]))
        return
    assert is_engine_name(spec.name)
    assert spec.image is None or (spec.image and not any(char.isspace() for char in spec.image))
    assert len(set(mount.target for mount in spec.mounts)) == len(spec.mounts)
    assert not any(key.startswith(PREFIX) for key in spec.labels or {})


# --- LayoutSpec: every item validated first; a failure starts with the item's location ------
ITEM_NAME = st.one_of(st.sampled_from(['web', 'db', 'store', 'vol_1']), st.sampled_from(['web', 'db']), NAMEISH)
VOLUME_ITEM = st.fixed_dictionaries({'name': ITEM_NAME}, optional=dict(
    driver=st.just('local') | JSON, driver_options=PLAIN_MAP | STRING_MAP, labels=PLAIN_MAP | STRING_MAP,
    state=st.sampled_from(['present', 'absent', 'present', 'gone']), recreate=st.sampled_from(['never', 'options-changed', 'always'])))
DATA_ITEM = st.fixed_dictionaries({'name': ITEM_NAME}, optional=dict(
    volumes=DATA_VALUES['volumes'], image=DATA_VALUES['image'], labels=STRING_MAP, pull=st.sampled_from(['missing', 'often']),
    remove_volumes=st.booleans() | JSON))
BIND_ITEM = st.fixed_dictionaries({'target': st.sampled_from(['/data', 'rel', '/a/../b']) | JSON}, optional=dict(
    source=st.sampled_from(['/srv/x', 'rel']) | JSON, state=st.sampled_from(['present', 'absent']), read_only=JSON,
    mode=st.sampled_from(['0750', 'u+x']) | JSON, propagation=st.sampled_from(['rshared', 'wide'])))
CONSUMER_ITEM = st.fixed_dictionaries({'container': ITEM_NAME}, optional={
    'from': st.lists(st.sampled_from(['store', 'db:ro', 'x', 'db:rw:ro']) | JSON, max_size=3) | JSON,
    'binds': st.lists(st.one_of(BIND_ITEM, BIND_ITEM, JSON), max_size=2), 'exclusive': st.booleans() | JSON,
    'image': TEXT_OR_NONE, 'command': COMMAND, 'env': STRING_MAP, 'working_dir': TEXT_OR_NONE,
    'restart_policy': st.sampled_from(RESTART_POLICIES + ['never']), 'labels': STRING_MAP})
LAYOUT = st.fixed_dictionaries({
    'volumes': st.lists(VOLUME_ITEM, max_size=3) | st.lists(VOLUME_ITEM | JSON, max_size=2),
    'data_containers': st.lists(DATA_ITEM, max_size=3) | st.lists(DATA_ITEM | JSON, max_size=2),
    'consumers': st.lists(CONSUMER_ITEM, max_size=3) | st.lists(CONSUMER_ITEM | JSON, max_size=2),
    'exclusive': st.booleans()})


@SLOW
@given(params=LAYOUT)
@example(params=dict(volumes=[{'name': 'db'}], data_containers=[{'name': 'db'}, {'name': 'db'}], consumers=[], exclusive=False))
@example(params=dict(volumes=[], data_containers=[], consumers=[{'container': 'web', 'from': ['x']}], exclusive=True))
def test_layout_spec_is_valid_or_starts_with_the_item_location(params):
    try:
        spec = LayoutSpec(params)
    except InputError as exc:
        assert_clear(exc, r'^(volumes|data_containers|consumers)\[\d+\] \(')
        group, index = re.match(r'^(\w+)\[(\d+)\]', exc.msg).groups()
        assert int(index) < len(params[group])
        return
    for group in ('volumes', 'data_containers', 'consumers'):
        assert len(getattr(spec, group)) == len(params[group])
    for items, key in ((spec.volumes, 'name'), (spec.data_containers + spec.consumers, None)):
        names = [checked[key or ('name' if 'name' in checked else 'container')] for dummy, checked, dummy2 in items]
        assert len(set(names)) == len(names) and all(is_engine_name(name) for name in names)


@settings(CI, max_examples=5)
@given(bind=BIND_ITEM.filter(lambda bind: 'source' not in bind and bind.get('state') != 'absent'))
@example(bind={'target': '/x'})
def test_layout_names_a_bind_location_once(bind):
    with pytest.raises(InputError) as caught:
        LayoutSpec(dict(volumes=[], data_containers=[], consumers=[{'container': 'web', 'binds': [bind]}]))
    assert caught.value.msg.count('consumers[0] (web)') == 1
