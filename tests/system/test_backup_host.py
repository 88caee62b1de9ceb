# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backups off the host: backup.yml with backup_host copies every archive of host1 and host2 to the
lab's host3 over the inventory's own SSH connections, checked on arrival and kept by the same rule;
host3's sshd going down in the middle of a run leaves the local archives and names the copies
missing, and the next run copies them; restore.yml with restore_from=backup_host restores host1's
data container from its copy after host1's own archives are gone."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import json
import os
import re
import subprocess
import tarfile

import pytest

from conftest import RUN_ID, venv_tool
from lab import REPO, Fleet

DATA = 'pvbh-%s-data' % RUN_ID
CREATE = '''
- name: A data container on the Docker hosts
  hosts: host1,host2
  gather_facts: false
  become: true
  tasks:
    - name: The data container
      persistent.volumes.data_container:
        name: %s
        volumes: [/data]
''' % DATA
ASK = 'Ask the backup host which copies it is missing'
OUTAGE_CALLBACK = """
import os
import subprocess

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'outage'
    CALLBACK_NEEDS_ENABLED = True
    done = False

    def v2_playbook_on_task_start(self, task, is_conditional):
        if not self.done and %r in task.get_name():
            self.done = True
            with open(os.environ['PV_OUTAGE_LOG'], 'a') as log:
                subprocess.run([os.environ['PV_FLEET_HOST'], 'host3', 'stop', 'sshd'], check=True,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def v2_playbook_on_handler_task_start(self, task):  # the role copies in a handler
        self.v2_playbook_on_task_start(task, False)
""" % ASK


@pytest.fixture(scope='module')
def fleet():
    with Fleet(3) as lab:
        yield lab


def play(fleet, ansible_env, cwd, target, *options, **env):
    run_env = dict(ansible_env, PWD=str(cwd), **env)
    run_env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the lab's inventory names its hosts' Python
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', fleet.inventory, target] + list(options),
                          cwd=str(cwd), env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900,
                          stdin=subprocess.DEVNULL, universal_newlines=True, check=False)
    return proc.returncode, proc.stdout


def put_proof(api, text):
    """Write /data/proof into the data container (through the archive endpoint: it never runs)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w') as tar:
        info = tarfile.TarInfo('data/proof')
        info.size = len(text.encode())
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(text.encode()))
    assert api.put_archive(DATA, '/', buffer.getvalue())


def read_proof(api):
    """/data/proof as another container sees it (created with --volumes-from, never started)."""
    reader = api.create_container('local/busybox:latest', name=DATA + '-reader',
                                  host_config=api.create_host_config(volumes_from=[DATA]))
    try:
        stream, dummy = api.get_archive(reader['Id'], '/data/proof')
        with tarfile.open(fileobj=io.BytesIO(b''.join(stream))) as tar:
            return tar.extractfile('proof').read().decode()
    finally:
        api.remove_container(reader['Id'], force=True)


def archives(directory):
    try:
        return sorted(name for name in os.listdir(directory) if re.match(r'^%s\..*\.tar\.gz$' % DATA, name))
    except OSError:
        return []


def check_copy(directory, name):
    """The copy is private, and its sha256 is the one its manifest records."""
    path = os.path.join(directory, name)
    assert os.stat(path).st_mode & 0o777 == 0o600 and os.stat(path).st_uid == 0
    with open(path + '.manifest.json') as handle:
        manifest = json.load(handle)
    with open(path, 'rb') as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == manifest['sha256']
    return manifest


def test_copies_on_the_backup_host_survive_an_outage_and_restore(fleet, tmp_path, ansible_env):
    local, remote = str(tmp_path / 'local'), str(tmp_path / 'remote')
    os.mkdir(remote)
    create = tmp_path / 'create.yml'
    create.write_text(CREATE)
    (tmp_path / 'callback_plugins').mkdir()
    (tmp_path / 'callback_plugins' / 'outage.py').write_text(OUTAGE_CALLBACK)
    backup = ['persistent.volumes.backup', '-l', 'host1,host2', '-e', 'backup_containers=%s' % DATA,
              '-e', 'backup_dir=%s' % local, '-e', 'backup_keep=2', '-e', 'backup_host=host3',
              '-e', 'backup_host_dir=%s' % remote]
    try:
        code, output = play(fleet, ansible_env, tmp_path, str(create))
        assert code == 0, output
        for round_ in range(3):  # three generations: each host keeps two, and so does host3
            for host in ('host1', 'host2'):
                put_proof(fleet.api(host), 'proof %d of %s' % (round_, host))
            code, output = play(fleet, ansible_env, tmp_path, *backup)
            assert code == 0, output
            for host in ('host1', 'host2'):
                assert archives(os.path.join(remote, host)) == archives(os.path.join(local, host)), output
                for name in archives(os.path.join(remote, host)):
                    assert check_copy(os.path.join(remote, host), name)['host'] == host
        assert len(archives(os.path.join(remote, 'host1'))) == 2
        assert os.listdir(os.path.join(remote, 'host1', '.incoming')) == []

        # host3's sshd goes down after both hosts wrote their new archive.
        put_proof(fleet.api('host1'), 'proof 3 of host1')
        code, output = play(fleet, ansible_env, tmp_path, *backup, ANSIBLE_CALLBACKS_ENABLED='outage',
                            ANSIBLE_CALLBACK_PLUGINS=str(tmp_path / 'callback_plugins'),
                            PV_FLEET_HOST=os.path.join(REPO, 'scripts', 'fleet-host.sh'),
                            PV_OUTAGE_LOG=str(tmp_path / 'outage.log'))
        (tmp_path / 'outage-run.log').write_text(output)
        newest = archives(os.path.join(local, 'host1'))
        assert code != 0 and len(newest) == 2, output
        flat = ' '.join(output.split())
        assert "The backup host host3 could not be reached: no copy of host1's archives was made or checked" in flat, output
        assert newest[-1] in flat and 'the next run copies them' in flat, output
        assert newest[-1] not in archives(os.path.join(remote, 'host1'))

        fleet.outage('host3', 'start', 'sshd')
        code, output = play(fleet, ansible_env, tmp_path, *backup)
        assert code == 0, output
        assert archives(os.path.join(remote, 'host1')) == newest, output  # caught up, and pruned to two
        check_copy(os.path.join(remote, 'host1'), newest[-1])

        # host1 loses its archives and its data; the copy on host3 brings proof 3 back.
        subprocess.run(['rm', '-rf', os.path.join(local, 'host1')], check=True)
        put_proof(fleet.api('host1'), 'damaged')
        restore = ['persistent.volumes.restore', '-l', 'host1', '-e', 'restore_container=%s' % DATA,
                   '-e', 'restore_from=backup_host', '-e', 'backup_host=host3', '-e', 'backup_host_dir=%s' % remote]
        code, output = play(fleet, ansible_env, tmp_path, *(restore + ['--check']))
        assert code == 0 and 'would restore from host3:%s/host1/%s' % (remote, newest[-1]) in output, output
        assert read_proof(fleet.api('host1')) == 'damaged'
        code, output = play(fleet, ansible_env, tmp_path, *restore)
        assert code == 0 and 'restored from host3:%s/host1/%s' % (remote, newest[-1]) in output, output
        assert read_proof(fleet.api('host1')) == 'proof 3 of host1'
        assert read_proof(fleet.api('host2')) == 'proof 2 of host2'
    finally:
        for host in ('host1', 'host2'):
            client = fleet.api(host)
            for container in client.containers(all=True, filters={'name': DATA}):
                client.remove_container(container['Id'], v=True, force=True)


@pytest.mark.parametrize('options, message', [
    (['-e', 'backup_host=nohost', '-e', 'backup_host_dir=/srv'], 'backup_host nohost is not in the inventory'),
    (['-e', 'backup_host=host3', '-e', 'backup_host_dir=srv/backups'],
     'Set backup_host_dir to an absolute directory on host3 (without . or ..), got srv/backups.'),
    (['-e', 'backup_host=host3', '-e', 'backup_host_dir=/srv/../etc'],
     'Set backup_host_dir to an absolute directory on host3 (without . or ..), got /srv/../etc.'),
    (['-e', 'backup_host=host3'], 'Set backup_host_dir to an absolute directory on host3 (without . or ..), got nothing.'),
    (['-e', 'backup_host_dir=/srv'], 'Set backup_host to the inventory host that keeps the copies'),
    (['-e', 'backup_host=host2', '-e', 'backup_host_dir=/srv'],
     'backup_host host2 is one of the hosts backed up in this run: its copies would be on the host they are to survive'),
])
def test_a_careless_backup_host_is_refused_before_anything_is_written(fleet, tmp_path, ansible_env, options, message):
    local = str(tmp_path / 'local')
    code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.backup', '-l', 'host1,host2',
                        '-e', 'backup_containers=%s' % DATA, '-e', 'backup_dir=%s' % local, *options)
    flat = ' '.join(output.split())
    assert code != 0 and message in flat and 'Nothing was written.' in flat, output
    assert not os.path.exists(local)


def test_a_missing_backup_host_dir_is_named(fleet, tmp_path, ansible_env):
    local, missing = str(tmp_path / 'local'), str(tmp_path / 'not-mounted')
    create = tmp_path / 'create.yml'
    create.write_text(CREATE)
    try:
        code, output = play(fleet, ansible_env, tmp_path, str(create), '-l', 'host1')
        assert code == 0, output
        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.backup', '-l', 'host1',
                            '-e', 'backup_containers=%s' % DATA, '-e', 'backup_dir=%s' % local,
                            '-e', 'backup_keep=2', '-e', 'backup_host=host3', '-e', 'backup_host_dir=%s' % missing)
        flat = ' '.join(output.split())
        assert code != 0 and ('The backup host\'s directory %s does not exist; create it (or mount its disk) '
                              'first. Nothing was copied.' % missing) in flat, output
        assert len(archives(os.path.join(local, 'host1'))) == 1 and not os.path.exists(missing)  # the local one stays
    finally:
        client = fleet.api('host1')
        for container in client.containers(all=True, filters={'name': DATA}):
            client.remove_container(container['Id'], v=True, force=True)


def role_vars(path, remote, local, backup_host):
    with open(path, 'w') as handle:
        json.dump({'data_volume_container_data_containers': [{'name': DATA, 'volumes': ['/data']}],
                   'data_volume_container_backup_dir': local, 'data_volume_container_backup_keep': 2,
                   'data_volume_container_backup_host': backup_host,
                   'data_volume_container_backup_host_dir': remote}, handle)
    return '@' + path


def test_the_role_copies_to_the_backup_host_and_a_second_run_changes_nothing(fleet, tmp_path, ansible_env):
    local, remote = str(tmp_path / 'local'), str(tmp_path / 'remote')
    os.mkdir(remote)
    variables = role_vars(str(tmp_path / 'vars.json'), remote, local, 'host3')
    try:
        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.site', '-l', 'host1', '-e', variables)
        assert code == 0, output
        put_proof(fleet.api('host1'), 'role proof')
        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.site', '-l', 'host1', '-e', variables)
        assert code == 0, output
        copies = archives(os.path.join(remote, 'host1'))
        assert copies == archives(os.path.join(local, 'host1')) and len(copies) == 2, output
        for name in copies:
            check_copy(os.path.join(remote, 'host1'), name)
        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.site', '-l', 'host1', '-e', variables)
        assert code == 0 and re.search(r'host1\s+: ok=\d+\s+changed=0 ', output), output
        assert 'RUNNING HANDLER' not in output, output

        # host3's sshd goes down while the handler copies a new archive; the next run, with nothing new to
        # back up, still copies it (the layout task finds it pending), and the run after that changes nothing.
        put_proof(fleet.api('host1'), 'role proof after the outage')
        (tmp_path / 'callback_plugins').mkdir()
        (tmp_path / 'callback_plugins' / 'outage.py').write_text(OUTAGE_CALLBACK)
        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.site', '-l', 'host1', '-e', variables,
                            ANSIBLE_CALLBACKS_ENABLED='outage', ANSIBLE_CALLBACK_PLUGINS=str(tmp_path / 'callback_plugins'),
                            PV_FLEET_HOST=os.path.join(REPO, 'scripts', 'fleet-host.sh'),
                            PV_OUTAGE_LOG=str(tmp_path / 'outage.log'))
        newest = archives(os.path.join(local, 'host1'))
        assert code != 0 and "The backup host host3 could not be reached" in ' '.join(output.split()), output
        assert newest[-1] not in archives(os.path.join(remote, 'host1')), output
        fleet.outage('host3', 'start', 'sshd')
        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.site', '-l', 'host1', '-e', variables)
        assert code == 0 and 'RUNNING HANDLER' in output, output
        assert archives(os.path.join(remote, 'host1')) == newest == archives(os.path.join(local, 'host1')), output
        check_copy(os.path.join(remote, 'host1'), newest[-1])
        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.site', '-l', 'host1', '-e', variables)
        assert code == 0 and re.search(r'host1\s+: ok=\d+\s+changed=0 ', output), output

        code, output = play(fleet, ansible_env, tmp_path, 'persistent.volumes.site', '-l', 'host1,host3', '-e',
                            role_vars(str(tmp_path / 'self.json'), remote, local, 'host3'), '--check')
        flat = ' '.join(output.split())
        assert code != 0 and 'data_volume_container_backup_host host3 is one of the hosts this play runs the role on' \
            in flat and 'Nothing was changed and no backup was written.' in flat, output
    finally:
        client = fleet.api('host1')
        for container in client.containers(all=True, filters={'name': DATA}):
            client.remove_container(container['Id'], v=True, force=True)
