# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real database under a steady insert load, backed up and restored: every committed row comes back consistent.

PostgreSQL from Debian's packages (the image scripts/pg-image.sh builds: 'make pg-image', part of
'make system') keeps its cluster in a data container's volume; a loader in another container inserts
one row per transaction without pause. The rows committed before the backup are counted, then:

* ``quiesce: stop``: the archive is restored into a fresh data container, PostgreSQL starts on it, and
  every counted row is there (data written through one container, read through another);
* ``exec_before`` ``pg_dump`` into a second volume of the data container (no quiesce): that volume is
  restored into a fresh data container, loaded into a new cluster, and every counted row is there;
* ``quiesce: none``: what a live copy gives is recorded (in .build/pg-consistency.json), not asserted.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

import pytest

from conftest import run_module, sh, wait_until
from lab import REPO
from test_restore_hostile import ok

PG_IMAGE = os.environ.get('PV_PG_IMAGE', 'local/pv-postgres:latest')
BIN = '$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)'
PSQL = '%s/psql -h /pgsock -U postgres -qAt' % BIN
# One session sending one insert after the other, each its own transaction; a new session when the
# server went away (stopped for a backup).
LOAD = ('while true; do (while true; do echo "insert into t(v) values (repeat(\'x\', 200));"; done) | %s >/dev/null 2>&1;'
        ' sleep 0.1; done' % PSQL)
RECORD = os.path.join(REPO, '.build', 'pg-consistency.json')


@pytest.fixture
def pg(api, lab):
    try:
        api.inspect_image(PG_IMAGE)
    except Exception:  # pylint: disable=broad-except
        pytest.fail('%s is missing: run make pg-image (make system builds it)' % PG_IMAGE)
    return Postgres(api, lab)


class Postgres(object):
    def __init__(self, api, lab):
        self.api, self.lab = api, lab

    def data_container(self, suffix, paths=('/pgdata',)):
        name = self.lab.name(suffix)
        ok(run_module('data_container', dict(name=name, volumes=list(paths))))
        return name

    def server(self, suffix, data):
        """PostgreSQL on ``data``'s volumes (--volumes-from), its socket in a volume of its own; ready."""
        name, sock = self.lab.name(suffix), self.lab.name(suffix + '-sock')
        host_config = self.api.create_host_config(volumes_from=[data], binds=['%s:/pgsock' % sock])
        self.api.create_container(PG_IMAGE, name=name, host_config=host_config, stop_signal='SIGINT',
                                  labels={'pvtest': 'pg'})
        self.api.start(name)
        self.wait_ready(name)
        return name, sock

    def wait_ready(self, name, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if sh(self.api, name, '%s/pg_isready -h /pgsock -U postgres' % BIN)[0] == 0:
                return
            if not self.api.inspect_container(name)['State']['Running']:
                break
            time.sleep(0.5)
        raise AssertionError('PostgreSQL in %s did not get ready: %s' % (name, self.api.logs(name).decode()[-2000:]))

    def psql(self, name, query):
        code, output = sh(self.api, name, '%s -c "%s"' % (PSQL, query))
        assert code == 0, output
        return output

    def loader(self, suffix, sock):
        name = self.lab.name(suffix)
        host_config = self.api.create_host_config(binds=['%s:/pgsock' % sock])
        self.api.create_container(PG_IMAGE, name=name, command=['sh', '-c', LOAD], host_config=host_config,
                                  labels={'pvtest': 'pg'})
        self.api.start(name)
        return name

    def loaded(self, suffix, paths=('/pgdata',)):
        """A data container, PostgreSQL on it with a table, a loader inserting into it for a while."""
        data = self.data_container(suffix + '-data', paths)
        server, sock = self.server(suffix + '-pg', data)
        self.psql(server, 'create table t (id bigserial primary key, v text)')
        self.loader(suffix + '-load', sock)
        wait_until(lambda: int(self.psql(server, 'select count(*) from t')) > 200, 'the loader inserting 200 rows')
        return data, server

    def committed(self, server):
        """(count, max id) of the rows committed now."""
        count, highest = self.psql(server, 'select count(*), max(id) from t').split('|')
        return int(count), int(highest)


def test_quiesce_stop_restores_every_committed_row(pg, tmp_path):
    data, server = pg.loaded('stop')
    count, highest = pg.committed(server)
    options = dict(container=data, dest=str(tmp_path / 'pg.tar'), compression='none', quiesce='stop')
    done = ok(run_module('volume_backup', options))
    assert done['quiesced'] == [server] and done['changed']
    assert not [w for w in done['warning_texts'] if 'changed while they were read' in w], done['warning_texts']
    assert pg.api.inspect_container(server)['State']['Running']
    assert pg.committed(server)[0] > count  # the load went on after the restart

    fresh = pg.data_container('stop-fresh')
    ok(run_module('volume_restore', dict(src=str(tmp_path / 'pg.tar'), container=fresh)))
    restored, dummy = pg.server('stop-restored', fresh)
    assert int(pg.psql(restored, 'select count(*) from t where id <= %d' % highest)) == count


def test_exec_before_pg_dump_restores_every_committed_row(pg, tmp_path):
    data, server = pg.loaded('dump', paths=('/pgdata', '/dump'))
    count, highest = pg.committed(server)
    dump = '%s/pg_dump -h /pgsock -U postgres -f /dump/db.sql postgres && ls -l /dump/db.sql' % BIN
    options = dict(container=data, paths=['/dump'], dest=str(tmp_path / 'dump.tar'), compression='gzip',
                   exec_before=[dict(container=server, command=['sh', '-c', dump])])
    done = ok(run_module('volume_backup', options))
    assert done['quiesced'] == [] and done['exec_before'][0]['rc'] == 0 and 'db.sql' in done['exec_before'][0]['output_tail']

    fresh = pg.data_container('dump-fresh', ('/pgdata', '/dump'))
    ok(run_module('volume_restore', dict(src=str(tmp_path / 'dump.tar'), container=fresh)))
    restored, dummy = pg.server('dump-restored', fresh)
    assert int(pg.psql(restored, 'select count(*) from pg_tables where tablename = \'t\'')) == 0  # a new cluster
    code, output = sh(pg.api, restored, '%s -v ON_ERROR_STOP=1 -f /dump/db.sql postgres' % PSQL)
    assert code == 0, output
    assert int(pg.psql(restored, 'select count(*) from t where id <= %d' % highest)) == count


def test_without_quiesce_records_what_a_live_copy_gives(pg, tmp_path):
    data, server = pg.loaded('live')
    count, highest = pg.committed(server)
    done = ok(run_module('volume_backup', dict(container=data, dest=str(tmp_path / 'live.tar'), compression='none')))
    seen = dict(committed_before=count, quiesced=done['quiesced'],
                changed_while_read=[w for w in done['warning_texts'] if 'changed while they were read' in w])
    fresh = pg.data_container('live-fresh')
    ok(run_module('volume_restore', dict(src=str(tmp_path / 'live.tar'), container=fresh)))
    try:
        restored, dummy = pg.server('live-restored', fresh)
        seen['started'] = True
        seen['rows_of_those_restored'] = int(pg.psql(restored, 'select count(*) from t where id <= %d' % highest))
    except AssertionError as exc:
        seen['started'] = False
        seen['error'] = str(exc)[-1500:]
    if not os.path.isdir(os.path.dirname(RECORD)):
        os.makedirs(os.path.dirname(RECORD))
    with open(RECORD, 'w') as handle:
        json.dump(seen, handle, indent=2)
    print('quiesce=none under load: %s' % json.dumps(seen))
    assert done['quiesced'] == []
