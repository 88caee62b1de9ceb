# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning a data-only container without ever losing a volume.

Recreation keeps, for every path still wanted, the very volume the container had
(anonymous volumes and image VOLUME paths included) and is crash-safe: the
replacement is created first under a temporary name, sharing the volumes, then the
old container is removed, then the replacement is renamed (``plan/swap.py``, the swap consumers
take too). A replacement left by an interrupted run is recognised by its ``replaces`` label and finished by the next run.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.plan.last_holder import orphaned, refuse_orphans
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import ANONYMOUS, BIND, MountSpec
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.plan.swap import add_plain_swap
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    CREATE_CONTAINER,
    CREATE_VOLUME,
    REMOVE_CONTAINER,
    REMOVE_VOLUME,
    RENAME_CONTAINER,
    SET_ROOT_ATTRIBUTES,
)

NEW_ANONYMOUS = '(new anonymous volume)'


class DataContainerPlan(Plan):
    """A data container's plan, with the mounts it resolved (``wanted``: ``Wanted`` items) and the
    volumes it removes because a leftover replacement made them and left them empty (``dropped``)."""

    def __init__(self, before=None, after=None):
        super(DataContainerPlan, self).__init__(before, after)
        self.wanted = []
        self.dropped = []


class Wanted(object):
    """A resolved mount of the container to create: what goes at ``path``."""

    def __init__(self, spec, type_, origin, new=False, holder=None):
        self.spec = spec
        self.path = spec.target
        self.type = type_          # 'volume' or 'bind'
        self.origin = origin       # volume name or host path
        self.new = new             # an anonymous volume to create first
        self.holder = holder       # the existing container that already has it there

    @property
    def identity(self):
        return '%s:%s' % (self.type, self.origin)

    def bind_string(self):
        return '%s:%s:%s' % (self.origin, self.path, 'ro' if self.spec.read_only else 'rw')


def previous_mounts(containers):
    """path -> (container, MountedAt), the first container listed winning."""
    previous = {}
    for container in containers:
        for path, mounted in container.mounts.items():
            previous.setdefault(path, (container, mounted))
    return previous


def resolve(spec, image_paths, previous, new_volume_name):
    """The mounts the container must have: wanted paths plus image VOLUME paths."""
    mounts = list(spec.mounts)
    listed = set(m.target for m in mounts)
    mounts.extend(MountSpec(path) for path in image_paths if path not in listed)
    wanted = []
    for mount in mounts:
        holder, mounted = previous.get(mount.target, (None, None))
        if mount.kind == BIND:
            wanted.append(Wanted(mount, 'bind', mount.source))
        elif mount.kind == ANONYMOUS and mounted is not None and mounted.type == 'volume':
            wanted.append(Wanted(mount, 'volume', mounted.name, holder=holder))
        elif mount.kind == ANONYMOUS:
            wanted.append(Wanted(mount, 'volume', new_volume_name(), new=True))
        else:
            same = mounted is not None and mounted.type == 'volume' and mounted.name == mount.source
            wanted.append(Wanted(mount, 'volume', mount.source, holder=holder if same else None))
    return sorted(wanted, key=lambda item: item.path)


def mounts_match(container, wanted):
    have = set((path, m.identity, m.read_only) for path, m in container.mounts.items())
    want = set((w.path, w.identity, w.spec.read_only) for w in wanted)
    return have == want


def labels_match(container, spec):
    return all(container.labels.get(key) == value for key, value in (spec.labels or {}).items())


def describe_mounts(mounts):
    return dict((path, m.name if m.type == 'volume' else m.source) for path, m in sorted(mounts.items()))


def summary_of(container):
    if container is None:
        return dict(state='absent')
    return dict(state='present', name=container.name, image=container.image_ref,
                labels=pv_labels.user_labels(container.labels), volumes=describe_mounts(container.mounts))


class DataContainerPlanner(object):
    """Builds the plan for one data container from observed facts (no engine calls)."""

    def __init__(self, spec, holder, leftovers, image, usage, read_root, new_volume_name, replacement_name,
                 extra_owned=(), is_empty=None, inspect_volume=None):
        self.spec = spec
        self.holder = holder
        self.leftovers = list(leftovers)
        self.image = image
        self.usage = usage
        self.read_root = read_root
        self.new_volume_name = new_volume_name
        self.replacement_name = replacement_name
        self.extra_owned = set(extra_owned)  # volumes made for it elsewhere (restored data)
        self.is_empty = is_empty  # (container, path) -> True only when that volume surely holds nothing
        self.inspect_volume = inspect_volume  # name -> inspect data: is a volume a restore's? (None: not asked)
        self.own = set(c.name for c in [holder] + self.leftovers if c is not None)

    # --- what others use ------------------------------------------------------
    def consumers(self):
        """Uses of this container's volumes by other containers, and its --volumes-from consumers."""
        found = []
        for container in [self.holder] + self.leftovers:
            if container is None:
                continue
            for mounted in container.mounts.values():
                if mounted.type != 'volume':
                    continue
                for use in self.usage.uses(mounted.name):
                    if use.container not in self.own:
                        found.append(use)
        unique = dict(((u.container, u.destination), u) for u in found)
        return [unique[key] for key in sorted(unique)]

    def image_paths(self, current):
        """The image's VOLUME paths; while the image is still to be pulled (check mode), the
        paths of the current container's image, so no volume is predicted away."""
        if self.image.image is not None or current is None:
            return self.image.volume_paths
        return self.image.fallback_paths

    # --- present --------------------------------------------------------------
    def plan(self):
        if self.spec.state == 'absent':
            return self.plan_absent()
        current = self.holder or (self.leftovers[-1] if self.leftovers else None)
        others = [c for c in self.leftovers if c is not current]
        previous = previous_mounts([c for c in [current] + list(reversed(others)) if c is not None])
        wanted = resolve(self.spec, self.image_paths(current), previous, self.new_volume_name)
        plan = DataContainerPlan(before=summary_of(self.holder))
        wanted = [self._keep_restored(plan, item, previous) for item in wanted]
        if not wanted:
            raise InputError('data container %s: volumes is empty and image %s declares no VOLUME; '
                             'list at least one path.' % (self.spec.name, self.image.reference))
        plan.wanted = wanted
        if self.image.action:
            plan.add(self.image.action, self.image.reference, 'image not on the engine')
        same = (current is not None and not self.image.action and current.image_id == self.image.id
                and mounts_match(current, wanted) and labels_match(current, self.spec))
        kept = set(w.origin for w in wanted if w.type == 'volume')
        if same:
            self._finish_in_place(plan, current, others, wanted, kept)
        else:
            self._create(plan, current, others, wanted, kept)
        released, seen = [], set(plan.dropped)
        for container in [c for c in [current] + others if c is not None]:
            for path, mounted in sorted(container.mounts.items()):
                if mounted.type == 'volume' and mounted.name not in kept and mounted.name not in seen:
                    seen.add(mounted.name)
                    released.append(dict(path=path, volume=mounted.name, was_in=container.name))
        plan.released = released
        self._check_orphans(current, released, wanted)
        plan.after = dict(state='present', name=self.spec.name, image=self.image.reference,
                          labels=dict(self.spec.labels or {}) if self.spec.labels is not None
                          else pv_labels.user_labels(current.labels if current else {}),
                          volumes=dict((w.path, NEW_ANONYMOUS if w.new else w.origin) for w in wanted))
        if same and not plan.actions:
            plan.after = plan.before
        return plan

    def _keep_restored(self, plan, item, previous):
        """``item``, or the volume a restore put at its path when the task declares another source there:
        recreating with the declared one would bring its earlier data back (promise 10), so it is kept and
        the run says so, unless release_volumes=true lets it go."""
        holder, mounted = previous.get(item.path, (None, None))
        if mounted is None or mounted.type != 'volume' or item.new or item.identity == mounted.identity \
                or self.inspect_volume is None:
            return item
        labels = (self.inspect_volume(mounted.name) or {}).get('Labels') or {}
        if not labels.get(pv_labels.RESTORED_FROM) or self.spec.release_volumes:
            return item
        plan.warn('data container %s: %s holds volume %s, which a restore filled (restored-from %s), but the task '
                  'declares %s there. It is kept, so the restore stays; recreating with %s would bring earlier data '
                  'back. To use %s, run the task once with release_volumes: true (the restored volume is kept and '
                  'released), then restore the archive into the data container again, which writes into %s.'
                  % (self.spec.name, item.path, mounted.name, labels[pv_labels.RESTORED_FROM][:12], item.origin,
                     item.origin, item.origin, item.origin))
        return Wanted(item.spec, 'volume', mounted.name, holder=holder)

    def _check_orphans(self, current, released, wanted):
        """The volumes the container holds now and would drop: refused while they hold data that no
        other container holds, unless release_volumes=true (the consumers' rule)."""
        if current is None:
            return
        # A path that gets a volume made for it elsewhere (restored data) gives up its previous
        # volume by design: the caller keeps it and reports it.
        replaced = set(w.path for w in wanted if w.origin in self.extra_owned)
        mine = [entry for entry in released if entry['was_in'] == current.name and entry['path'] not in replaced]

        def held_elsewhere(volume):
            return any(use.container not in self.own for use in self.usage.uses(volume))

        def holds_data(entry):
            return self.is_empty is None or not self.is_empty(current.id or current.name, entry['path'])

        orphans = orphaned(mine, held_elsewhere, holds_data)
        refuse_orphans('data container %s' % self.spec.name, orphans, 'this task no longer mounts',
                       'Keep it in volumes (for example "%s:%s", at this or another path)'
                       % (orphans[0]['volume'], orphans[0]['path']) if orphans else '', self.spec.release_volumes)

    def _finish_in_place(self, plan, current, others, wanted, kept):
        for leftover in others:
            plan.add(REMOVE_CONTAINER, leftover.name, 'leftover of an interrupted recreation', id=leftover.id)
            self._drop_unreached(plan, leftover, kept)
        if current.name != self.spec.name:
            plan.add(RENAME_CONTAINER, current.name, 'finish an interrupted recreation', new_name=self.spec.name)
            plan.recreated = True
        self._root_actions(plan, self.spec.name, wanted, existing=True)

    def _create(self, plan, current, others, wanted, kept):
        owned = set()
        for container in [current] + others:
            if container is not None:
                owned |= container.owned_volumes
        for item in wanted:
            if item.new:
                plan.add(CREATE_VOLUME, item.origin, 'new anonymous volume for %s' % item.path,
                         driver='local', driver_options={}, labels={pv_labels.ANONYMOUS_FOR: self.spec.name})
                owned.add(item.origin)
        owned |= self.extra_owned
        labels = dict(self.spec.labels if self.spec.labels is not None
                      else pv_labels.user_labels(current.labels if current else {}))
        labels[pv_labels.DATA_CONTAINER] = 'true'
        labels[pv_labels.OWNED] = json.dumps(sorted(owned & kept))
        target = self.spec.name if current is None and not others else self.replacement_name
        if target != self.spec.name:
            labels[pv_labels.REPLACES] = self.spec.name
        reason = 'missing' if current is None else 'recreate: %s' % self._why(current, wanted)
        extra = {}
        config = (self.image.image or {}).get('Config') or {}
        if self.image.image is not None and not config.get('Cmd') and not config.get('Entrypoint'):
            extra['command'] = ['/.persistent-volumes-data-only']  # never run; the engine wants one
        plan.add(CREATE_CONTAINER, target, reason, image=self.image.reference,
                 binds=[w.bind_string() for w in wanted], labels=labels, **extra)
        self._root_actions(plan, target, wanted, existing=False)
        add_plain_swap(plan, self.spec.name, target, current, others,
                       removed=lambda leftover: self._drop_unreached(plan, leftover, kept))
        plan.recreated = current is not None

    def _drop_unreached(self, plan, leftover, kept):
        """Remove the volumes a leftover replacement made for itself that nothing else holds, when
        they are empty: it never had the data container's name, so only a run that raced this one
        (or crashed) made them, and nobody wrote into them. A volume with anything in it is kept
        and reported among the released ones."""
        if self.is_empty is None:
            return
        for path, mounted in sorted(leftover.mounts.items()):
            name = mounted.name
            if mounted.type != 'volume' or name in kept or name not in leftover.owned_volumes:
                continue
            if any(use.container != leftover.name for use in self.usage.uses(name)):
                continue
            if self.is_empty(leftover.id or leftover.name, path):
                plan.add(REMOVE_VOLUME, name, 'empty volume made for %s by %s, which never took its place'
                         % (path, leftover.name), only_if_unused=True)
                plan.dropped.append(name)

    def _why(self, current, wanted):
        reasons = []
        if current.image_id != self.image.id:
            reasons.append('image changed')
        if not mounts_match(current, wanted):
            reasons.append('volumes changed')
        if not labels_match(current, self.spec):
            reasons.append('labels changed')
        if current.name != self.spec.name:
            reasons.append('finish an interrupted recreation')
        return ', '.join(reasons) or 'changed'

    def _root_actions(self, plan, target, wanted, existing):
        for item in wanted:
            mount = item.spec
            if item.type != 'volume' or not mount.wants_root_attributes:
                continue
            source = item.holder.name if item.holder is not None else (target if existing else None)
            if source is not None:
                current = self.read_root(source, item.path)
                if current is not None and current.wanted(mount.owner, mount.group, mount.mode) == current:
                    continue
            plan.add(SET_ROOT_ATTRIBUTES, target, 'owner/group/mode of %s' % item.path,
                     path=item.path, owner=mount.owner, group=mount.group, mode=mount.mode)

    # --- absent ---------------------------------------------------------------
    def plan_absent(self):
        containers = [c for c in self.leftovers + [self.holder] if c is not None]
        plan = DataContainerPlan(before=summary_of(self.holder), after=dict(state='absent'))
        if not containers:
            return plan
        consumers = self.consumers()
        if consumers and not self.spec.force:
            names = sorted(set(use.container for use in consumers))
            raise Refusal('Refusing to remove data container %r: %d other container%s use%s its volumes: %s. '
                          'Remove or re-wire them first, or set force=true to remove the container and leave '
                          'the volumes to them; nothing was changed.'
                          % (self.spec.name, len(names), '' if len(names) == 1 else 's',
                             's' if len(names) == 1 else '', ', '.join(self._describe_use(u) for u in consumers)),
                          consumers=[use.as_dict() for use in consumers])
        for container in containers:
            plan.add(REMOVE_CONTAINER, container.name, 'state=absent', id=container.id)
        if self.spec.remove_volumes:
            self._remove_owned_volumes(plan, containers, consumers)
        return plan

    @staticmethod
    def _describe_use(use):
        how = 'through --volumes-from' if use.via == 'volumes_from' else 'mounted'
        return '%s (%s at %s, %s)' % (use.container, how, use.destination,
                                      'read-only' if use.read_only else 'read-write')

    def _remove_owned_volumes(self, plan, containers, consumers):
        owned = {}
        for container in containers:
            for name in container.owned_volumes:
                owned.setdefault(name, container.name)
        for name in sorted(owned):
            if any(use.container not in self.own for use in self.usage.uses(name)):
                plan.warn('Volume %s of %s was kept: other containers still use it.' % (name, owned[name]))
                continue
            plan.add(REMOVE_VOLUME, name, 'remove_volumes=true (anonymous volume of %s)' % owned[name])
