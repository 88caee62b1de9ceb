# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The installed collection through ansible-playbook and ansible-doc."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import subprocess

import pytest

from conftest import own_problems, venv_tool

PLAYBOOK = '''
- name: Volumes through a real play
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/persistent.volumes.docker:
      docker_host: unix:///var/run/docker.sock
      timeout: 30
  tasks:
    - name: Predict the creation
      persistent.volumes.volume:
        name: %(name)s
        labels: {tier: db}
      check_mode: true
      register: predicted
    - name: Create
      persistent.volumes.volume:
        name: %(name)s
        labels: {tier: db}
      diff: true
      register: created
    - name: Again
      persistent.volumes.volume:
        name: %(name)s
        labels: {tier: db}
      register: again
    - name: Report it
      persistent.volumes.volume_info:
        name: %(name)s
      register: info
    - name: Remove it
      persistent.volumes.volume:
        name: %(name)s
        state: absent
      register: removed
    - name: Check what happened
      ansible.builtin.assert:
        that:
          - predicted is changed
          - created is changed
          - created.diff.after.labels.tier == 'db'
          - again is not changed
          - info.exists
          - info.volumes[0].labels.tier == 'db'
          - removed is changed
'''


def play(tmp_path, ansible_env, text, *options):
    path = tmp_path / 'play.yml'
    path.write_text(text)
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local', str(path)]
                          + list(options), env=ansible_env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=600, check=False)
    return proc.returncode, proc.stdout.decode()


def test_module_defaults_group_check_and_diff(lab, tmp_path, ansible_env):
    code, output = play(tmp_path, ansible_env, PLAYBOOK % dict(name=lab.name('v')))
    assert code == 0, output
    assert 'failed=0' in output and 'changed=3' in output
    assert not lab.volume_exists(lab.name('v'))


def test_module_defaults_group_reaches_every_module(lab, tmp_path, ansible_env):
    text = PLAYBOOK.replace('unix:///var/run/docker.sock', 'unix:///nonexistent/docker.sock')
    code, output = play(tmp_path, ansible_env, text % dict(name=lab.name('v')))
    assert code != 0
    assert 'Cannot talk to the Docker engine at unix:///nonexistent/docker.sock' in output


@pytest.mark.parametrize('module', ['volume', 'volume_info', 'data_container', 'volumes_from', 'bind_mount', 'layout',
                                    'volume_backup', 'volume_restore'])
def test_ansible_doc_renders(module, ansible_env):
    proc = subprocess.run([venv_tool('ansible-doc'), 'persistent.volumes.%s' % module], env=ansible_env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, check=False)
    text = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    for heading in ('OPTIONS', 'ATTRIBUTES', 'EXAMPLES', 'RETURN VALUES', 'docker_host', 'api_calls'):
        assert heading in text, heading
    assert not own_problems(proc.stderr.decode()), proc.stderr.decode()
