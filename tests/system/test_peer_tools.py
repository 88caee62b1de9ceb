# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Containers made by community.docker's docker_container (pinned; ``make peer-tools``) and by
docker-compose (Debian's package), rewired by volumes_from: running the tool that made them
again, with its own definition, does not fight the rewire. What the module docs promise:

* the same definition again leaves the rewired container alone (the tool changes nothing);
* a definition that also names the data container in its ``volumes_from`` (what the docs
  tell users to add, so that a later change of the definition keeps the wiring) agrees with
  the rewired container: persistent.volumes reports no change afterwards, and the data is
  still there."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import random
import re
import shutil
import subprocess

import pytest

import app_lab
from app_lab import address, resolve, run_as_root, user_aliases
from conftest import IMAGE, LOOP, RUN_ID, run_module, venv_tool


front = app_lab.front  # a fixture, found by pytest under this name

PEER_COLLECTIONS = os.path.join(os.getcwd(), '.build', 'peer-collections')


def wire(app, data, check=False):
    result = run_module('volumes_from', {'container': app, 'from': [data]}, check=check)
    assert result['rc'] == 0, result
    return result


def data_with_file(lab, api):
    data = lab.name('dc')
    assert run_module('data_container', {'name': data, 'volumes': ['/datastore']})['rc'] == 0
    lab.write('/datastore/f', 'precious', volumes_from=[data])
    return data


# --- community.docker.docker_container ----------------------------------------------------

PLAYBOOK = '''
- name: The application, as community.docker makes it
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Application container
      community.docker.docker_container:
        name: "{{ app }}"
        image: %(image)s
        command: %(command)s
        hostname: app1
        networks:
          - name: "{{ front }}"
            aliases: [api]
            ipv4_address: "{{ static }}"
        published_ports: ["127.0.0.1:{{ app_port }}:8080"]
        env:
          A: "1"
        labels:
          team: blue
          pvtest: "%(run_id)s"
        restart_policy: unless-stopped
        volumes: [/own]
        volumes_from: "{{ wired | default(omit) }}"
        state: started
'''


def docker_container(ansible_env, tmp_path, variables):
    """Run the playbook above with community.docker on the collections path; the play's recap."""
    if not os.path.isdir(os.path.join(PEER_COLLECTIONS, 'ansible_collections', 'community', 'docker')):
        pytest.fail('community.docker is missing from %s: make system installs it (make peer-tools)' % PEER_COLLECTIONS)
    playbook = tmp_path / 'app.yml'
    playbook.write_text(PLAYBOOK % dict(image=IMAGE, command=json.dumps(LOOP), run_id=RUN_ID))
    env = dict(ansible_env, ANSIBLE_COLLECTIONS_PATH=PEER_COLLECTIONS + os.pathsep + ansible_env['ANSIBLE_COLLECTIONS_PATH'])
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local', str(playbook),
                           '-e', json.dumps(variables)], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return re.search(r'localhost\s*:\s*ok=\d+\s+changed=(\d+)', proc.stdout).group(1), proc.stdout


def test_docker_container_and_volumes_from_do_not_fight(lab, api, front, ansible_env, tmp_path):
    network, prefix = front
    app, static = lab.name('app'), prefix + '.10'
    variables = dict(app=app, front=network, static=static, app_port=random.randint(20000, 29999))
    assert docker_container(ansible_env, tmp_path, variables)[0] == '1'
    assert run_as_root(api, app, 'echo mine > /own/f') == (0, '')
    data = data_with_file(lab, api)
    before = api.inspect_container(app)
    assert wire(app, data)['recreated'] is True
    rewired = api.inspect_container(app)
    assert rewired['HostConfig']['VolumesFrom'] == ['%s:rw' % data]
    assert address(rewired, network) == static and user_aliases(rewired, network) == user_aliases(before, network)

    changed, output = docker_container(ansible_env, tmp_path, variables)     # the same definition again
    assert changed == '0', output
    variables['wired'] = ['%s:rw' % data]                                     # what the docs say to add
    changed, output = docker_container(ansible_env, tmp_path, variables)
    assert changed == '0', output
    assert api.inspect_container(app)['Id'] == rewired['Id']
    assert wire(app, data)['changed'] is False
    assert run_as_root(api, app, 'cat /own/f /datastore/f') == (0, 'mine\nprecious')


# --- docker-compose ----------------------------------------------------------------------

COMPOSE = '''version: "2.4"
services:
  app:
    image: %(image)s
    command: %(command)s
    hostname: app1
    networks:
      front:
        aliases: [api]
        ipv4_address: %(static)s
    ports: ["127.0.0.1:%(port)d:8080"]
    environment:
      A: "1"
    labels:
      team: blue
      pvtest: "%(run_id)s"
    restart: unless-stopped
    volumes: [/own]
%(volumes_from)s
networks:
  front:
    external: true
    name: %(network)s
'''


def compose(project, tmp_path, settings, *args):
    binary = shutil.which('docker-compose')
    if binary is None:
        pytest.fail('docker-compose is missing: make system installs it (scripts/apt-deps.sh)')
    path = tmp_path / 'docker-compose.yml'
    path.write_text(COMPOSE % settings)
    proc = subprocess.run([binary, '-p', project, '-f', str(path)] + list(args), capture_output=True, text=True,
                          timeout=300, check=False, env=dict(os.environ, COMPOSE_INTERACTIVE_NO_CLI='1'))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def test_docker_compose_and_volumes_from_do_not_fight(lab, api, front, tmp_path):
    network, prefix = front
    project, static = lab.name('compose'), prefix + '.10'
    settings = dict(image=IMAGE, command=json.dumps(LOOP), static=static, port=random.randint(20000, 29999),
                    run_id=RUN_ID, network=network, volumes_from='')
    compose(project, tmp_path, settings, 'up', '-d')
    app = '%s_app_1' % project
    assert run_as_root(api, app, 'echo mine > /own/f') == (0, '')
    data = data_with_file(lab, api)
    assert wire(app, data)['recreated'] is True
    rewired = api.inspect_container(app)
    assert address(rewired, network) == static and 'api' in user_aliases(rewired, network)

    output = compose(project, tmp_path, settings, 'up', '-d')                 # the same definition again
    assert 'is up-to-date' in output, output
    assert api.inspect_container(app)['Id'] == rewired['Id']
    assert wire(app, data)['changed'] is False

    # What the docs say to add, so that compose's own recreations (after any change of the service)
    # keep the wiring: compose recreates once, itself, with the same volumes; then no one changes anything.
    settings['volumes_from'] = '    volumes_from: ["container:%s"]' % data
    compose(project, tmp_path, settings, 'up', '-d')
    assert 'is up-to-date' in compose(project, tmp_path, settings, 'up', '-d')
    assert wire(app, data)['changed'] is False
    now = api.inspect_container(app)
    assert address(now, network) == static and resolve(api, app, 'api') == [static]
    assert run_as_root(api, app, 'cat /own/f /datastore/f') == (0, 'mine\nprecious')
