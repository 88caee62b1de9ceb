# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Owner, group and mode of a volume's root, read and set through the archive endpoint.

Reading takes the tar header of the path itself; setting writes a tar holding only a
directory entry for it. Both work on a container that was never started, so no
container is ever run for this.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import posixpath
import tarfile
import time

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError


class RootAttributes(object):
    __slots__ = ('uid', 'gid', 'mode')

    def __init__(self, uid, gid, mode):
        self.uid = uid
        self.gid = gid
        self.mode = mode

    def __eq__(self, other):
        return (self.uid, self.gid, self.mode) == (other.uid, other.gid, other.mode)

    def __ne__(self, other):
        return not self == other

    def as_dict(self):
        return dict(owner=self.uid, group=self.gid, mode='%04o' % self.mode)

    def wanted(self, owner, group, mode):
        """These attributes with the wanted ones applied (None keeps the current value)."""
        return RootAttributes(self.uid if owner is None else owner,
                              self.gid if group is None else group,
                              self.mode if mode is None else mode)


def parse_header(data):
    """RootAttributes of the first member of the tar stream's beginning ``data``.

    The first member is the path itself; a PAX or GNU long-name header before it (long or
    non-ASCII names) is read through by tarfile.
    """
    if not data:
        return None
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode='r|') as archive:
            info = archive.next()
    except (tarfile.TarError, EOFError):
        return None
    if info is None:
        return None
    return RootAttributes(info.uid, info.gid, info.mode & 0o7777)


def holds_nothing(data, complete):
    """True only when the tar stream ``data`` (``complete``: the whole stream, not just its
    beginning) surely holds one member, the directory itself: an empty volume. Anything
    unreadable counts as not empty."""
    if not data or not complete:
        return False
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode='r|') as archive:
            first = archive.next()
            return first is not None and first.isdir() and archive.next() is None
    except (tarfile.TarError, EOFError):
        return False


def directory_archive(path, attributes):
    """A tar holding only the directory entry for ``path``, to extract into its parent."""
    info = tarfile.TarInfo(posixpath.basename(path))
    info.type = tarfile.DIRTYPE
    info.uid = attributes.uid
    info.gid = attributes.gid
    info.mode = attributes.mode
    info.mtime = int(time.time())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w', format=tarfile.PAX_FORMAT) as archive:
        archive.addfile(info)
    return posixpath.dirname(path) or '/', buffer.getvalue()


def read_root(api, container, path):
    return parse_header(api.archive_head(container, path))


def is_empty(api, container, path, limit=16384):
    """Whether the volume at ``path`` of the container holds nothing but its root directory.

    Any error (the container went away meanwhile, the path cannot be read) counts as not
    empty: the volume is kept.
    """
    try:
        data = api.archive_head(container, path, limit=limit)
    except PersistentVolumesError:
        return False
    return holds_nothing(data, complete=data is not None and len(data) < limit)


def write_root(api, container, path, attributes):
    parent, data = directory_archive(path, attributes)
    return api.put_archive(container, parent, data)
