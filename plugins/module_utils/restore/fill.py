# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filling a volume from one path of a checked archive, on the direct path or through the engine.

While a volume is being filled, a temporary container that is never started holds it
(label ``persistent.volumes.temporary=restore``): the engine's ``put_archive`` writes
through it, and on the direct path it marks the volume as a restore in progress, so that
a run killed half-way leaves something the next run recognises and takes back
(``remove_stale_fillers``). A fill that fails removes its container and the volume it
created; a volume that existed before (empty) is kept.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import tarfile
import tempfile

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import temporary_name
from ansible_collections.persistent.volumes.plugins.module_utils.archive.extract import extract_path
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import volume_problem
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE, build_default_image


def _only_entry(src, manifest, entry):
    """A file holding only the members of ``entry`` (the archive itself when it has one path)."""
    if len(manifest['paths']) == 1:
        return open(src, 'rb'), None
    handle, temporary = tempfile.mkstemp(prefix='.pv-restore-', suffix='.tar', dir=os.path.dirname(src))
    os.close(handle)
    root = entry['member']
    with tarfile.open(src, mode='r|*') as source, tarfile.open(temporary, mode='w') as out:
        for info in source:
            if info.name == root or info.name.startswith(root + '/'):
                out.addfile(info, source.extractfile(info) if info.isreg() else None)
    return open(temporary, 'rb'), temporary


class Filler(object):
    """Fills volumes for one restore; ``method`` says which path each fill took."""

    def __init__(self, engine, src, manifest, digest, access):
        self.api = engine.api
        self.src = src
        self.manifest = manifest
        self.digest = digest
        self.access = access
        self.fallbacks = []   # why a fill went through the engine although direct was chosen

    def labels(self, entry, owner):
        return {pv_labels.RESTORED_FROM: self.digest, pv_labels.RESTORED_PATH: entry['path'], pv_labels.ANONYMOUS_FOR: owner}

    def fill(self, volume, entry, owner, create=True):
        """Fill ``volume`` (created first unless it exists) with ``entry``; return the holder to remove."""
        if self.api.inspect_image(DEFAULT_IMAGE) is None:
            build_default_image(self.api)
        if create:
            self.api.create_volume(volume, 'local', {}, self.labels(entry, owner))
        holder = temporary_name('restore')
        try:
            self.api.create_container(holder, DEFAULT_IMAGE, binds=['%s:/%s:rw' % (volume, entry['member'])],
                                      labels={pv_labels.TEMPORARY: 'restore'})
            self._write(holder, volume, entry)
        except BaseException:
            self.discard(holder, volume if create else None)
            raise
        return holder

    def _write(self, holder, volume, entry):
        if self.access.direct:
            inspect = self.api.inspect_volume(volume) or {}
            problem = volume_problem(self.access, inspect)
            if problem is None:
                roots = [path['member'] for path in self.manifest['paths']]
                extract_path(self.src, entry['member'], roots, inspect['Mountpoint'])
                return
            self.fallbacks.append(problem)
        data, temporary = _only_entry(self.src, self.manifest, entry)
        try:
            self.api.put_archive(holder, '/', data)
        finally:
            data.close()
            if temporary:
                os.unlink(temporary)

    def discard(self, holder, volume):
        """Take back a fill: its container, and the volume when this restore created it."""
        actions = [lambda: self.api.remove_container(holder)]
        if volume:
            actions.append(lambda: self.api.remove_volume(volume))
        for action in actions:
            try:
                action()
            except Exception:  # pylint: disable=broad-except
                pass


def _stale_volumes(api, summary, owner):
    """The volumes of a filler ``summary`` that a restore for ``owner`` created."""
    return [m.get('Name') for m in summary.get('Mounts') or []
            if m.get('Name') and ((api.inspect_volume(m['Name']) or {}).get('Labels') or {}).get(
                pv_labels.ANONYMOUS_FOR) == owner]


def stale_fill(api, owner):
    """True when a killed restore for ``owner`` left a filler (and the volume it was filling)."""
    return any(summary.get('State') == 'created' and _stale_volumes(api, summary, owner)
               for summary in api.list_containers(filters={'label': pv_labels.TEMPORARY + '=restore'}))


def remove_stale_fillers(api, owner):
    """Fillers a killed run left for ``owner``, and their volumes when nothing else holds them."""
    for summary in api.list_containers(filters={'label': pv_labels.TEMPORARY + '=restore'}):
        if summary.get('State') != 'created':
            continue
        mine = _stale_volumes(api, summary, owner)
        if not mine:
            continue
        api.remove_container(summary['Id'])
        for volume in mine:
            if not api.list_containers(filters={'volume': volume}):
                api.remove_volume(volume)
