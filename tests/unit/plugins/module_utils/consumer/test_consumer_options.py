# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consumer option table and what reads it: the doc fragment ansible-doc renders says what the
table declares (argument spec and description of every option), and the argument spec, the
differences and the create request come from the table."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.persistent.volumes.plugins.doc_fragments.consumer import ModuleDocFragment
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import (
    CONSUMER_ARGS,
    OPTIONS,
    apply_options,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec

FRAGMENT = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
SPEC_KEYS = ('type', 'required', 'default', 'choices', 'elements')


def as_list(text):
    return [text] if isinstance(text, str) else list(text)


def test_the_fragment_documents_exactly_the_table():
    assert list(FRAGMENT) == [option.name for option in OPTIONS]


@pytest.mark.parametrize('option', OPTIONS, ids=lambda option: option.name)
def test_the_fragment_says_what_the_table_declares(option):
    documented = FRAGMENT[option.name]
    assert as_list(documented['description']) == option.doc
    for key in SPEC_KEYS:
        assert documented.get(key) == option.spec.get(key), key
    assert CONSUMER_ARGS[option.name] == option.spec


class Inspect(object):
    def __init__(self, raw):
        self.raw = raw
        self.image_id = 'sha256:old'


@pytest.mark.parametrize('wanted, raw, expected', [
    (dict(command='sleep 1'), {'Config': {'Cmd': ['sleep', '1']}}, []),
    (dict(command='sleep 2'), {'Config': {'Cmd': ['sleep', '1']}}, ["command: ['sleep', '2'] wanted, ['sleep', '1'] found"]),
    (dict(env={'A': '1'}), {'Config': {'Env': ['A=1', 'B=2']}}, []),
    (dict(labels={'a': 'b'}), {'Config': {'Labels': {'a': 'c', 'x': 'y'}}}, ["labels.a: 'b' wanted, 'c' found"]),
    (dict(network_mode='default'), {'HostConfig': {'NetworkMode': 'bridge'}}, []),
    (dict(restart_policy='no'), {'HostConfig': {}}, []),
    (dict(restart_policy='always'), {'HostConfig': {'RestartPolicy': {'Name': 'no'}}},
     ["restart_policy: 'always' wanted, 'no' found"]),
])
def test_differences_come_from_the_table(wanted, raw, expected):
    assert ConsumerSpec('web', **wanted).differences(Inspect(raw), None) == expected


def test_the_create_request_comes_from_the_table():
    spec = ConsumerSpec('web', command='sleep 9', env={'B': '2'}, user='app', working_dir='/srv/',
                        labels={'tier': 'web'}, network_mode='host', restart_policy='on-failure')
    config = {'Env': ['A=1', 'B=1'], 'Labels': {'persistent.volumes.replaces': 'x', 'keep': 'me'}}
    host = {'RestartPolicy': {'Name': 'always', 'MaximumRetryCount': 0}}
    apply_options(config, host, spec.values())
    assert config == {'Cmd': ['sleep', '9'], 'Env': ['A=1', 'B=2'], 'User': 'app', 'WorkingDir': '/srv',
                      'Labels': {'keep': 'me', 'tier': 'web'}}
    assert host == {'NetworkMode': 'host', 'RestartPolicy': {'Name': 'on-failure', 'MaximumRetryCount': 0}}
