# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Builders for the consumer tests: consumer inspect data, a planner from compact rows,
and a small simulation of a plan that checks the data-safety invariants step by step.
Nothing here talks to a Docker engine."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.planner import ConsumerPlanner
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER
from ansible_collections.persistent.volumes.tests.unit.conftest import raw_inspect

ANON_A = 'a' * 64
ANON_B = 'b' * 64
IMAGE_ID = 'sha256:' + '1' * 64
NEW_IMAGE_ID = 'sha256:' + '2' * 64
IMAGE_REF = 'local/busybox:latest'
REPLACEMENT = 'web.pv-0a1b2c'
ASIDE = REPLACEMENT + '-old'
IMAGE_CONFIG = {'Env': ['PATH=/bin'], 'Cmd': ['sh'], 'Entrypoint': None, 'Labels': {'maker': 'image'},
                'WorkingDir': '', 'ExposedPorts': {'53/udp': {}}, 'Volumes': {'/var/lib/app': {}}}
IMAGE = {'Id': IMAGE_ID, 'Config': IMAGE_CONFIG}


def consumer_raw(name, mounts=(), binds=None, volumes_from=None, status='created', labels=None, cmd=None,
                 entrypoint=None, env=None, user='', working_dir='', network_mode='default', restart='',
                 image_ref=IMAGE_REF, image_id=IMAGE_ID, created='2024-05-01T10:00:00Z', config=None, host=None):
    """``GET /containers/{id}/json`` of a consumer: the conftest's ``raw_inspect`` with the
    Config and HostConfig keys the consumer planner reads."""
    raw = raw_inspect(name, mounts=mounts, labels=labels, image_id=image_id, image_ref=image_ref,
                      volumes_from=volumes_from, status=status, created=created)
    raw['Config'].update(Cmd=cmd, Entrypoint=entrypoint, Env=env, User=user, WorkingDir=working_dir)
    raw['Config'].update(config or {})
    raw['HostConfig'].update(Binds=binds, NetworkMode=network_mode,
                             RestartPolicy={'Name': restart, 'MaximumRetryCount': 0})
    raw['HostConfig'].update(host or {})
    return raw


def detail(name, **kwargs):
    return ContainerDetail(consumer_raw(name, **kwargs))


def data_container(name, mounts):
    """A data-only container holding ``mounts`` (``(volume, path[, 'ro'])`` tuples)."""
    return detail(name, mounts=mounts, labels={DATA_CONTAINER: 'true'}, image_ref='persistent-volumes/data-only:1')


DATA = data_container('data', [('dv1', '/data')])


def web(status='running', mounts=(('dv1', '/data'),), volumes_from=('data:rw',), **kwargs):
    """The consumer ``web``: by default running, with dv1 at /data from ``data``."""
    return detail('web', status=status, mounts=mounts, volumes_from=list(volumes_from), **kwargs)


class FakeFacts(object):
    """The engine facts a recreation asks for: IMAGE_REF names IMAGE_ID (IMAGE_CONFIG), the networks
    ``bridge`` and ``app-net`` exist, ``dependents`` ([(name, namespace)]) share a namespace of the container, and
    ``changes`` are the paths its processes added to its own layer."""

    def __init__(self, images=None, networks=('bridge', 'app-net', 'front'), dependents=(), host_name='dockerhost',
                 changes=()):
        self.images = images if images is not None else {IMAGE_REF: IMAGE, IMAGE_ID: IMAGE}
        self.changes = [dict(Path=path, Kind=1) for path in changes]
        self.known_networks = set(networks)
        self.dependent_names = list(dependents)
        self.name = host_name
        self.asked = []

    def image(self, reference):
        self.asked.append(('image', reference))
        return self.images.get(reference)

    def host_name(self):
        self.asked.append(('host_name',))
        return self.name

    def dependents(self, container):
        self.asked.append(('dependents', container.name))
        return self.dependent_names

    def networks(self):
        self.asked.append(('networks',))
        return self.known_networks

    def layer_changes(self, container):
        self.asked.append(('layer_changes', container.name))
        return self.changes


def build_planner(spec, holder=None, leftovers=(), sources=(), pairs=(), binds=None, image=None,
                  image_action=None, old_sources=None, fallback=None, facts=None):
    """A ConsumerPlanner as the runners build it.

    ``spec``: ConsumerSpec keyword arguments (``container`` defaults to ``web``);
    ``holder``/``leftovers``: ContainerDetail; ``sources``: the data containers that exist
    now; ``binds``: the wanted own binds (default: the current container's binds).
    """
    spec = ConsumerSpec(**dict(dict(container='web'), **spec))
    by_name = dict((source.name, source) for source in sources)
    current = holder or (list(leftovers)[-1] if leftovers else None)
    if old_sources is None:
        old_sources = dict((entry.partition(':')[0], by_name.get(entry.partition(':')[0]))
                           for entry in (current.volumes_from if current else []))
    if binds is None:
        binds = list((current.raw['HostConfig'].get('Binds') or [])) if current else []
    new_sources = dict((name, by_name[name]) for name, dummy in pairs)
    return ConsumerPlanner(spec, holder, leftovers, image, old_sources, new_sources, list(pairs), binds,
                           replacement_name=REPLACEMENT, image_action=image_action, fallback=fallback,
                           facts=facts or FakeFacts())


def targets(plan):
    return [(action.kind, action.target) for action in plan.actions]


def action_of(plan, kind):
    found = [action for action in plan.actions if action.kind == kind]
    assert len(found) == 1, plan.describe()
    return found[0]


def bind_origin(bind):
    parts = bind.split(':')
    return parts[0], parts[1]


def created_mounts(args, sources):
    """path -> volume name or host path of a container made from create_consumer arguments:
    --volumes-from first, then Binds, which win at the same path (as the engine does)."""
    host = args['body']['HostConfig']
    mounts = {}
    for entry in host.get('VolumesFrom') or []:
        source = sources[entry.partition(':')[0]]
        mounts.update(source.volume_map())
    for bind in host.get('Binds') or []:
        origin, destination = bind_origin(bind)
        mounts[destination] = origin
    return mounts


def volume_names(mounts):
    return set(origin for origin in mounts.values() if not origin.startswith('/'))


def simulate(plan, holder=None, leftovers=(), sources=(), fail_start=False):
    """Play ``plan`` on a model of the engine; returns (world, problems).

    ``world``: name -> {running, mounts, ran}. ``problems`` lists every broken promise: a
    removed volume, a container removed while running, a name taken twice, an old container
    that ran removed before a replacement runs, and any moment at which a volume that some
    container mounted before the plan is mounted by no container at all. ``fail_start``: the
    first start of a container the plan created fails, and its undo actions run instead.
    """
    by_name = dict((source.name, source) for source in sources)
    world = {}
    for container in [holder] + list(leftovers) + list(sources):
        if container is not None:
            world[container.name] = dict(running=container.running, mounts=container.volume_map(),
                                         ran=container.running, new=False)
    watched = set()
    for entry in world.values():
        watched |= volume_names(entry['mounts'])
    problems = []
    starts = any(action.kind == 'start_container' for action in plan.actions)
    for step, action in enumerate(plan.actions):
        where = 'step %d %s %s' % (step, action.kind, action.target)
        if fail_start and action.kind == 'start_container' and world[action.target]['new'] and action.args.get('undo'):
            for undo in action.args['undo']:
                _play(world, undo, where + ' undo', by_name, problems, False)
                _check_held(world, watched, where + ' undo', problems)
            return world, problems
        _play(world, action, where, by_name, problems, starts)
        _check_held(world, watched, where, problems)
    return world, problems


def _play(world, action, where, by_name, problems, starts):
    if action.kind == 'remove_volume':
        problems.append('%s: a volume is removed' % where)
    elif action.kind == 'create_consumer':
        if action.target in world:
            problems.append('%s: the name is taken' % where)
        world[action.target] = dict(running=False, mounts=created_mounts(action.args, by_name), ran=False, new=True)
    elif action.kind in ('remove_container', 'discard_new_consumer'):
        entry = world.pop(action.target)
        if entry['running']:
            problems.append('%s: removing a running container' % where)
        if starts and entry['ran'] and not entry['new'] and not any(e['new'] and e['running'] for e in world.values()):
            problems.append('%s: removing the old container before its replacement runs' % where)
    elif action.kind == 'rename_container':
        if action.args['new_name'] in world:
            problems.append('%s: the name %s is taken' % (where, action.args['new_name']))
        world[action.args['new_name']] = world.pop(action.target)
    elif action.kind in ('start_container', 'stop_container'):
        world[action.target]['running'] = action.kind == 'start_container'


def _check_held(world, watched, where, problems):
    held = set()
    for entry in world.values():
        held |= volume_names(entry['mounts'])
    for lost in sorted(watched - held):
        problems.append('%s: volume %s is mounted by no container' % (where, lost))


def visibly_released(plan):
    """Volumes the plan lets go of in the open: listed in ``plan.released`` (``{path, volume,
    was_in}`` entries, as data_container reports them) and named in one of its warnings."""
    for entry in plan.released:
        assert sorted(entry) == ['path', 'volume', 'was_in'], entry
    return set(entry['volume'] for entry in plan.released
               if any(entry['volume'] in warning for warning in plan.warnings))


def assert_safe_and_predicted(plan, holder=None, leftovers=(), sources=()):
    """No promise broken at any step, and plan.after is what the engine ends up with.

    The only volumes that may end up mounted by no container are the ones the plan
    releases visibly (``visibly_released``); they are really let go of, too.
    """
    released = visibly_released(plan)
    world, problems = simulate(plan, holder, leftovers, sources)
    problems = [problem for problem in problems if not any(' volume %s ' % volume in problem for volume in released)]
    assert problems == [], problems
    final = world.get(plan.after['name'])
    assert final is not None, plan.describe()
    assert not released & volume_names(final['mounts']), 'released but still mounted: %r' % final['mounts']
    assert final['running'] == plan.after['running'], 'running: %r after the plan, %r predicted' % (
        final['running'], plan.after['running'])
    assert final['mounts'] == plan.after['mounts'], 'mounts: %r after the plan, %r predicted' % (
        final['mounts'], plan.after['mounts'])
