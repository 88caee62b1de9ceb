# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A consistent backup's pure parts: which containers are quiesced, from the mounts the engine
reports (consumer/quiesce.py); the exec commands' checks (backup/hooks.py); quiesce's values
(backup/spec.py); the order of a run and what is undone whatever happens (backup/consistency.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.backup.consistency import Consistency, ExecFailed
from ansible_collections.persistent.volumes.plugins.module_utils.backup.hooks import parse_commands
from ansible_collections.persistent.volumes.plugins.module_utils.backup.spec import BackupSpec
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import quiesce_actions, writers_of
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, InputError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

MP = '/var/lib/docker/volumes/%s/_data'
VOLUMES = {'pgdata': MP % 'pgdata', 'abc123': MP % 'abc123'}


def vol(name, dst, rw=True):
    return dict(Type='volume', Name=name, Source=MP % name, Destination=dst, RW=rw)


def bind(src, dst, rw=True):
    return dict(Type='bind', Source=src, Destination=dst, RW=rw)


def summary(name, mounts, state='running'):
    return dict(Id='id-' + name, Names=['/' + name], State=state, Mounts=mounts)


@pytest.mark.parametrize('containers, expected', [
    # a named volume mounted read-write; --volumes-from is reported the same way by the engine
    ([summary('db', [vol('pgdata', '/var/lib/postgresql')])], {'db': ['volume pgdata at /var/lib/postgresql']}),
    # an anonymous volume of a data container, through --volumes-from
    ([summary('app', [vol('abc123', '/data'), vol('other', '/cache')])], {'app': ['volume abc123 at /data']}),
    # read-only users cannot tear the copy: left running
    ([summary('reader', [vol('pgdata', '/ro', rw=False)])], {}),
    # stopped, created, paused containers write nothing now
    ([summary('off', [vol('pgdata', '/d')], 'exited'), summary('new', [vol('pgdata', '/d')], 'created'),
      summary('frozen', [vol('pgdata', '/d')], 'paused')], {}),
    # binds of the volume's directory, a directory inside it, one above it
    ([summary('same', [bind(MP % 'pgdata', '/x')]), summary('inside', [bind(MP % 'pgdata' + '/sub/', '/y')]),
      summary('above', [bind('/var/lib/docker', '/z')])],
     {'same': ['bind %s at /x' % (MP % 'pgdata')], 'inside': ['bind %s/sub/ at /y' % (MP % 'pgdata')],
      'above': ['bind /var/lib/docker at /z']}),
    # a bind of a sibling directory, or a read-only bind, or a name that merely starts alike
    ([summary('sibling', [bind('/var/lib/docker/volumes/pgdata2/_data', '/x')]),
      summary('robind', [bind(MP % 'pgdata', '/x', rw=False)]),
      summary('prefix', [bind(MP % 'pgdata' + 'x', '/x')])], {}),
    # no mounts reported at all, and tmpfs
    ([summary('bare', None), summary('tmp', [dict(Type='tmpfs', Destination='/t')])], {}),
    # two ways in, both named
    ([summary('both', [vol('pgdata', '/a'), bind(MP % 'abc123', '/b')])],
     {'both': ['volume pgdata at /a', 'bind %s at /b' % (MP % 'abc123')]}),
])
def test_writers_from_reported_mounts(containers, expected):
    found = writers_of(containers, VOLUMES)
    assert dict((w.name, w.via) for w in found) == expected
    assert [w.name for w in found] == sorted(expected)


def test_writers_without_mountpoint_match_by_volume_name_only():
    """A remote engine's volume may have no Mountpoint to compare binds with."""
    found = writers_of([summary('b', [bind('/', '/host')]), summary('v', [vol('x', '/d')])], {'x': None})
    assert [w.name for w in found] == ['v']


@pytest.mark.parametrize('mode, kinds', [('stop', ['stop_container']), ('pause', ['pause_container']), ('none', [])])
def test_quiesce_actions(mode, kinds):
    plan = Plan()
    names = quiesce_actions(plan, writers_of([summary('db', [vol('pgdata', '/d')])], VOLUMES), mode, 'the data')
    assert plan.kinds == kinds
    assert names == (['db'] if kinds else [])
    if kinds:
        assert plan.actions[0].args['id'] == 'id-db'
        assert 'volume pgdata at /d' in plan.actions[0].reason


@pytest.mark.parametrize('entries, expected', [
    ([dict(container='db', command='pg_dump -U postgres -f "/d/a b.sql"')], [['pg_dump', '-U', 'postgres', '-f', '/d/a b.sql']]),
    ([dict(container='db', command=['sh', '-c', 'echo > /x'], user='postgres')], [['sh', '-c', 'echo > /x']]),
    (None, []),
    ([], []),
])
def test_parse_commands(entries, expected):
    assert [c.command for c in parse_commands(entries, 'exec_before')] == expected


@pytest.mark.parametrize('entries, message', [
    ([dict(container='db', command='')], 'exec_before[0].command is empty'),
    ([dict(container='db', command=[])], 'exec_before[0].command is empty'),
    ([dict(container='db', command='echo "open')], 'exec_before[0].command \'echo "open\' cannot be split'),
    ([dict(container='db', command=['sh', 3])], 'exec_before[0].command must be a string or a list of strings'),
    ([dict(container='db', command={'a': 1})], 'must be a string or a list of strings'),
    ([dict(command='true')], 'exec_before[0] needs container'),
    ([dict(container='bad name!', command='true')], 'exec_before[0].container'),
    (['true'], 'exec_before[0] must be a dict'),
    ([dict(container='db', command='true', shell=True)], 'exec_before[0] has unknown keys shell'),
])
def test_parse_commands_refusals(entries, message):
    with pytest.raises(InputError) as caught:
        parse_commands(entries, 'exec_before')
    assert message in caught.value.msg


PARAMS = dict(dest='/tmp/x.tar', container='c', compression='none', method='auto', keep=None, paths=None,
              volume=None, force=False, host=None)


@pytest.mark.parametrize('value, expected', [(None, 'none'), ('none', 'none'), ('stop', 'stop'), ('pause', 'pause')])
def test_spec_quiesce(value, expected):
    assert BackupSpec(dict(PARAMS, quiesce=value)).quiesce == expected


@pytest.mark.parametrize('value', ['kill', 'STOP', 'freeze'])
def test_spec_quiesce_refused(value):
    with pytest.raises(InputError) as caught:
        BackupSpec(dict(PARAMS, quiesce=value))
    assert caught.value.msg == "quiesce must be one of none, stop, pause, got %r." % value


# --- the order of a run, with an API that records what it is asked -------------------------------
class Item(object):
    volume = 'pgdata'
    inspect = {'Mountpoint': MP % 'pgdata'}


class Source(object):
    items = [Item()]
    label = {'container': 'pgdata'}


class FakeAPI(FakeEngineAPI):
    def __init__(self, running=('db', 'tool'), codes=None):
        super(FakeAPI, self).__init__()
        self.running = set(running)
        self.codes = codes or {}
        self.calls = []

    def list_containers(self):
        return [summary('db', [vol('pgdata', '/d')]), summary('tool', [])]

    def inspect_container(self, name_or_id):
        name = name_or_id.replace('id-', '')
        if name not in ('db', 'tool'):
            return None
        return dict(State=dict(Running=name in self.running, Paused=False, Status='running' if name in self.running else 'exited'))

    def exec_command(self, container, command, user=None):
        self.calls.append(('exec', container, command[0]))
        return self.codes.get(command[0], 0), b'line 1\nline 2\n'

    def start_container(self, name_or_id):
        self.calls.append(('start', name_or_id))
        self.running.add(name_or_id.replace('id-', ''))


class Engine(object):
    def __init__(self, api):
        self.api = api

    def apply(self, plan):
        for action in plan.actions:
            self.api.calls.append((action.kind, action.target))
            self.api.running.discard(action.target)


def consistency(api, quiesce='stop', before=('dump',), after=('clean',)):
    spec = BackupSpec(dict(PARAMS, quiesce=quiesce, exec_before=[dict(container='tool', command=c) for c in before],
                           exec_after=[dict(container='tool', command=c) for c in after]))
    return Consistency(api, spec, Source())


def test_order_of_a_run():
    api = FakeAPI()
    guard = consistency(api)

    def work():
        guard.quiesce_now(Engine(api))
        api.calls.append(('read',))
        return dict(changed=True, dest='/b/x.tar')
    result = guard.around(work)
    assert api.calls == [('exec', 'tool', 'dump'), ('stop_container', 'db'), ('read',), ('start', 'id-db'),
                         ('exec', 'tool', 'clean')]
    assert result['quiesced'] == ['db']
    assert [(e['rc'], e['ran'], e['output_tail']) for e in result['exec_before']] == [(0, True, 'line 1\nline 2\n')]


def test_failing_exec_before_stops_before_anything_and_still_runs_exec_after():
    api = FakeAPI(codes={'dump': 3})
    guard = consistency(api)
    with pytest.raises(ExecFailed) as caught:
        guard.around(lambda: pytest.fail('the read must not happen'))
    assert api.calls == [('exec', 'tool', 'dump'), ('exec', 'tool', 'clean')]
    assert 'exec_before[0] failed: dump in tool exited 3 (last output: line 1 | line 2)' in caught.value.msg
    assert 'no container was stopped and nothing was written' in caught.value.msg
    assert caught.value.details['exec_before'][0]['rc'] == 3


def test_failed_write_still_restarts():
    api = FakeAPI()
    guard = consistency(api, before=(), after=())

    def work():
        guard.quiesce_now(Engine(api))
        raise EngineError('disk full')
    with pytest.raises(EngineError) as caught:
        guard.around(work)
    assert api.calls[-1] == ('start', 'id-db')
    assert caught.value.msg == 'disk full'
    assert caught.value.details['quiesced'] == ['db']


def test_failing_exec_after_fails_a_good_backup_saying_so():
    api = FakeAPI(codes={'clean': 1})
    guard = consistency(api)
    with pytest.raises(EngineError) as caught:
        guard.around(lambda: dict(changed=True, dest='/b/x.tar'))
    assert caught.value.msg.startswith('The backup itself succeeded (the archive /b/x.tar was written and is complete), '
                                       'but afterwards: exec_after[0] failed: clean in tool exited 1')
    assert caught.value.details['changed'] is True


@pytest.mark.parametrize('running, message', [
    (('db',), "exec_before[0]: container tool is not running (exited); exec commands run in running containers"),
])
def test_exec_container_must_run(running, message):
    with pytest.raises(InputError) as caught:
        consistency(FakeAPI(running=running))
    assert message in caught.value.msg


def test_exec_container_must_exist():
    spec = BackupSpec(dict(PARAMS, exec_after=[dict(container='ghost', command='true')]))
    with pytest.raises(InputError) as caught:
        Consistency(FakeAPI(), spec, Source())
    assert caught.value.msg == "exec_after[0]: container 'ghost' does not exist; exec commands run in running containers."


def test_check_mode_describes_the_whole_run():
    guard = consistency(FakeAPI())
    assert guard.describe(['write /b/x.tar']) == [
        'run in tool: dump', 'stop db while the data of pgdata is read (started again afterwards)', 'write /b/x.tar',
        'start db again', 'run in tool: clean']
    assert guard.describe([], False) == ['run in tool: dump', 'run in tool: clean']
    assert guard.result(True)['quiesced'] == ['db']
    assert guard.result(True)['exec_before'][0]['ran'] is False


def test_resumed_right_after_the_read_once():
    """The applications run again before the new archive is read back and the series pruned."""
    api = FakeAPI()
    guard = consistency(api, before=(), after=('clean',))

    def work():
        guard.quiesce_now(Engine(api))
        api.calls.append(('read',))
        guard.resume_now()
        api.calls.append(('read back, prune',))
        return dict(changed=True, dest='/b/x.tar')
    guard.around(work)
    assert api.calls == [('stop_container', 'db'), ('read',), ('start', 'id-db'), ('read back, prune',),
                         ('exec', 'tool', 'clean')]
