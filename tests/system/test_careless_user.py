# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A careless user against the real engine: each bad
request is refused with a message saying what and why, check mode predicts the refusal, and
nothing changed (the containers, the volumes and their data, the host directories)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

import pytest

from conftest import IMAGE, failed, run_module, venv_tool

ANONYMOUS_FOR = 'persistent.volumes.anonymous-for'
DATA_CONTAINER = 'persistent.volumes.data-container'
SLEEP = ['sleep', '3600']


def ok(result):
    assert result['rc'] == 0 and not result.get('failed'), result.get('msg') or result
    return result


def refused_twice(module, args, *fragments):
    """Check mode and a real run refuse alike; the real run's result."""
    failed(run_module(module, args, check=True), *fragments)
    return failed(run_module(module, args), *fragments)


def container_of(api, name):
    """What a refusal must leave as it was: identity, state, command, wiring, binds, mounts."""
    raw = api.inspect_container(name)
    return (raw['Id'], raw['State']['Status'], raw['Config']['Cmd'], raw['HostConfig']['VolumesFrom'],
            raw['HostConfig']['Binds'], sorted((m['Destination'], m.get('Name') or m['Source']) for m in raw['Mounts']))


def names_of(api, prefix):
    containers = sorted(n.lstrip('/') for c in api.containers(all=True) for n in c['Names'] if prefix in n)
    volumes = sorted(v['Name'] for v in api.volumes().get('Volumes') or []
                     if v['Name'].startswith(prefix) or (v.get('Labels') or {}).get(ANONYMOUS_FOR, '').startswith(prefix))
    return containers, volumes


def data_container(lab, suffix, volumes=('/datastore',)):
    name = lab.name(suffix)
    ok(run_module('data_container', dict(name=name, volumes=list(volumes))))
    return name


def volume_at(api, name, path):
    return [m['Name'] for m in api.inspect_container(name)['Mounts'] if m['Destination'] == path][0]


# --- case 3: everything is planned before the first write ------------------------------
def test_layout_refuses_a_missing_from_before_anything_is_created(lab, api):
    missing = lab.name('missing')
    args = dict(volumes=[dict(name=lab.name('vol'))],
                data_containers=[dict(name=lab.name('dc'), volumes=['/datastore'])],
                consumers=[dict(container=lab.name('app'), image=IMAGE, command=SLEEP, **{'from': [missing]})])
    refused_twice('layout', args, 'consumers[0] (%s): from: data container %s does not exist; create it first'
                  % (lab.name('app'), missing))
    assert names_of(api, lab.prefix) == ([], [])
    # A from naming a data container of the same layout is fine: it is planned as created.
    args['consumers'][0]['from'] = [lab.name('dc')]
    assert ok(run_module('layout', args))['changed'] is True
    assert api.inspect_container(lab.name('app'))['HostConfig']['VolumesFrom'] == [lab.name('dc') + ':rw']


def test_layout_failure_after_a_write_says_what_was_done_and_what_is_left(lab, api):
    good, bad, data = lab.name('good'), lab.name('bad'), lab.name('dc')
    args = dict(volumes=[dict(name=good), dict(name=bad, driver='pvt-no-such-driver')],
                data_containers=[dict(name=data, volumes=['/datastore'])])
    result = run_module('layout', args)
    assert result['rc'] == 1 and result['changed'] is True, result
    assert result['msg'].startswith("volumes[1] (%s): The Docker engine refused to create volume '%s' (HTTP 404)"
                                    % (bad, bad)), result['msg']
    assert "Looked again: the engine has no volume driver 'pvt-no-such-driver'" in result['msg'], result['msg']
    assert result['actions_done'] == ['volumes[0] (%s): create volume %s: missing' % (good, good)]
    left = result['actions_left']
    assert left[0] == 'volumes[1] (%s): create volume %s: missing' % (bad, bad), left
    assert left[-1] == 'data_containers[0] (%s): create container %s: missing' % (data, data), left
    assert not [text for text in result['warning_texts'] if 'Another client' in text]
    assert names_of(api, lab.prefix) == ([], [good])


# --- case 4: data_container over a container that is not a data container -------------
def test_data_container_refuses_a_consumer_unless_adopted(lab, api, tidy):
    source = data_container(lab, 'dc0')
    lab.write('/datastore/f', 'kept', volumes_from=[source])
    app = lab.container(lab.name('app'), volumes_from=[source], command=SLEEP)
    before = container_of(api, app)
    args = dict(name=app, volumes=['/datastore'])
    refused_twice('data_container', args,
                  "Container '%s' exists and is not a data-only container: it takes volumes from %s (--volumes-from); "
                  'it has a command of its own (sleep 3600). Recreating it as one would drop its command and wiring. '
                  'Choose another name, or set adopt=true' % (app, source), 'nothing was changed')
    assert container_of(api, app) == before
    adopted = ok(run_module('data_container', dict(args, adopt=True)))
    assert adopted['recreated'] is True
    raw = api.inspect_container(app)
    assert raw['Config']['Labels'][DATA_CONTAINER] == 'true' and not raw['HostConfig']['VolumesFrom']
    assert volume_at(api, app, '/datastore') == volume_at(api, source, '/datastore')  # the very volume, kept
    assert lab.read('/datastore/f', volumes_from=[app]) == 'kept'
    assert ok(run_module('data_container', args))['changed'] is False  # a data container now


@pytest.mark.parametrize('state, verb', [('present', 'Recreating it as one'), ('absent', 'Removing it as a data container')])
def test_data_container_refuses_a_container_with_a_command_of_its_own(lab, api, state, verb):
    name = lab.container(lab.name('worker'), volumes=['/datastore'], command=SLEEP)
    lab.write('/datastore/f', 'work', volumes_from=[name])
    before = container_of(api, name)
    refused_twice('data_container', dict(name=name, volumes=['/datastore', '/more'], state=state),
                  "Container '%s' exists and is not a data-only container: it has a command of its own (sleep 3600). "
                  '%s would drop its command and wiring.' % (name, verb))
    assert container_of(api, name) == before
    assert lab.read('/datastore/f', volumes_from=[name]) == 'work'


# --- case 5: a data container change that leaves data held by no container ------------
def test_data_container_change_that_orphans_data_is_refused_unless_released(lab, api, tidy):
    name = data_container(lab, 'dc')
    anonymous = volume_at(api, name, '/datastore')
    tidy.add(anonymous)
    lab.write('/datastore/f', 'precious', volumes_from=[name])
    before = container_of(api, name)
    args = dict(name=name, volumes=[lab.name('named') + ':/datastore'])
    refused = refused_twice('data_container', args,
                            'Refusing to recreate data container %s: it is the last container holding volume %s at '
                            '/datastore, which this task no longer mounts, so that data would be reachable through no '
                            'container. Keep it in volumes (for example "%s:/datastore", at this or another path), or '
                            'set release_volumes=true to let it go (the volume is kept, not deleted); nothing was '
                            'changed.' % (name, anonymous, anonymous))
    assert [entry['volume'] for entry in refused['released_volumes']] == [anonymous]
    assert container_of(api, name) == before
    assert lab.read('/datastore/f', volumes_from=[name]) == 'precious'
    released = ok(run_module('data_container', dict(args, release_volumes=True)))
    assert released['released_volumes'] == [dict(path='/datastore', volume=anonymous, was_in=name)]
    assert lab.read('/r/f', binds=['%s:/r' % anonymous]) == 'precious'  # kept, not deleted


def test_an_empty_volume_is_let_go_without_release_volumes(lab, api, tidy):
    name = data_container(lab, 'dc')
    anonymous = volume_at(api, name, '/datastore')
    tidy.add(anonymous)
    changed = ok(run_module('data_container', dict(name=name, volumes=[lab.name('named') + ':/datastore'])))
    assert changed['released_volumes'] == [dict(path='/datastore', volume=anonymous, was_in=name)]


# --- case 6: owner and mode of the host's system directories --------------------------
@pytest.mark.parametrize('source', ['/usr', '/home', '/var/log'])
def test_bind_mount_keeps_owner_and_mode_of_system_directories(lab, api, source):
    app = lab.container(lab.name('app'), command=SLEEP)
    before, stat_before = container_of(api, app), os.stat(source)
    refused_twice('bind_mount', dict(container=app, source=source, target='/host', owner=65534, mode='0700'),
                  'Refusing to change owner/mode of the existing host directory %s (owner 65534 wanted, %d found; '
                  'mode 0700 wanted, %04o found) for %s: %s is a system directory'
                  % (source, stat_before.st_uid, stat_before.st_mode & 0o7777, app, source),
                  'set allow_sensitive=true if that change is really meant; nothing was changed.')
    after = os.stat(source)
    assert (after.st_uid, after.st_gid, after.st_mode) == (stat_before.st_uid, stat_before.st_gid, stat_before.st_mode)
    assert container_of(api, app) == before


def test_system_directory_behind_a_link_and_in_a_layout(lab, api, tmp_path):
    link = str(tmp_path / 'local')
    os.symlink('/usr/local', link)
    app = lab.container(lab.name('app'), command=SLEEP)
    mode = os.stat('/usr/local').st_mode
    refused_twice('bind_mount', dict(container=app, source=link, target='/local', mode='0777'),
                  '%s resolves to /usr/local, a system directory' % link)
    logs = dict(source='/var/log', target='/logs', group=65534)
    refused_twice('layout', dict(consumers=[dict(container=app, binds=[logs])]),
                  'consumers[0] (%s): Refusing to change group of the existing host directory /var/log' % app)
    assert os.stat('/usr/local').st_mode == mode and api.inspect_container(app)['HostConfig']['Binds'] in (None, [])


# --- case 7: a mode given as an unquoted YAML number ----------------------------------
MODE_750 = ('mode 750 is an unquoted YAML number, which reads two ways: octal "0750" if its digits were meant, or '
            '"1356" if YAML turned an octal number into it (mode: 01356 arrives as 750). Quote the one you mean: '
            'mode: "0750" (or mode: "1356").')


@pytest.mark.parametrize('module', ['data_container', 'bind_mount', 'layout'])
def test_mode_as_an_ambiguous_number_is_refused(lab, api, tmp_path, module):
    source = str(tmp_path / 'www')
    args = {
        'data_container': dict(name=lab.name('dc'), volumes=[dict(path='/data', mode=750)]),
        'bind_mount': dict(container=lab.name('app'), image=IMAGE, command=SLEEP, source=source, target='/www',
                           mode=750),
        'layout': dict(data_containers=[dict(name=lab.name('dc'), volumes=[dict(path='/data', mode=750)])]),
    }[module]
    where = {'data_container': 'volumes[0] (/data): ', 'bind_mount': 'source: ',
             'layout': 'data_containers[0] (%s): volumes[0] (/data): ' % lab.name('dc')}[module]
    refused_twice(module, args, where + MODE_750)
    assert names_of(api, lab.prefix) == ([], []) and not os.path.exists(source)


PLAY = '''- name: Modes as YAML 1.1 gives them
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: An octal number with its leading 0 (arrives as 488)
      persistent.volumes.data_container:
        name: %(octal)s
        volumes:
          - path: /data
            mode: 0750
    - name: Python's octal form (a string in YAML 1.1)
      persistent.volumes.data_container:
        name: %(python)s
        volumes:
          - path: /data
            mode: 0o2770
    - name: The digits without quotes (arrives as 750)
      persistent.volumes.data_container:
        name: %(digits)s
        volumes:
          - path: /data
            mode: 750
      register: digits
      ignore_errors: true
    - name: Keep the refusal for the test
      ansible.builtin.copy:
        content: "{{ digits | to_json }}"
        dest: %(result)s
        mode: "0600"
'''


def test_modes_as_a_playbook_writes_them(lab, api, tmp_path, ansible_env):
    names = dict(octal=lab.name('octal'), python=lab.name('python'), digits=lab.name('digits'))
    playbook = tmp_path / 'modes.yml'
    playbook.write_text(PLAY % dict(names, result=tmp_path / 'digits.json'))
    run = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', str(playbook)], env=ansible_env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False)
    output = run.stdout.decode()
    assert run.returncode == 0, output
    digits = json.loads((tmp_path / 'digits.json').read_text())
    assert digits['failed'] is True and digits['msg'] == 'volumes[0] (/data): ' + MODE_750, digits
    assert names_of(api, names['digits'])[0] == []
    for name, mode in ((names['octal'], '750'), (names['python'], '2770')):
        code, shown = lab.run('stat -c %a /data', volumes_from=[name])
        assert (code, shown.strip()) == (0, mode), name


# --- case 9: engine errors reported as what they are -----------------------------------
def test_unknown_volume_driver_is_no_race(lab, api):
    name = lab.name('vol')
    result = run_module('volume', dict(name=name, driver='pvt-no-such-driver'))
    failed(result, "The Docker engine refused to create volume '%s' (HTTP 404)" % name,
           "Looked again: the engine has no volume driver 'pvt-no-such-driver' (docker plugin ls lists the installed "
           'ones; "local" is built in).')
    assert not [text for text in result['warning_texts'] if 'Another client' in text or 'conflict' in text]
    assert 'race' not in result and result['actions_left'] == ['create volume %s: missing' % name]
    assert names_of(api, lab.prefix) == ([], [])
