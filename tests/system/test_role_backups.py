# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's backups keep dated generations, through ansible-playbook and the installed
collection: an application that corrupts its data does not overwrite the good copy, and
playbooks/restore.yml brings the previous generation back."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess

from conftest import DOCKER_HOST, venv_tool

ROLE_PLAY = '''
- name: The role with backups
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    data_volume_container_data_containers:
      - name: %(name)s
        volumes: [/data]
    data_volume_container_backup_dir: %(backups)s
    data_volume_container_backup_keep: 2
    data_volume_container_docker_host: %(docker_host)s
  roles:
    - persistent.volumes.data_volume_container
'''
STAMP = re.compile(r'^(.+)\.(\d{8}T\d{6}Z)\.tar\.gz$')
PLAYBOOKS = os.path.join(os.path.dirname(__file__), '..', '..', 'playbooks')


def playbook(ansible_env, path, *options):
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local', path] + list(options),
                          env=ansible_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False)
    output = proc.stdout.decode()
    assert proc.returncode == 0, output
    return output


def generations(directory, name):
    """The archives of ``name`` in ``directory``, newest first."""
    found = [entry for entry in os.listdir(directory) if STAMP.match(entry) and STAMP.match(entry).group(1) == name]
    return sorted(found, reverse=True)


def test_corrupted_data_is_restored_from_the_previous_generation(lab, tmp_path, ansible_env):
    name, backups = lab.name('dc'), str(tmp_path / 'backups')
    play = tmp_path / 'role.yml'
    play.write_text(ROLE_PLAY % dict(name=name, backups=backups, docker_host=DOCKER_HOST))
    playbook(ansible_env, str(play))                      # the data container, and a first generation
    backups, shared = os.path.join(backups, 'localhost'), backups  # each host below its inventory name
    first = generations(backups, name)
    lab.write('/data/db', 'good-data', volumes_from=[name])
    playbook(ansible_env, str(play))
    good = generations(backups, name)
    assert len(first) == 1 and len(good) == 2 and good[1] == first[0]
    playbook(ansible_env, str(play))                      # unchanged data: no new generation
    assert generations(backups, name) == good
    assert oct(os.stat(backups).st_mode & 0o777) == oct(0o700) == oct(os.stat(shared).st_mode & 0o777)

    lab.write('/data/db', 'corrupted-by-the-application', volumes_from=[name])
    playbook(ansible_env, str(play))
    now = generations(backups, name)
    assert len(now) == 2 and now[1] == good[0] and first[0] not in now  # keep: 2, the oldest went last
    assert sorted(os.listdir(backups)) == sorted(now + [entry + '.manifest.json' for entry in now])

    restore = os.path.join(PLAYBOOKS, 'restore.yml')
    options = ['-e', 'restore_hosts=localhost', '-e', 'restore_container=%s' % name, '-e', 'restore_dir=%s' % shared,
               '-e', 'ansible_python_interpreter=%s' % venv_tool('python'),
               '-e', 'data_volume_container_docker_host=%s' % DOCKER_HOST]
    output = playbook(ansible_env, restore, *(options + ['-e', 'restore_generation=1']))
    assert 'restored from %s' % os.path.join(backups, good[0]) in output
    assert lab.read('/data/db', volumes_from=[name]) == 'good-data'

    stamp = STAMP.match(now[0]).group(2)
    output = playbook(ansible_env, restore, *(options + ['-e', 'restore_generation=%s' % stamp]))
    assert lab.read('/data/db', volumes_from=[name]) == 'corrupted-by-the-application'
    playbook(ansible_env, restore, *options)              # the newest by default: the same, nothing to do
    assert lab.read('/data/db', volumes_from=[name]) == 'corrupted-by-the-application'


def test_restore_playbook_names_the_generations_when_the_chosen_one_is_missing(lab, tmp_path, ansible_env):
    backups = tmp_path / 'backups'
    (backups / 'localhost').mkdir(parents=True)
    (backups / 'localhost' / 'app.20240102T030405Z.tar.gz').write_text(u'x')
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                           os.path.join(PLAYBOOKS, 'restore.yml'), '-e', 'restore_hosts=localhost',
                           '-e', 'restore_container=app', '-e', 'restore_dir=%s' % backups,
                           '-e', 'restore_generation=3', '-e', 'ansible_python_interpreter=%s' % venv_tool('python')],
                          env=ansible_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False)
    output = proc.stdout.decode()
    assert proc.returncode != 0
    assert "No generation 3 of app in %s/localhost; there are ['app.20240102T030405Z.tar.gz'] (0 is the newest)." % backups \
        in ' '.join(output.split())


def test_two_hosts_sharing_a_backup_directory_restore_only_their_own(lab, tmp_path, ansible_env):
    """Two hosts of one inventory (both on this engine) write one backup directory with backup.yml;
    restore.yml on one sees only its own archives unless restore_from_host names the other."""
    name, shared = lab.name('dc'), str(tmp_path / 'shared')
    lab.api.create_container('local/busybox:latest', name=name, volumes=['/data'],
                             host_config=lab.api.create_host_config())
    lab.write('/data/db', 'shared-name', volumes_from=[name])
    inventory = tmp_path / 'hosts'
    inventory.write_text(u'h1 ansible_connection=local\nh2 ansible_connection=local\n')
    python = '-e', 'ansible_python_interpreter=%s' % venv_tool('python')

    def run(path, *options):
        proc = subprocess.run([venv_tool('ansible-playbook'), '-i', str(inventory), path] + list(python) + list(options),
                              env=ansible_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600,
                              check=False)
        return proc.returncode, ' '.join(proc.stdout.decode().split())

    code, output = run(os.path.join(PLAYBOOKS, 'backup.yml'), '-e', 'backup_hosts=h1:h2', '-e', 'backup_dir=' + shared,
                       '-e', 'backup_keep=1', '-e', '{"backup_containers": ["%s"]}' % name)
    assert code == 0, output
    for host in ('h1', 'h2'):
        archives = generations(os.path.join(shared, host), name)
        assert len(archives) == 1, (host, os.listdir(shared))
        with open(os.path.join(shared, host, archives[0] + '.manifest.json')) as handle:
            assert json.load(handle)['host'] == host
    for entry in os.listdir(os.path.join(shared, 'h2')):
        os.unlink(os.path.join(shared, 'h2', entry))
    restore = os.path.join(PLAYBOOKS, 'restore.yml')
    options = ['-e', 'restore_hosts=h2', '-e', 'restore_container=%s' % name, '-e', 'restore_dir=%s' % shared]
    code, output = run(restore, *options)
    assert code != 0 and 'No generation 0 of %s in %s/h2' % (name, shared) in output, output
    code, output = run(restore, *(options + ['-e', 'restore_from_host=h1']))
    assert code == 0 and 'restored from %s/h1/' % shared in output, output


def test_backup_playbook_encrypted_on_a_calendar_and_restored(lab, tmp_path, ansible_env):
    """backup.yml with backup_encrypt_to (two recipients, separated by commas) and the calendar rules;
    restore.yml with restore_identity_file; the role with its encrypt_to and calendar variables."""
    keys = []
    for key in ('one', 'two'):
        path = str(tmp_path / (key + '.key'))
        subprocess.run(['age-keygen', '-o', path], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        keys.append((path, subprocess.run(['age-keygen', '-y', path], check=True,
                                          stdout=subprocess.PIPE).stdout.decode().strip()))
    name, shared = lab.name('dc'), str(tmp_path / 'backups')
    lab.api.create_container('local/busybox:latest', name=name, volumes=['/data'],
                             host_config=lab.api.create_host_config())
    lab.write('/data/db', 'encrypted-on-a-calendar', volumes_from=[name])
    common = ['-e', 'ansible_python_interpreter=%s' % venv_tool('python'),
              '-e', 'data_volume_container_docker_host=%s' % DOCKER_HOST]
    playbook(ansible_env, os.path.join(PLAYBOOKS, 'backup.yml'), *(common + [
        '-e', 'backup_hosts=localhost', '-e', 'backup_dir=' + shared, '-e', 'backup_containers=' + name,
        '-e', 'backup_keep_daily=3', '-e', 'backup_keep_monthly=2',
        '-e', 'backup_encrypt_to=%s,%s' % (keys[0][1], keys[1][1])]))
    archives = generations(os.path.join(shared, 'localhost'), name)
    assert len(archives) == 1
    with open(os.path.join(shared, 'localhost', archives[0] + '.manifest.json')) as handle:
        assert json.load(handle)['encryption']['recipients'] == sorted([keys[0][1], keys[1][1]])
    lab.write('/data/db', 'overwritten', volumes_from=[name])
    output = playbook(ansible_env, os.path.join(PLAYBOOKS, 'restore.yml'), *(common + [
        '-e', 'restore_hosts=localhost', '-e', 'restore_container=' + name, '-e', 'restore_dir=' + shared,
        '-e', 'restore_identity_file=' + keys[1][0]]))
    assert 'restored from %s' % os.path.join(shared, 'localhost', archives[0]) in output
    assert lab.read('/data/db', volumes_from=[name]) == 'encrypted-on-a-calendar'

    play = tmp_path / 'role.yml'
    role_backups = str(tmp_path / 'role-backups')
    play.write_text((ROLE_PLAY % dict(name=lab.name('role'), backups=role_backups, docker_host=DOCKER_HOST)).replace(
        '    data_volume_container_backup_keep: 2\n',
        '    data_volume_container_backup_keep: 1\n    data_volume_container_backup_keep_weekly: 4\n'
        '    data_volume_container_backup_encrypt_to: [%s]\n' % keys[0][1]))
    playbook(ansible_env, str(play))
    role_archives = generations(os.path.join(role_backups, 'localhost'), lab.name('role'))
    assert len(role_archives) == 1
    with open(os.path.join(role_backups, 'localhost', role_archives[0]), 'rb') as handle:
        assert handle.read(22) == b'age-encryption.org/v1\n'
    assert 'changed=0' in playbook(ansible_env, str(play))
