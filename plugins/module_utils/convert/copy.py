# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Copying one path of a data container into its named volume, and proving the copy.

The data is read as a backup reads it (archive/source.py: the volume's directory on the
direct path, the engine's archive endpoint otherwise) and written as a restore writes it
(archive/extract.py into the new volume's directory, or the engine's ``put_archive`` through
the holder, a never-started container that holds the new volume while it is filled). The
content digest (manifest scheme 2) of what was read is computed on the way; the new volume
is then read back the same way and its digest must be the same, or the copy is refused.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import tempfile

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    CONTENT_TYPES,
    SCHEME,
    PathStats,
    emit_members,
    header_bytes,
    new_digest,
    padding,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.direct_source import ChangedWhileRead
from ansible_collections.persistent.volumes.plugins.module_utils.archive.extract import Extraction
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import volume_problem
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import path_digest
from ansible_collections.persistent.volumes.plugins.module_utils.archive.source import BackupSource, SourceItem
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import member_root
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError


def _counted(content, stats, size):
    for chunk in content:
        stats.digest.content(chunk)
        yield chunk
    stats.digest.padding(padding(size))


def teed(members, stats):
    """``members`` as they are, the digest and counts of ``stats`` told about each on the way."""
    for info, content in members:
        stats.count(info)
        stats.digest.member(info, header_bytes(info))
        yield info, (_counted(content, stats, info.size) if info.type in CONTENT_TYPES else content)


def _extract(members, target, member):
    extraction = Extraction(target, member, [member])
    try:
        for info, content in members:
            extraction.add(info, content)
            for dummy in content:
                pass  # what add did not take (the root, a link) is read past
        extraction.finish()
    finally:
        extraction.close()


def _put(api, holder, members, stats):
    with tempfile.TemporaryFile(prefix='.pv-convert-') as spool:
        emit_members(members, stats, spool)
        spool.write(b'\0' * 1024)
        spool.seek(0)
        api.put_archive(holder, '/', spool)


class VolumeCopy(object):
    """The ``copy_volume`` applier: the data container's path into the new volume, proved equal.

    ``done`` collects, per path, the method that wrote, the digest and the counts.
    """

    def __init__(self, container, access):
        self.container = container
        self.access = access
        self.done = {}

    def _direct_target(self, api, volume):
        """The new volume's directory when the direct path can write it, else None."""
        if not self.access.direct:
            return None
        inspect = api.inspect_volume(volume) or {}
        return inspect.get('Mountpoint') if volume_problem(self.access, inspect) is None else None

    def __call__(self, api, action):
        path, volume, holder = action.args['path'], action.target, action.args['holder']
        member = member_root(path)
        source = BackupSource(self.container, [SourceItem(path, path, action.args['source'],
                                                          api.inspect_volume(action.args['source']))])
        stats = PathStats(path, volume, member, new_digest(SCHEME))
        members = source.members(api, source.items[0], self.access, ChangedWhileRead())
        target = self._direct_target(api, volume)
        if target is not None:
            _extract(teed(members, stats), target, member)
        else:
            _put(api, holder, members, stats)
        stats.digest.freeze()
        written = 'direct' if target is not None else 'engine'
        copy = BackupSource(holder, [SourceItem('/' + member, path, volume, api.inspect_volume(volume))])
        digest, dummy = path_digest(api, copy, self.access if target is not None else _Engine(), copy.items[0], SCHEME)
        if digest != stats.content_sha256:
            raise PersistentVolumesError(
                'The copy of %s:%s in volume %s does not hold the same data (content sha256 %s read, %s in the copy); '
                'the data changed while it was copied, or the copy failed. No consumer was touched; the next run '
                'copies again.' % (self.container, path, volume, stats.content_sha256, digest))
        self.done[path] = dict(volume=volume, method=written, content_sha256=digest, bytes=stats.bytes,
                               files=stats.files, entries=stats.entries)
        return self.done[path]


class _Engine(object):
    """The engine path, for reading back a copy that went through the engine."""
    direct = False
