# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's checks: one task per host whatever the lists hold - the layout task itself reads every
list with its parser and checks the host's Docker SDK and engine, failing before anything is changed
with a message that names the offending variable and item - and a run shows that one task line per
host besides argument validation, with backups or without (they are taken in that task; the copy to a
backup host is a handler, notified only when archives have no recorded copy there)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess

import pytest

from conftest import DOCKER_HOST, IMAGE, RUN_ID, venv_tool
from ansible_collections.persistent.volumes.plugins.module_utils.engine.sdk_version import PREPARE_HINT
from test_sdk_minimum import MINIMUM, OLD_SDK, OLD_SDK_LOCK, throwaway_venv

PLAYBOOK = '''
- name: The role on the local engine
  hosts: localhost
  gather_facts: false
  roles:
    - role: persistent.volumes.data_volume_container
'''
CONVERGE = "Converge the host's volumes, data containers and consumers"


def name(suffix):
    return 'pvt-%s-pre-%s' % (RUN_ID, suffix)


def run_role(tmp_path, ansible_env, variables, python, *options):
    (tmp_path / 'vars.json').write_text(json.dumps(variables))
    (tmp_path / 'play.yml').write_text(PLAYBOOK)
    env = dict(ansible_env)
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                           '-e', 'ansible_python_interpreter=%s' % python, '-e', '@%s' % (tmp_path / 'vars.json'),
                           str(tmp_path / 'play.yml')] + list(options), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=600, check=False)
    return proc.returncode, proc.stdout


def tasks(output):
    return re.findall(r'^TASK \[(?:persistent\.volumes\.data_volume_container : )?(.*?)\] \*', output, re.M)


def failure(output):
    found = re.search(r'^fatal: \[localhost\]: FAILED! => (.*)$', output, re.M)
    assert found, output
    return json.loads(found.group(1))['msg']


def consumer(container, *sources):
    return {'container': container, 'from': list(sources), 'image': IMAGE, 'command': ['sleep', '60']}


@pytest.mark.parametrize('variables, message', [
    pytest.param({'data_volume_container_data_containers': [{'name': name('d'), 'volumes': ['/a']}],
                  'data_volume_container_consumers': [consumer(name('c'), name('d'), name('gone') + ':ro')]},
                 "data_volume_container_consumers[0] (%s): wired to %s, which is not declared in "
                 "data_volume_container_data_containers (declared: %s)." % (name('c'), name('gone'), name('d')),
                 id='undeclared-data-container'),
    pytest.param({'data_volume_container_data_containers': [{'name': name('d'), 'volumes': ['/a', '/b', '/a']}]},
                 'data_volume_container_data_containers[0] (%s): volumes[2] (/a): container path /a is already used '
                 'by volumes[0]; each path may appear once.' % name('d'), id='path-twice'),
    pytest.param({'data_volume_container_data_containers': [{'name': name('d')}],
                  'data_volume_container_consumers': [consumer(name('d'))]},
                 "data_volume_container_consumers[0] (%s): container %r is already declared by data_containers[0]"
                 % (name('d'), name('d')), id='name-twice'),
    pytest.param({'data_volume_container_volumes': [{'name': name('v'), 'recreate': 'always'}]},
                 'data_volume_container_volumes[0] (%s): value of recreate must be one of: never, options-changed, '
                 'got: always' % name('v'), id='bad-choice'),
])
def test_the_lists_are_checked_in_one_task_before_any_change(tmp_path, ansible_env, api, variables, message):
    rc, output = run_role(tmp_path, ansible_env, variables, venv_tool('python'))
    assert rc != 0
    assert message in failure(output)
    assert tasks(output)[-1] == CONVERGE, output
    assert not api.containers(all=True, filters={'name': name('')})


def test_one_task_per_host_whatever_the_lists_hold(tmp_path, ansible_env):
    variables = {
        'data_volume_container_data_containers': [{'name': name('d%02d' % i), 'volumes': ['/data', '/logs']}
                                                  for i in range(30)],
        'data_volume_container_consumers': [consumer(name('c%02d' % i), name('d%02d' % i)) for i in range(30)],
    }
    rc, output = run_role(tmp_path, ansible_env, variables, venv_tool('python'), '--check')
    assert rc == 0, output
    assert 'item=' not in output
    assert ran_tasks(output) == [CONVERGE], output
    assert 'skipping:' not in output and 'RUNNING HANDLER' not in output, output


def ran_tasks(output):
    return [task for task in tasks(output) if not task.startswith('Validating arguments against arg spec')]


def test_an_idempotent_run_with_backups_shows_one_task(tmp_path, ansible_env, api):
    variables = {'data_volume_container_data_containers': [{'name': name('bk'), 'volumes': ['/data']}],
                 'data_volume_container_backup_dir': str(tmp_path / 'backups'),
                 'data_volume_container_backup_keep': 2,
                 'data_volume_container_docker_host': DOCKER_HOST}  # the engine under test (the Docker 26 lane's too)
    try:
        rc, output = run_role(tmp_path, ansible_env, variables, venv_tool('python'))
        assert rc == 0 and re.search(r'localhost\s+: ok=\d+\s+changed=1 ', output), output
        assert len(os.listdir(str(tmp_path / 'backups' / 'localhost'))) == 2  # the archive and its manifest
        rc, output = run_role(tmp_path, ansible_env, variables, venv_tool('python'))
        assert rc == 0 and re.search(r'localhost\s+: ok=\d+\s+changed=0 ', output), output
        assert ran_tasks(output) == [CONVERGE], output
        assert 'skipping:' not in output and 'RUNNING HANDLER' not in output, output
    finally:
        for container in api.containers(all=True, filters={'name': name('bk')}):
            api.remove_container(container['Id'], v=True, force=True)
        for volume in api.volumes(filters={'label': 'persistent.volumes.anonymous-for=%s' % name('bk')})['Volumes'] or []:
            api.remove_volume(volume['Name'])  # the data container's volumes are named, so that they outlive it


def test_the_layout_task_names_an_old_sdk_and_its_interpreter(tmp_path, ansible_env, api):
    python = throwaway_venv('docker-' + OLD_SDK, OLD_SDK_LOCK)
    rc, output = run_role(tmp_path, ansible_env, {
        'data_volume_container_data_containers': [{'name': name('d'), 'volumes': ['/a']}]}, python)
    assert rc != 0 and tasks(output)[-1] == CONVERGE, output
    assert failure(output) == (
        'The Docker SDK for Python (docker) on %s is version %s; this collection needs %s or newer (older releases '
        'cannot reach the engine with the requests library pip installs today: "Not supported URL scheme '
        'http+docker"). Install it with: %s -m pip install \'docker>=%s\' %s'
        % (python, OLD_SDK, MINIMUM, python, MINIMUM, PREPARE_HINT))
    assert not api.containers(all=True, filters={'name': name('')})
