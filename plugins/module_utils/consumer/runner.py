# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One consumer's work (volumes_from, bind_mount, the layout's consumers): observe, plan, apply, report."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.planner import (
    ConsumerPlanner,
)
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import (
    ContainerDetail,
    inspect_named,
    observe_container,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, InputError
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import replacement_name
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import HostDirectory
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import look_up
from ansible_collections.persistent.volumes.plugins.module_utils.plan.last_holder import check_last_holder
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import container_name
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.wiring import wanted_pairs
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.refusals import namespace_sharers
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import PULL_IMAGE


class ConsumerRequest(object):
    """What a task wants of one consumer: its spec, its --volumes-from wiring and its bind mounts.

    ``wiring`` None keeps the consumer's wiring as it is; ``binds`` is a list of
    bind_mount ``BindRequest`` objects, applied in order. ``renamed_sources``: {reference: name} for
    ``--volumes-from`` entries naming, by an ID that is gone, a data container now called ``name``
    (a restore recreated it); the consumer is wired to it by name.
    """

    def __init__(self, spec, wiring=None, exclusive=False, wiring_state='present', binds=None, renamed_sources=None):
        self.spec = spec
        self.renamed_sources = dict(renamed_sources or {})
        self.wiring = wiring
        self.exclusive = bool(exclusive)
        self.wiring_state = wiring_state
        self.binds = list(binds or [])

    @property
    def adds_something(self):
        return (self.wiring is not None and self.wiring_state == 'present') or \
            any(bind.state == 'present' for bind in self.binds)


def inspect_sources(api, names, by_name=True):
    """name -> ContainerDetail (or None when it does not exist).

    Names from a task must match exactly; the entries of an existing container's
    VolumesFrom (``by_name=False``) may be IDs, as the engine wrote them.
    """
    sources = {}
    for name in names:
        if name not in sources:
            raw = inspect_named(api, name) if by_name else api.inspect_container(name)
            sources[name] = ContainerDetail(raw) if raw else None
    return sources


class EngineFacts(object):
    """The engine questions only a recreation asks (see ConsumerPlanner), answered when asked."""

    def __init__(self, api):
        self.api = api
        self._networks = None

    def image(self, reference):
        return self.api.inspect_image(reference)

    def host_name(self):
        return self.api.info().get('Name')

    def dependents(self, container):
        """[(name, namespace)] of the containers that share ``container``'s network, PID or IPC namespace
        (``container:<it>``). The listing gives the network mode; the PID and IPC modes take an inspect
        of each other container (only a recreation asks)."""
        others = []
        for summary in self.api.list_containers():
            if summary.get('Id') == container.id:
                continue
            raw = self.api.inspect_container(summary.get('Id'))
            if raw:
                raw = dict(raw, Name=container_name(summary))
            others.append(raw or summary)
        return namespace_sharers(container, others)

    def layer_changes(self, container):
        """What changed in ``container``'s own layer, as far as the engine can say: none for a
        container that never ran, and none when the engine cannot list them (a container it
        marked for removal has lost its layer already); the warning is a courtesy, not a check."""
        if container.never_started or container.marked_for_removal:
            return []
        try:
            return self.api.container_changes(container.id)
        except EngineError:
            return []

    def networks(self):
        """Names and IDs of the engine's networks."""
        if self._networks is None:
            self._networks = set()
            for network in self.api.list_networks():
                self._networks.update((network.get('Name'), network.get('Id')))
        return self._networks


def find_fallback(api, containers):
    """(replacement, old container) of a safe swap an interrupted run left, or None.

    A replacement that is to run names, in a label, the temporary name the old container
    gets until the replacement runs; while that container exists, the swap is unfinished.
    """
    for container in containers:
        previous = container.labels.get(pv_labels.PREVIOUS)
        raw = inspect_named(api, previous) if previous else None
        if raw:
            return container, ContainerDetail(raw)
    return None


def observe_consumer(api, name):
    holder, leftovers = observe_container(api, name)
    fallback = find_fallback(api, ([holder] if holder else []) + leftovers)
    current = holder or (leftovers[-1] if leftovers else None)
    if fallback is not None:
        # the container the plan goes on from: the replacement when it runs, else the old one (rolled back)
        current = fallback[0] if fallback[0].running else fallback[1]
    old_sources = {}
    for container in [current] + list(fallback or ()):
        if container is not None:
            old_sources.update(inspect_sources(api, [name for name, dummy in container.volumes_from_pairs
                                                     if name not in old_sources],
                                               by_name=False))
    return holder, leftovers, current, old_sources, fallback


def wanted_image(api, spec):
    """The inspect data of the spec's image and the action needed to get it."""
    if spec.image is None:
        return None, None
    image = look_up(api, spec.image)
    return image, None if image else PULL_IMAGE


def consumer_result(engine, plan, spec):
    result, dummy = engine.apply(plan)
    result.update(recreated=plan.recreated, reasons=list(plan.reasons),
                  released_volumes=list(plan.released))
    if engine.check_mode or not plan.changed:
        after = plan.after or {}
        result['container'] = dict(name=spec.name, running=after.get('running')) if after.get('state') == 'present' else {}
        result['volumes_from'] = after.get('volumes_from', [])
        result['mounts'] = after.get('mounts', {})
        return result
    raw = inspect_named(engine.api, spec.name)
    final = ContainerDetail(raw) if raw else None
    if final is None:
        result.update(container={}, volumes_from=[], mounts={})
        return result
    result['container'] = dict(final.summary(), running=final.running)
    result['volumes_from'] = list(final.volumes_from)
    result['mounts'] = dict((path, m.name or m.source) for path, m in sorted(final.mounts.items()))
    return result


def _plural(names, singular, plural):
    return singular if len(names) == 1 else plural


def wanted_sources(api, request, current, old_sources):
    """(the wanted --volumes-from pairs, name -> ContainerDetail of each source); every source must exist."""
    wanted = request.wiring or []
    sources = inspect_sources(api, [name for name, dummy in wanted])
    missing = [name for name, dummy in wanted if sources.get(name) is None]
    if missing and request.wiring_state == 'present':
        raise InputError('from: data container%s %s do%s not exist; create %s first '
                         '(persistent.volumes.data_container).'
                         % (_plural(missing, '', 's'), ', '.join(missing), _plural(missing, 'es', ''),
                            _plural(missing, 'it', 'them')))
    have = []
    if current is not None:
        have = [(old_sources[name].name if old_sources.get(name) else name, mode)
                for name, mode in current.volumes_from_pairs]
    pairs = have if request.wiring is None else wanted_pairs(have, wanted, request.exclusive, request.wiring_state)
    sources.update(inspect_sources(api, [name for name, dummy in pairs if name not in sources]))
    gone = [name for name, dummy in pairs if sources.get(name) is None]
    if gone:
        raise InputError('%s is wired to %s, which no longer exist%s; remove that wiring with '
                         'persistent.volumes.volumes_from state=absent, or list from with exclusive=true.'
                         % (request.spec.name, ', '.join(gone), _plural(gone, 's', '')))
    return pairs, sources


class HostSide(object):
    """The bind requests applied to the consumer's binds, and what preparing their host directories takes."""

    def __init__(self, request, current):
        self.binds = list(current.binds) if current else []
        self.actions, self.before, self.after = [], {}, {}
        for bind in request.binds:
            self.binds = bind.binds(self.binds)
            actions, before, after = bind.host_actions()
            self.actions.extend(actions)
            if before is not None:
                self.before[bind.source] = before
                self.after[bind.source] = after

    def add_to(self, plan):
        """The host directories are prepared first; diff mode shows them."""
        plan.actions[0:0] = self.actions
        if self.before:
            plan.before = dict(plan.before, host_directories=self.before)
            plan.after = dict(plan.after, host_directories=self.after)

    def report(self, result, check_mode, single):
        if not self.after:
            return
        result['host_directories'] = self.after if check_mode else dict(
            (path, HostDirectory(path).as_dict()) for path in self.after)
        if single:
            result['host_directory'] = list(result['host_directories'].values())[0]


def converge_consumer(engine, request):
    """Observe, plan and apply one consumer (the work of volumes_from, bind_mount and layout)."""
    spec, api = request.spec, engine.api
    holder, leftovers, current, old_sources, fallback = observe_consumer(api, spec.name)
    for reference, name in request.renamed_sources.items():
        if old_sources.get(reference) is None:
            old_sources[reference] = inspect_sources(api, [name]).get(name)
    if current is None and not request.adds_something:
        return dict(changed=False, container={}, volumes_from=[], mounts={}, recreated=False, reasons=[], actions=[])
    pairs, new_sources = wanted_sources(api, request, current, old_sources)
    host = HostSide(request, current)
    image, image_action = wanted_image(api, spec)
    planner = ConsumerPlanner(spec, holder, leftovers, image, old_sources, new_sources, pairs, host.binds,
                              replacement_name=replacement_name(spec.name), image_action=image_action,
                              fallback=fallback, facts=EngineFacts(api))
    plan = planner.plan()
    check_last_holder(api, plan, spec, [c for c in [holder] + leftovers if c is not None])
    host.add_to(plan)
    result = consumer_result(engine, plan, spec)
    host.report(result, engine.check_mode, len(request.binds) == 1)
    return result
