# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/migrate.yml between two lab hosts with a named volume; the data container
made on the target has the source's named volume under the same name, the data is restored into
it, and the target's declared layout (the role's) then agrees with it: its run changes nothing.

Uses the shared fleet lab: run under ``flock /tmp/pv-fleet.lock``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

import pytest

from conftest import LOOP, venv_tool
from lab import REPO, Fleet
from test_fleet import recap, sh

IMAGE = 'local/busybox:latest'
DC, VOLUME, APP = 'pvm_dc', 'pvm_pgdata', 'pvm_app'
HEX64 = '0123456789abcdef'


@pytest.fixture(scope='module')
def fleet():
    with Fleet(2) as lab:
        yield lab


def run_playbook(ansible_env, fleet, playbook, *args):
    env = dict(ansible_env)
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the lab's inventory names the hosts' Python
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', fleet.inventory, '--become'] + list(args) + [playbook],
                          cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, universal_newlines=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


def source_data(api):
    """On the source: a data container with a named volume at /data and an anonymous one at /logs."""
    api.create_volume(VOLUME)
    api.create_container(IMAGE, command=['true'], name=DC, volumes=['/data', '/logs'],
                         host_config=api.create_host_config(binds=['%s:/data' % VOLUME]))
    writer = api.create_container(IMAGE, command=['sh', '-c', 'echo v1-good > /data/f; echo log > /logs/g'],
                                  host_config=api.create_host_config(volumes_from=[DC]))
    api.start(writer)
    assert api.wait(writer, timeout=60)['StatusCode'] == 0
    api.remove_container(writer)


def test_migrate_keeps_a_named_volume_named(fleet, ansible_env, tmp_path):
    source, target = fleet.hosts[0], fleet.hosts[1]
    source_data(fleet.api(source))
    work = tmp_path / 'work'
    options = ['-e', 'migrate_container=%s' % DC, '-e', 'migrate_source=%s' % source, '-e', 'migrate_target=%s' % target,
               '-e', 'migrate_dir=%s' % work, '-e', 'migrate_controller_dir=%s' % (tmp_path / 'controller')]
    migrate = os.path.join(REPO, 'playbooks', 'migrate.yml')
    output = run_playbook(ansible_env, fleet, migrate, *options)
    assert recap(output)[target]['failed'] == 0 and 'checksums match' in output, output

    api = fleet.api(target)
    mounted = dict((m['Destination'], m['Name']) for m in api.inspect_container(DC)['Mounts'])
    assert mounted['/data'] == VOLUME and len(mounted['/logs']) == 64 and not mounted['/logs'].strip(HEX64)
    assert not [v for v in api.volumes()['Volumes'] if v['Name'].startswith(VOLUME + '.previous-')]  # it was new

    # the target's declared layout, as the role applies it, agrees with what arrived
    variables = tmp_path / 'layout.json'
    variables.write_text(json.dumps({
        'data_volume_container_data_containers': [{'name': DC, 'volumes': ['%s:/data' % VOLUME, '/logs']}],
        'data_volume_container_consumers': [{'container': APP, 'from': [DC], 'image': IMAGE, 'command': LOOP,
                                             'running': True}],
    }))
    site = os.path.join(REPO, 'playbooks', 'site.yml')
    first = run_playbook(ansible_env, fleet, site, '-e', '@%s' % variables, '--limit', target)
    assert recap(first)[target]['failed'] == 0, first
    assert sh(api, APP, 'cat /data/f /logs/g') == (0, 'v1-good\nlog')
    dc_id = api.inspect_container(DC)['Id']
    again = run_playbook(ansible_env, fleet, site, '-e', '@%s' % variables, '--limit', target)
    assert recap(again)[target]['changed'] == 0, again
    assert api.inspect_container(DC)['Id'] == dc_id

    # migrating again: the same data is not restored again, and nothing is kept twice
    output = run_playbook(ansible_env, fleet, migrate, *options)
    assert 'checksums match' in output and api.inspect_container(DC)['Id'] == dc_id
    assert sh(api, APP, 'cat /data/f') == (0, 'v1-good')
    assert not [v for v in api.volumes()['Volumes'] if v['Name'].startswith(VOLUME + '.previous-')]
