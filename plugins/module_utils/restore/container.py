# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A restore into a data container: fresh volumes, filled, swapped in crash-safely.

Nothing that was there is destroyed. Each restored path gets a fresh volume, filled on the
direct path or through the engine, then the data container is recreated with it (the
crash-safe swap of data_container); the previous volume is kept and reported. Everything
is observed, checked and planned before the first write: the target (target.py), the data
already there (content digests), the archive (checksum and members); check mode stops
there. The consumers wired to the data container follow, each by its own pipeline.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import choose_access
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import path_digest
from ansible_collections.persistent.volumes.plugins.module_utils.archive.source import BackupSource, SourceItem
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import observe_container
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import new_volume_name
from ansible_collections.persistent.volumes.plugins.module_utils.restore.consumers import followers, rewire_consumers
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.restore.in_place import (
    APPLIERS as IN_PLACE_APPLIERS,
    InPlace,
    explain_interruption,
)
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import ArchiveFill, Fill, discard_all, stale_fills
from ansible_collections.persistent.volumes.plugins.module_utils.restore.planner import plan_restore
from ansible_collections.persistent.volumes.plugins.module_utils.restore.swap import plan_swap, rollback_swap
from ansible_collections.persistent.volumes.plugins.module_utils.restore.target import check_target
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import BUILD_DATA_IMAGE


def named_volume(api, mounted):
    """The inspect data of the volume at a path when it is a named volume (None otherwise)."""
    if mounted is None or mounted.type != 'volume':
        return None
    inspect = api.inspect_volume(mounted.name) or {}
    return None if pv_labels.is_anonymous_volume(mounted.name, inspect.get('Labels')) else inspect


def refuse_binds(spec, current):
    """A restore writes volumes: a bind-mounted path would change kind (and the next run undo it)."""
    binds = [(entry['path'], current.mounts[entry['path']].source) for entry in spec.entries
             if entry['path'] in current.mounts and current.mounts[entry['path']].type != 'volume']
    if binds:
        raise Refusal('Refusing to restore %s into data container %s: it is a bind mount of the host directory %s, '
                      'and a restore writes volumes (the next run would bring the directory back). Leave it out with '
                      'paths, or restore it into a volume and copy it there; nothing was changed.'
                      % (binds[0][0], current.name, binds[0][1]))


def refuse_shared(spec, current):
    """Two restored paths held by one named volume: which of them would the volume hold?"""
    seen = {}
    for entry in spec.entries:
        mounted = current.mounts.get(entry['path'])
        if mounted is not None and mounted.type == 'volume':
            if mounted.name in seen:
                raise Refusal('Refusing to restore %s and %s into data container %s: volume %s holds both paths, '
                              'and a restore writes one path into it. Choose one with paths; nothing was changed.'
                              % (seen[mounted.name], entry['path'], current.name, mounted.name))
            seen[mounted.name] = entry['path']


def volume_state(api, spec, current, access, entry):
    """('empty'|'same'|'other'|'unknown', the volume's labels) of the volume at ``entry``'s path, read through the
    container. Only 'same', a read-back that gives the archive's content digest, lets a path be skipped."""
    mounted = current.mounts[entry['path']]
    item = SourceItem(entry['path'], entry['path'], mounted.name, api.inspect_volume(mounted.name))
    labels = item.inspect.get('Labels') or {}
    try:
        digest, stats = path_digest(api, BackupSource(current.id, [item]), access, item, spec.scheme)
    except EngineError:
        # A read the engine answers wrongly (Podman's archive endpoint) is no proof: restored, not skipped.
        return 'unknown', labels
    if entry.get('content_sha256') and digest == entry['content_sha256']:
        return 'same', labels
    return ('empty' if stats.entries <= 1 else 'other'), labels


def compare(engine, spec, current, access):
    """(the entries to restore into fresh volumes, True when a restore of this archive was done here before,
    the InPlace restores of the named volumes)."""
    todo, done_before, in_place, api = [], False, [], engine.api
    for entry in spec.entries:
        mounted = current.mounts.get(entry['path'])
        if mounted is None:
            todo.append(entry)
            continue
        state, labels = volume_state(api, spec, current, access, entry)
        if named_volume(api, mounted) is not None:
            restore = InPlace(engine, spec, mounted.name, entry, state, access, was_in=current.name)
            if restore.needed:
                in_place.append(restore)
        elif state == 'same':
            done_before = done_before or labels.get(pv_labels.RESTORED_FROM) == spec.digest
        else:
            todo.append(entry)
    return todo, done_before, in_place


class ContainerRestore(object):
    """The data container ``name`` as it is, and what of the archive it lacks."""

    def __init__(self, engine, spec):
        api = engine.api
        self.engine, self.spec = engine, spec
        self.name = check_name(engine.params['container'], 'container name')
        self.holder, self.leftovers = observe_container(api, self.name)
        self.current = self.holder or (self.leftovers[-1] if self.leftovers else None)
        if self.current is None:
            raise InputError('Data container %r does not exist; create it first (persistent.volumes.data_container).'
                             % self.name)
        check_target(self.current, api.inspect_image(self.current.image_id))
        check_paths(self.current, spec.entries, engine.params.get('add_paths'))
        refuse_binds(spec, self.current)
        refuse_shared(spec, self.current)
        mounted = [self.current.mounts[entry['path']] for entry in spec.entries if entry['path'] in self.current.mounts]
        self.access = choose_access(engine, spec.method,
                                    [api.inspect_volume(m.name) or {} for m in mounted if m.type == 'volume'])
        self.todo, self.done_before, self.in_place = compare(engine, spec, self.current, self.access)

    def wanted(self, restored):
        """{path: the volume the data container has there once restored}: ``restored`` ({path: fresh
        volume}) for the paths filled now, the one it mounts for the archive's other paths."""
        paths = set(entry['path'] for entry in self.spec.entries)
        wanted = dict((path, m.name) for path, m in self.current.mounts.items() if path in paths and m.type == 'volume')
        wanted.update(restored)
        return wanted

    @property
    def settled(self):
        """Nothing to restore and no interrupted swap or restore to finish."""
        return not self.todo and not self.in_place and not self.leftovers and self.current is self.holder

    @property
    def restored(self):
        return sorted([entry['path'] for entry in self.todo] + [r.entry['path'] for r in self.in_place if r.restores])

    def plan(self, archive):
        """(the plan, the Fill of each restored volume, the swap's plan)."""
        fills = [Fill(new_volume_name(), entry, self.name) for entry in self.todo]
        restored = dict((fill.entry['path'], fill.volume) for fill in fills)
        swap = plan_swap(self.engine, self.name, self.holder, self.leftovers, self.current, restored)
        plan = Plan()
        for restore in self.in_place:
            restore.add(plan, archive)
        image_present = BUILD_DATA_IMAGE in plan.kinds or self.engine.api.inspect_image(DEFAULT_IMAGE) is not None
        plan.extend(plan_restore(archive, sorted(fills, key=lambda fill: fill.entry['path']),
                                 stale_fills(self.engine.api, self.name), self.name, image_present, swap))
        return plan, fills, swap

    def carry_out(self, plan, fills, archive):
        """Execute the plan; when it fails, take back the replacement and the fills (the old container and
        its volumes are as they were)."""
        try:
            appliers = archive.appliers()
            appliers.update(IN_PLACE_APPLIERS)
            result, dummy = self.engine.apply(plan, appliers)
        except BaseException as exc:
            rollback_swap(self.engine, self.name, self.current, set(c.id for c in self.leftovers))
            discard_all(self.engine.api, archive, fills, exc)
            explain_interruption(exc, self.in_place)
            raise
        for reason in archive.fallbacks:
            self.engine.warn('A restored volume was filled through the engine: %s.' % reason)
        return result


def check_paths(current, entries, add_paths):
    """Refuse a path of the archive that the data container does not mount, unless ``add_paths``."""
    new = [entry['path'] for entry in entries if entry['path'] not in current.mounts]
    if new and not add_paths:
        raise Refusal('Refusing to restore into container %s: the archive holds %s, which it does not mount (it mounts '
                      '%s). The data container and the containers wired to it would gain a mount there. Choose the '
                      'paths to restore with paths, or set add_paths=true to add them; nothing was changed.'
                      % (current.name, ', '.join(new), ', '.join(sorted(current.mounts)) or 'nothing'))


def restore_container(engine, spec):
    run = ContainerRestore(engine, spec)
    result = dict(changed=bool(run.restored), container=run.name, restored=run.restored, previous_volumes=[],
                  restarted=[])
    result.update(run.access.as_result())
    if run.settled:
        if run.done_before:
            # A run interrupted after its swap: the consumers may still mount the old data.
            names = followers(engine.api, run.name, run.current.id, run.wanted({}))
            result['consumers'] = names if engine.check_mode else \
                rewire_consumers(engine, names, run.name, run.current.id)
            result['changed'] = bool(result['consumers'])
        return result
    one_pass = False
    if run.restored:
        # Fresh volumes only (no in-place restore; check mode checks now): checked while they are filled, before
        # the swap shows them.
        one_pass = spec.check_archive(engine, one_pass=not (run.in_place or engine.check_mode) and run.access.direct) is None
    archive = ArchiveFill(spec.src, spec.manifest, spec.digest, run.access, one_pass)
    plan, fills, swap = run.plan(archive)
    volumes = dict((f.entry['path'], f.volume) for f in fills)
    volumes.update((r.entry['path'], r.volume) for r in run.in_place)
    previous = [item for restore in run.in_place for item in restore.previous_report()]
    result.update(previous_volumes=sorted(swap.released + previous, key=lambda item: item['path']),
                  volumes=volumes, actions=plan.describe(),
                  restarted=sorted(set(user for restore in run.in_place for dummy, user in restore.users)))
    names, before_id = followers(engine.api, run.name, run.current.id, run.wanted(volumes)), run.current.id
    if engine.check_mode:
        result['changed'] = bool(result['actions'])
        result['consumers'] = names
        return result
    applied = run.carry_out(plan, fills, archive)
    result['consumers'] = rewire_consumers(engine, names, run.name, before_id)
    result['changed'] = bool(run.restored) or applied['changed'] or bool(result['consumers'])
    return result
