# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layout module's backup option against the real engine: the backups are taken in the layout's own
task once it converged (the role's one task per host), restore through another container, are checked
before the layout changes anything, say what they changed when one fails, and name the archives with
no recorded copy off the host."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

import pytest

from conftest import IMAGE, LOOP, failed, run_module

TIDY_ALL_HELD = True


def layout(lab, backup, command=None):
    data = lab.name('data')
    return dict(data_containers=[dict(name=data, volumes=['/data'])],
                consumers=[dict(container=lab.name('app'), image=IMAGE, command=command or LOOP, running=True,
                                **{'from': [data]})],
                backup=backup)


def ok(result):
    assert result['rc'] == 0, result.get('msg')
    return result


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_backups_in_the_layout_task_then_no_change_check_and_diff(lab, tmp_path):
    backups = str(tmp_path / 'backups')
    args = layout(lab, dict(dir=backups, host='web1', keep=2))
    predicted = ok(run_module('layout', args, check=True))
    entry = predicted['objects']['backups'][0]
    assert predicted['changed'] is True and entry['changed'] is True, predicted
    assert entry['actions'][0] == 'create %s (mode 0700)' % backups, entry
    assert not os.path.exists(backups) and not lab.volume_exists(lab.name('data'))

    first = ok(run_module('layout', args, diff=True))
    entry = first['objects']['backups'][0]
    assert first['changed'] is True and first['summary']['backups'] == dict(total=1, changed=1), first
    assert mode_of(backups) == 0o700 and mode_of(os.path.join(backups, 'web1')) == 0o700
    assert len(entry['generations']) == 1 and entry['generations'][0].startswith(
        os.path.join(backups, 'web1', lab.name('data') + '.')) and os.path.isfile(entry['generations'][0])
    assert first['diff']['after']['backups'][lab.name('data')]['sha256'] == entry['sha256']
    with open(entry['generations'][0] + '.manifest.json') as handle:
        assert json.load(handle)['host'] == 'web1'

    again = ok(run_module('layout', args))
    assert again['changed'] is False and again['summary']['backups'] == dict(total=1, changed=0), again
    assert again['objects']['backups'][0]['generations'] == entry['generations']

    lab.write('/data/f', 'new-data', volumes_from=[lab.name('app')])
    predicted = ok(run_module('layout', args, check=True))
    assert predicted['changed'] is True and predicted['objects']['backups'][0]['changed'] is True
    assert len(os.listdir(os.path.join(backups, 'web1'))) == 2  # check mode wrote nothing


def test_check_mode_predicts_every_backup_into_a_directory_still_to_make(lab, tmp_path):
    backups = str(tmp_path / 'backups')
    args = layout(lab, dict(dir=backups, host='web1'))
    args['data_containers'].append(dict(name=lab.name('logs'), volumes=['/logs']))
    ok(run_module('layout', dict(args, backup=None)))
    predicted = ok(run_module('layout', args, check=True))
    entries = predicted['objects']['backups']
    assert [entry['name'] for entry in entries] == [lab.name('data'), lab.name('logs')], predicted
    assert all(entry['changed'] for entry in entries) and predicted['summary']['backups']['changed'] == 2
    assert entries[1]['dest'] == os.path.join(backups, 'web1', lab.name('logs') + '.tar.gz')
    assert not os.path.exists(backups)


def test_a_backup_taken_by_the_layout_restores_through_another_container(lab, api, tmp_path):
    backups = str(tmp_path / 'backups')
    args = layout(lab, dict(dir=backups, host='web1', compression='none'))
    ok(run_module('layout', dict(args, backup=None)))
    lab.write('/data/proof', 'written-by-the-app', volumes_from=[lab.name('app')])
    made = ok(run_module('layout', args))
    archive = made['objects']['backups'][0]['dest']
    assert archive == os.path.join(backups, 'web1', lab.name('data') + '.tar') and os.path.isfile(archive)
    code, output = lab.run('rm /data/proof', volumes_from=[lab.name('app')])
    assert code == 0, output
    restored = ok(run_module('volume_restore', dict(src=archive, container=lab.name('data'))))
    assert restored['changed'] is True
    assert lab.read('/data/proof', volumes_from=[lab.name('data')]) == 'written-by-the-app'


@pytest.mark.parametrize('backup, message', [
    (dict(dir='backups'), "backup.dir must be an absolute directory on the managed host, got 'backups'."),
    (dict(dir='/tmp', host='a/b'), "backup.host must be a host name (as the inventory names it), got 'a/b'."),
    (dict(dir='/tmp', keep=0), 'backup.keep must be 1 or more (the number of dated archives to keep), got 0.'),
    (dict(dir='/tmp', keep_daily=-1), 'backup.keep_daily must be 1 or more'),
    (dict(dir='/tmp', encrypt_to=['age1nope']), 'backup.encrypt_to: \'age1nope\' is not an age X25519 recipient'),
    (dict(dir='/tmp', exec_before={'nosuch': []}), 'backup.exec_before names nosuch, which is not a data container '
                                                   'this layout keeps'),
    (dict(dir='/tmp', exec_after={'DATA': 'true'}), 'backup.exec_after[DATA] must be a list of commands, got str.'),
    (dict(dir='/tmp', exec_before={'DATA': [{'container': 'APP', 'command': ''}]}),
     'backup.exec_before[DATA][0].command is empty'),
    (dict(dir='/tmp', quiesce='freeze'), 'quiesce'),
    (dict(host='web1'), 'dir'),
])
def test_bad_backup_options_change_nothing(lab, api, backup, message):
    text = json.dumps(backup).replace('DATA', lab.name('data')).replace('APP', lab.name('app'))
    result = run_module('layout', layout(lab, json.loads(text)))
    failed(result, message.replace('DATA', lab.name('data')))
    assert not api.containers(all=True, filters={'name': lab.prefix})


def test_a_failing_backup_says_what_the_layout_changed(lab, api, tmp_path):
    backups = str(tmp_path / 'backups')
    args = layout(lab, dict(dir=backups, host='web1', exec_before={
        lab.name('data'): [dict(container=lab.name('app'), command=['sh', '-c', 'exit 3'])]}))
    predicted = ok(run_module('layout', args, check=True))  # the command's container is still to be made
    assert predicted['objects']['backups'][0]['changed'] is True and not os.path.exists(backups), predicted
    result = run_module('layout', args)
    assert result['rc'] != 0 and result['changed'] is True, result
    assert result['msg'].startswith('backup of %s: ' % lab.name('data')), result['msg']
    assert any(action.startswith(lab.name('data') + ': create') for action in result['actions_done']), result
    assert any(action.startswith('backup of %s: create %s' % (lab.name('data'), backups))
               for action in result['actions_done']), result
    assert api.inspect_container(lab.name('app'))['State']['Running']  # the layout stays as it converged
    assert os.listdir(os.path.join(backups, 'web1')) == []


def test_a_backup_directory_that_is_a_file_is_refused_in_check_mode_too(lab, tmp_path):
    taken = tmp_path / 'backups'
    taken.write_text('not a directory')
    args = layout(lab, dict(dir=str(taken), host='web1'))
    message = 'backups: %s is there and is no directory; the archives cannot go below it. Move it, or choose ' \
              'another backup.dir.' % taken
    predicted = run_module('layout', args, check=True)
    assert predicted['rc'] != 0 and predicted['msg'] == message and predicted['changed'] is False, predicted
    result = run_module('layout', args)
    assert result['rc'] != 0 and result['msg'] == message, result
    assert result['changed'] is True and any(action.startswith(lab.name('data') + ': create')
                                             for action in result['actions_done']), result  # the layout was done
    assert taken.read_text() == 'not a directory'


def test_archives_with_no_recorded_copy_are_pending(lab, tmp_path):
    backups = str(tmp_path / 'backups')
    args = layout(lab, dict(dir=backups, host='web1', keep=3, copies_to='store:/srv/copies'))
    first = ok(run_module('layout', args))
    name = os.path.basename(first['objects']['backups'][0]['generations'][0])
    assert first['pending_copies'] == [name]
    record = os.path.join(backups, 'web1', '.copies.json')
    with open(record, 'w') as handle:
        json.dump({'to': 'store:/srv/copies', 'archives': [name]}, handle)
    again = ok(run_module('layout', args))
    assert again['changed'] is False and again['pending_copies'] == []
    moved = ok(run_module('layout', dict(args, backup=dict(args['backup'], copies_to='other:/srv/copies'))))
    assert moved['pending_copies'] == [name]  # a copy somewhere else is no copy here
    os.remove(record)
    os.symlink(os.path.join(str(tmp_path), 'elsewhere.json'), record)
    with open(os.path.join(str(tmp_path), 'elsewhere.json'), 'w') as handle:
        json.dump({'to': 'store:/srv/copies', 'archives': [name]}, handle)
    assert ok(run_module('layout', args))['pending_copies'] == [name]  # a record that is a link is no record
