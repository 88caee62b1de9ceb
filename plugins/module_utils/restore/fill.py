# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filling a volume from one path of a checked archive, on the direct path or through the engine.

While a volume is being filled, a temporary container that is never started holds it
(label ``persistent.volumes.temporary=restore``): the engine's ``put_archive`` writes
through it, and on the direct path it marks the volume as a restore in progress, so that
a run killed half-way leaves something the next run recognises and takes back
(``stale_fills``). A fill is three actions of the plan (the volume, its holder, the data);
when a restore fails, ``discard`` takes back each fill: its holder, and the volume when
the restore created it and nothing else holds it; a volume that existed before is kept.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import tarfile
import tempfile

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import temporary_name
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import never_started
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import container_name
from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import ArchiveCheck, check_archive
from ansible_collections.persistent.volumes.plugins.module_utils.archive.extract import extract_path
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import volume_problem
from ansible_collections.persistent.volumes.plugins.module_utils.archive.reader import open_archive
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.engine.kind import refuse_archive_endpoint
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.plan.appliers import APPLIERS
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    CREATE_CONTAINER,
    CREATE_VOLUME,
    FILL_VOLUME,
    REMOVE_CONTAINER,
    REMOVE_VOLUME,
)
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan


def _only_entry(src, manifest, entry):
    """A file holding only the members of ``entry`` (the archive itself when it has one path)."""
    if len(manifest['paths']) == 1:
        return open_archive(src), None
    handle, temporary = tempfile.mkstemp(prefix='.pv-restore-', suffix='.tar', dir=os.path.dirname(src))
    os.close(handle)
    root = entry['member']
    with tarfile.open(src, mode='r|*') as source, tarfile.open(temporary, mode='w') as out:
        for info in source:
            if info.name == root or info.name.startswith(root + '/'):
                out.addfile(info, source.extractfile(info) if info.isreg() else None)
    return open(temporary, 'rb'), temporary


class Fill(object):
    """One volume to fill with one path (``entry``) of the archive, held by ``holder`` meanwhile;
    ``create``: the restore creates the volume (else it exists, empty)."""

    def __init__(self, volume, entry, owner, create=True):
        self.volume = volume
        self.entry = entry
        self.owner = owner
        self.create = create
        self.holder = temporary_name('restore')


class ArchiveFill(object):
    """The archive a restore fills volumes from, and the path it writes them on (``access``).

    ``fallbacks``: why a fill went through the engine although the direct path was chosen.
    ``one_pass``: the archive was not checked before; each fill on the direct path checks it while it
    writes (the fresh volume is thrown away on a mismatch), a fill through the engine checks it first.
    """

    def __init__(self, src, manifest, digest, access, one_pass=False):
        self.src = src
        self.manifest = manifest
        self.digest = digest
        self.access = access
        self.fallbacks = []
        self.unchecked = one_pass

    @property
    def roots(self):
        return [path['member'] for path in self.manifest['paths']]

    def labels(self, entry, owner):
        return {pv_labels.RESTORED_FROM: self.digest, pv_labels.RESTORED_PATH: entry['path'],
                pv_labels.ANONYMOUS_FOR: owner}

    def add(self, plan, fill):
        """The actions of ``fill``: its volume (unless it exists), its holder, the data."""
        if fill.create:
            plan.add(CREATE_VOLUME, fill.volume, 'restored %s' % fill.entry['path'], driver='local',
                     driver_options={}, labels=self.labels(fill.entry, fill.owner))
        plan.add(CREATE_CONTAINER, fill.holder, 'hold volume %s while it is filled' % fill.volume,
                 image=DEFAULT_IMAGE, binds=['%s:/%s:rw' % (fill.volume, fill.entry['member'])],
                 labels={pv_labels.TEMPORARY: 'restore'})
        text = 'fill volume %s for %s from %s (%s)' % (fill.volume, fill.entry['path'], self.src, self.access.method)
        plan.add(FILL_VOLUME, fill.volume, 'from %s' % self.src, text=text, holder=fill.holder, entry=fill.entry)

    def write(self, api, action):
        """``fill_volume``: the archive's path into the volume, through its holder or its directory."""
        volume, holder, entry = action.target, action.args['holder'], action.args['entry']
        if self.access.direct:
            inspect = api.inspect_volume(volume) or {}
            problem = volume_problem(self.access, inspect)
            if problem is None:
                check = ArchiveCheck(self.src, self.manifest, self.roots) if self.unchecked else None
                extract_path(self.src, entry['member'], self.roots, inspect['Mountpoint'], check)
                return None
            if self.access.kind is not None:
                refuse_archive_endpoint(self.access.kind, 'fill volume %s' % volume,
                                        'Its directory cannot be written directly: %s' % problem)
            self.fallbacks.append(problem)
        if self.unchecked:
            check_archive(self.src, self.manifest, self.roots)  # before the engine writes anything
            self.unchecked = False
        data, temporary = _only_entry(self.src, self.manifest, entry)
        try:
            return api.put_archive(holder, '/', data)
        finally:
            data.close()
            if temporary:
                os.unlink(temporary)

    def appliers(self):
        appliers = dict(APPLIERS)
        appliers[FILL_VOLUME] = self.write
        return appliers


def _held_only_by(api, volume, holder):
    """True when no container but ``holder`` uses ``volume`` (the swap did not reach it)."""
    try:
        names = [container_name(c) for c in api.list_containers(filters={'volume': volume})]
    except PersistentVolumesError:
        return False
    return set(names) <= set([holder])


def discard(api, fill):
    """Take back ``fill`` after a failure: its holder, and its volume when the restore created it and
    nothing else holds it. Best effort: the next run takes back what is left (``stale_fills``).
    True when the fill is wholly gone (a volume that existed before is not: it may have been written)."""
    whole = fill.create and _held_only_by(api, fill.volume, fill.holder)
    if whole:
        steps = [lambda: api.remove_container(fill.holder), lambda: api.remove_volume(fill.volume)]
    else:
        steps = [lambda: api.remove_container(fill.holder)]
    for step in steps:
        try:
            step()
        except PersistentVolumesError:
            whole = False
    return whole


def discard_all(api, archive, fills, exc):
    """Take back every fill after ``exc``; when that took back all the run had done (it had only made
    those fills' volumes and holders), ``exc`` reports no change."""
    gone = set()
    for fill in fills:
        if discard(api, fill):
            plan = Plan()
            archive.add(plan, fill)
            gone.update(plan.describe())
    details = getattr(exc, 'details', None)
    if isinstance(details, dict) and gone and set(details.get('actions_done') or ()) <= gone:
        details.update(changed=False, actions_done=[])


def _stale_volumes(api, summary, owner):
    """The volumes of a filler ``summary`` that a restore for ``owner`` created."""
    return [m.get('Name') for m in summary.get('Mounts') or []
            if m.get('Name') and ((api.inspect_volume(m['Name']) or {}).get('Labels') or {}).get(
                pv_labels.ANONYMOUS_FOR) == owner]


def stale_fills(api, owner):
    """[(filler id, [its volumes])] a killed restore for ``owner`` left (fillers never started)."""
    found = []
    for summary in api.list_containers(filters={'label': pv_labels.TEMPORARY + '=restore'}):
        volumes = _stale_volumes(api, summary, owner) if never_started(summary.get('State')) else []
        if volumes:
            found.append((summary['Id'], volumes))
    return found


def add_stale(plan, stale, owner):
    """The actions taking back what killed restores for ``owner`` left: the fillers, then their volumes
    unless something else uses them."""
    for filler, volumes in stale:
        plan.add(REMOVE_CONTAINER, filler, 'left by an interrupted restore', id=filler,
                 text='remove what an interrupted restore into %s left (its filler, the volume)' % owner)
        for volume in volumes:
            plan.add(REMOVE_VOLUME, volume, 'left by an interrupted restore', only_if_unused=True)
