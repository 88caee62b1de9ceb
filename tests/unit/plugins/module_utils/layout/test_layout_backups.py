# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The layout's backup option without an engine: its checks (named as the module or the role names the
option), each data container's volume_backup options, and the archives with no recorded copy."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.layout.backups import (
    COPIES_RECORD,
    LAYOUT_BACKUP_ARGS,
    LayoutBackups,
    pending_copies,
    read_record,
)
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LayoutSpec

SPEC = LayoutSpec({'data_containers': [{'name': 'app_data', 'volumes': ['/data']},
                                       {'name': 'old_data', 'state': 'absent'}]})
RECIPIENT = 'age1k9a2me2gt2tfqpj5ah8uj0c9ws8qp7tdf4qutnm4jrkpx9necshq0dfpfg'
DUMP = [{'container': 'postgres', 'command': 'pg_dumpall'}]


def options(**given):
    result = ArgumentSpecValidator(LAYOUT_BACKUP_ARGS).validate(dict(given))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


@pytest.mark.parametrize('given, prefix, message', [
    pytest.param(dict(dir='b'), '', "backup.dir must be an absolute directory on the managed host, got 'b'.",
                 id='relative-dir'),
    pytest.param(dict(dir='b'), 'data_volume_container_', "data_volume_container_backup_dir must be an absolute",
                 id='relative-dir-role'),
    pytest.param(dict(dir='/b', host='..'), '', "backup.host must be a host name", id='host-dots'),
    pytest.param(dict(dir='/b', host=''), 'data_volume_container_', "backup.host must be a host name", id='host-empty'),
    pytest.param(dict(dir='/b', keep=0), 'data_volume_container_',
                 'data_volume_container_backup_keep must be 1 or more (the number of dated archives to keep), got 0.',
                 id='keep-0'),
    pytest.param(dict(dir='/b', keep_monthly=-2), '', 'backup.keep_monthly must be 1 or more (the number of months',
                 id='keep-monthly'),
    pytest.param(dict(dir='/b', encrypt_to=['age1x']), '', "backup.encrypt_to: 'age1x' is not an age X25519 recipient",
                 id='recipient'),
    pytest.param(dict(dir='/b', exec_before={'old_data': DUMP}), '',
                 'backup.exec_before names old_data, which is not a data container this layout keeps (app_data).',
                 id='exec-of-an-absent-container'),
    pytest.param(dict(dir='/b', exec_after={'x': [], 'y': []}), '', 'backup.exec_after names x, y, which are not',
                 id='exec-two-unknown'),
    pytest.param(dict(dir='/b', exec_before={'app_data': DUMP[0]}), '',
                 'backup.exec_before[app_data] must be a list of commands, got dict.', id='exec-not-a-list'),
    pytest.param(dict(dir='/b', exec_before={'app_data': [{'container': 'postgres'}]}), 'data_volume_container_',
                 'data_volume_container_backup_exec_before[app_data][0].command must be a string or a list',
                 id='exec-no-command'),
    pytest.param(dict(dir='/b', exec_after={'app_data': [{'container': 'pg', 'command': 'x', 'shell': True}]}), '',
                 'backup.exec_after[app_data][0] has unknown keys shell', id='exec-unknown-key'),
])
def test_bad_options_are_named(given, prefix, message):
    with pytest.raises(InputError) as caught:
        LayoutBackups(options(**given), SPEC, prefix)
    assert message in caught.value.msg


def test_each_data_container_kept_gets_its_backup_options():
    backups = LayoutBackups(options(dir='/b', host='web1', compression='xz', keep=3, quiesce='stop',
                                    encrypt_to=[RECIPIENT], exec_before={'app_data': DUMP}), SPEC)
    assert [name for name, dummy in backups.items] == ['app_data']  # the absent one is not backed up
    params = backups.items[0][1]
    assert params['container'] == 'app_data' and params['keep'] == 3 and params['quiesce'] == 'stop'
    assert params['exec_before'] == [dict(DUMP[0], user=None)] and params['exec_after'] == [] and params['encrypt_to'] == [RECIPIENT]
    assert params['method'] == 'auto' and params['force'] is False and params['host'] == 'web1'
    assert backups.dest('/b/web1', 'app_data') == '/b/web1/app_data.tar.xz'


def write_record(folder, record):
    with open(os.path.join(folder, COPIES_RECORD), 'w') as handle:
        handle.write(record if isinstance(record, str) else json.dumps(record))


@pytest.mark.parametrize('record, recorded', [
    pytest.param(None, set(), id='missing'),
    pytest.param({'to': 'store:/srv', 'archives': ['a.tar.gz', 3]}, {'a.tar.gz'}, id='recorded'),
    pytest.param({'to': 'other:/srv', 'archives': ['a.tar.gz']}, set(), id='another-place'),
    pytest.param({'to': 'store:/srv', 'archives': 'a.tar.gz'}, set(), id='not-a-list'),
    pytest.param('{"to": "store:/srv", "arch', set(), id='torn'),
    pytest.param(['store:/srv'], set(), id='not-a-dict'),
])
def test_the_copies_record(tmp_path, record, recorded):
    if record is not None:
        write_record(str(tmp_path), record)
    assert read_record(str(tmp_path), 'store:/srv') == recorded


def test_a_record_that_is_a_link_or_a_fifo_is_no_record(tmp_path):
    real = tmp_path / 'real.json'
    real.write_text(json.dumps({'to': 'store:/srv', 'archives': ['a.tar.gz']}))
    (tmp_path / 'link').mkdir()
    os.symlink(str(real), str(tmp_path / 'link' / COPIES_RECORD))
    assert read_record(str(tmp_path / 'link'), 'store:/srv') == set()
    (tmp_path / 'fifo').mkdir()
    os.mkfifo(str(tmp_path / 'fifo' / COPIES_RECORD))
    assert read_record(str(tmp_path / 'fifo'), 'store:/srv') == set()  # never blocks on a FIFO


def test_pending_copies_are_the_archives_not_recorded(tmp_path):
    folder = str(tmp_path)
    for name in ('app.1.tar.gz', 'app.2.tar.gz', 'db.tar.gz'):
        (tmp_path / name).write_text('x')
    write_record(folder, {'to': 'store:/srv', 'archives': ['app.1.tar.gz']})
    entries = [dict(dest=os.path.join(folder, 'app.2.tar.gz'),
                    generations=[os.path.join(folder, 'app.2.tar.gz'), os.path.join(folder, 'app.1.tar.gz')]),
               dict(dest=os.path.join(folder, 'db.tar.gz')),
               dict(dest=os.path.join(folder, 'gone.tar.gz'))]
    assert pending_copies(folder, 'store:/srv', entries, False) == ['app.2.tar.gz', 'db.tar.gz']
    assert pending_copies(folder, 'store:/srv', entries, True) == ['app.2.tar.gz', 'db.tar.gz', 'gone.tar.gz']
