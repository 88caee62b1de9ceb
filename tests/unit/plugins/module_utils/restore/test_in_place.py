# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A named volume restored in place (restore/in_place.py): the order of the steps, and what a run does
with the journal an interrupted one left (finish the same restore, undo it before another)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import Access
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import MountedAt
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import Container
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.model.restore_journal import interrupted_restores
from ansible_collections.persistent.volumes.plugins.module_utils.restore.in_place import InPlace
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

VOLUME, APP, APP_ID, DIGEST = 'pgdata', 'app', 'a' * 64, 'd' * 64
ENTRY = dict(path='/data', member='data', content_sha256='c' * 64)


class Spec(object):
    src, digest, scheme = '/b/a.tar', DIGEST, 2


class FakeAPI(FakeEngineAPI):
    def __init__(self, containers):
        super(FakeAPI, self).__init__()
        self.containers = containers

    def list_containers(self, filters=None):
        found = []
        for summary in self.containers:
            labels = summary.get('Labels') or {}
            label = (filters or {}).get('label')
            if label and labels.get(label.split('=')[0]) != label.split('=', 1)[1]:
                continue
            volume = (filters or {}).get('volume')
            if volume and volume not in [m['Name'] for m in summary.get('Mounts') or []]:
                continue
            found.append(summary)
        return found

    def inspect_container(self, name_or_id):
        for summary in self.containers:
            if name_or_id in (summary['Id'], summary['Names'][0].lstrip('/')):
                return dict(Id=summary['Id'], Name=summary['Names'][0], HostConfig=summary.get('HostConfig') or {})
        return None

    @staticmethod
    def inspect_image(reference):
        return {'Id': 'sha256:' + '1' * 64}


class Engine(object):
    check_mode = False

    def __init__(self, containers):
        self.api = FakeAPI(containers)


def app(state='running', auto_remove=False):
    return dict(Id=APP_ID, Names=['/' + APP], State=state, Labels={}, Mounts=[dict(Name=VOLUME)],
                HostConfig=dict(AutoRemove=auto_remove))


def journal(copied, digest=DIGEST, previous='pgdata.previous-x', stopped=(APP_ID,), helper=True):
    name = 'pv-restore-journal-0a0b0c'
    labels = {pv.TEMPORARY: 'restore-journal', pv.RESTORE_TARGET: VOLUME, pv.RESTORE_PREVIOUS: previous,
              pv.RESTORED_FROM: digest, pv.RESTORED_PATH: '/data', pv.RESTORE_SRC: '/b/old.tar',
              pv.RESTORE_STOPPED: json.dumps(list(stopped))}
    found = [dict(Id='j' * 64, Names=['/' + name + ('-copied' if copied else '')], State='created', Labels=labels,
                  Mounts=[dict(Name=VOLUME)])]
    if helper:
        found.append(dict(Id='h' * 64, Names=['/pv-restore-previous-0a0b0c'], State='created',
                          Labels={pv.TEMPORARY: 'restore-previous', pv.JOURNAL: name}, Mounts=[dict(Name=previous)]))
    return found


FRESH_KEEP = ['create_container', 'create_volume', 'create_container', 'copy_previous', 'rename_container',
              'replace_content', 'remove_container', 'remove_container']
UNDO = ['remove_container', 'remove_container', 'remove_volume']


@pytest.mark.parametrize('state, containers, kinds', [
    pytest.param('other', [], FRESH_KEEP, id='other-content-kept'),
    pytest.param('other', [app()], FRESH_KEEP[:3] + ['stop_container'] + FRESH_KEEP[3:6] + ['start_container']
                 + FRESH_KEEP[6:], id='running-user-stopped-and-started'),
    pytest.param('other', [app('exited')], FRESH_KEEP, id='stopped-user-left-alone'),
    pytest.param('empty', [], ['create_container', 'rename_container', 'replace_content', 'remove_container'],
                 id='empty-keeps-nothing'),
    pytest.param('same', [], [], id='already-the-archive'),
    pytest.param('other', [app('exited')] + journal(False), UNDO + FRESH_KEEP[:6] + ['start_container']
                 + FRESH_KEEP[6:], id='killed-before-the-copy-was-complete'),
    pytest.param('other', [app('exited')] + journal(True),
                 ['replace_content', 'start_container', 'remove_container', 'remove_container'],
                 id='killed-after-the-copy-finished'),
    pytest.param('other', [app()] + journal(True), ['stop_container', 'replace_content', 'start_container',
                                                    'remove_container', 'remove_container'],
                 id='killed-after-the-copy-then-started-by-hand'),
    pytest.param('same', [app('exited')] + journal(True), ['start_container', 'remove_container', 'remove_container'],
                 id='killed-after-the-fill-closed'),
    pytest.param('other', [app('exited')] + journal(True, digest='e' * 64),
                 ['put_previous'] + UNDO + FRESH_KEEP[:6] + ['start_container'] + FRESH_KEEP[6:],
                 id='another-archive-undoes-first'),
    pytest.param('other', journal(True, digest='e' * 64, stopped=(), helper=False),
                 ['create_container', 'put_previous', 'remove_container'] + UNDO[1:] + FRESH_KEEP,
                 id='another-archive-helper-gone'),
    pytest.param('same', journal(True, digest='e' * 64, previous='', stopped=(), helper=False),
                 ['empty_volume', 'remove_container', 'create_container', 'rename_container', 'replace_content',
                  'remove_container'],
                 id='another-archive-the-volume-was-empty'),
])
def test_in_place_plan(state, containers, kinds):
    restore = InPlace(Engine(containers), Spec(), VOLUME, ENTRY, state, Access('engine', 'test'), was_in='dc')
    plan = Plan()
    if restore.needed:
        restore.add(plan, archive=None)
    assert plan.kinds == kinds
    created = [a for a in plan.actions if a.kind == 'create_volume']
    for action in created:  # the earlier content's volume: named after the volume, labelled
        assert action.target.startswith(VOLUME + '.previous-')
        assert action.args['labels'][pv.PREVIOUS_OF] == VOLUME and action.args['labels'][pv.WAS_IN] == 'dc'
        assert restore.previous_report() == [dict(path='/data', volume=action.target, was_in='dc')]
    journals = [a for a in plan.actions if a.kind == 'create_container' and a.target.startswith('pv-restore-journal-')]
    for action in journals:
        assert action.args['binds'] == ['pgdata:/data:rw']
        recorded = action.args['labels']
        assert recorded[pv.RESTORE_TARGET] == VOLUME and recorded[pv.RESTORED_FROM] == DIGEST
        assert json.loads(recorded[pv.RESTORE_STOPPED]) == [APP_ID] * ('start_container' in kinds)
    if 'replace_content' in kinds:  # the content is only written once the copy is complete
        assert 'copy_previous' not in kinds[kinds.index('replace_content'):]


def test_a_running_rm_container_is_refused():
    with pytest.raises(Refusal) as caught:
        InPlace(Engine([app(auto_remove=True)]), Spec(), VOLUME, ENTRY, 'other', Access('engine', 'test'))
    assert 'container app uses it and runs with --rm' in caught.value.msg


@pytest.mark.parametrize('copied, previous, said', [
    (False, 'pgdata.previous-x', 'the volume itself was not written yet'),
    (True, 'pgdata.previous-x', 'its earlier content is complete in volume pgdata.previous-x'),
    (True, '', 'it was empty before'),
])
def test_interrupted_restores_are_reported(copied, previous, said):
    listed = [Container(summary) for summary in journal(copied, previous=previous)]
    mounts = {'/data': MountedAt('/data', 'volume', name=VOLUME), '/logs': MountedAt('/logs', 'volume', name='other')}
    [warning] = interrupted_restores(listed, mounts)
    assert warning.startswith('Volume pgdata at /data: a restore from /b/old.tar was interrupted (%s)' % said)
    assert interrupted_restores(listed, {'/logs': mounts['/logs']}) == []
