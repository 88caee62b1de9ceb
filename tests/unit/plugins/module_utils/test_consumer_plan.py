# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from docker.types import ContainerConfig

from ansible_collections.persistent.volumes.plugins.module_utils.consumer_plan import WAS_RUNNING
from ansible_collections.persistent.volumes.plugins.module_utils.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.labels import DATA_CONTAINER, REPLACES
from ansible_collections.persistent.volumes.tests.unit.plugins.module_utils.consumer_fixtures import (
    ANON_A, ANON_B, IMAGE_REF, NEW_IMAGE_ID, REPLACEMENT, action_of, assert_safe_and_predicted, build_planner,
    data_container, detail, simulate, targets,
)
from ansible_collections.persistent.volumes.tests.unit.conftest import container_id

DATA = data_container('data', [('dv1', '/data')])
DATA_NEW = data_container('data', [('dv2', '/data')])            # now holds another volume at /data
DATA_GROWN = data_container('data', [('dv1', '/data'), ('dv3', '/extra')])
DATA_RO = data_container('data', [('dv1', '/data', 'ro')])
DATA_CACHE = data_container('data', [('dv1', '/data'), ('dv9', '/cache')])
LOGS = data_container('logs', [('lv', '/logs')])
LEFT = 'web.pv-111111'


def web(status='running', mounts=(('dv1', '/data'),), volumes_from=('data:rw',), **kwargs):
    return detail('web', status=status, mounts=mounts, volumes_from=list(volumes_from), **kwargs)


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
    'recreate-and-stop': row({'running': False}, holder=web(), pairs=[]),
    'recreate-and-start': row({'running': True}, holder=web('exited'), pairs=[]),
    'env-changed': row({'env': {'A': '2'}}, holder=web(env=['A=1'])),
    'image-changed': row({'image': 'app:2'}, holder=web(), image={'Id': NEW_IMAGE_ID}),
    'image-changed-pulled': row({'image': 'app:2'}, holder=web(), image={'Id': NEW_IMAGE_ID}, image_action='pull_image'),
    'stale-other-volume': row(holder=web(), sources=[DATA_NEW]),
    'stale-source-gained-path': row(holder=web(), sources=[DATA_GROWN]),
    'stale-wiring-ro-mount-rw': row(holder=web(volumes_from=['data:ro']), pairs=[('data', 'ro')]),
    'stale-source-ro': row(holder=web(), sources=[DATA_RO]),
    'own-bind-at-source-path': row(holder=web(mounts=[('/srv/data', '/data')], binds=['/srv/data:/data:rw']),
                                   sources=[DATA_NEW]),
    'bind-added': row(holder=web(), binds=['/srv/x:/x:rw']),
    'own-anonymous-rewired': row(holder=web(mounts=[('dv1', '/data'), (ANON_A, '/cache')]), pairs=[]),
    'image-volume-kept': row({'env': {'A': '2'}}, holder=web(mounts=[('dv1', '/data'), (ANON_B, '/var/lib/app', 'ro')])),
    'named-bind-kept': row({'user': 'nobody'}, holder=web(mounts=[('dv1', '/data'), ('myvol', '/v')], binds=['myvol:/v:rw'])),
    'leftover-removed': row(holder=web(), leftovers=[fix_name(leftover(), LEFT)]),
    'leftover-renamed-started': row(leftovers=[fix_name(leftover(), LEFT)]),
    'leftover-renamed': row(leftovers=[fix_name(leftover(was_running='false'), LEFT)]),
    'leftover-recreated': row({'env': {'A': '2'}}, leftovers=[fix_name(leftover(), LEFT)]),
    'holder-and-leftover-recreated': row({'env': {'A': '2'}}, holder=web(), leftovers=[fix_name(leftover(), LEFT)]),
    'two-leftovers': row(leftovers=[fix_name(leftover(created='2024-05-02T10:00:00Z'), 'web.pv-old'),
                                    fix_name(leftover(created='2024-05-03T10:00:00Z'), LEFT)]),
    # Rows whose plans break a promise today (see SAFETY_XFAIL).
    'source-gains-path-over-own-volume': row(holder=web(mounts=[('dv1', '/data'), (ANON_A, '/cache')]),
                                             sources=[DATA_CACHE]),
    'new-source-over-own-volume': row(holder=web(mounts=[(ANON_A, '/data')], volumes_from=())),
    'bind-over-own-volume': row(holder=web(mounts=[('dv1', '/data'), (ANON_A, '/cache')]),
                                binds=['/srv/cache:/cache:rw']),
    'bind-over-named-volume': row(holder=web(mounts=[('dv1', '/data'), ('myvol', '/v')], binds=['myvol:/v:rw']),
                                  binds=['/srv/v:/v:rw']),
    'finished-replacement-stopped': row({'env': {'A': '2'}},
                                        holder=web('exited', labels={REPLACES: 'web', WAS_RUNNING: 'true'})),
}

CREATE, STOP, REMOVE = ('create_consumer', REPLACEMENT), ('stop_container', 'web'), ('remove_container', 'web')
RENAME, START = ('rename_container', REPLACEMENT), ('start_container', 'web')
SWAP_RUNNING = [CREATE, STOP, REMOVE, RENAME, START]
SWAP_STOPPED = [CREATE, REMOVE, RENAME]


def plan_of(name):
    return build_planner(**SCENARIOS[name]).plan()


@pytest.mark.parametrize('name, expected', [
    ('missing-created', [('create_consumer', 'web')]),
    ('missing-created-started', [('create_consumer', 'web'), START]),
    ('missing-pulled', [('pull_image', 'app:2'), ('create_consumer', 'web'), START]),
    ('unchanged-running', []),
    ('unchanged-stopped', []),
    ('start-only', [START]),
    ('stop-only', [STOP]),
    ('stopped-stays', []),
    ('wiring-added', SWAP_RUNNING),
    ('wiring-replaced-stopped', SWAP_STOPPED),
    ('wiring-mode-changed', SWAP_RUNNING),
    ('wiring-removed', SWAP_RUNNING),
    ('recreate-and-stop', [CREATE, STOP, REMOVE, RENAME]),
    ('recreate-and-start', SWAP_STOPPED + [START]),
    ('env-changed', SWAP_RUNNING),
    ('image-changed', SWAP_RUNNING),
    ('image-changed-pulled', [('pull_image', 'app:2')] + SWAP_RUNNING),
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
    ('leftover-recreated', [CREATE, ('remove_container', LEFT), RENAME, START]),
    ('holder-and-leftover-recreated', [CREATE, STOP, ('remove_container', LEFT), REMOVE, RENAME, START]),
    ('two-leftovers', [('remove_container', 'web.pv-old'), ('rename_container', LEFT), START]),
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
    ('stale-other-volume', ['web mounts dv1 at /data, but data holds dv2 there now']),
    ('stale-source-gained-path', ['data has /extra, which web does not mount']),
    ('stale-wiring-ro-mount-rw', ['web mounts /data read-write, wanted read-only']),
    ('stale-source-ro', ['web mounts /data read-write, wanted read-only']),
    ('own-bind-at-source-path', []),
    ('leftover-renamed', []),
])
def test_plan_reasons(name, expected):
    plan = plan_of(name)
    assert plan.reasons == expected
    # finishing an interrupted swap counts as a recreation, without a reason of its own
    assert plan.recreated == (bool(expected) or name.startswith('leftover'))


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
])
def test_replacement_binds(name, binds):
    create = action_of(plan_of(name), 'create_consumer')
    assert create.args['host_config']['Binds'] == binds


SAFETY_XFAIL = {
    'stale-other-volume': 'the old web is the last holder of dv1 and is removed (promise 1); '
                          'dv1 is neither re-attached, refused nor reported',
    'source-gains-path-over-own-volume': "web's own anonymous volume at /cache is dropped when data gains /cache "
                                         '(consumer_plan.py own_volume_binds: provided_paths(old_sources))',
    'bind-over-own-volume': "a new bind at /cache drops web's own anonymous volume there without refusal or report",
    'bind-over-named-volume': 'a new bind at /v replaces the named volume bind myvol:/v; web was its last holder',
    'new-source-over-own-volume': 'own volume re-attached in Binds overrides the new --volumes-from at /data; '
                                  'plan.after predicts dv1, the engine mounts the anonymous volume',
    'finished-replacement-stopped': 'predicted_after reads was-running on the holder itself: predicts running, '
                                    'the plan leaves it stopped',
}
# Acceptable fixes for the rows above: refuse naming the volume, or release it visibly.
AT_RISK = {'stale-other-volume': 'dv1', 'source-gains-path-over-own-volume': ANON_A, 'bind-over-own-volume': ANON_A,
           'bind-over-named-volume': 'myvol', 'new-source-over-own-volume': ANON_A}


@pytest.mark.parametrize('name', [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=SAFETY_XFAIL[name]) if name in SAFETY_XFAIL else ())
    for name in sorted(SCENARIOS)
])
def test_no_volume_is_ever_orphaned_and_after_is_predicted(name):
    scenario = SCENARIOS[name]
    try:
        plan = build_planner(**scenario).plan()
    except Refusal as refusal:
        assert name in AT_RISK and AT_RISK[name] in refusal.msg, refusal.msg
        return
    assert 'remove_volume' not in plan.kinds
    current = scenario['holder'] or (scenario['leftovers'][-1] if scenario['leftovers'] else None)
    if current is not None and ('remove_container', current.name) in targets(plan):
        assert targets(plan).index(CREATE) < targets(plan).index(('remove_container', current.name))
    released = [volume for volume in plan.released if any(volume in warning for warning in plan.warnings)]
    assert_safe_and_predicted(plan, scenario['holder'], scenario['leftovers'], scenario['sources'], released)


def test_simulation_catches_a_swap_in_the_wrong_order():
    plan = plan_of('own-anonymous-rewired')
    plan.actions = [plan.actions[1], plan.actions[2], plan.actions[0]] + plan.actions[3:]
    dummy, problems = simulate(plan, SCENARIOS['own-anonymous-rewired']['holder'], (), [DATA])
    assert 'step 1 remove_container web: volume %s is mounted by no container' % ANON_A in problems


def test_create_arguments_keep_the_container_and_relabel():
    holder = web(cmd=['sleep', '1d'], env=['PATH=/bin', 'A=1'], restart='always', network_mode='app-net',
                 labels={'tier': 'web', REPLACES: 'web', WAS_RUNNING: 'false', DATA_CONTAINER: 'true'},
                 config={'Tty': True, 'OpenStdin': True, 'StopSignal': 'SIGINT', 'ExposedPorts': {'80/tcp': {}},
                         'Healthcheck': {'Test': ['CMD', 'true']}},
                 host={'PortBindings': {'80/tcp': [{'HostPort': '8080'}]}, 'Memory': 1 << 28, 'CapAdd': ['NET_ADMIN']})
    plan = build_planner({'env': {'B': '2'}, 'labels': {'team': 'x'}}, holder=holder, sources=[DATA],
                         pairs=[('data', 'rw')]).plan()
    args = action_of(plan, 'create_consumer').args
    assert args['image'] == IMAGE_REF
    assert args['create'] == dict(
        command=['sleep', '1d'], entrypoint=None, environment=['A=1', 'B=2', 'PATH=/bin'], user=None, working_dir=None,
        labels={'tier': 'web', 'team': 'x', REPLACES: 'web', WAS_RUNNING: 'true'}, tty=True, stdin_open=True,
        stop_signal='SIGINT', healthcheck={'Test': ['CMD', 'true']}, ports=['80/tcp'])
    host = args['host_config']
    assert (host['Memory'], host['CapAdd'], host['PortBindings']) == (1 << 28, ['NET_ADMIN'],
                                                                      {'80/tcp': [{'HostPort': '8080'}]})
    assert (host['Binds'], host['VolumesFrom'], host['NetworkMode']) == (None, ['data:rw'], 'app-net')
    assert host['RestartPolicy'] == {'Name': 'always', 'MaximumRetryCount': 0}
    assert holder.raw['HostConfig']['Binds'] is None and holder.labels[WAS_RUNNING] == 'false'


@pytest.mark.parametrize('spec, name, policy', [
    ({'restart_policy': 'no', 'network_mode': 'host'}, 'host', ''),
    ({'restart_policy': 'unless-stopped', 'network_mode': 'none'}, 'none', 'unless-stopped'),
])
def test_create_arguments_override_host_config(spec, name, policy):
    for holder in (web(), None):
        args = action_of(build_planner(dict(spec, image=IMAGE_REF, env={'Z': '1'}), holder=holder, sources=[DATA],
                                       pairs=[('data', 'rw')]).plan(), 'create_consumer').args
        assert args['host_config']['NetworkMode'] == name
        assert args['host_config']['RestartPolicy'] == {'Name': policy, 'MaximumRetryCount': 0}


def test_new_consumer_arguments():
    plan = build_planner({'image': 'app:1', 'command': 'sh -c "sleep 1"', 'labels': {'a': 'b'}},
                         sources=[DATA], pairs=[('data', 'ro')], binds=['/srv/x:/x:ro']).plan()
    args = action_of(plan, 'create_consumer').args
    assert args['image'] == 'app:1' and args['create']['labels'] == {'a': 'b'}
    assert args['create']['command'] == ['sh', '-c', 'sleep 1']
    assert args['host_config'] == {'Binds': ['/srv/x:/x:ro'], 'VolumesFrom': ['data:ro']}
    assert plan.after == dict(state='present', name='web', running=False, volumes_from=['data:ro'],
                              binds=['/srv/x:/x:ro'], mounts={'/data': 'dv1', '/x': '/srv/x'})


@pytest.mark.xfail(strict=True, reason="consumer_plan.py create_arguments: ports=['80/tcp'] become "
                                       "ExposedPorts '80/tcp/tcp' in docker-py; pass (port, proto) tuples")
def test_exposed_ports_survive_docker_py():
    holder = web(config={'ExposedPorts': {'80/tcp': {}, '53/udp': {}}})
    create = action_of(build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA],
                                     pairs=[('data', 'rw')]).plan(), 'create_consumer').args['create']
    config = ContainerConfig('1.41', IMAGE_REF, create.pop('command'), **create)
    assert config['ExposedPorts'] == {'80/tcp': {}, '53/udp': {}}


@pytest.mark.xfail(strict=True, reason='consumer_plan.py _recreate: old sources looked up by resolved name, but '
                                       'old_sources is keyed by the VolumesFrom entry (an id here)')
def test_volumes_from_by_id_is_not_pinned_as_own_bind():
    holder = web(volumes_from=[container_id('data') + ':rw'])
    plan = build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA], pairs=[('data', 'rw')],
                         old_sources={container_id('data'): DATA}).plan()
    assert action_of(plan, 'create_consumer').args['host_config']['Binds'] is None


@pytest.mark.xfail(strict=True, reason='consumer_plan.py plan(): a wanted image that is not on the engine yields '
                                       'no reason, so neither pull_image nor recreation is planned')
def test_wanted_image_not_on_engine_is_pulled():
    plan = build_planner({'image': 'app:2'}, holder=web(), sources=[DATA], pairs=[('data', 'rw')],
                         image=None, image_action='pull_image').plan()
    assert 'pull_image' in plan.kinds


@pytest.mark.xfail(strict=True, reason='consumer_plan.py create_arguments keeps HostConfig.Mounts, and '
                                       'own_volume_binds adds the same target to Binds: duplicate mount point')
@pytest.mark.parametrize('mount, volume', [
    ({'Type': 'volume', 'Source': 'myvol', 'Target': '/v'}, 'myvol'),
    ({'Type': 'volume', 'Target': '/v'}, ANON_A),
])
def test_mounts_api_volume_not_mounted_twice(mount, volume):
    holder = web(mounts=[('dv1', '/data'), (volume, '/v')], host={'Mounts': [mount]})
    host = action_of(build_planner({'env': {'A': '1'}}, holder=holder, sources=[DATA],
                                   pairs=[('data', 'rw')]).plan(), 'create_consumer').args['host_config']
    targets_ = [bind.split(':')[1] for bind in host['Binds'] or []] + [m['Target'] for m in host.get('Mounts') or []]
    assert targets_.count('/v') == 1
