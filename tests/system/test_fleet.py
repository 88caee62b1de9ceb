# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/site.yml on lab hosts reached as users reach theirs (scripts/fleet-up.sh): over
SSH as a non-root user with become, each engine on its host's default socket, and a host
failing in the middle of a run."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess

import pytest

from conftest import LOOP, venv_tool
from lab import REPO, Fleet

WRITER, READER, DATA = 'pvf_writer', 'pvf_reader', 'pvf_data'

OUTAGE = """
- name: The site playbook of the collection
  ansible.builtin.import_playbook: persistent.volumes.site
"""
CONVERGE = "Converge the host's volumes, data containers and consumers"

# A callback of this test: when the role's layout task starts (argument validation passed on
# every host), host2's engine and host3's sshd go down, before any layout module runs.
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
        if not self.done and task.get_name().endswith(%r):
            self.done = True
            with open(os.environ['PV_OUTAGE_LOG'], 'a') as log:
                for host, service in (('host2', 'engine'), ('host3', 'sshd')):
                    subprocess.run([os.environ['PV_FLEET_HOST'], host, 'stop', service], check=True,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log)
""" % CONVERGE


@pytest.fixture(scope='module')
def fleet():
    with Fleet(3) as lab:
        yield lab


def layout(path, logs):
    """The role's variables: a data container (with /logs when ``logs``), a writer and a reader."""
    volumes = ['/datastore'] + (['/logs'] if logs else [])
    variables = {
        'data_volume_container_data_containers': [{'name': DATA, 'volumes': volumes}],
        'data_volume_container_consumers': [
            {'container': WRITER, 'from': [DATA], 'image': 'local/busybox:latest', 'command': LOOP, 'running': True},
            {'container': READER, 'from': [DATA + ':ro'], 'image': 'local/busybox:latest', 'command': LOOP,
             'running': True},
        ],
    }
    with open(path, 'w') as handle:
        json.dump(variables, handle)
    return path


def play(ansible_env, fleet, playbook, variables, *args, **env):
    run_env = dict(ansible_env)
    run_env.update(env)
    run_env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the lab's inventory names the hosts' Python
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', fleet.inventory, '-e', '@' + variables] + list(args)
                          + [playbook], cwd=REPO, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, universal_newlines=True, timeout=900, check=False)
    return proc.returncode, proc.stdout


def recap(output):
    """{host: {ok, changed, unreachable, failed, ...}} from the PLAY RECAP."""
    found = {}
    for host, counts in re.findall(r'^(\S+)\s+:\s+(ok=.*)$', output, re.M):
        found[host] = dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', counts))
    return found


def failed_task(output, host):
    """The name of the task in which ``host`` failed or was unreachable."""
    task = None
    for line in output.splitlines():
        found = re.match(r'^TASK \[(.*)\] \*', line)
        if found:
            task = found.group(1)
        elif line.startswith('fatal: [%s]: ' % host):
            return task
    raise AssertionError('%s did not fail:\n%s' % (host, output))


def sh(api, container, script):
    exec_id = api.exec_create(container, ['sh', '-c', script])
    output = api.exec_start(exec_id).decode().strip()
    return api.exec_inspect(exec_id)['ExitCode'], output


def test_site_over_ssh_with_become_and_a_host_failing_mid_run(fleet, ansible_env, tmp_path):
    site = 'persistent.volumes.site'
    first = layout(str(tmp_path / 'first.json'), logs=False)
    rc, output = play(ansible_env, fleet, site, first)
    assert rc == 0, output
    with open(fleet.inventory) as handle:
        inventory = handle.read()
    assert 'data_volume_container_docker_host' not in inventory and 'ansible_connection' not in inventory
    for host in fleet.hosts:
        assert recap(output)[host]['changed'] >= 1, output
        code, text = sh(fleet.api(host), WRITER, 'echo proof-%s > /datastore/proof' % host)
        assert code == 0, text

    # The layout changes (the data container gains /logs: it and its consumers are recreated)
    # and host2's engine and host3's sshd go down as the layout task starts.
    second = layout(str(tmp_path / 'second.json'), logs=True)
    outage = tmp_path / 'outage.yml'
    outage.write_text(OUTAGE)
    (tmp_path / 'callback_plugins').mkdir()
    (tmp_path / 'callback_plugins' / 'outage.py').write_text(OUTAGE_CALLBACK)
    rc, output = play(ansible_env, fleet, str(outage), second, ANSIBLE_RETRY_FILES_ENABLED='1',
                      ANSIBLE_RETRY_FILES_SAVE_PATH=str(tmp_path), ANSIBLE_CALLBACKS_ENABLED='outage',
                      ANSIBLE_CALLBACK_PLUGINS=str(tmp_path / 'callback_plugins'),
                      PV_FLEET_HOST=os.path.join(REPO, 'scripts', 'fleet-host.sh'),
                      PV_OUTAGE_LOG=str(tmp_path / 'outage-callback.log'))
    (tmp_path / 'outage.log').write_text(output)
    assert rc != 0, output
    counts = recap(output)
    assert counts['host1']['failed'] == 0 and counts['host1']['unreachable'] == 0 and counts['host1']['changed'] >= 1
    assert counts['host2']['failed'] == 1 and counts['host3']['unreachable'] == 1, output
    # Both failed in the layout task, the role's one task per host.
    assert failed_task(output, 'host2').endswith(CONVERGE) and failed_task(output, 'host3').endswith(CONVERGE)
    engine_down = re.search(r'^fatal: \[host2\]: FAILED! => (.*)$', output, re.M)
    assert engine_down and 'Cannot talk to the Docker engine at unix:///var/run/docker.sock' in engine_down.group(1)
    assert 'is the Docker engine running?' in engine_down.group(1) or 'connection refused' in engine_down.group(1)
    ssh_down = re.search(r'^fatal: \[host3\]: UNREACHABLE! => (.*)$', output, re.M)
    assert ssh_down and 'Connection refused' in ssh_down.group(1), output
    with open(str(tmp_path / 'outage.retry')) as handle:
        assert sorted(handle.read().split()) == ['host2', 'host3']
    assert sh(fleet.api('host1'), READER, 'cat /datastore/proof && ls -d /logs') == (0, 'proof-host1\n/logs')

    # Back up; the re-run on the retry list converges exactly those two.
    fleet.outage('host2', 'start', 'engine')
    fleet.outage('host3', 'start', 'sshd')
    rc, output = play(ansible_env, fleet, site, second, '--limit', '@%s' % (tmp_path / 'outage.retry'))
    assert rc == 0, output
    assert sorted(recap(output)) == ['host2', 'host3'], output
    assert all(counts['changed'] >= 1 for counts in recap(output).values()), output

    # Every host has the new layout and the data written before; a last run changes nothing.
    for host in fleet.hosts:
        assert sh(fleet.api(host), READER, 'cat /datastore/proof && ls -d /logs') == (0, 'proof-%s\n/logs' % host)
    rc, output = play(ansible_env, fleet, site, second)
    assert rc == 0, output
    assert all(counts['changed'] == 0 for counts in recap(output).values()) and len(recap(output)) == 3, output
