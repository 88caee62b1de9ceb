# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The data playbooks on lab hosts reached as users reach theirs (scripts/fleet-up.sh): over SSH
as the non-root user pvlab, by their FQCN, becoming root for the engine's socket and the backup
directory (made 0700 by root)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess

import pytest

from conftest import RUN_ID, venv_tool
from lab import Fleet

DATA = 'pvfb-%s-data' % RUN_ID
CREATE = '''
- name: A data container on the first lab host
  hosts: docker_hosts
  gather_facts: false
  become: true
  tasks:
    - name: The data container
      persistent.volumes.data_container:
        name: %s
        volumes: [/data]
''' % DATA


@pytest.fixture(scope='module')
def fleet():
    with Fleet(2) as lab:
        yield lab


def playbook(fleet, ansible_env, cwd, target, *options):
    env = dict(ansible_env, PWD=str(cwd))
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the lab's inventory names its hosts' Python
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', fleet.inventory, target] + list(options),
                          cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600,
                          check=False)
    return proc.returncode, ' '.join(proc.stdout.decode().split())


def test_backup_and_restore_as_a_non_root_ssh_user(fleet, tmp_path, ansible_env):
    host, other = fleet.hosts[0], fleet.hosts[1]
    backups = str(tmp_path / 'backups')
    create = tmp_path / 'create.yml'
    create.write_text(CREATE)
    try:
        code, output = playbook(fleet, ansible_env, tmp_path, str(create), '-l', host)
        assert code == 0, output
        code, output = playbook(fleet, ansible_env, tmp_path, 'persistent.volumes.backup', '-l', host,
                                '-e', 'backup_containers=%s' % DATA, '-e', 'backup_dir=%s' % backups, '-e', 'backup_keep=2')
        assert code == 0 and 'changed=3' in output, output  # the directory, the host's in it, the archive
        for made in (backups, os.path.join(backups, host)):
            info = os.stat(made)
            assert info.st_uid == 0 and info.st_mode & 0o777 == 0o700  # root's, as root made it over become
        common = ['-e', 'restore_container=%s' % DATA, '-e', 'restore_dir=%s' % backups]

        code, output = playbook(fleet, ansible_env, tmp_path, 'persistent.volumes.restore', *common)
        assert code != 0 and 'would restore on 2 hosts (%s, %s)' % (host, other) in output, output
        code, output = playbook(fleet, ansible_env, tmp_path, 'persistent.volumes.restore', '-l', host, '--check',
                                *common)
        assert code == 0 and 'would restore from %s/%s/%s.' % (backups, host, DATA) in output, output
        code, output = playbook(fleet, ansible_env, tmp_path, 'persistent.volumes.restore', '-l', host, *common)
        assert code == 0 and 'restored from %s/%s/%s.' % (backups, host, DATA) in output, output
    finally:
        client = fleet.api(host)
        for container in client.containers(all=True, filters={'name': DATA}):
            client.remove_container(container['Id'], v=True, force=True)
