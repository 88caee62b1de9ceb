# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A consumer swap never leaves the application down because of the new spec: the old container
is put aside until its replacement runs, put back when the replacement cannot start, and a swap
an interrupted run left is finished (its replacement runs) or rolled back (it does not)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.plan.swap import renamed
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import PREVIOUS, WAS_RUNNING
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.refusals import namespace_sharers
from ansible_collections.persistent.volumes.tests.unit.conftest import container_id
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import REPLACES
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer.consumer_fixtures import (
    ANON_A, DATA, REPLACEMENT, FakeFacts, action_of, assert_safe_and_predicted, build_planner, simulate, targets,
    web,
)
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer.test_consumer_planner import (
    SCENARIOS, plan_of,
)

OLD = 'web.pv-999999'
OLD_ASIDE = OLD + '-old'
OWN = dict(mounts=[('dv1', '/data'), (ANON_A, '/cache')], config={'Volumes': {'/cache': {}}})


def replacement(name, status, was_running='true'):
    """A replacement an interrupted safe swap made: it names the old container's temporary name."""
    return renamed(web(status, labels={REPLACES: 'web', WAS_RUNNING: was_running, PREVIOUS: OLD_ASIDE}, **OWN), name)


def aside(status='exited'):
    return renamed(web(status, **OWN), OLD_ASIDE)


@pytest.mark.parametrize('name', sorted(SCENARIOS))
def test_a_replacement_that_cannot_start_puts_the_old_container_back(name):
    scenario = SCENARIOS[name]
    try:
        plan = build_planner(**scenario).plan()
    except Refusal:
        return
    start = [a for a in plan.actions if a.kind == 'start_container' and a.args.get('undo')]
    holder = scenario['holder'] or (scenario['leftovers'][-1] if scenario['leftovers'] else None)
    if not start:
        # nothing is started, or a container the engine marked for removal cannot be put back
        assert not plan.after['running'] or holder is None or holder.marked_for_removal or 'create_consumer' not in \
            plan.kinds, plan.describe()
        return
    world, problems = simulate(plan, scenario['holder'], scenario['leftovers'], scenario['sources'], fail_start=True)
    assert problems == []
    mine = dict((key, entry) for key, entry in world.items() if key.startswith('web'))
    if holder is None:      # a new consumer: nothing is left
        assert mine == {}
        return
    assert sorted(mine) == ['web'] and not mine['web']['new'], sorted(mine)
    assert mine['web']['running'] is holder.running
    assert mine['web']['mounts'] == holder.volume_map()


@pytest.mark.parametrize('fallback_name, status, old_status, expected', [
    # the replacement runs: the swap is finished
    ('web', 'running', 'exited', [('remove_container', OLD_ASIDE)]),
    ('web', 'running', 'running', [('stop_container', OLD_ASIDE), ('remove_container', OLD_ASIDE)]),
    (OLD, 'running', 'exited', [('rename_container', OLD), ('remove_container', OLD_ASIDE)]),
    # it does not: rolled back, and the old container is started again (it was running)
    ('web', 'created', 'exited', [('rename_container', 'web'), ('rename_container', OLD_ASIDE),
                                  ('remove_container', OLD), ('start_container', 'web')]),
    (OLD, 'created', 'exited', [('rename_container', OLD_ASIDE), ('remove_container', OLD),
                                ('start_container', 'web')]),
])
def test_an_interrupted_swap_is_finished_or_rolled_back(fallback_name, status, old_status, expected):
    new = replacement(fallback_name, status)
    holder = new if fallback_name == 'web' else None
    leftovers = [] if holder else [new]
    plan = build_planner({}, holder=holder, leftovers=leftovers, sources=[DATA], pairs=[('data', 'rw')],
                         fallback=(new, aside(old_status))).plan()
    assert targets(plan) == expected
    assert plan.recreated is True and plan.reasons == [] and plan.after['running'] is True
    if expected[0] == ('rename_container', 'web'):
        assert plan.actions[0].args['new_name'] == OLD   # the replacement's temporary name, from its label
    world, problems = simulate(plan, holder, leftovers + [aside(old_status)], [DATA])
    assert problems == [] and sorted(k for k in world if k.startswith('web')) == ['web']


def test_a_rolled_back_swap_goes_on_from_the_old_container():
    new = replacement(OLD, 'created')
    plan = build_planner({'env': {'A': '2'}}, leftovers=[new], sources=[DATA], pairs=[('data', 'rw')],
                         fallback=(new, aside())).plan()
    assert targets(plan) == [('rename_container', OLD_ASIDE), ('remove_container', OLD),
                             ('create_consumer', REPLACEMENT), ('rename_container', 'web'),
                             ('rename_container', REPLACEMENT), ('start_container', 'web'),
                             ('remove_container', REPLACEMENT + '-old')]
    assert plan.reasons == ["env.A: '2' wanted, None found"]
    assert action_of(plan, 'create_consumer').args['body']['HostConfig']['Binds'] == [ANON_A + ':/cache:rw']


def test_the_old_container_is_stopped_within_its_own_stop_timeout():
    plan = build_planner({'env': {'A': '2'}}, holder=web(config={'StopTimeout': 42}), sources=[DATA],
                         pairs=[('data', 'rw')]).plan()
    assert action_of(plan, 'stop_container').args == {'id': web().id, 'timeout': 42}


@pytest.mark.parametrize('holder, facts, fragments', [
    (web(host={'AutoRemove': True}), FakeFacts(), ['auto-remove', '--rm']),
    (web(), FakeFacts(dependents=[('sidecar', 'network')]),
     ['sidecar shares its network namespace (network_mode container:web)', 'which it would not follow']),
    (web(), FakeFacts(dependents=[('top', 'PID')]), ['top shares its PID namespace (--pid container:web)']),
    (web(), FakeFacts(dependents=[('a', 'IPC'), ('b', 'IPC'), ('b', 'PID')]),
     ['a, b share its IPC namespace (--ipc container:web)', 'b shares its PID namespace (--pid container:web)',
      'which they would not follow: they could not start again', 'Remove or recreate a, b without container:web']),
    (web(network_mode='gone-net'), FakeFacts(), ['network gone-net, which no longer exists']),
])
def test_what_cannot_be_recreated_faithfully_is_refused(holder, facts, fragments):
    with pytest.raises(Refusal) as caught:
        build_planner({'env': {'A': '2'}}, holder=holder, sources=[DATA], pairs=[('data', 'rw')], facts=facts).plan()
    for fragment in ['Refusing to recreate web'] + fragments + ['nothing was changed']:
        assert fragment in caught.value.msg, caught.value.msg


def test_a_stopped_auto_remove_container_can_be_recreated():
    plan = build_planner({'env': {'A': '2'}}, holder=web('created', host={'AutoRemove': True}), sources=[DATA],
                         pairs=[('data', 'rw')]).plan()
    assert plan.recreated and 'start_container' not in plan.kinds


def test_engine_facts_are_asked_only_for_a_recreation():
    facts = FakeFacts()
    assert build_planner({}, holder=web(), sources=[DATA], pairs=[('data', 'rw')], facts=facts).plan().actions == []
    assert facts.asked == []


@pytest.mark.parametrize('holder, binds, pairs, refused', [
    (None, ['/srv/d:/data:rw'], [('data', 'rw')], True),              # a new consumer
    (web(), ['/srv/d:/data:rw'], [('data', 'rw')], True),             # bind_mount over a wired path
    (web(volumes_from=(), mounts=[('/srv/d', '/data')], binds=['/srv/d:/data:rw']), ['/srv/d:/data:rw'],
     [('data', 'rw')], True),                                         # volumes_from under a bound path
    (web(mounts=[('/srv/d', '/data')], binds=['/srv/d:/data:rw']), ['/srv/d:/data:rw'], [('data', 'rw')], False),
    (web(), ['/srv/x:/x:rw'], [('data', 'rw')], False),
])
def test_a_bind_mount_over_a_path_a_data_container_provides_is_refused(holder, binds, pairs, refused):
    planner = build_planner({'image': 'app:1'}, holder=holder, sources=[DATA], pairs=pairs, binds=binds)
    if not refused:
        planner.plan()
        return
    with pytest.raises(Refusal) as caught:
        planner.plan()
    assert caught.value.msg == ("Refusing to bind-mount over /data in web: data provides /data through --volumes-from, "
                                "and a bind mount there would hide that data container's data. Choose another "
                                "target (or unwire data); nothing was changed.")


def test_predicted_after_matches_a_finished_swap():
    new = replacement('web', 'running')
    plan = build_planner({}, holder=new, sources=[DATA], pairs=[('data', 'rw')], fallback=(new, aside())).plan()
    assert_safe_and_predicted(plan, new, [aside()], [DATA])
    assert plan_of('unchanged-running').actions == []


def summary(name, **host):
    return {'Id': container_id(name), 'Name': '/' + name, 'HostConfig': host}


@pytest.mark.parametrize('others, found', [
    ([summary('web', PidMode='host')], []),                                    # itself
    ([summary('side', NetworkMode='container:web')], [('side', 'network')]),    # by name
    ([summary('top', PidMode='container:' + container_id('web'))], [('top', 'PID')]),  # by ID
    ([summary('top', PidMode='container:' + container_id('web')[:12])], [('top', 'PID')]),  # by short ID
    ([summary('x', PidMode='container:' + container_id('web')[:12] + 'z')], []),
    ([summary('x', PidMode='container:', IpcMode='shareable', NetworkMode='bridge')], []),
    ([summary('shm', IpcMode='container:web', PidMode='container:web')], [('shm', 'IPC'), ('shm', 'PID')]),
    ([summary('other', IpcMode='container:webx', PidMode='host', NetworkMode='container:' + container_id('x'))], []),
    ([{'Id': container_id('listed'), 'Names': ['/listed'], 'HostConfig': {'NetworkMode': 'container:web'}}],
     [('listed', 'network')]),                                               # a list entry, no inspect
])
def test_who_shares_a_namespace_of_the_container(others, found):
    assert namespace_sharers(web(), others) == found
