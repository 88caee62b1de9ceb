# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/prepare_hosts.yml gives a host a venv with the Docker SDK at the supported minimum,
made from the host's own /usr/bin/python3 (whose pip refuses to install into it, PEP 668), and
the plays after it in the same run use that venv."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import subprocess

import yaml

from conftest import venv_tool

SITE = '''
- name: Prepare the hosts
  ansible.builtin.import_playbook: persistent.volumes.prepare_hosts

- name: The modules with the prepared venv
  hosts: docker_hosts
  gather_facts: false
  become: true
  tasks:
    - name: Can this host run the modules?
      persistent.volumes.engine_info:
      register: info

    - name: Show the interpreter
      ansible.builtin.debug:
        msg: "interpreter {{ info.python }} sdk {{ info.sdk_version }} minimum {{ info.minimum_sdk_version }}"
'''


def run(tmp_path, ansible_env, playbook, *options):
    inventory = tmp_path / 'inventory.yml'
    # The inventory names the system Python, as a fresh host has it.
    inventory.write_text(yaml.safe_dump({'docker_hosts': {'hosts': {'pv_fresh': {}}, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': '/usr/bin/python3'}}}))
    play = tmp_path / 'site.yml'
    play.write_text(SITE)
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', str(inventory), playbook or str(play),
                           '-e', 'prepare_venv=%s' % (tmp_path / 'venv')] + list(options),
                          cwd=str(tmp_path), env=ansible_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=900, check=False)
    output = ' '.join(proc.stdout.decode().split())
    assert proc.returncode == 0, output
    return output


def test_prepare_hosts_makes_a_venv_the_next_plays_use(tmp_path, ansible_env):
    venv = tmp_path / 'venv'
    output = run(tmp_path, ansible_env, 'persistent.volumes.prepare_hosts', '--check')
    assert not venv.exists() and 'Docker SDK for Python (not installed yet)' in output
    output = run(tmp_path, ansible_env, None)
    assert 'set ansible_python_interpreter=%s/bin/python for pv_fresh' % venv in output
    assert 'interpreter %s/bin/python sdk 7.' % venv in output
    assert 'pv_fresh : ok=8 changed=1 ' in output
    output = run(tmp_path, ansible_env, None)
    assert 'pv_fresh : ok=8 changed=0 ' in output
