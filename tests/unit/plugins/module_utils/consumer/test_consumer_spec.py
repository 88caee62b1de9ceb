# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import (
    CONSUMER_ARGS,
    command_list,
    env_dict,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer.consumer_fixtures import (
    IMAGE_ID, NEW_IMAGE_ID, detail,
)

NAME_RULE = 'letters, digits, "_", "." and "-", starting with a letter or digit, at least 2 characters'


@pytest.mark.parametrize('value, expected', [
    (None, None),
    ('sleep 1d', ['sleep', '1d']),
    ('sh -c "echo hi; sleep 1"', ['sh', '-c', 'echo hi; sleep 1']),
    ("echo 'a b' c\\ d", ['echo', 'a b', 'c d']),
    ('', []),
    ('  ', []),
    (['sleep', 60], ['sleep', '60']),
    ([1, 2.5, '-x'], ['1', '2.5', '-x']),
    ([], []),
])
@pytest.mark.parametrize('option', ['command', 'entrypoint'])
def test_commands_are_lists_of_strings(option, value, expected):
    assert command_list(value, option) == expected
    if option == 'command' and expected == []:
        expected = None  # an empty command keeps the image's (or the existing container's) command
    assert getattr(ConsumerSpec('web', **{option: value}), option) == expected


@pytest.mark.parametrize('value, message', [
    ('sh -c "x', 'cannot split \'sh -c "x\' into words: No closing quotation.'),
    ("echo 'x", "cannot split \"echo 'x\" into words: No closing quotation."),
    ('echo x\\', "cannot split 'echo x\\\\' into words: No escaped character."),
    ([True], 'must be a string or a list of strings, got [True].'),
    (['a', None], "must be a string or a list of strings, got ['a', None]."),
    (['a', ['b']], "must be a string or a list of strings, got ['a', ['b']]."),
    ({'a': 'b'}, "must be a string or a list of strings, got {'a': 'b'}."),
    (5, 'must be a string or a list of strings, got 5.'),
    (False, 'must be a string or a list of strings, got False.'),
])
@pytest.mark.parametrize('option', ['command', 'entrypoint'])
def test_bad_commands_are_refused(option, value, message):
    with pytest.raises(InputError) as caught:
        ConsumerSpec('web', **{option: value})
    separator = ': ' if message.startswith('cannot') else ' '
    assert caught.value.msg == option + separator + message


@pytest.mark.parametrize('env, expected', [
    (None, None),
    ({}, {}),
    ({'A': 'x', 'PORT': 8080, 'RATIO': 0.5, 'EMPTY': ''}, {'A': 'x', 'PORT': '8080', 'RATIO': '0.5', 'EMPTY': ''}),
    ({'URL': 'a=b=c'}, {'URL': 'a=b=c'}),
])
def test_env_values_become_strings(env, expected):
    assert ConsumerSpec('web', env=env).env == expected


@pytest.mark.parametrize('env, message', [
    ({'DEBUG': True}, 'env.DEBUG must be a string (quote it), got bool True.'),
    ({'OFF': False}, 'env.OFF must be a string (quote it), got bool False.'),
    ({'X': None}, 'env.X must be a string (quote it), got NoneType None.'),
    ({'X': ['a']}, "env.X must be a string (quote it), got list ['a']."),
    ({'A=B': 'x'}, 'env: variable name \'A=B\' must not contain "=".'),
    ({'': 'x'}, "env: keys must be non-empty strings, got ''."),
    (['A=1'], 'env must be a dictionary of strings, got list.'),
    ('A=1', 'env must be a dictionary of strings, got str.'),
])
def test_bad_env_is_refused(env, message):
    with pytest.raises(InputError) as caught:
        ConsumerSpec('web', env=env)
    assert caught.value.msg == message


@pytest.mark.parametrize('kwargs, message', [
    ({'container': 'x'}, "Invalid container name 'x': use %s." % NAME_RULE),
    ({'container': 'web/1'}, "Invalid container name 'web/1': use %s." % NAME_RULE),
    ({'container': None}, 'Invalid container name None: use %s.' % NAME_RULE),
    ({'image': ''}, "image must be an image reference like \"repo/name:tag\", got ''."),
    ({'image': 'my image'}, "image must be an image reference like \"repo/name:tag\", got 'my image'."),
    ({'image': 5}, 'image must be an image reference like "repo/name:tag", got 5.'),
    ({'working_dir': 'app'}, "working_dir must be an absolute path, got 'app'."),
    ({'working_dir': './app'}, "working_dir must be an absolute path, got './app'."),
    ({'working_dir': ''}, "working_dir must be an absolute path, got ''."),
    ({'labels': {'persistent.volumes.replaces': 'x'}},
     "labels.persistent.volumes.replaces: labels starting with 'persistent.volumes.' are the collection's own."),
    ({'labels': {'tier': True}}, 'labels.tier must be a string (quote it), got bool True.'),
    ({'labels': 'tier=web'}, 'labels must be a dictionary of strings, got str.'),
    ({'restart_policy': 'sometimes'},
     "restart_policy must be one of no, on-failure, always, unless-stopped, got 'sometimes'."),
    ({'restart_policy': ''}, "restart_policy must be one of no, on-failure, always, unless-stopped, got ''."),
])
def test_bad_spec_is_refused(kwargs, message):
    kwargs = dict(dict(container='web'), **kwargs)
    with pytest.raises(InputError) as caught:
        ConsumerSpec(**kwargs)
    assert caught.value.msg == message


@pytest.mark.parametrize('policy', ['no', 'on-failure', 'always', 'unless-stopped'])
def test_restart_policies(policy):
    assert ConsumerSpec('web', restart_policy=policy).restart_policy == policy
    assert CONSUMER_ARGS['restart_policy']['choices'] == ['no', 'on-failure', 'always', 'unless-stopped']


def test_from_params_reads_every_option():
    params = dict((option, None) for option in CONSUMER_ARGS)
    params.update(container='web', running=True, image='app:1', command='run --fast', entrypoint=['/init'],
                  env={'A': 1}, user='1000:1000', working_dir='/srv', labels={'tier': 'web'},
                  network_mode='host', restart_policy='always')
    spec = ConsumerSpec.from_params(params)
    assert (spec.name, spec.running, spec.image, spec.command, spec.entrypoint) == (
        'web', True, 'app:1', ['run', '--fast'], ['/init'])
    assert (spec.env, spec.user, spec.working_dir, spec.labels, spec.network_mode, spec.restart_policy) == (
        {'A': '1'}, '1000:1000', '/srv', {'tier': 'web'}, 'host', 'always')
    empty = ConsumerSpec.from_params(dict(container='web'))
    assert all(getattr(empty, option) is None for option in ConsumerSpec.OPTIONS + ('running',))


def test_env_dict():
    assert env_dict(['A=1', 'URL=a=b', 'EMPTY=', 'BARE']) == {'A': '1', 'URL': 'a=b', 'EMPTY': '', 'BARE': ''}
    assert env_dict(None) == {}


CURRENT = dict(cmd=['sleep', '1d'], entrypoint=['/init'], env=['PATH=/bin', 'A=1', 'EMPTY='], user='app',
               working_dir='/srv', labels={'tier': 'web', 'team': 'ops'}, network_mode='app-net', restart='')


@pytest.mark.parametrize('spec, current, image_id, expected', [
    ({}, {}, None, []),
    ({'image': 'app:1'}, {}, IMAGE_ID, []),
    ({'image': 'app:2'}, {}, NEW_IMAGE_ID, ['image: app:2 is a different image than the container has']),
    ({'image': 'app:2'}, {}, None, []),
    ({'command': 'sleep 1d'}, {}, None, []),
    ({'command': ['sleep', '2d']}, {}, None, ["command: ['sleep', '2d'] wanted, ['sleep', '1d'] found"]),
    ({'command': 'sleep 1d'}, {'cmd': None}, None, ["command: ['sleep', '1d'] wanted, None found"]),
    ({'entrypoint': '/init'}, {}, None, []),
    ({'entrypoint': ['/init', '-v']}, {}, None, ["entrypoint: ['/init', '-v'] wanted, ['/init'] found"]),
    ({'env': {'A': '1'}}, {}, None, []),
    ({'env': {'A': 1, 'EMPTY': ''}}, {}, None, []),
    ({'env': {'A': '2'}}, {}, None, ["env.A: '2' wanted, '1' found"]),
    ({'env': {'B': 'x', 'A': '3'}}, {}, None, ["env.A: '3' wanted, '1' found", "env.B: 'x' wanted, None found"]),
    ({'env': {'A': '1'}}, {'env': None}, None, ["env.A: '1' wanted, None found"]),
    ({'user': 'app'}, {}, None, []),
    ({'user': ''}, {'user': None}, None, []),
    ({'user': 'root'}, {}, None, ["user: 'root' wanted, 'app' found"]),
    ({'working_dir': '/srv'}, {}, None, []),
    ({'working_dir': '/app'}, {'working_dir': None}, None, ["working_dir: '/app' wanted, '' found"]),
    # compared as the engine stores the path (it cleans it, on create or on start)
    ({'working_dir': '/srv/'}, {}, None, []),
    ({'working_dir': '/a/../srv'}, {}, None, []),
    ({'working_dir': '//srv/.'}, {}, None, []),
    ({'working_dir': '/srv'}, {'working_dir': '/x/../srv/'}, None, []),
    ({'working_dir': '/a/../b'}, {}, None, ["working_dir: '/b' wanted, '/srv' found"]),
    ({'labels': {'tier': 'web'}}, {}, None, []),
    ({'labels': {}}, {}, None, []),
    ({'labels': {'tier': 'db'}}, {}, None, ["labels.tier: 'db' wanted, 'web' found"]),
    ({'labels': {'new': 'x'}}, {'labels': None}, None, ["labels.new: 'x' wanted, None found"]),
    ({'network_mode': 'app-net'}, {}, None, []),
    ({'network_mode': 'host'}, {}, None, ["network_mode: 'host' wanted, 'app-net' found"]),
    # 'bridge' and the engine's 'default' are the same network
    ({'network_mode': 'bridge'}, {'network_mode': 'default'}, None, []),
    ({'network_mode': 'default'}, {'network_mode': 'bridge'}, None, []),
    ({'network_mode': 'bridge'}, {'network_mode': 'bridge'}, None, []),
    ({'network_mode': 'bridge'}, {}, None, ["network_mode: 'bridge' wanted, 'app-net' found"]),
    ({'network_mode': 'default'}, {'network_mode': 'host'}, None, ["network_mode: 'default' wanted, 'host' found"]),
    ({'network_mode': 'host'}, {'network_mode': 'default'}, None, ["network_mode: 'host' wanted, 'default' found"]),
    ({'command': ''}, {}, None, []),
    ({'command': []}, {'cmd': None}, None, []),
    ({'restart_policy': 'no'}, {}, None, []),
    ({'restart_policy': 'no'}, {'restart': 'no'}, None, []),
    ({'restart_policy': 'always'}, {}, None, ["restart_policy: 'always' wanted, 'no' found"]),
    ({'restart_policy': 'no'}, {'restart': 'unless-stopped'}, None, ["restart_policy: 'no' wanted, 'unless-stopped' found"]),
    ({'command': 'x', 'user': 'root', 'restart_policy': 'always'}, {}, None,
     ["command: ['x'] wanted, ['sleep', '1d'] found", "user: 'root' wanted, 'app' found",
      "restart_policy: 'always' wanted, 'no' found"]),
])
def test_differences(spec, current, image_id, expected):
    container = detail('web', **dict(CURRENT, **current))
    assert ConsumerSpec('web', **spec).differences(container, image_id) == expected


def test_differences_without_restart_policy_in_inspect():
    container = detail('web', **CURRENT)
    del container.raw['HostConfig']['RestartPolicy']
    assert ConsumerSpec('web', restart_policy='no').differences(container, None) == []
    assert ConsumerSpec('web', running=True).differences(container, None) == []
