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
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import (
    ArchiveFill,
    Fill,
    add_stale,
    discard_all,
    stale_fills,
)
from ansible_collections.persistent.volumes.plugins.module_utils.restore.in_place import (
    APPLIERS as IN_PLACE_APPLIERS,
    InPlace,
    explain_interruption,
)
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


def vanishes(api, name, stale):
    """True when taking back what killed restores left removes the volume ``name`` itself (they made
    it, and no other container uses it): it is then restored as a new one."""
    fillers = set(filler for filler, volumes in stale if name in volumes)
    return bool(fillers) and all(summary['Id'] in fillers for summary in api.list_containers(filters={'volume': name}))


def check_restorable(engine, name, state):
    """Warn when check mode cannot tell what the volume holds."""
    if state == 'unknown':
        engine.warn('Check mode cannot read volume %s through the engine without creating a temporary container; '
                    'a real run reads it first, and keeps what it holds in a volume of its own before restoring.'
                    % name)


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


def checked_later(spec, engine, in_place, raw, access):
    """Check the archive before anything is written (an existing volume, an in-place restore), or only the room it
    needs: True when a new volume on the direct path is checked while it is filled (nothing sees it before)."""
    if in_place is not None and not in_place.restores:
        return False
    fresh = in_place is None and raw is None and access.direct and not engine.check_mode  # check mode: checked now
    return spec.check_archive(engine, one_pass=fresh) is None


def restore_volume(engine, spec):
    name = check_name(engine.params['volume'], 'volume name')
    entry, raw, access, stale, state = observed_volume(engine, spec, name)
    result = dict(changed=False, volume=name, restored=[], previous_volumes=[], restarted=[])
    result.update(access.as_result())
    in_place = None
    if raw is not None:
        in_place = InPlace(engine, spec, name, entry, state, access)
        if not in_place.needed:
            return result
        if state == 'empty' and in_place.journal is None and not in_place.users:
            in_place = None  # nothing to keep, nobody to stop: filled as a new volume is
    check_restorable(engine, name, state)
    archive = ArchiveFill(spec.src, spec.manifest, spec.digest, access, checked_later(spec, engine, in_place, raw, access))
    fill = None
    if in_place is None:
        fill = Fill(name, entry, name, create=raw is None)
        plan = plan_restore(archive, [fill], stale, name, engine.api.inspect_image(DEFAULT_IMAGE) is not None)
    else:
        plan = Plan()
        add_stale(plan, stale, name)
        in_place.add(plan, archive)
        result.update(previous_volumes=in_place.previous_report(), restarted=[user for dummy, user in in_place.users])
    result.update(changed=bool(plan.actions), restored=[entry['path']] if state != 'same' else [],
                  actions=plan.describe())
    appliers = archive.appliers()
    appliers.update(IN_PLACE_APPLIERS)
    try:
        engine.apply(plan, appliers)
    except BaseException as exc:
        if fill is not None:
            discard_all(engine.api, archive, [fill], exc)  # the holder, and the volume when this restore created it
        explain_interruption(exc, [in_place] if in_place is not None else [])
        raise
    for reason in archive.fallbacks:
        engine.warn('The volume was filled through the engine: %s.' % reason)
    return result
