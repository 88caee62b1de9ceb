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
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import EngineError, InputError
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import observe_container
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import new_volume_name
from ansible_collections.persistent.volumes.plugins.module_utils.restore.consumers import rewire_consumers, wired_to
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import ArchiveFill, Fill, discard, stale_fills
from ansible_collections.persistent.volumes.plugins.module_utils.restore.planner import plan_restore
from ansible_collections.persistent.volumes.plugins.module_utils.restore.swap import plan_swap, rollback_swap
from ansible_collections.persistent.volumes.plugins.module_utils.restore.target import check_target
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name


def proved(api, spec, current, access, entry):
    """(True only when a read-back of the volume at the entry's path gives the archive's content digest,
    the volume's inspect data). Anything else, a read the engine answers wrongly included, is no proof:
    the entry is restored rather than skipped."""
    mounted = current.mounts.get(entry['path'])
    if mounted is None or mounted.type != 'volume' or not entry.get('content_sha256'):
        return False, None
    item = SourceItem(entry['path'], entry['path'], mounted.name, api.inspect_volume(mounted.name))
    try:
        digest = path_digest(api, BackupSource(current.id, [item]), access, item, spec.scheme)[0]
    except EngineError:
        return False, item.inspect
    return digest == entry['content_sha256'], item.inspect


def compare(api, spec, current, access):
    """(the entries still to restore, True when a restore of this archive was done here before)."""
    todo, done_before = [], False
    for entry in spec.entries:
        same, inspect = proved(api, spec, current, access, entry)
        if same:
            done_before = done_before or (inspect.get('Labels') or {}).get(pv_labels.RESTORED_FROM) == spec.digest
            continue  # the data there is the archive's already
        todo.append(entry)
    return todo, done_before


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
        mounted = [self.current.mounts[entry['path']] for entry in spec.entries if entry['path'] in self.current.mounts]
        self.access = choose_access(engine, spec.method,
                                    [api.inspect_volume(m.name) or {} for m in mounted if m.type == 'volume'])
        self.todo, self.done_before = compare(api, spec, self.current, self.access)

    @property
    def settled(self):
        """Nothing to restore and no interrupted swap to finish."""
        return not self.todo and not self.leftovers and self.current is self.holder

    def plan(self, archive):
        """(the plan, the Fill of each restored volume, the swap's plan)."""
        fills = [Fill(new_volume_name(), entry, self.name) for entry in self.todo]
        restored = dict((fill.entry['path'], fill.volume) for fill in fills)
        swap = plan_swap(self.engine, self.name, self.holder, self.leftovers, self.current, restored)
        image_present = self.engine.api.inspect_image(DEFAULT_IMAGE) is not None
        plan = plan_restore(archive, sorted(fills, key=lambda fill: fill.entry['path']),
                            stale_fills(self.engine.api, self.name), self.name, image_present, swap)
        return plan, fills, swap

    def carry_out(self, plan, fills, archive):
        """Execute the plan; when it fails, take back the replacement and the fills (the old container and
        its volumes are as they were)."""
        try:
            result, dummy = self.engine.apply(plan, archive.appliers())
        except BaseException:
            rollback_swap(self.engine, self.name, self.current, set(c.id for c in self.leftovers))
            for fill in fills:
                discard(self.engine.api, fill)
            raise
        for reason in archive.fallbacks:
            self.engine.warn('A restored volume was filled through the engine: %s.' % reason)
        return result


def restore_container(engine, spec):
    run = ContainerRestore(engine, spec)
    result = dict(changed=bool(run.todo), container=run.name, restored=[e['path'] for e in run.todo],
                  previous_volumes=[])
    result.update(run.access.as_result())
    if run.settled:
        if run.done_before:
            # A run interrupted after its swap: the consumers may still mount the old data.
            result['consumers'] = rewire_consumers(engine, run.name)
            result['changed'] = bool(result['consumers'])
        return result
    if run.todo:
        spec.check_archive(engine)
    archive = ArchiveFill(spec.src, spec.manifest, spec.digest, run.access)
    plan, fills, swap = run.plan(archive)
    result.update(previous_volumes=swap.released, volumes=dict((f.entry['path'], f.volume) for f in fills),
                  actions=plan.describe())
    if engine.check_mode:
        result['changed'] = bool(result['actions'])
        result['consumers'] = wired_to(engine.api, run.name, set(result['volumes'])) if fills else []
        return result
    applied = run.carry_out(plan, fills, archive)
    result['consumers'] = rewire_consumers(engine, run.name)
    result['changed'] = bool(run.todo) or applied['changed'] or bool(result['consumers'])
    return result
