# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning a consumer container: create it, or recreate it keeping its own volumes.

A consumer is recreated when its wiring (``--volumes-from``, bind mounts) or its spec
options change, when the volumes it mounts are no longer the ones its data
containers hold (judged on effective mounts, not on strings), or when the engine has
marked it for removal (``dead``: a removal failed half-way; ``removing``). Recreation
is the crash-safe swap data containers take too (``plan/swap.py``), never removes a volume, and
re-attaches by name every volume the consumer holds itself (anonymous and image
VOLUME paths too).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.layer import layer_warning, written_paths
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.refusals import (
    NoFacts,
    check_binds_over_sources,
    check_networks,
    check_recreatable,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import apply_options
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.replica import (
    endpoint_request,
    endpoints,
    kept_mounts,
    made_aliases,
    network_mode_of,
    primary_network,
    replica_config,
    replica_host_config,
)
from ansible_collections.persistent.volumes.plugins.module_utils.plan.swap import (
    add_plain_swap,
    add_remove,
    add_safe_swap,
    old_name,
    settle,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import bind_destination, split_bind
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action, Plan
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    CONNECT_NETWORK,
    CREATE_CONSUMER,
    DISCARD_NEW_CONSUMER,
    RENAME_CONTAINER,
    START_CONTAINER,
    STOP_CONTAINER,
)


class ConsumerPlan(Plan):
    """A consumer's plan, with why the consumer is recreated (``reasons``, empty when it is not)."""

    def __init__(self, before=None, after=None):
        super(ConsumerPlan, self).__init__(before, after)
        self.reasons = []


def join_volumes_from(pairs):
    return ['%s:%s' % (name, mode) for name, mode in pairs]


def provided_paths(sources):
    """Paths a set of --volumes-from sources give a consumer."""
    paths = set()
    for source in sources:
        if source is not None:
            paths.update(source.mounts)
    return paths


def stale_mounts(consumer, pairs, sources, own_binds):
    """Why the consumer's mounts differ from what its sources hold now (empty when fine)."""
    own = set(bind_destination(bind) for bind in own_binds)
    reasons = []
    for name, mode in pairs:
        source = sources.get(name)
        for path, mounted in sorted(source.mounts.items()):
            if path in own:
                continue
            have = consumer.mounts.get(path)
            read_only = mode == 'ro' or mounted.read_only
            if have is None:
                reasons.append('%s has %s, which %s does not mount' % (name, path, consumer.name))
            elif have.identity != mounted.identity:
                reasons.append('%s mounts %s at %s, but %s holds %s there now'
                               % (consumer.name, have.name or have.source, path, name, mounted.name or mounted.source))
            elif have.read_only != read_only:
                reasons.append('%s mounts %s %s, wanted %s' % (consumer.name, path,
                                                               'read-only' if have.read_only else 'read-write',
                                                               'read-only' if read_only else 'read-write'))
    return reasons


def own_paths(consumer, old_sources):
    """Paths where the consumer holds a volume of its own, not one from its sources.

    A path its sources do not provide is its own. A path they do provide is its own too
    when the consumer declares it (image or -v VOLUME, a bind, a --mount) and holds
    another volume there than the source has: that volume was the consumer's before the
    source gained the path.
    """
    provided = {}
    for source in old_sources:
        for path, mounted in (source.mounts.items() if source is not None else ()):
            provided.setdefault(path, mounted.identity)
    declared = set((consumer.raw.get('Config') or {}).get('Volumes') or {})
    declared.update(consumer.own_destinations)
    own = set()
    for path, mounted in consumer.mounts.items():
        if mounted.type != 'volume':
            continue
        if path not in provided or (path in declared and provided[path] != mounted.identity):
            own.add(path)
    return own


def own_volume_binds(consumer, old_sources, binds):
    """Binds that re-attach the consumer's own volumes (those not bound already, and not those of its
    own ``--mount`` entries: they go into the replacement as mounts, see ``kept_mounts``)."""
    taken = set(bind_destination(bind) for bind in binds)
    taken.update(mount.get('Target') for mount in (consumer.raw.get('HostConfig') or {}).get('Mounts') or [])
    own = own_paths(consumer, old_sources)
    return [mounted.bind_string() for path, mounted in sorted(consumer.mounts.items())
            if path in own and path not in taken]


class ConsumerPlanner(object):
    """Builds the plan for one consumer from observed facts.

    ``facts`` answers the few engine questions only a recreation asks (the old image, the
    networks, who shares the container's network namespace); they are asked lazily, so a
    consumer that needs no change costs no call for them.
    """

    def __init__(self, spec, holder, leftovers, image, old_sources, new_sources, pairs, binds,
                 replacement_name, image_action=None, fallback=None, facts=None):
        self.spec = spec
        self.holder = holder
        self.leftovers = list(leftovers)
        self.image = image              # inspect data of spec.image, or None
        self.image_action = image_action
        self.old_sources = old_sources  # name -> ContainerDetail of the current --volumes-from
        self.new_sources = new_sources  # name -> ContainerDetail of the wanted --volumes-from
        self.pairs = pairs              # wanted [(name, mode)]
        self.binds = binds              # wanted own binds
        self.replacement_name = replacement_name
        self.fallback = fallback        # (replacement, old container) of an interrupted safe swap
        self.facts = facts or NoFacts()

    def plan(self):
        plan = ConsumerPlan(before=self.summary(self.holder))
        holder, leftovers, hinted = settle(plan, self.spec.name, self.fallback, self.holder, self.leftovers)
        settled = bool(plan.actions)
        current = holder or (leftovers[-1] if leftovers else None)
        others = [c for c in leftovers if c is not current]
        self._check_binds(current)
        if current is None:
            return self._plan_new(plan)
        reasons = self.reasons(current)
        # A replacement records whether the consumer it replaces was running: after a crash
        # between stopping the old consumer and removing it, that record is the only one.
        was_running = current.running or hinted or any(
            container.labels.get(pv_labels.WAS_RUNNING) == 'true' for container in leftovers if container is not holder)
        if reasons:
            self._recreate(plan, current, others, was_running)
        else:
            for leftover in others:
                add_remove(plan, leftover, 'leftover of an interrupted recreation')
            if current.name != self.spec.name:
                plan.add(RENAME_CONTAINER, current.name, 'finish an interrupted recreation',
                         new_name=self.spec.name)
            self._running(plan, current.running, was_running)
        plan.reasons = reasons
        plan.recreated = bool(reasons) or current is not self.holder or settled
        plan.after = self.predicted_after(current, bool(reasons), was_running)
        if not plan.actions:
            plan.after = plan.before
        return plan

    def reasons(self, current):
        """Why ``current`` has to be recreated (empty when it is as wanted)."""
        reasons = []
        have_pairs = self.current_pairs(current)
        if have_pairs != self.pairs:
            reasons.append('volumes_from: %s wanted, %s found'
                           % (join_volumes_from(self.pairs) or '[]', join_volumes_from(have_pairs) or '[]'))
        have_binds = current.binds
        if sorted(have_binds) != sorted(self.binds):
            reasons.append('bind mounts: %s wanted, %s found' % (sorted(self.binds), sorted(have_binds)))
        reasons.extend(self.spec.differences(current, (self.image or {}).get('Id')))
        if self.image_action:
            reasons.append('image: %s is not on the engine yet' % self.spec.image)
        reasons.extend(stale_mounts(current, self.pairs, self.new_sources, self.binds))
        if current.marked_for_removal:
            # e.g. another client's removal failed half-way: the engine will not start it again.
            reasons.append('the engine marked %s for removal (status %s): it cannot be used again'
                           % (current.name, current.status))
        return reasons

    def _check_binds(self, current):
        have = None
        if current is not None:
            have = (current.binds, self.current_pairs(current),
                    dict((source.name, source) for source in self.current_sources(current) if source is not None))
        check_binds_over_sources(self.spec.name, (self.binds, self.pairs, self.new_sources), have, bind_destination)

    def current_sources(self, current):
        """The containers the consumer takes volumes from now (None for one that is gone)."""
        return [self.old_sources.get(name) for name, dummy in current.volumes_from_pairs]

    def displaced(self, current, binds):
        """Volumes the recreated consumer would no longer mount: refuse its own, release wired ones.

        A volume of the consumer's own (anonymous, image VOLUME, or a named-volume mount) is
        never dropped silently: a bind mount or a data container that now claims its path is
        refused. A volume that came through --volumes-from and that the data container no
        longer holds (it was recreated, or unwired) is reported as released.
        """
        own = own_paths(current, self.current_sources(current))
        new_sources = [self.new_sources.get(name) for name, dummy in self.pairs]
        new_provided = provided_paths(new_sources)
        kept = set()
        for source in new_sources:
            kept.update(m.name for m in (source.mounts.values() if source else []) if m.type == 'volume')
        bind_sources = dict((destination, source) for source, destination, dummy in map(split_bind, binds))
        kept.update(bind_sources.values())
        released = []
        for path, mounted in sorted(current.mounts.items()):
            if mounted.type != 'volume':
                continue
            if path in own:
                if path in new_provided:
                    raise Refusal('Refusing to recreate %s: it holds its own volume %s at %s, and its data containers '
                                  'now provide %s too, so that volume would no longer be mounted. Move one of them '
                                  'to another path; nothing was changed.' % (current.name, mounted.name, path, path))
                if path in bind_sources and bind_sources[path] != mounted.name:
                    raise Refusal('Refusing to mount %s over %s in %s: the container holds volume %s there, which '
                                  'would no longer be mounted. Choose another target; nothing was changed.'
                                  % (bind_sources[path], path, current.name, mounted.name))
                continue
            if mounted.name not in kept:
                released.append(dict(path=path, volume=mounted.name, was_in=current.name))
        return released

    def current_pairs(self, current):
        pairs = []
        for name, mode in current.volumes_from_pairs:
            source = self.old_sources.get(name)
            pairs.append((source.name if source is not None else name, mode))
        return pairs

    def _plan_new(self, plan):
        if self.spec.image is None:
            raise InputError('Container %r does not exist; give image (and the other container options) '
                             'to create it.' % self.spec.name)
        if self.image_action:
            plan.add(self.image_action, self.spec.image, 'image not on the engine')
        plan.add(CREATE_CONSUMER, self.spec.name, 'missing', body=self.new_body())
        if self.spec.running:
            keep = sorted(provided_paths(self.new_sources.values()) | set(bind_destination(b) for b in self.binds))
            undo = [Action(DISCARD_NEW_CONSUMER, self.spec.name, 'it could not start', keep_paths=keep)]
            plan.add(START_CONTAINER, self.spec.name, 'running=true', undo=undo)
        plan.recreated = False
        plan.after = self.predicted_after(None, False, False)
        return plan

    def new_body(self):
        """The create request of a consumer that does not exist yet."""
        body = dict(Image=self.spec.image) if self.spec.image is not None else {}
        host = replica_host_config(None, self.binds, join_volumes_from(self.pairs))
        apply_options(body, host, self.spec.values())
        body['HostConfig'] = host
        return body

    def _recreate(self, plan, current, others, was_running):
        check_recreatable(current, self.facts)
        left_behind = layer_warning(current.name, written_paths(self.facts.layer_changes(current), current))
        if left_behind:
            plan.warn(left_behind)
        if self.image_action:
            plan.add(self.image_action, self.spec.image, 'image not on the engine')
        plan.released = self.displaced(current, self.binds)
        for entry in plan.released:
            plan.warn('Volume %s at %s is no longer mounted by %s: it came through --volumes-from and the wanted '
                      'data containers do not hold it (any more); it still exists.'
                      % (entry['volume'], entry['path'], current.name))
        binds = list(self.binds) + own_volume_binds(current, self.current_sources(current), self.binds)
        start = self.spec.running or (self.spec.running is None and was_running)
        safe = bool(start) and not current.marked_for_removal
        body, connects = self.replica(plan, current, binds)
        body['Labels'].update({pv_labels.REPLACES: self.spec.name, pv_labels.WAS_RUNNING: 'true' if was_running else 'false'})
        if safe:
            body['Labels'][pv_labels.PREVIOUS] = old_name(self.replacement_name)
        plan.add(CREATE_CONSUMER, self.replacement_name, 'recreate, keeping every other setting', body=body)
        for network, endpoint in connects:
            plan.add(CONNECT_NETWORK, self.replacement_name, 'attach to network %s%s'
                     % (network, describe_endpoint(endpoint)), network=network, endpoint=endpoint)
        if safe:
            add_safe_swap(plan, self.spec.name, self.replacement_name, current, others)
        else:
            add_plain_swap(plan, self.spec.name, self.replacement_name, current, others, start,
                           'it was running' if self.spec.running is None else 'running=true')

    def replica(self, plan, current, binds):
        """The replacement's create request, and the networks to connect it to before it starts."""
        image_ref, old_image = self.replica_image(plan, current)
        changes = self.spec.values()
        if network_mode_of(current.raw) == 'host':
            changes['host_name'] = self.facts.host_name()
        body = replica_config(current.raw, image_ref, changes, old_image)
        host = replica_host_config(current.raw, binds, join_volumes_from(self.pairs))
        apply_options(body, host, changes)
        primary, first, connects = endpoints(current.raw, host.get('NetworkMode') or 'default')
        check_networks(current, ([primary] if primary else []) + [name for name, dummy in connects], self.facts)
        body['HostConfig'] = host
        if first:
            body['NetworkingConfig'] = {'EndpointsConfig': {primary: first}}
        return body, connects

    def replica_image(self, plan, current):
        """(image reference for the replacement, the old image's Config when the image changes, else None)."""
        if self.spec.image is not None:
            changes = self.image_action is not None or (self.image or {}).get('Id') != current.image_id
            return self.spec.image, ((self.facts.image(current.image_id) or {}).get('Config') if changes else None)
        reference = current.image_ref
        found = self.facts.image(reference) if reference else None
        if found is not None and found.get('Id') == current.image_id:
            return reference, None
        plan.warn('%s runs image %s, but %s names %s now; its replacement runs the same image as %s did, by its '
                  'ID. Give image to choose another one.'
                  % (current.name, current.image_id, reference, 'another image' if found else 'no image',
                     current.name))
        return current.image_id, None

    def _running(self, plan, running, was_running):
        if self.spec.running is True and not running:
            plan.add(START_CONTAINER, self.spec.name, 'running=true')
        elif self.spec.running is False and running:
            plan.add(STOP_CONTAINER, self.spec.name, 'running=false')
        elif self.spec.running is None and was_running and not running:
            plan.add(START_CONTAINER, self.spec.name, 'it was running before an interrupted recreation')

    def summary(self, container):
        if container is None:
            return dict(state='absent')
        return dict(state='present', name=container.name, running=container.running,
                    volumes_from=join_volumes_from(self.current_pairs(container)),
                    binds=sorted(container.binds),
                    mounts=dict((path, m.name or m.source) for path, m in sorted(container.mounts.items())),
                    networks=network_summary(container.raw))

    def predicted_after(self, current, recreated, was_running):
        running = self.spec.running
        if running is None and current is not None:
            running = current.running or was_running
        mounts = {}
        if current is not None:
            own = set(bind_destination(b) for b in own_volume_binds(current, self.current_sources(current), self.binds))
            own.update(mount.get('Target') for mount in kept_mounts(current.raw, self.binds))
            mounts.update((path, m.name or m.source) for path, m in current.mounts.items() if path in own)
        for name, dummy in self.pairs:
            for path, mounted in self.new_sources[name].mounts.items():
                mounts[path] = mounted.name or mounted.source
        for source, destination, dummy in map(split_bind, self.binds):
            mounts[destination] = source
        return dict(state='present', name=self.spec.name, running=bool(running),
                    volumes_from=join_volumes_from(self.pairs), binds=sorted(self.binds),
                    mounts=dict(sorted(mounts.items())), networks=self.predicted_networks(current, recreated))

    def predicted_networks(self, current, recreated):
        if current is not None and not recreated:
            return network_summary(current.raw)
        mode = self.spec.network_mode or (network_mode_of(current.raw) if current is not None else 'default')
        primary, first, others = endpoints(current.raw if current is not None else None, mode)
        found = dict(others)
        if primary:
            found[primary] = first
        return dict(sorted(found.items()))


def network_summary(raw):
    """network -> what was asked of its endpoint (aliases, static addresses, links, driver options)."""
    networks = (raw.get('NetworkSettings') or {}).get('Networks') or {}
    made = made_aliases(raw)
    return dict((name, endpoint_request(settings, made)) for name, settings in sorted(networks.items())
                if primary_network(name) is not None)


def describe_endpoint(endpoint):
    parts = []
    if endpoint.get('Aliases'):
        parts.append('aliases %s' % ', '.join(endpoint['Aliases']))
    for key, value in sorted((endpoint.get('IPAMConfig') or {}).items()):
        parts.append('%s %s' % (key, value))
    if endpoint.get('Links'):
        parts.append('links %s' % ', '.join(endpoint['Links']))
    return ' (%s)' % '; '.join(parts) if parts else ''
