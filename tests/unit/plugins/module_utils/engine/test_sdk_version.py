# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The supported minimum of the Docker SDK and of the engine API, and what a module says below them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import check_sdk
from ansible_collections.persistent.volumes.plugins.module_utils.engine.info import engine_facts
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.engine.sdk_version import (
    MINIMUM_SDK,
    api_problem,
    at_least,
    sdk_problem,
    version_tuple,
)


def _collection_root(here):
    """The directory above ``here`` that holds galaxy.yml (the collection's root)."""
    while not os.path.exists(os.path.join(here, 'galaxy.yml')) and os.path.dirname(here) != here:
        here = os.path.dirname(here)
    return here


REPO = _collection_root(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize('text, expected', [
    ('7.1.0', (7, 1, 0)),
    ('7.2.0.dev3+g1234', (7, 2, 0)),
    ('v1.41', (1, 41)),
    ('1.41', (1, 41)),
    ('', None),
    (None, None),
    ('unknown', None),
])
def test_version_tuple(text, expected):
    assert version_tuple(text) == expected


@pytest.mark.parametrize('version, minimum, expected', [
    ('7.1.0', '7.1.0', True),
    ('7.1', '7.1.0', True),
    ('7.2.0', '7.1.0', True),
    ('10.0.0', '7.1.0', True),
    ('7.0.0', '7.1.0', False),
    ('6.1.3', '7.1.0', False),
    ('1.40', '1.41', False),
    ('1.43', '1.41', True),
    (None, '7.1.0', False),
])
def test_at_least(version, minimum, expected):
    assert at_least(version, minimum) is expected


def test_sdk_problem_names_the_sdk_the_interpreter_and_the_fix():
    assert sdk_problem('7.1.0', '/usr/bin/python3') is None
    assert sdk_problem('7.2.0', '/usr/bin/python3') is None
    assert sdk_problem('7.0.0', '/usr/bin/python3') == (
        'The Docker SDK for Python (docker) on /usr/bin/python3 is version 7.0.0; this collection needs 7.1.0 or '
        'newer (older releases cannot reach the engine with the requests library pip installs today: '
        '"Not supported URL scheme http+docker"). Install it with: '
        "/usr/bin/python3 -m pip install 'docker>=7.1.0' (a system Python that refuses it as "
        '"externally-managed-environment": run the playbook persistent.volumes.prepare_hosts, which makes a venv with '
        "the SDK, and set ansible_python_interpreter to the venv's python)")
    assert 'is version unknown;' in sdk_problem(None, '/venv/bin/python')


def test_api_problem_names_the_engine():
    assert api_problem('1.41', '20.10.24', 'unix:///var/run/docker.sock') is None
    assert api_problem('1.40', '19.03.15', 'tcp://old:2375') == (
        'The Docker engine at tcp://old:2375 (version 19.03.15) speaks API 1.40; this collection needs API 1.41 '
        'or newer (Docker Engine 20.10 or newer).')


class FakeSdk(object):
    def __init__(self, version):
        self.__version__ = version


def test_check_sdk_fails_naming_the_sdk(fake_api, engine_module, module_exit):
    module = engine_module(fake_api()).module
    check_sdk(module, FakeSdk('7.1.0'))  # supported: nothing happens
    with pytest.raises(module_exit) as caught:
        check_sdk(module, FakeSdk('7.0.0'))
    result = caught.value.result
    assert caught.value.failed and result['sdk_version'] == '7.0.0'
    assert result['msg'].startswith('The Docker SDK for Python (docker) on %s is version 7.0.0;' % result['python'])
    assert 'engine at' not in result['msg'] and "-m pip install 'docker>=7.1.0'" in result['msg']


def test_engine_facts():
    version = {'Version': '20.10.24', 'ApiVersion': '1.41', 'Os': 'linux'}
    assert engine_facts(version, 'unix:///s') == dict(engine=version, docker_host='unix:///s',
                                                      minimum_api_version='1.41')
    with pytest.raises(EngineError, match=r'^The Docker engine at unix:///s \(version 19.03\) speaks API 1.40;'):
        engine_facts({'Version': '19.03', 'ApiVersion': '1.40'}, 'unix:///s')


def _read(path):
    """The file's text with each run of spaces and line breaks made one space."""
    with open(os.path.join(REPO, path)) as handle:
        return re.sub(r'\s+', ' ', handle.read())


@pytest.mark.parametrize('path, pattern', [
    ('requirements.txt', r'(?:^| )docker>=(\S+)(?: |$)'),
    ('plugins/doc_fragments/docker.py', r'Docker SDK for Python \(C\(docker\)\) (\S+) or newer'),
    ('README.md', r"pip install 'docker>=(\S+)'"),
    ('playbooks/prepare_hosts.yml', r"default\('docker>=(\S+)'\)"),
    ('roles/data_volume_container/tasks/main.yml', r'Docker SDK for Python (\S+) or newer'),
    ('roles/data_volume_container/README.md', r'Docker SDK for Python (\S+) or newer'),
    ('plugins/modules/engine_info.py', r'Docker SDK for Python \(C\(docker\)\) (\S+) or'),
])
def test_every_declaration_names_the_same_minimum(path, pattern):
    found = re.findall(pattern, _read(path))
    assert found and set(found) == {MINIMUM_SDK}, (path, found)
