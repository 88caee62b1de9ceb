# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import WAS_RUNNING
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import REPLACES
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer.consumer_fixtures import (
    ANON_A, ANON_B, ASIDE, DATA, IMAGE_REF, NEW_IMAGE_ID, REPLACEMENT, action_of, assert_safe_and_predicted,
    build_planner,
    data_container, simulate, targets, web,
)

DATA_NEW = data_container('data', [('dv2', '/data')])            # now holds another volume at /data
DATA_GROWN = data_container('data', [('dv1', '/data'), ('dv3', '/extra')])
DATA_RO = data_container('data', [('dv1', '/data', 'ro')])
DATA_CACHE = data_container('data', [('dv1', '/data'), ('dv9', '/cache')])
DATA_TWIN = data_container('data2', [('dv1', '/data')])          # another data container holding dv1
LOGS = data_container('logs', [('lv', '/logs')])
LEFT = 'web.pv-111111'
OWN_CACHE = dict(mounts=[('dv1', '/data'), (ANON_A, '/cache')], config={'Volumes': {'/cache': {}}})
FINISHED = {REPLACES: 'web', WAS_RUNNING: 'true'}   # a replacement that took its place, then stopped


def leftover(name=LEFT, was_running='true', created='2024-05-02T10:00:00Z', **kwargs):
    return web(status='created', labels={REPLACES: 'web', WAS_RUNNING: was_running}, created=created, **kwargs)


def fix_name(container, name):
    container.name = name
    container.raw['Name'] = '/' + name
    return container


def row(spec=None, holder=None, leftovers=(), sources=(DATA,), pairs=(('data', 'rw'),), **kwargs):
    return dict(spec=spec or {}, holder=holder, leftovers=list(leftovers), sources=list(sources),
                pairs=list(pairs), **kwargs)


SCENARIOS = {
    'missing-created': row({'image': IMAGE_REF}),
    'missing-created-started': row({'image': IMAGE_REF, 'running': True}),
    'missing-pulled': row({'image': 'app:2', 'running': True}, image_action='pull_image'),
    'unchanged-running': row(holder=web()),
    'unchanged-stopped': row(holder=web('exited')),
    'start-only': row({'running': True}, holder=web('exited')),
    'stop-only': row({'running': False}, holder=web()),
    'stopped-stays': row({'running': False}, holder=web('exited')),
    'wiring-added': row(holder=web(), sources=[DATA, LOGS], pairs=[('data', 'rw'), ('logs', 'rw')]),
    'wiring-replaced-stopped': row(holder=web('exited'), sources=[DATA, LOGS], pairs=[('logs', 'rw')]),
    'wiring-mode-changed': row(holder=web(), pairs=[('data', 'ro')]),
    'wiring-removed': row(holder=web(), pairs=[]),
    'rewired-same-volume': row(holder=web(), sources=[DATA, DATA_TWIN], pairs=[('data2', 'rw')]),
    'recreate-and-stop': row({'running': False}, holder=web(), pairs=[]),
    'recreate-and-start': row({'running': True}, holder=web('exited'), pairs=[]),
    'env-changed': row({'env': {'A': '2'}}, holder=web(env=['A=1'])),
    'image-changed': row({'image': 'app:2'}, holder=web(), image={'Id': NEW_IMAGE_ID}),
    'image-changed-pulled': row({'image': 'app:2'}, holder=web(), image={'Id': NEW_IMAGE_ID}, image_action='pull_image'),
    'image-pending-pull': row({'image': 'app:2'}, holder=web(), image=None, image_action='pull_image'),
    'stale-other-volume': row(holder=web(), sources=[DATA_NEW]),
    'stale-source-gained-path': row(holder=web(), sources=[DATA_GROWN]),
    'stale-wiring-ro-mount-rw': row(holder=web(volumes_from=['data:ro']), pairs=[('data', 'ro')]),
    'stale-source-ro': row(holder=web(), sources=[DATA_RO]),
    'own-bind-at-source-path': row(holder=web(mounts=[('/srv/data', '/data')], binds=['/srv/data:/data:rw']),
                                   sources=[DATA_NEW]),
    'bind-added': row(holder=web(), binds=['/srv/x:/x:rw']),
    'own-anonymous-rewired': row(holder=web(**OWN_CACHE), pairs=[]),
    'image-volume-kept': row({'env': {'A': '2'}}, holder=web(mounts=[('dv1', '/data'), (ANON_B, '/var/lib/app', 'ro')])),
    'named-bind-kept': row({'user': 'nobody'}, holder=web(mounts=[('dv1', '/data'), ('myvol', '/v')], binds=['myvol:/v:rw'])),
    'leftover-removed': row(holder=web(), leftovers=[fix_name(leftover(), LEFT)]),
    'leftover-renamed-started': row(leftovers=[fix_name(leftover(), LEFT)]),
    'leftover-renamed': row(leftovers=[fix_name(leftover(was_running='false'), LEFT)]),
    'leftover-recreated': row({'env': {'A': '2'}}, leftovers=[fix_name(leftover(), LEFT)]),
    'holder-and-leftover-recreated': row({'env': {'A': '2'}}, holder=web(), leftovers=[fix_name(leftover(), LEFT)]),
    'two-leftovers': row(leftovers=[fix_name(leftover(created='2024-05-02T10:00:00Z'), 'web.pv-old'),
                                    fix_name(leftover(created='2024-05-03T10:00:00Z'), LEFT)]),
    'finished-replacement-stopped': row({'env': {'A': '2'}}, holder=web('exited', labels=FINISHED)),
    'finished-replacement-unchanged': row(holder=web('exited', labels=FINISHED)),
    # The engine marked web for removal (another client's removal failed half-way, or is running).
    'dead-started': row({'running': True}, holder=web('dead')),
    'dead-own-volume-kept': row(holder=web('dead', **OWN_CACHE)),
    'removing-started': row({'running': True}, holder=web('removing')),
    # A volume of web's own that a bind or a data container now claims: refused (see REFUSED).
    'source-gains-path-over-own-volume': row(holder=web(**OWN_CACHE), sources=[DATA_CACHE]),
    'new-source-over-own-volume': row(holder=web(mounts=[(ANON_A, '/data')], volumes_from=())),
    'new-source-over-named-volume': row(holder=web(mounts=[('myvol', '/data')], binds=['myvol:/data:rw'],
                                                   volumes_from=())),
    'bind-over-own-volume': row(holder=web(**OWN_CACHE), binds=['/srv/cache:/cache:rw']),
    'bind-over-named-volume': row(holder=web(mounts=[('dv1', '/data'), ('myvol', '/v')], binds=['myvol:/v:rw']),
                                  binds=['/srv/v:/v:rw']),
}

CREATE, STOP, REMOVE = ('create_consumer', REPLACEMENT), ('stop_container', 'web'), ('remove_container', 'web')
RENAME, START = ('rename_container', REPLACEMENT), ('start_container', 'web')
ASIDE_OLD, REMOVE_ASIDE = ('rename_container', 'web'), ('remove_container', ASIDE)
# The replacement is to run: the old container is stopped and put aside until the replacement runs.
SWAP_RUNNING = [CREATE, STOP, ASIDE_OLD, RENAME, START, REMOVE_ASIDE]
SWAP_STARTED = [CREATE, ASIDE_OLD, RENAME, START, REMOVE_ASIDE]
SWAP_STOPPED = [CREATE, REMOVE, RENAME]
PULL = ('pull_image', 'app:2')


def plan_of(name):
    return build_planner(**SCENARIOS[name]).plan()


@pytest.mark.parametrize('name, expected', [
    ('missing-created', [('create_consumer', 'web')]),
    ('missing-created-started', [('create_consumer', 'web'), START]),
    ('missing-pulled', [PULL, ('create_consumer', 'web'), START]),
    ('unchanged-running', []),
    ('unchanged-stopped', []),
    ('start-only', [START]),
    ('stop-only', [STOP]),
    ('stopped-stays', []),
    ('wiring-added', SWAP_RUNNING),
    ('wiring-replaced-stopped', SWAP_STOPPED),
    ('wiring-mode-changed', SWAP_RUNNING),
    ('wiring-removed', SWAP_RUNNING),
    ('rewired-same-volume', SWAP_RUNNING),
    ('recreate-and-stop', [CREATE, STOP, REMOVE, RENAME]),
    ('recreate-and-start', SWAP_STARTED),
    ('env-changed', SWAP_RUNNING),
    ('image-changed', SWAP_RUNNING),
    ('image-changed-pulled', [PULL] + SWAP_RUNNING),
    ('image-pending-pull', [PULL] + SWAP_RUNNING),
    ('stale-other-volume', SWAP_RUNNING),
    ('stale-source-gained-path', SWAP_RUNNING),
    ('stale-wiring-ro-mount-rw', SWAP_RUNNING),
    ('stale-source-ro', SWAP_RUNNING),
    ('own-bind-at-source-path', []),
    ('bind-added', SWAP_RUNNING),
    ('own-anonymous-rewired', SWAP_RUNNING),
    ('leftover-removed', [('remove_container', LEFT)]),
    ('leftover-renamed-started', [('rename_container', LEFT), START]),
    ('leftover-renamed', [('rename_container', LEFT)]),
    ('leftover-recreated', [CREATE, ('rename_container', LEFT), RENAME, START, REMOVE_ASIDE]),
    ('holder-and-leftover-recreated', [CREATE, STOP, ('remove_container', LEFT), ASIDE_OLD, RENAME, START,
                                       REMOVE_ASIDE]),
    ('two-leftovers', [('remove_container', 'web.pv-old'), ('rename_container', LEFT), START]),
    # the was-running label counts for a leftover only, not for the container holding the name
    ('finished-replacement-stopped', SWAP_STOPPED),
    ('finished-replacement-unchanged', []),
    ('dead-started', SWAP_STOPPED + [START]),  # a dead container cannot be put back
    ('dead-own-volume-kept', SWAP_STOPPED),
    ('removing-started', SWAP_STOPPED + [START]),
])
def test_plan_actions(name, expected):
    plan = plan_of(name)
    assert targets(plan) == expected
    if not expected:
        assert plan.after == plan.before and not plan.recreated


@pytest.mark.parametrize('name, expected', [
    ('unchanged-running', []),
    ('wiring-added', ["volumes_from: ['data:rw', 'logs:rw'] wanted, ['data:rw'] found",
                      'logs has /logs, which web does not mount']),
    ('wiring-removed', ["volumes_from: [] wanted, ['data:rw'] found"]),
    ('wiring-mode-changed', ["volumes_from: ['data:ro'] wanted, ['data:rw'] found",
                             'web mounts /data read-write, wanted read-only']),
    ('bind-added', ["bind mounts: ['/srv/x:/x:rw'] wanted, [] found"]),
    ('env-changed', ["env.A: '2' wanted, '1' found"]),
    ('image-changed', ['image: app:2 is a different image than the container has']),
    ('image-pending-pull', ['image: app:2 is not on the engine yet']),
    ('stale-other-volume', ['web mounts dv1 at /data, but data holds dv2 there now']),
    ('stale-source-gained-path', ['data has /extra, which web does not mount']),
    ('stale-wiring-ro-mount-rw', ['web mounts /data read-write, wanted read-only']),
    ('stale-source-ro', ['web mounts /data read-write, wanted read-only']),
    ('own-bind-at-source-path', []),
    ('leftover-renamed', []),
    ('dead-started', ['the engine marked web for removal (status dead): it cannot be used again']),
    ('removing-started', ['the engine marked web for removal (status removing): it cannot be used again']),
])
def test_plan_reasons(name, expected):
    plan = plan_of(name)
    assert plan.reasons == expected
    # finishing an interrupted swap counts as a recreation, without a reason of its own
    assert plan.recreated == (bool(expected) or name.startswith('leftover'))


@pytest.mark.parametrize('name, running', [
    ('finished-replacement-stopped', False),
    ('finished-replacement-unchanged', False),
    ('leftover-recreated', True),
    ('leftover-renamed-started', True),
    ('leftover-renamed', False),
    ('recreate-and-stop', False),
    ('unchanged-running', True),
])
def test_predicted_running(name, running):
    assert plan_of(name).after['running'] is running


def test_missing_without_image_is_refused():
    with pytest.raises(InputError) as caught:
        build_planner({}, sources=[DATA], pairs=[('data', 'rw')]).plan()
    assert caught.value.msg == ("Container 'web' does not exist; give image (and the other container options) "
                                "to create it.")


@pytest.mark.parametrize('name, binds', [
    ('own-anonymous-rewired', [ANON_A + ':/cache:rw']),
    ('image-volume-kept', [ANON_B + ':/var/lib/app:ro']),
    ('named-bind-kept', ['myvol:/v:rw']),
    ('wiring-removed', None),  # /data came from data: it stays with data, not pinned as an own bind
    ('stale-other-volume', None),
    ('bind-added', ['/srv/x:/x:rw']),
    ('dead-own-volume-kept', [ANON_A + ':/cache:rw']),  # a dead consumer's own volume goes with it
    ('dead-started', None),
])
def test_replacement_binds(name, binds):
    create = action_of(plan_of(name), 'create_consumer')
    assert create.args['body']['HostConfig']['Binds'] == binds


@pytest.mark.parametrize('name, released', [
    ('stale-other-volume', [('/data', 'dv1')]),     # data was recreated: web was the last holder of dv1
    ('wiring-removed', [('/data', 'dv1')]),
    ('wiring-replaced-stopped', [('/data', 'dv1')]),
    ('recreate-and-stop', [('/data', 'dv1')]),
    ('recreate-and-start', [('/data', 'dv1')]),
    ('own-anonymous-rewired', [('/data', 'dv1')]),  # the own volume at /cache is kept, not released
    ('rewired-same-volume', []),
    ('wiring-added', []),
    ('wiring-mode-changed', []),
    ('stale-source-gained-path', []),
    ('image-volume-kept', []),
    ('named-bind-kept', []),
    ('bind-added', []),
    ('unchanged-running', []),
    ('leftover-recreated', []),
])
def test_released_volumes_are_reported(name, released):
    plan = plan_of(name)
    assert plan.released == [dict(path=path, volume=volume, was_in='web') for path, volume in released]
    assert len(plan.warnings) == len(released), plan.warnings
    for (path, volume), warning in zip(released, plan.warnings):
        assert all(part in warning for part in (volume, path, 'web', 'still exists')), warning


# web's own volume, its path, and what claims the path: the refusal names all of them.
REFUSED = {
    'bind-over-own-volume': (ANON_A, '/cache', '/srv/cache'),
    'bind-over-named-volume': ('myvol', '/v', '/srv/v'),
    'new-source-over-own-volume': (ANON_A, '/data', 'data containers'),
    'new-source-over-named-volume': ('myvol', '/data', 'data containers'),
    'source-gains-path-over-own-volume': (ANON_A, '/cache', 'data containers'),
}


@pytest.mark.parametrize('name', sorted(REFUSED))
def test_own_volume_is_never_dropped(name):
    with pytest.raises(Refusal) as caught:
        plan_of(name)
    volume, path, claim = REFUSED[name]
    for part in ('web:', volume, path, claim, 'nothing was changed'):
        assert part in caught.value.msg, (part, caught.value.msg)


@pytest.mark.parametrize('name', sorted(SCENARIOS))
def test_no_volume_is_ever_orphaned_and_after_is_predicted(name):
    scenario = SCENARIOS[name]
    try:
        plan = build_planner(**scenario).plan()
    except Refusal as refusal:
        assert name in REFUSED and REFUSED[name][0] in refusal.msg, refusal.msg
        return
    assert 'remove_volume' not in plan.kinds
    current = scenario['holder'] or (scenario['leftovers'][-1] if scenario['leftovers'] else None)
    if current is not None and ('remove_container', current.name) in targets(plan):
        assert targets(plan).index(CREATE) < targets(plan).index(('remove_container', current.name))
    for entry in plan.released:
        assert entry['was_in'] == current.name and current.mounts[entry['path']].name == entry['volume'], entry
    assert_safe_and_predicted(plan, scenario['holder'], scenario['leftovers'], scenario['sources'])


def test_simulation_catches_a_swap_in_the_wrong_order():
    plan = plan_of('own-anonymous-rewired')
    create, stop = plan.actions[0], plan.actions[1]
    plan.actions = [stop, Action('remove_container', 'web', 'too early'), create]
    dummy, problems = simulate(plan, SCENARIOS['own-anonymous-rewired']['holder'], (), [DATA])
    assert 'step 1 remove_container web: volume %s is mounted by no container' % ANON_A in problems


def test_simulation_catches_an_old_container_removed_before_its_replacement_runs():
    plan = plan_of('own-anonymous-rewired')
    assert targets(plan) == SWAP_RUNNING
    plan.actions[4], plan.actions[5] = plan.actions[5], plan.actions[4]
    dummy, problems = simulate(plan, SCENARIOS['own-anonymous-rewired']['holder'], (), [DATA])
    assert problems == ['step 4 remove_container %s: removing the old container before its replacement runs' % ASIDE]


def test_simulation_excuses_only_a_visible_release():
    scenario = SCENARIOS['stale-other-volume']
    plan = plan_of('stale-other-volume')
    assert_safe_and_predicted(plan, scenario['holder'], (), scenario['sources'])
    for hide in ('released', 'warnings'):
        hidden = plan_of('stale-other-volume')
        setattr(hidden, hide, [])
        with pytest.raises(AssertionError, match='volume dv1 is mounted by no container'):
            assert_safe_and_predicted(hidden, scenario['holder'], (), scenario['sources'])
