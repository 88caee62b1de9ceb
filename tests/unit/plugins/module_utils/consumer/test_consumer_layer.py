# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a recreated consumer leaves behind in its own container layer, and the warning that says so."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.layer import layer_warning, written_paths
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import EngineFacts
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail

from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer.consumer_fixtures import (
    DATA,
    FakeFacts,
    build_planner,
    web,
)
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

RAW = {'Mounts': [{'Destination': '/data'}, {'Destination': '/srv/www/static'}], 'HostConfig': {'Tmpfs': {'/run': ''}}}


def changes(*paths):
    return [dict(Path=path, Kind=1) for path in paths]


@pytest.mark.parametrize('paths, written', [
    pytest.param((), [], id='nothing'),
    pytest.param(('/data', '/run', '/srv', '/srv/www', '/srv/www/static'), [], id='mount-points-and-above'),
    pytest.param(('/var', '/var/lib', '/var/lib/app', '/var/lib/app/db'), ['/var/lib/app/db'], id='leaves-only'),
    pytest.param(('/srv', '/srv/www', '/srv/www/index.html', '/root/.ash_history', '/root'),
                 ['/root/.ash_history', '/srv/www/index.html'], id='beside-a-mount'),
    pytest.param(('/etc/passwd',), ['/etc/passwd'], id='changed-file'),
])
def test_written_paths(paths, written):
    assert written_paths(changes(*paths), ContainerDetail(RAW)) == written


def test_layer_warning_names_a_few_paths():
    assert layer_warning('app', []) is None
    one = layer_warning('app', ['/var/lib/app/db'])
    assert "container's own layer (1 path: /var/lib/app/db)" in one and one.startswith('Recreating app leaves')
    many = layer_warning('app', ['/p%d' % n for n in range(7)])
    assert '(7 paths: /p0, /p1, /p2, /p3, /p4, ...)' in many


def test_a_recreation_warns_about_what_it_leaves_behind():
    facts = FakeFacts(changes=['/var', '/var/lib', '/var/lib/app', '/var/lib/app/db'])
    plan = build_planner({'env': {'A': '2'}}, holder=web(), sources=[DATA], pairs=[('data', 'rw')], facts=facts).plan()
    assert plan.recreated and ('layer_changes', 'web') in facts.asked
    assert [warning for warning in plan.warnings if '(1 path: /var/lib/app/db)' in warning]


def test_no_recreation_asks_nothing_about_the_layer():
    facts = FakeFacts(changes=['/tmp/x'])
    plan = build_planner({}, holder=web(), sources=[DATA], pairs=[('data', 'rw')], facts=facts).plan()
    assert not plan.recreated and ('layer_changes', 'web') not in facts.asked and not plan.warnings


class LayerAPI(FakeEngineAPI):
    """The one engine call EngineFacts.layer_changes makes, answered or refused."""

    def __init__(self, answer):
        super(LayerAPI, self).__init__()
        self.answer = answer
        self.asked = []

    def container_changes(self, name_or_id):
        self.asked.append(name_or_id)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


STARTED = '2026-01-02T03:04:05.678Z'


@pytest.mark.parametrize('state, answer, expected, asked', [
    pytest.param({'StartedAt': STARTED, 'Status': 'exited'}, changes('/x'), changes('/x'), True, id='ran'),
    pytest.param({'StartedAt': '0001-01-01T00:00:00Z', 'Status': 'created'}, changes('/x'), [], False, id='never-ran'),
    pytest.param({'StartedAt': STARTED, 'Status': 'dead'}, changes('/x'), [], False, id='dead'),
    pytest.param({'StartedAt': STARTED, 'Status': 'removing'}, changes('/x'), [], False, id='removing'),
    pytest.param({'StartedAt': STARTED, 'Status': 'exited'}, EngineError('RWLayer of container c is unexpectedly nil'),
                 [], True, id='engine-cannot-say'),
])
def test_layer_changes_asks_the_engine_only_when_it_can_answer(state, answer, expected, asked):
    api = LayerAPI(answer)
    container = ContainerDetail({'Id': 'c', 'Name': '/web', 'State': state, 'Config': {}, 'HostConfig': {}})
    assert EngineFacts(api).layer_changes(container) == expected
    assert api.asked == (['c'] if asked else [])
