# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CachedAPI: one listing, kept up to date with this run's own writes, forgotten on any other."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.engine.cache import CachedAPI, summary_from_inspect
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.tests.unit.conftest import container_id, raw_inspect
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI


class FakeEngine(FakeEngineAPI):
    """An engine of containers (inspect dicts by name) and volumes, counting the calls."""

    def __init__(self, containers=(), volumes=()):
        super(FakeEngine, self).__init__()
        self.containers = dict((raw['Name'].lstrip('/'), raw) for raw in containers)
        self.volumes = [dict(Name=name, Driver='local', Labels=None) for name in volumes]
        self.calls = []
        self.fail = None

    def _find(self, name_or_id):
        for name, raw in self.containers.items():
            if name_or_id in (name, raw['Id']) or raw['Id'].startswith(name_or_id):
                return raw
        return None

    def list_containers(self, filters=None):
        self.calls.append('list_containers')
        return [summary_from_inspect(raw) for raw in self.containers.values()]

    def inspect_container(self, name_or_id):
        self.calls.append(('inspect_container', name_or_id))
        return self._find(name_or_id)

    def list_volumes(self):
        self.calls.append('list_volumes')
        return list(self.volumes)

    def create_volume(self, name, driver, driver_options, labels):
        self.calls.append(('create_volume', name))
        volume = dict(Name=name, Driver=driver, Labels=labels)
        self.volumes.append(volume)
        return volume

    def create_container(self, name, image, binds=None, **kwargs):
        self.calls.append(('create_container', name))
        if self.fail:
            raise self.fail
        mounts = [(b.split(':')[0], b.split(':')[1]) for b in binds or []]
        self.containers[name] = raw_inspect(name, mounts=mounts, status='created')
        return {'Id': self.containers[name]['Id'], 'Warnings': []}

    def start_container(self, name_or_id):
        self.calls.append(('start_container', name_or_id))
        self._find(name_or_id)['State'] = {'Status': 'running', 'Running': True}

    def remove_container(self, name_or_id):
        self.calls.append(('remove_container', name_or_id))
        raw = self._find(name_or_id)
        del self.containers[raw['Name'].lstrip('/')]


A = 'a' * 64


def engine_with_data():
    return FakeEngine([raw_inspect('store', mounts=[(A, '/data')])], volumes=[A])


def test_reads_come_from_one_listing():
    engine = engine_with_data()
    api = CachedAPI(engine)
    assert [c['Names'] for c in api.list_containers()] == [['/store']]
    assert api.list_containers(filters={'volume': A})[0]['Id'] == container_id('store')
    assert api.inspect_container('store')['Id'] == container_id('store')
    assert api.inspect_container(container_id('store'))['Name'] == '/store'
    assert engine.calls == ['list_containers', ('inspect_container', 'store')]


def test_a_name_the_listing_lacks_is_answered_without_asking():
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.list_containers()
    assert api.inspect_container('app') is None
    assert engine.calls == ['list_containers']


@pytest.mark.parametrize('name', ['ab12', container_id('store')[:12]], ids=['hex-name', 'id-prefix'])
def test_a_name_that_may_be_an_id_prefix_is_always_asked(name):
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.list_containers()
    api.inspect_container(name)
    assert engine.calls == ['list_containers', ('inspect_container', name)]


def test_without_a_listing_the_engine_is_asked():
    engine = engine_with_data()
    assert CachedAPI(engine).inspect_container('app') is None
    assert engine.calls == [('inspect_container', 'app')]


def test_a_created_container_joins_the_listing_with_one_inspection():
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.list_containers()
    assert api.inspect_container('app') is None
    api.create_container('app', 'img', binds=['%s:/data:rw' % A])
    users = sorted(c['Names'][0] for c in api.list_containers(filters={'volume': A}))
    assert users == ['/app', '/store']
    assert api.inspect_container('app')['Id'] == container_id('app')
    assert engine.calls == ['list_containers', ('create_container', 'app'), ('inspect_container', container_id('app'))]
    listed = [c for c in api.list_containers() if c['Names'] == ['/app']][0]
    assert listed == engine.list_containers()[-1]


def test_a_started_container_is_inspected_again_not_the_whole_listing():
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.list_containers()
    assert api.inspect_container('store')['State']['Status'] == 'created'
    api.start_container('store')
    assert [c['State'] for c in api.list_containers()] == ['running']
    assert api.inspect_container('store')['State']['Status'] == 'running'
    assert engine.calls.count('list_containers') == 1


def test_a_created_volume_joins_the_volume_listing():
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.list_volumes()
    api.create_volume('fresh', 'local', {}, {'k': 'v'})
    assert api.inspect_volume('fresh')['Labels'] == {'k': 'v'}
    assert [v['Name'] for v in api.list_volumes()] == [A, 'fresh']
    assert engine.calls == ['list_volumes', ('create_volume', 'fresh')]


def test_other_writes_forget_everything():
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.list_containers()
    api.inspect_container('store')
    api.remove_container(container_id('store'))
    assert api.list_containers() == []
    assert api.inspect_container('store') is None
    assert engine.calls.count('list_containers') == 2


def test_a_failed_write_forgets_everything():
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.list_containers()
    engine.fail = EngineError('conflict', status_code=409)
    with pytest.raises(EngineError):
        api.create_container('app', 'img')
    api.list_containers()
    assert engine.calls.count('list_containers') == 2


def test_predictions_come_first():
    engine = engine_with_data()
    api = CachedAPI(engine)
    api.predict('app', {'Id': 'p', 'Name': '/app'})
    assert api.inspect_container('app') == {'Id': 'p', 'Name': '/app'}
    assert engine.calls == []
