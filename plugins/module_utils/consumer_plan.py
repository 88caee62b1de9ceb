# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning a consumer container: create it, or recreate it keeping its own volumes.

A consumer is recreated when its wiring (``--volumes-from``, bind mounts) or its spec
options change, when the volumes it mounts are no longer the ones its data
containers hold (judged on effective mounts, not on strings), or when the engine has
marked it for removal (``dead``: a removal failed half-way; ``removing``). Recreation
is the same crash-safe swap as for data containers, never removes a volume, and
re-attaches by name every volume the consumer holds itself (anonymous and image
VOLUME paths too).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.consumer_spec import env_dict
from ansible_collections.persistent.volumes.plugins.module_utils.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.plan import Plan

WAS_RUNNING = pv_labels.PREFIX + 'was-running'


def split_volumes_from(entry):
    """``name[:ro|rw]`` -> (name, mode)."""
    name, dummy, mode = entry.partition(':')
    return name, mode or 'rw'


def join_volumes_from(pairs):
    return ['%s:%s' % (name, mode) for name, mode in pairs]


def bind_destination(bind):
    parts = bind.split(':')
    return parts[1] if len(parts) > 1 else parts[0]


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
    config = consumer.raw.get('Config') or {}
    host = consumer.raw.get('HostConfig') or {}
    declared = set(config.get('Volumes') or {})
    declared.update(bind_destination(bind) for bind in host.get('Binds') or [])
    declared.update(mount.get('Target') for mount in host.get('Mounts') or [])
    own = set()
    for path, mounted in consumer.mounts.items():
        if mounted.type != 'volume':
            continue
        if path not in provided or (path in declared and provided[path] != mounted.identity):
            own.add(path)
    return own


def own_volume_binds(consumer, old_sources, binds):
    """Binds that re-attach the consumer's own volumes (those not bound already)."""
    taken = set(bind_destination(bind) for bind in binds)
    own = own_paths(consumer, old_sources)
    return [mounted.bind_string() for path, mounted in sorted(consumer.mounts.items())
            if path in own and path not in taken]


def create_arguments(spec, base, image_ref, pairs, binds):
    """docker-py create_container keyword arguments and the raw host config."""
    config = (base.raw.get('Config') or {}) if base is not None else {}
    host = dict((base.raw.get('HostConfig') or {})) if base is not None else {}
    env = env_dict(config.get('Env'))
    env.update(spec.env or {})
    labels = pv_labels.user_labels(config.get('Labels'))
    labels.update(spec.labels or {})
    host['Binds'] = list(binds) or None
    host['VolumesFrom'] = join_volumes_from(pairs) or None
    # --mount volumes re-attached through Binds must not be mounted twice.
    targets = set(bind_destination(bind) for bind in binds)
    if host.get('Mounts'):
        host['Mounts'] = [mount for mount in host['Mounts'] if mount.get('Target') not in targets] or None
    if spec.network_mode is not None:
        host['NetworkMode'] = spec.network_mode
    if spec.restart_policy is not None:
        host['RestartPolicy'] = {'Name': '' if spec.restart_policy == 'no' else spec.restart_policy,
                                 'MaximumRetryCount': 0}
    kwargs = dict(
        command=spec.command if spec.command is not None else config.get('Cmd'),
        entrypoint=spec.entrypoint if spec.entrypoint is not None else config.get('Entrypoint'),
        environment=['%s=%s' % item for item in sorted(env.items())] or None,
        user=spec.user if spec.user is not None else config.get('User') or None,
        working_dir=spec.working_dir if spec.working_dir is not None else config.get('WorkingDir') or None,
        labels=labels,
        tty=bool(config.get('Tty')),
        stdin_open=bool(config.get('OpenStdin')),
        stop_signal=config.get('StopSignal') or None,
        healthcheck=config.get('Healthcheck') or None,
        ports=[tuple(port.split('/', 1)) if '/' in port else port
               for port in sorted(config.get('ExposedPorts') or {})] or None,
    )
    return dict(image=image_ref, host_config=host, create=kwargs)


class ConsumerPlanner(object):
    """Builds the plan for one consumer from observed facts (no engine calls)."""

    def __init__(self, spec, holder, leftovers, image, old_sources, new_sources, pairs, binds,
                 replacement_name, image_action=None):
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

    def plan(self):
        current = self.holder or (self.leftovers[-1] if self.leftovers else None)
        others = [c for c in self.leftovers if c is not current]
        plan = Plan(before=self.summary(self.holder))
        plan.reasons = []
        if current is None:
            return self._plan_new(plan)
        reasons = []
        have_pairs = self.current_pairs(current)
        if have_pairs != self.pairs:
            reasons.append('volumes_from: %s wanted, %s found'
                           % (join_volumes_from(self.pairs) or '[]', join_volumes_from(have_pairs) or '[]'))
        have_binds = list((current.raw.get('HostConfig') or {}).get('Binds') or [])
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
        # A replacement records whether the consumer it replaces was running: after a crash
        # between stopping the old consumer and removing it, that record is the only one.
        was_running = current.running or any(
            container.labels.get(WAS_RUNNING) == 'true' for container in self.leftovers if container is not self.holder)
        if reasons:
            self._recreate(plan, current, others, was_running)
        else:
            for leftover in others:
                plan.add('remove_container', leftover.name, 'leftover of an interrupted recreation', id=leftover.id)
            if current.name != self.spec.name:
                plan.add('rename_container', current.name, 'finish an interrupted recreation',
                         new_name=self.spec.name)
            self._running(plan, current.running, was_running)
        plan.reasons = reasons
        plan.recreated = bool(reasons) or current is not self.holder
        plan.after = self.predicted_after(current)
        if not plan.actions:
            plan.after = plan.before
        return plan

    def current_sources(self, current):
        """The containers the consumer takes volumes from now (None for one that is gone)."""
        return [self.old_sources.get(split_volumes_from(entry)[0]) for entry in current.volumes_from]

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
        bind_sources = dict((bind_destination(bind), bind.split(':')[0]) for bind in binds)
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
        for entry in current.volumes_from:
            name, mode = split_volumes_from(entry)
            source = self.old_sources.get(name)
            pairs.append((source.name if source is not None else name, mode))
        return pairs

    def _plan_new(self, plan):
        if self.spec.image is None:
            raise InputError('Container %r does not exist; give image (and the other container options) '
                             'to create it.' % self.spec.name)
        if self.image_action:
            plan.add(self.image_action, self.spec.image, 'image not on the engine')
        arguments = create_arguments(self.spec, None, self.spec.image, self.pairs, self.binds)
        plan.add('create_consumer', self.spec.name, 'missing', **arguments)
        if self.spec.running:
            plan.add('start_container', self.spec.name, 'running=true')
        plan.recreated = False
        plan.after = self.predicted_after(None)
        return plan

    def _recreate(self, plan, current, others, was_running):
        if self.image_action:
            plan.add(self.image_action, self.spec.image, 'image not on the engine')
        plan.released = self.displaced(current, self.binds)
        for entry in plan.released:
            plan.warn('Volume %s at %s is no longer mounted by %s: it came through --volumes-from and the wanted '
                      'data containers do not hold it (any more); it still exists.'
                      % (entry['volume'], entry['path'], current.name))
        binds = list(self.binds) + own_volume_binds(current, self.current_sources(current), self.binds)
        image_ref = self.spec.image or (current.raw.get('Config') or {}).get('Image')
        arguments = create_arguments(self.spec, current, image_ref, self.pairs, binds)
        arguments['create']['labels'][pv_labels.REPLACES] = self.spec.name
        arguments['create']['labels'][WAS_RUNNING] = 'true' if was_running else 'false'
        plan.add('create_consumer', self.replacement_name, 'recreate', **arguments)
        if current.running:
            plan.add('stop_container', current.name, 'replaced by %s' % self.replacement_name, id=current.id)
        for container in others + [current]:
            plan.add('remove_container', container.name, 'replaced by %s' % self.replacement_name, id=container.id)
        plan.add('rename_container', self.replacement_name, 'take the place of the old container',
                 new_name=self.spec.name)
        if self.spec.running or (self.spec.running is None and was_running):
            plan.add('start_container', self.spec.name, 'it was running' if self.spec.running is None else 'running=true')

    def _running(self, plan, running, was_running):
        if self.spec.running is True and not running:
            plan.add('start_container', self.spec.name, 'running=true')
        elif self.spec.running is False and running:
            plan.add('stop_container', self.spec.name, 'running=false')
        elif self.spec.running is None and was_running and not running:
            plan.add('start_container', self.spec.name, 'it was running before an interrupted recreation')

    def summary(self, container):
        if container is None:
            return dict(state='absent')
        host = container.raw.get('HostConfig') or {}
        return dict(state='present', name=container.name, running=container.running,
                    volumes_from=join_volumes_from(self.current_pairs(container)),
                    binds=sorted(host.get('Binds') or []),
                    mounts=dict((path, m.name or m.source) for path, m in sorted(container.mounts.items())))

    def predicted_after(self, current):
        running = self.spec.running
        if running is None and current is not None:
            running = current.running or (current is not self.holder and current.labels.get(WAS_RUNNING) == 'true')
        mounts = {}
        if current is not None:
            own = set(bind_destination(b) for b in own_volume_binds(current, self.current_sources(current), self.binds))
            mounts.update((path, m.name or m.source) for path, m in current.mounts.items() if path in own)
        for name, dummy in self.pairs:
            for path, mounted in self.new_sources[name].mounts.items():
                mounts[path] = mounted.name or mounted.source
        for bind in self.binds:
            parts = bind.split(':')
            mounts[parts[1]] = parts[0]
        return dict(state='present', name=self.spec.name, running=bool(running),
                    volumes_from=join_volumes_from(self.pairs), binds=sorted(self.binds),
                    mounts=dict(sorted(mounts.items())))
