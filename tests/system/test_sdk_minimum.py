# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A host whose Python has no Docker SDK, or one older than the supported minimum: the modules
and the role's preflight say so, naming the SDK, the interpreter and the install command, never
blaming the engine. The old SDK is the real one, from PyPI, in a throwaway venv of .build/ made from
lock/sdk-old.txt (docker 7.0.0 beside the requests pip resolves for it)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import docker
import pytest

from conftest import DOCKER_HOST, venv_tool
from ansible_collections.persistent.volumes.plugins.module_utils.engine.sdk_version import PREPARE_HINT
from lab import REPO

OLD_SDK = '7.0.0'   # the newest release below the minimum: it fails with today's requests
MINIMUM = '7.1.0'


LOCK_DIR = os.environ.get('PV_LOCK_DIR') or os.path.join(REPO, 'lock')
OLD_SDK_LOCK = os.path.join(LOCK_DIR, 'sdk-old.txt')


def throwaway_venv(name, lock=None):
    """A venv of its own below .build/sdk-venvs: empty, or exactly what the lock file lists
    (hash-checked), made again when the lock changes."""
    path = os.path.join(REPO, '.build', 'sdk-venvs', name)
    stamp = os.path.join(path, '.made')
    want = open(lock, 'rb').read().decode() if lock else ''
    if not os.path.exists(stamp) or open(stamp).read() != want:
        subprocess.run([sys.executable, '-m', 'venv', '--clear', path], check=True)
        if lock:
            subprocess.run([os.path.join(path, 'bin', 'python'), '-m', 'pip', 'install', '--quiet',
                            '--disable-pip-version-check', '--require-hashes', '--no-deps', '-r', lock],
                           check=True, stdin=subprocess.DEVNULL)
        with open(stamp, 'w') as made:
            made.write(want)
    return os.path.join(path, 'bin', 'python')


@pytest.fixture(scope='module')
def old_sdk_python():
    return throwaway_venv('docker-' + OLD_SDK, OLD_SDK_LOCK)


@pytest.fixture(scope='module')
def no_sdk_python():
    return throwaway_venv('no-docker')


def adhoc(ansible_env, module, python, args='', check=False):
    """``ansible localhost -m MODULE`` with ``python`` as the managed node's interpreter: the result."""
    env = dict(ansible_env)
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)
    proc = subprocess.run([venv_tool('ansible'), 'localhost', '-c', 'local', '-m', module, '-a', args,
                           '-e', 'ansible_python_interpreter=%s' % python] + (['--check'] if check else []),
                          env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=300, check=False)
    found = re.search(r'^localhost \| (\S+) => ', proc.stdout, re.M)
    assert found, proc.stdout
    result = json.loads(proc.stdout[found.end():])
    result['status'] = found.group(1)  # SUCCESS, CHANGED, FAILED!
    return proc.returncode, result


def test_the_old_sdk_really_fails_with_todays_requests(old_sdk_python):
    """Why the minimum is what it is: the SDK below it cannot reach the engine at all."""
    proc = subprocess.run([old_sdk_python, '-c', 'import docker; print(docker.__version__); '
                           'docker.APIClient(base_url="%s", version="auto").version()' % DOCKER_HOST],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.stdout.startswith(OLD_SDK + '\n') and proc.returncode != 0
    assert 'Not supported URL scheme http+docker' in proc.stdout


@pytest.mark.parametrize('module', ['persistent.volumes.volume_info', 'persistent.volumes.engine_info'])
def test_a_module_meeting_an_old_sdk_names_the_sdk(ansible_env, old_sdk_python, module):
    rc, result = adhoc(ansible_env, module, old_sdk_python)
    assert rc != 0 and result['status'] == 'FAILED!' and not result.get('changed')
    assert result['msg'].startswith('The Docker SDK for Python (docker) on %s is version %s; this collection needs '
                                    '%s or newer' % (old_sdk_python, OLD_SDK, MINIMUM)), result['msg']
    assert result['msg'].endswith("Install it with: %s -m pip install 'docker>=%s' %s"
                                  % (old_sdk_python, MINIMUM, PREPARE_HINT)), result['msg']
    assert 'Docker engine' not in result['msg'] and 'Traceback' not in result['msg']
    assert result['sdk_version'] == OLD_SDK


def test_a_module_without_sdk_names_the_interpreter_and_the_command(ansible_env, no_sdk_python):
    rc, result = adhoc(ansible_env, 'persistent.volumes.engine_info', no_sdk_python)
    assert rc != 0 and result['status'] == 'FAILED!'
    assert 'docker (the Docker SDK for Python)' in result['msg'] and no_sdk_python in result['msg']
    assert result['msg'].endswith("install it with: %s -m pip install 'docker>=%s' %s"
                                  % (no_sdk_python, MINIMUM, PREPARE_HINT)), result['msg']


@pytest.mark.parametrize('check', [False, True], ids=['run', 'check'])
def test_engine_info_reports_the_host(ansible_env, check):
    rc, result = adhoc(ansible_env, 'persistent.volumes.engine_info', sys.executable, check=check)
    assert rc == 0 and result['status'] == 'SUCCESS' and result['changed'] is False, result
    assert result['sdk_version'] == docker.__version__ and result['minimum_sdk_version'] == MINIMUM
    assert result['python'] == sys.executable and result['docker_host'] == DOCKER_HOST
    api = docker.APIClient(base_url=DOCKER_HOST, version='auto')
    try:
        assert result['engine']['Version'] == api.version()['Version']
    finally:
        api.close()
    assert result['engine']['ApiVersion'] >= '1.41' and result['minimum_api_version'] == '1.41'
    assert result['api_calls'] == 2


def test_engine_info_names_a_missing_engine(ansible_env, tmp_path):
    rc, result = adhoc(ansible_env, 'persistent.volumes.engine_info', sys.executable,
                       'docker_host=unix://%s' % (tmp_path / 'nothing.sock'))
    assert rc != 0 and result['status'] == 'FAILED!'
    assert result['msg'] == ('Cannot talk to the Docker engine at unix://%s: the socket does not exist (is the Docker '
                             'engine running?)' % (tmp_path / 'nothing.sock'))
