# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The engine's and the host's appliers, against the declared fake engine: which call each action
makes, which refusals of the engine they take as done, and how a failed start is undone."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.plan import appliers
from ansible_collections.persistent.volumes.plugins.module_utils.plan.appliers import APPLIERS
from ansible_collections.persistent.volumes.plugins.module_utils.plan.execute import execute
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action, Plan
from ansible_collections.persistent.volumes.tests.unit.conftest import raw_inspect
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

ANON = 'a' * 64
BODY = {'Image': 'app:1', 'HostConfig': {}}


def apply(api, kind, target, **args):
    return APPLIERS[kind](api, Action(kind, target, 'test', **args))


@pytest.mark.parametrize('kind, target, args, call', [
    pytest.param('create_volume', 'v', dict(driver='local', driver_options={'o': 'x'}, labels={'l': '1'}),
                 ('create_volume', 'v', 'local', {'o': 'x'}, {'l': '1'}), id='create-volume'),
    pytest.param('create_volume', 'v', {}, ('create_volume', 'v', None, None, None), id='create-volume-defaults'),
    pytest.param('pull_image', 'reg.example/app:1', {}, ('pull_image', 'reg.example/app:1', 'reg.example/app', '1'),
                 id='pull-by-tag'),
    pytest.param('pull_image', 'app@sha256:' + '2' * 64, {}, ('pull_image', 'app@sha256:' + '2' * 64, 'app',
                                                              'sha256:' + '2' * 64), id='pull-by-digest'),
    pytest.param('create_container', 'store', dict(image='img', binds=['v:/d:rw'], labels={'l': '1'}, user='0'),
                 ('create_container', 'store', 'img', ['v:/d:rw'], None, {'l': '1'}, {'user': '0'}), id='create-container'),
    pytest.param('create_consumer', 'web', dict(body=BODY), ('create_container_raw', 'web', BODY), id='create-consumer'),
    pytest.param('connect_network', 'web', dict(network='n', endpoint={'Aliases': ['a']}),
                 ('connect_network', 'n', 'web', {'Aliases': ['a']}), id='connect-network'),
    pytest.param('remove_container', 'web', dict(id='abc'), ('remove_container', 'abc'), id='remove-by-observed-id'),
    pytest.param('remove_container', 'web', {}, ('remove_container', 'web'), id='remove-by-name'),
    pytest.param('rename_container', 'web', dict(new_name='web.old'), ('rename_container', 'web', 'web.old'), id='rename'),
    pytest.param('start_container', 'web', {}, ('start_container', 'web'), id='start'),
    pytest.param('stop_container', 'web', dict(id='abc', timeout=30), ('stop_container', 'abc', 30), id='stop'),
    pytest.param('stop_container', 'web', {}, ('stop_container', 'web', None), id='stop-own-timeout'),
])
def test_each_action_makes_its_one_engine_call(kind, target, args, call):
    api = FakeEngineAPI(volumes=['v'] if kind == 'remove_volume' else ())
    apply(api, kind, target, **args)
    assert api.calls == [call]


def test_build_data_image_imports_the_default_image():
    api = FakeEngineAPI()
    apply(api, 'build_data_image', DEFAULT_IMAGE)
    assert api.calls == [('import_image', DEFAULT_IMAGE, None, appliers.build_default_image.__globals__['DEFAULT_CHANGES'])]


@pytest.mark.parametrize('status, only_if_unused, raised', [
    pytest.param(409, True, False, id='in-use-again-is-left-to-its-user'),
    pytest.param(404, True, False, id='gone-already'),
    pytest.param(500, True, True, id='engine-failure'),
    pytest.param(409, False, True, id='asked-for-removal-in-use'),
])
def test_remove_volume_takes_in_use_or_gone_as_done_only_when_asked(status, only_if_unused, raised):
    api = FakeEngineAPI(volumes=['v'])
    api.fail_next('remove_volume', EngineError('refused', status_code=status))
    if raised:
        with pytest.raises(EngineError, match='refused'):
            apply(api, 'remove_volume', 'v', only_if_unused=only_if_unused)
    else:
        assert apply(api, 'remove_volume', 'v', only_if_unused=only_if_unused) is None
    assert 'v' in api.volumes


@pytest.mark.parametrize('msg, raised', [
    pytest.param('Renaming a container with the same name as its current name', False, id='another-run-finished'),
    pytest.param('Error when allocating new name: Conflict', True, id='name-taken'),
])
def test_rename_takes_a_finished_swap_as_done(msg, raised):
    api = FakeEngineAPI()
    api.fail_next('rename_container', EngineError(msg, status_code=400))
    if raised:
        with pytest.raises(EngineError):
            apply(api, 'rename_container', 'web.pv-1', new_name='web')
    else:
        assert apply(api, 'rename_container', 'web.pv-1', new_name='web') is None


def swap_undo():
    return [Action('stop_container', 'web', 'x'), Action('rename_container', 'web', 'x', new_name='web.pv-1'),
            Action('rename_container', 'web.pv-old', 'x', new_name='web'), Action('start_container', 'web', 'x'),
            Action('remove_container', 'web.pv-1', 'x')]


def test_a_start_without_undo_fails_as_the_engine_said():
    api = FakeEngineAPI()
    api.fail_next('start_container', EngineError('port is taken', status_code=500))
    with pytest.raises(EngineError, match='^port is taken$'):
        apply(api, 'start_container', 'web')


def test_a_replacement_that_cannot_start_puts_the_old_container_back():
    api = FakeEngineAPI()
    api.fail_next('start_container', EngineError('port is taken', status_code=500))
    with pytest.raises(EngineError) as raised:
        apply(api, 'start_container', 'web', undo=swap_undo())
    assert raised.value.msg == ('The replacement of web could not start, so it was removed and the old web was put '
                                'back as it was; nothing else changed. The cause: port is taken')
    assert raised.value.details == {'start_failed': 'port is taken'}
    assert api.calls[1:] == [('stop_container', 'web', None), ('rename_container', 'web', 'web.pv-1'),
                             ('rename_container', 'web.pv-old', 'web'), ('start_container', 'web'),
                             ('remove_container', 'web.pv-1')]


def test_every_undo_step_is_tried_and_what_is_left_is_said():
    api = FakeEngineAPI()
    api.fail_next('start_container', EngineError('port is taken'))
    api.fail_next('stop_container', EngineError('cannot stop'))
    with pytest.raises(EngineError) as raised:
        apply(api, 'start_container', 'web', undo=swap_undo())
    assert ', except: stop container web: x failed: cannot stop (the next run puts back what is left). ' in raised.value.msg
    assert [call[0] for call in api.calls].count('rename_container') == 2


def test_a_new_consumer_that_cannot_start_is_discarded_with_the_volumes_only_it_made():
    raw = raw_inspect('web', mounts=[(ANON, '/image-volume'), ('b' * 64, '/from-data'), ('named', '/named'),
                                     ('/srv', '/bind')])
    api = FakeEngineAPI(volumes=[ANON, 'b' * 64, 'named'], inspected={'web': raw})
    api.fail_next('start_container', EngineError('exec format error'))
    undo = [Action('discard_new_consumer', 'web', 'it could not start', keep_paths=['/from-data'])]
    with pytest.raises(EngineError) as raised:
        apply(api, 'start_container', 'web', undo=undo)
    assert raised.value.msg.startswith('web was created but could not start, so it was removed again (it never ran), '
                                       'with the empty volumes its creation made; nothing else changed.')
    assert api.calls[1:] == [('inspect_container', 'web'), ('remove_container', raw['Id']), ('remove_volume', ANON)]
    assert sorted(api.volumes) == sorted(['b' * 64, 'named'])


def test_discarding_a_consumer_that_is_gone_does_nothing():
    api = FakeEngineAPI(inspected={'web': None})
    assert apply(api, 'discard_new_consumer', 'web') is None
    assert api.names() == ['inspect_container']


def test_host_directory_is_made_with_its_mode(tmp_path):
    path = str(tmp_path / 'a' / 'b')
    apply(FakeEngineAPI(), 'create_host_directory', path, mode=0o750)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o750
    apply(FakeEngineAPI(), 'set_host_attributes', path, mode=0o700)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700


class Root(object):
    def __init__(self, owner, group, mode):
        self.owner, self.group, self.mode = owner, group, mode

    def wanted(self, owner, group, mode):
        return Root(self.owner if owner is None else owner, self.group if group is None else group,
                    self.mode if mode is None else mode)

    def __eq__(self, other):
        return vars(self) == vars(other)

    def __ne__(self, other):
        return not self == other

    def as_dict(self):
        return vars(self)


@pytest.mark.parametrize('current, args, written', [
    pytest.param((0, 0, 0o755), dict(owner=7), (7, 0, 0o755), id='changed'),
    pytest.param((7, 0, 0o755), dict(owner=7), None, id='already-so'),
])
def test_root_attributes_are_written_only_when_they_differ(monkeypatch, current, args, written):
    writes = []
    monkeypatch.setattr(appliers, 'read_root', lambda api, container, path: Root(*current))
    monkeypatch.setattr(appliers, 'write_root', lambda api, container, path, wanted: writes.append(
        (container, path, wanted.owner, wanted.group, wanted.mode)))
    answer = apply(FakeEngineAPI(), 'set_root_attributes', 'store', path='/data', **args)
    assert writes == ([('store', '/data') + written] if written else [])
    assert answer == dict(owner=(written or current)[0], group=(written or current)[1], mode=(written or current)[2])


def test_a_failed_plan_removes_the_volumes_it_made_that_nothing_holds():
    """A volume created for a container whose creation failed is removed again: no empty volume is left behind."""
    plan = Plan()
    plan.add('create_volume', ANON, 'new anonymous volume for /data')
    plan.add('create_container', 'store', 'missing', image='img', binds=[ANON + ':/data:rw'])
    api = FakeEngineAPI()
    api.fail_next('create_container', EngineError('no such image', status_code=500))
    with pytest.raises(EngineError) as raised:
        execute(plan, api, check_mode=False)
    assert api.volumes == {}
    assert raised.value.details['changed'] is False
    assert raised.value.details['actions_done'] == []
    assert raised.value.details['actions_left'] == ['create container store: missing']
