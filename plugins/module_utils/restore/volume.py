# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A restore into a volume: one that does not exist yet, is empty, or holds the archive's data already.

Reading a volume no container holds through the engine needs a temporary container: a real
run creates and removes it through ``execute`` to look; check mode does not look, and warns.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import choose_access
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import path_digest
from ansible_collections.persistent.volumes.plugins.module_utils.archive.source import (
    SourceItem,
    read_through_temporary,
    source_from_volume,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import container_name
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import ArchiveFill, Fill, discard, stale_fills
from ansible_collections.persistent.volumes.plugins.module_utils.restore.planner import plan_restore
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name


def volume_state(engine, name, entry, scheme, access):
    """'empty', 'same' (the archive's data), 'other', or 'unknown' (check mode cannot read it)."""
    source = source_from_volume(engine.api, name)
    item = source.items[0]
    item = SourceItem(item.read_path, entry['path'], item.volume, item.inspect)  # named as the archive names it

    def read(source):
        return path_digest(engine.api, source, access, item, scheme)

    if source.temporary and not access.direct:
        if engine.check_mode:
            return 'unknown'
        digest, stats = read_through_temporary(engine, source, read)
    else:
        digest, stats = read(source)
    if stats.entries <= 1:
        return 'empty'
    return 'same' if entry.get('content_sha256') and digest == entry['content_sha256'] else 'other'


def running_users(api, name):
    return sorted(container_name(c) for c in api.list_containers(filters={'volume': name}) if c.get('State') == 'running')


def vanishes(api, name, stale):
    """True when taking back what killed restores left removes the volume ``name`` itself (they made
    it, and no other container uses it): it is then restored as a new one."""
    fillers = set(filler for filler, volumes in stale if name in volumes)
    return bool(fillers) and all(summary['Id'] in fillers for summary in api.list_containers(filters={'volume': name}))


def check_restorable(engine, name, state, raw):
    """Refuse a volume that holds other data, or that running containers use; warn when it is unknown."""
    if state == 'other':
        raise Refusal('Refusing to restore into volume %s: it exists and holds other data than this archive, so it '
                      'would be overwritten. Restore into a new volume name, or into a data container '
                      '(which keeps the previous volume); nothing was changed.' % name)
    users = running_users(engine.api, name) if raw is not None else []
    if users:
        raise Refusal('Refusing to restore into volume %s: it is empty but running containers use it (%s); stop '
                      'them first. Nothing was changed.' % (name, ', '.join(users)))
    if state == 'unknown':
        engine.warn('Check mode cannot read volume %s through the engine without creating a temporary container; '
                    'a real run restores into it only if it is empty or already holds this archive.' % name)


def observed_volume(engine, spec, name):
    """(its entry of the archive, inspect data, the path that writes it, what killed restores left, its state)."""
    if len(spec.entries) != 1:
        raise InputError('The archive holds %d paths (%s); choose one with paths to restore into volume %s.'
                         % (len(spec.entries), ', '.join(e['path'] for e in spec.entries), name))
    entry, api = spec.entries[0], engine.api
    stale = stale_fills(api, name)
    raw = api.inspect_volume(name)
    if raw is not None and vanishes(api, name, stale):
        raw = None
    access = choose_access(engine, spec.method, [raw] if raw is not None else [])
    state = 'new' if raw is None else volume_state(engine, name, entry, spec.scheme, access)
    return entry, raw, access, stale, state


def restore_volume(engine, spec):
    name = check_name(engine.params['volume'], 'volume name')
    entry, raw, access, stale, state = observed_volume(engine, spec, name)
    result = dict(changed=False, volume=name, restored=[], previous_volumes=[])
    result.update(access.as_result())
    if state == 'same':
        return result
    check_restorable(engine, name, state, raw)
    spec.check_archive(engine)
    archive = ArchiveFill(spec.src, spec.manifest, spec.digest, access)
    fill = Fill(name, entry, name, create=raw is None)
    plan = plan_restore(archive, [fill], stale, name, engine.api.inspect_image(DEFAULT_IMAGE) is not None)
    result.update(changed=True, restored=[entry['path']], actions=plan.describe())
    try:
        engine.apply(plan, archive.appliers())
    except BaseException:
        discard(engine.api, fill)  # the holder, and the volume when this restore created it
        raise
    for reason in archive.fallbacks:
        engine.warn('The volume was filled through the engine: %s.' % reason)
    return result
