# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.volume.planner import plan_volume
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import VolumeSpec

TMPFS = {'type': 'tmpfs', 'device': 'tmpfs', 'o': 'size=100m'}
OPTIONS_CHANGED = 'options-changed'


def plan_for(make_state, spec, observed, containers=(), volumes_from=None):
    volumes = [dict(name='data', **observed)] if observed is not None else []
    state = make_state(volumes, list(containers), volumes_from=volumes_from)
    return plan_volume(VolumeSpec(name='data', **spec), state)


@pytest.mark.parametrize('spec, observed, containers, kinds', [
    pytest.param({}, None, [], ['create_volume'], id='missing-is-created'),
    pytest.param({'labels': {'tier': 'db'}}, {'labels': {'tier': 'db'}}, [], [], id='same'),
    pytest.param({'labels': {'tier': 'db'}}, {'labels': {'tier': 'web'}}, [], [], id='label-drift-never'),
    pytest.param({'labels': {'tier': 'db'}, 'recreate': OPTIONS_CHANGED}, {'labels': {'tier': 'web'}}, [],
                 ['remove_volume', 'create_volume'], id='label-drift-options-changed-unused'),
    pytest.param({'labels': {'tier': 'db'}, 'recreate': OPTIONS_CHANGED},
                 {'labels': {'tier': 'db', 'com.example.backup': 'daily'}}, [], [], id='extra-engine-labels-not-drift'),
    pytest.param({'labels': {'port': 5432}}, {'labels': {'port': '5432'}}, [], [], id='numeric-label-is-text'),
    pytest.param({'driver_options': {'type': 'tmpfs'}, 'recreate': OPTIONS_CHANGED}, {'options': TMPFS}, [], [],
                 id='driver-options-subset'),
    pytest.param({'driver_options': dict(TMPFS, o='size=1g'), 'recreate': OPTIONS_CHANGED}, {'options': TMPFS}, [],
                 ['remove_volume', 'create_volume'], id='driver-option-changed'),
    pytest.param({'recreate': OPTIONS_CHANGED}, {'driver': 'nfs'}, [], ['remove_volume', 'create_volume'],
                 id='driver-change-is-drift'),
    pytest.param({}, {'driver': 'nfs'}, [], [], id='driver-change-never'),
    pytest.param({'state': 'absent'}, None, [], [], id='absent-and-missing'),
    pytest.param({'state': 'absent'}, {}, [], ['remove_volume'], id='absent-and-unused'),
    pytest.param({}, {}, [dict(name='app', mounts=[('data', '/d')])], [], id='used-and-same'),
])
def test_plan_volume_actions(make_state, spec, observed, containers, kinds):
    plan = plan_for(make_state, spec, observed, containers)
    assert plan.kinds == kinds
    assert plan.changed is bool(kinds)
    assert all(action.target == 'data' for action in plan.actions)


def test_missing_volume_is_created_as_specified(make_state):
    plan = plan_for(make_state, {'driver_options': {'type': 'tmpfs'}, 'labels': {'tier': 'db'}}, None)
    assert plan.actions[0].args == dict(driver='local', driver_options={'type': 'tmpfs'}, labels={'tier': 'db'})
    assert plan.diff() == dict(before={'state': 'absent'}, after=dict(
        name='data', state='present', driver='local', driver_options={'type': 'tmpfs'}, labels={'tier': 'db'}))
    assert plan.warnings == [] and plan.drift == []


def test_same_volume_has_equal_before_and_after(make_state):
    plan = plan_for(make_state, {'labels': {'tier': 'db'}}, {'labels': {'tier': 'db', 'extra': '1'}})
    assert plan.diff()['before'] == plan.diff()['after']
    assert plan.warnings == [] and plan.drift == []


def test_drift_with_recreate_never_warns_and_shows_wanted_labels(make_state):
    plan = plan_for(make_state, {'labels': {'tier': 'db'}}, {'labels': {'tier': 'web', 'extra': '1'}})
    assert plan.actions == []
    assert plan.drift == ["labels.tier: 'db' wanted, 'web' found"]
    assert len(plan.warnings) == 1
    assert "Volume 'data' differs from the task (labels.tier: 'db' wanted, 'web' found)" in plan.warnings[0]
    assert 'recreate=never' in plan.warnings[0] and 'recreate=options-changed' in plan.warnings[0]
    assert plan.diff()['before']['labels'] == {'tier': 'web', 'extra': '1'}
    assert plan.diff()['after']['labels'] == {'tier': 'db', 'extra': '1'}


def test_driver_drift_listed_and_shown_in_after(make_state):
    plan = plan_for(make_state, {}, {'driver': 'nfs'})
    assert plan.drift == ["driver: 'local' wanted, 'nfs' found"]
    assert plan.diff()['after']['driver'] == 'local'


def test_recreate_keeps_engine_side_labels_and_warns_data_is_gone(make_state):
    plan = plan_for(make_state, {'labels': {'tier': 'db'}, 'driver_options': {'o': 'size=1g'}, 'recreate': OPTIONS_CHANGED},
                    {'labels': {'tier': 'web', 'extra': '1'}, 'options': TMPFS})
    create = plan.actions[1]
    assert create.args['labels'] == {'tier': 'db', 'extra': '1'}
    assert create.args['driver_options'] == dict(TMPFS, o='size=1g')
    assert plan.actions[0].reason.startswith('options changed: ')
    assert len(plan.warnings) == 1 and 'previous content is gone' in plan.warnings[0]


def test_driver_change_does_not_carry_old_driver_options(make_state):
    plan = plan_for(make_state, {'driver': 'nfsplugin', 'recreate': OPTIONS_CHANGED}, {'options': TMPFS})
    assert plan.actions[1].args['driver_options'] == {}


@pytest.mark.parametrize('spec, containers, volumes_from, expected', [
    pytest.param({'labels': {'tier': 'db'}, 'recreate': OPTIONS_CHANGED},
                 [dict(name='store', mounts=[('data', '/datastore')], state='created'),
                  dict(name='app', mounts=[('data', '/datastore', 'ro')], state='running')],
                 {'app': ['store:ro']},
                 "Refusing to recreate volume 'data' (options changed: labels.tier: 'db' wanted, None found): "
                 'it is used by 2 containers: app (at /datastore, read-only), store (at /datastore, read-write). '
                 'Remove those containers or their mounts first; nothing was changed.',
                 id='recreate-used'),
    pytest.param({'state': 'absent'}, [dict(name='old', mounts=[('data', '/srv')], state='exited')], None,
                 "Refusing to remove volume 'data': it is used by 1 container: old (at /srv, read-write). "
                 'Remove those containers or their mounts first; nothing was changed.',
                 id='absent-used-by-stopped'),
    pytest.param({'state': 'absent', 'recreate': OPTIONS_CHANGED},
                 [dict(name='never', mounts=[('data', '/a', 'ro')], state='created')], None,
                 "Refusing to remove volume 'data': it is used by 1 container: never (at /a, read-only).",
                 id='absent-used-by-created'),
])
def test_plan_volume_refuses_while_used(make_state, spec, containers, volumes_from, expected):
    with pytest.raises(Refusal) as caught:
        plan_for(make_state, spec, {}, containers, volumes_from)
    assert expected in caught.value.msg
    assert [use['container'] for use in caught.value.details['used_by']] == sorted(c['name'] for c in containers)


def test_refusal_reports_via_in_used_by(make_state):
    containers = [dict(name='store', mounts=[('data', '/d')], state='created'), dict(name='app', mounts=[('data', '/d')])]
    with pytest.raises(Refusal) as caught:
        plan_for(make_state, {'state': 'absent'}, {}, containers, {'app': ['store']})
    assert caught.value.details['used_by'] == [
        dict(container='app', destination='/d', read_only=False, via='volumes_from'),
        dict(container='store', destination='/d', read_only=False, via='mount'),
    ]


def test_absent_diff(make_state):
    assert plan_for(make_state, {'state': 'absent'}, None).diff() == dict(before={'state': 'absent'}, after={'state': 'absent'})
    plan = plan_for(make_state, {'state': 'absent'}, {'labels': {'a': 'b'}})
    assert plan.diff()['before']['labels'] == {'a': 'b'}
    assert plan.diff()['after'] == {'state': 'absent'}
    assert plan.describe() == ['remove volume data: state=absent']
