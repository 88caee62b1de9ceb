# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A 404 or 409 is a race only when the objects the failed action concerned are no longer as
the plan saw them; otherwise the message says why the engine refused."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.plan.execute import execute
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action, Plan
from ansible_collections.persistent.volumes.plugins.module_utils.plan.races import explain, race_seen

from ansible_collections.persistent.volumes.tests.unit.conftest import container_id, raw_inspect
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

PLUGIN = ('The Docker engine refused to create volume \'v\' (HTTP 404): create v: error looking up volume plugin '
          'nosuch: plugin "nosuch" not found')


class LookingAPI(FakeEngineAPI):
    """What the engine shows after the failure: volumes, containers (name -> status), images, users."""

    def __init__(self, volumes=(), containers=None, images=(), users=None, fail=None):
        super(LookingAPI, self).__init__()
        self.volumes = set(volumes)
        self.containers = dict((name, raw_inspect(name, status=status)) for name, status in (containers or {}).items())
        self.images = set(images)
        self.users = users or {}
        self.fail = fail
        self.written = []

    def inspect_volume(self, name):
        return {'Name': name} if name in self.volumes else None

    def list_containers(self, filters=None):
        return [{'Names': ['/' + user]} for user in self.users.get(filters['volume'], [])]

    def inspect_container(self, name_or_id):
        for name, raw in self.containers.items():
            if name_or_id in (name, raw['Id']):
                return raw
        return None

    def inspect_image(self, reference):
        return {'Id': reference} if reference in self.images else None

    def create_volume(self, name, driver, driver_options, labels):
        if self.fail:
            raise self.fail
        self.written.append(name)


CREATE_VOLUME = Action('create_volume', 'v', 'missing', driver='nosuch')
REMOVE_VOLUME = Action('remove_volume', 'v', 'state=absent')
CREATE = Action('create_container', 'dc', 'missing', image='img', volumes_from=['src:ro'])
CONSUMER = Action('create_consumer', 'app', 'missing', image='img', host_config={'VolumesFrom': ['dc']}, create={})
REMOVE = Action('remove_container', 'dc', 'replaced', id=container_id('dc'))
RENAME = Action('rename_container', 'dc.pv-1', 'take the place', new_name='dc')
START = Action('start_container', 'app', 'running=true')


@pytest.mark.parametrize('action, status, seen, race', [
    pytest.param(CREATE_VOLUME, 404, {}, None, id='unknown-driver-is-no-race'),
    pytest.param(CREATE_VOLUME, 409, dict(volumes=['v']), 'volume v was created meanwhile', id='volume-created'),
    pytest.param(CREATE_VOLUME, 500, dict(volumes=['v']), None, id='other-status-is-never-a-race'),
    pytest.param(REMOVE_VOLUME, 404, {}, 'volume v was removed meanwhile', id='volume-removed'),
    pytest.param(REMOVE_VOLUME, 409, dict(volumes=['v'], users={'v': ['late']}),
                 'container late started using volume v meanwhile', id='volume-used'),
    pytest.param(REMOVE_VOLUME, 409, dict(volumes=['v']), None, id='volume-unused-is-no-race'),
    pytest.param(CREATE, 409, dict(containers={'dc': 'created'}, images=['img']),
                 'a container named dc was created meanwhile', id='name-taken'),
    pytest.param(CREATE, 404, dict(images=['img']),
                 'container src, which dc takes volumes from, was removed meanwhile', id='source-removed'),
    pytest.param(CREATE, 404, dict(containers={'src': 'created'}), 'image img was removed meanwhile', id='image-removed'),
    pytest.param(CREATE, 404, dict(containers={'src': 'created'}, images=['img']), None, id='all-there-no-race'),
    pytest.param(CONSUMER, 404, dict(images=['img']), 'container dc, which app takes volumes from, was removed meanwhile',
                 id='consumer-source-removed'),
    pytest.param(REMOVE, 404, {}, 'container dc was removed meanwhile', id='removed'),
    pytest.param(REMOVE, 409, dict(containers={'dc': 'running'}), 'container dc was started meanwhile', id='started'),
    pytest.param(REMOVE, 409, dict(containers={'dc': 'removing'}), 'another client is removing container dc',
                 id='being-removed'),
    pytest.param(REMOVE, 409, dict(containers={'dc': 'created'}), None, id='unchanged-no-race'),
    pytest.param(START, 409, dict(containers={'app': 'dead'}), 'another client is removing container app',
                 id='start-marked-for-removal'),
    pytest.param(RENAME, 500, {}, 'container dc.pv-1 was removed meanwhile', id='rename-500-source-gone'),
    pytest.param(RENAME, 500, dict(containers={'dc.pv-1': 'removing'}), 'another client is removing container dc.pv-1',
                 id='rename-500-being-removed'),
    pytest.param(RENAME, 500, dict(containers={'dc.pv-1': 'created'}), None, id='rename-500-unchanged-no-race'),
    pytest.param(RENAME, 409, dict(containers={'dc.pv-1': 'created', 'dc': 'created'}),
                 'a container named dc was created meanwhile', id='rename-name-taken'),
    pytest.param(RENAME, 404, {}, 'container dc.pv-1 was removed meanwhile', id='rename-source-gone'),
    pytest.param(START, 404, {}, 'container app was removed meanwhile', id='start-gone'),
    pytest.param(Action('pull_image', 'img', 'missing'), 404, {}, None, id='pull-is-never-a-race'),
])
def test_race_seen(action, status, seen, race):
    assert race_seen(LookingAPI(**seen), action, status) == race


def test_looking_fails_counts_as_no_race():
    class Broken(LookingAPI):
        def inspect_volume(self, name):
            raise EngineError('Cannot talk to the Docker engine')
    assert race_seen(Broken(), CREATE_VOLUME, 409) is None


@pytest.mark.parametrize('action, status, msg, expected', [
    pytest.param(CREATE_VOLUME, 404, PLUGIN,
                 PLUGIN + '. Looked again: the engine has no volume driver \'nosuch\' (docker plugin ls lists the '
                 'installed ones; "local" is built in).', id='unknown-driver'),
    pytest.param(REMOVE, 409, 'The Docker engine refused to remove container \'dc\' (HTTP 409): busy.',
                 'The Docker engine refused to remove container \'dc\' (HTTP 409): busy. Looked again: no other client '
                 'changed dc meanwhile, so this is the engine\'s own answer to the request.', id='other-409'),
    pytest.param(START, 400, 'The Docker engine refused to start container \'app\' (HTTP 400): exec failed',
                 'The Docker engine refused to start container \'app\' (HTTP 400): exec failed', id='400-unchanged'),
])
def test_explain_says_why_the_engine_refused(action, status, msg, expected):
    exc = EngineError(msg, status_code=status)
    explain(LookingAPI(containers={'dc': 'created'}), action, exc)
    assert (exc.msg, str(exc), 'race' in exc.details) == (expected, expected, False)


def test_explain_marks_a_race():
    exc = EngineError('The Docker engine refused to create volume \'v\' (HTTP 409): conflict', status_code=409)
    explain(LookingAPI(volumes=['v']), CREATE_VOLUME, exc)
    assert exc.details['race'] == 'volume v was created meanwhile'
    assert exc.msg.endswith('conflict')


def test_execute_lists_what_was_done_and_what_is_left():
    api = LookingAPI()
    plan = Plan()
    plan.add('create_volume', 'a', 'missing', driver='local')
    plan.add('create_volume', 'b', 'missing', driver='nosuch')
    plan.add('create_volume', 'c', 'missing', driver='local')

    def create(name, driver, driver_options, labels):
        if driver == 'nosuch':
            raise EngineError(PLUGIN, status_code=404)
        api.written.append(name)
    api.create_volume = create
    api.users = {'a': ['app']}  # held by a container: not removed as an unused new volume
    with pytest.raises(EngineError) as caught:
        execute(plan, api, check_mode=False)
    details = caught.value.details
    assert api.written == ['a']
    assert (details['changed'], details['actions_done'], details['actions_left']) == (
        True, ['create volume a: missing'], ['create volume b: missing', 'create volume c: missing'])
    assert 'race' not in details and 'no volume driver' in caught.value.msg


@pytest.mark.parametrize('race, attempts, warned', [
    pytest.param(None, 1, [], id='refusal-not-retried'),
    pytest.param('volume v was created meanwhile', 3, [
        'Another client changed the same objects at the same time: volume v was created meanwhile (the engine '
        'answered with a conflict: boom). Looked at the engine again and converged from there.'], id='race-retried'),
])
def test_only_a_seen_race_is_retried(fake_api, engine_module, module_exit, race, attempts, warned):
    engine = engine_module(fake_api())
    tries = []

    def work(dummy):
        tries.append(1)
        details = dict(status_code=409, changed=len(tries) == 1)
        if race:
            details['race'] = race
        raise EngineError('boom', **details)
    with pytest.raises(module_exit) as caught:
        engine.run(work)
    assert len(tries) == attempts
    assert engine.module.warnings == warned
    assert caught.value.result['changed'] is True  # the first attempt wrote


def test_a_run_that_wrote_before_a_race_reports_a_change(fake_api, engine_module, module_exit):
    engine = engine_module(fake_api())
    tries = []

    def work(dummy):
        tries.append(1)
        if len(tries) == 1:
            raise EngineError('boom', status_code=404, changed=True, race='volume v was removed meanwhile')
        return dict(changed=False)
    with pytest.raises(module_exit) as caught:
        engine.run(work)
    assert (caught.value.failed, caught.value.result['changed']) == (False, True)
