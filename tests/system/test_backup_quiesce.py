# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""volume_backup's quiesce, exec_before and exec_after against the real engine: which containers are
stopped or paused (from their mounts), that they run again whatever happens, check mode, a second run
with unchanged data (nothing stopped), every refusal, and the data written through one container read
back through another after backup and restore."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import time

import pytest

from conftest import failed, run_module, sh
from test_restore_hostile import mountpoint, ok


LIFECYCLE = ('kill', 'die', 'stop', 'start', 'restart', 'pause', 'unpause')


def now():
    """A time for ``events(since=...)`` after everything that happened before the call (whole seconds)."""
    moment = int(time.time()) + 1
    time.sleep(max(0, moment - time.time()))
    return moment


def started_at(api, name):
    return api.inspect_container(name)['State']['StartedAt']


def state(api, name):
    found = api.inspect_container(name)['State']
    return 'paused' if found['Paused'] else 'running' if found['Running'] else found['Status']


def events(api, since, name):
    """The actions the engine recorded for container ``name`` since ``since``."""
    found = api.events(since=since, until=int(time.time()) + 1, decode=True,
                       filters={'type': 'container', 'container': name})
    actions = [event.get('status') or event.get('Action') for event in found]
    return [action for action in actions if action in LIFECYCLE]


@pytest.fixture
def app(api, lab):
    """A data container; a writer (--volumes-from), a read-only reader, a binder of the volume's directory,
    an idle container that mounts nothing; all running."""
    data = lab.name('data')
    ok(run_module('data_container', dict(name=data, volumes=['/data'])))
    volume = api.inspect_container(data)['Mounts'][0]['Name']
    names = dict(data=data, volume=volume, writer=lab.name('writer'), reader=lab.name('reader'),
                 binder=lab.name('binder'), idle=lab.name('idle'))
    lab.container(names['writer'], volumes_from=[data], start=True)
    lab.container(names['reader'], volumes_from=[data + ':ro'], start=True)
    lab.container(names['binder'], binds=['%s:/bound' % mountpoint(api, volume)], start=True)
    lab.container(names['idle'], start=True)
    sh(api, names['writer'], 'echo first > /data/file')
    return names


def backup(app, dest, check=False, **options):
    return run_module('volume_backup', dict(dict(container=app['data'], dest=str(dest), compression='none'), **options),
                      check=check)


@pytest.mark.parametrize('mode, stopped, resumed', [('stop', 'die', 'start'), ('pause', 'pause', 'unpause')])
def test_quiesce_stops_the_writers_only_and_resumes_them(api, app, tmp_path, mode, stopped, resumed):
    dest = tmp_path / 'b.tar'
    before = dict((k, started_at(api, app[k])) for k in ('writer', 'reader', 'binder', 'idle'))
    since = now()
    predicted = ok(backup(app, dest, check=True, quiesce=mode))
    assert predicted['changed'] and predicted['quiesced'] == sorted([app['binder'], app['writer']])
    verb = 'stop' if mode == 'stop' else 'pause'
    assert '%s %s while the data of %s is read' % (verb, app['writer'], app['data']) in ' '.join(predicted['actions'])
    assert not dest.exists() and events(api, since, app['writer']) == []  # check mode stops nothing

    done = ok(backup(app, dest, quiesce=mode))
    assert done['changed'] and done['quiesce'] == mode
    assert done['quiesced'] == sorted([app['binder'], app['writer']])
    for key in ('writer', 'binder'):
        assert stopped in events(api, since, app[key]) and resumed in events(api, since, app[key])
        assert state(api, app[key]) == 'running'
    for key in ('reader', 'idle'):
        assert events(api, since, app[key]) == [] and started_at(api, app[key]) == before[key]

    # unchanged data: no change, and nobody stopped for a backup that writes nothing
    since = now()
    again = ok(backup(app, dest, quiesce=mode))
    assert not again['changed'] and again['quiesced'] == []
    assert events(api, since, app['writer']) == []
    predicted = ok(backup(app, dest, check=True, quiesce=mode))
    assert not predicted['changed'] and predicted['quiesced'] == []


def test_a_paused_container_is_left_paused(api, app, tmp_path):
    api.pause(app['writer'])
    try:
        done = ok(backup(app, tmp_path / 'b.tar', quiesce='stop'))
        assert done['quiesced'] == [app['binder']] and state(api, app['writer']) == 'paused'
    finally:
        api.unpause(app['writer'])


def test_exec_before_and_after_with_their_output(api, app, tmp_path):
    dest = tmp_path / 'b.tar'
    done = ok(backup(app, dest, quiesce='stop',
                     exec_before=[dict(container=app['writer'], command=['sh', '-c', 'echo dumped > /data/dump; echo said'])],
                     exec_after=[dict(container=app['writer'], command='rm /data/dump')]))
    assert [(e['rc'], e['ran'], e['output_tail']) for e in done['exec_before']] == [(0, True, 'said\n')]
    assert [(e['rc'], e['command']) for e in done['exec_after']] == [(0, ['rm', '/data/dump'])]
    listing = subprocess.run(['tar', '-tf', str(dest)], stdout=subprocess.PIPE, check=True).stdout.decode().split()
    assert 'data/dump' in listing
    assert sh(api, app['writer'], 'cat /data/dump')[0] != 0  # exec_after ran after the read
    assert state(api, app['writer']) == 'running'


def test_failing_exec_before_writes_nothing_stops_nothing(api, app, tmp_path):
    dest = tmp_path / 'b.tar'
    since = now()
    result = failed(backup(app, dest, quiesce='stop',
                           exec_before=[dict(container=app['writer'], command=['sh', '-c', 'echo no space >&2; exit 7'])],
                           exec_after=[dict(container=app['idle'], command='touch /after')]),
                    'exec_before[0] failed: sh -c echo no space >&2; exit 7 in %s exited 7 (last output: no space)' % app['writer'],
                    'no container was stopped and nothing was written')
    assert not dest.exists() and os.listdir(str(tmp_path)) == []
    assert result['exec_before'][0]['rc'] == 7 and result['exec_after'][0]['rc'] == 0
    assert events(api, since, app['writer']) == []
    assert sh(api, app['idle'], 'test -e /after')[0] == 0  # exec_after still ran


def test_a_failed_write_still_restarts(api, app, tmp_path):
    """The archive cannot be written (a full file system): the writers run again all the same."""
    full = tmp_path / 'full'
    full.mkdir()
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', str(full)], check=True)
    try:
        sh(api, app['writer'], 'dd if=/dev/zero of=/data/big bs=1024 count=512 2>/dev/null || head -c 524288 /dev/zero > /data/big')
        result = run_module('volume_backup', dict(container=app['data'], dest=str(full / 'b.tar'), compression='none',
                                                  quiesce='stop'))
        assert result['rc'] != 0 and 'could not be written whole' in result['msg'], result
        assert result['quiesced'] == sorted([app['binder'], app['writer']])
        assert state(api, app['writer']) == 'running' and state(api, app['binder']) == 'running'
    finally:
        subprocess.run(['umount', str(full)], check=True)


@pytest.mark.parametrize('options, message', [
    (dict(quiesce='kill'), 'value of quiesce must be one of: none, stop, pause, got: kill'),
    (dict(exec_before=[dict(container='pvt-no-such-container', command='true')]),
     "exec_before[0]: container 'pvt-no-such-container' does not exist; exec commands run in running containers."),
    (dict(exec_after=[dict(container='{stopped}', command='true')]),
     'exec_after[0]: container {stopped} is not running (exited); exec commands run in running containers'),
    (dict(exec_before=[dict(container='{writer}', command='')]), 'exec_before[0].command is empty'),
    (dict(exec_before=[dict(container='{writer}')]), 'missing required arguments: command found in exec_before'),
], ids=['bad-quiesce', 'unknown-container', 'not-running', 'empty-command', 'no-command'])
def test_refusals_change_and_stop_nothing(api, app, lab, tmp_path, options, message):
    stopped = lab.container(lab.name('stopped'), start=True)
    api.stop(stopped, timeout=1)
    names = dict(app, stopped=stopped)
    for key in ('exec_before', 'exec_after'):
        for entry in options.get(key, []):
            entry['container'] = entry['container'].format(**names)
    since = now()
    failed(backup(app, tmp_path / 'b.tar', quiesce=options.pop('quiesce', 'stop'), **options), message.format(**names))
    assert os.listdir(str(tmp_path)) == [] and events(api, since, app['writer']) == []
    failed(backup(app, tmp_path / 'b.tar', check=True, **options), message.format(**names)) if options else None


def test_data_written_through_one_container_read_through_another(api, app, lab, tmp_path):
    dest = tmp_path / 'b.tar'
    sh(api, app['writer'], 'echo precious > /data/file')
    ok(backup(app, dest, quiesce='stop'))
    fresh = lab.name('fresh')
    ok(run_module('data_container', dict(name=fresh, volumes=['/data'])))
    ok(run_module('volume_restore', dict(src=str(dest), container=fresh)))
    assert lab.read('/data/file', volumes_from=[fresh]) == 'precious'


ROLE_PLAY = '''
- name: The role with consistent backups
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    data_volume_container_data_containers:
      - name: %(data)s
        volumes: [/data]
    data_volume_container_backup_dir: %(backups)s
    data_volume_container_backup_quiesce: stop
    data_volume_container_backup_exec_before:
      %(data)s:
        - container: %(writer)s
          command: [sh, -c, "echo dumped-by-the-role > /data/dump"]
    data_volume_container_backup_exec_after:
      %(data)s:
        - container: %(idle)s
          command: touch /role-after
    data_volume_container_docker_host: %(docker_host)s
  roles:
    - persistent.volumes.data_volume_container
'''


def test_the_role_and_the_backup_playbook_pass_them_on(api, app, tmp_path, ansible_env):
    from conftest import DOCKER_HOST, venv_tool
    from test_role_backups import PLAYBOOKS, generations, playbook
    play = tmp_path / 'role.yml'
    play.write_text(ROLE_PLAY % dict(app, backups=str(tmp_path / 'role'), docker_host=DOCKER_HOST))
    since = now()
    playbook(ansible_env, str(play))
    assert 'die' in events(api, since, app['writer']) and state(api, app['writer']) == 'running'
    assert sh(api, app['idle'], 'test -e /role-after')[0] == 0
    assert sh(api, app['writer'], 'cat /data/dump') == (0, 'dumped-by-the-role')
    assert len(generations(str(tmp_path / 'role' / 'localhost'), app['data'])) == 1

    extra = json.dumps(dict(backup_hosts='localhost', backup_containers=[app['data']], backup_dir=str(tmp_path / 'pb'),
                            backup_quiesce='pause', backup_docker_host=DOCKER_HOST,
                            ansible_python_interpreter=venv_tool('python'),
                            backup_exec_after={app['data']: [dict(container=app['idle'], command='touch /pb-after')]}))
    since = now()
    output = playbook(ansible_env, os.path.join(PLAYBOOKS, 'backup.yml'), '-e', extra)
    assert 'failed=0' in output
    assert 'pause' in events(api, since, app['writer']) and state(api, app['writer']) == 'running'
    assert sh(api, app['idle'], 'test -e /pb-after')[0] == 0
