# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The engine's archive stream of a path, as members re-rooted for the collection's archives.

The engine sends a path's content as a tar stream whose top member is the path's last
component. Backups store every member under the full container path (``/var/lib/x`` ->
``var/lib/x/...``), or under the name the caller gives. Headers are read by ``tarfile``
from a forward-only reader; content is handed on in the slices the engine sent, never
copied into a whole-member buffer.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import posixpath
import tarfile

from ansible_collections.persistent.volumes.plugins.module_utils.archive.reader import ForwardReader
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError


def member_root(path):
    """The archive member name a container path is stored under: ``/var/lib/x`` -> ``var/lib/x``."""
    return path.strip('/')


def _renamed(info, base, root):
    """``info`` moved from under ``base`` to under ``root`` (None when it is not below ``base``)."""
    name = info.name
    if name != base and not name.startswith(base + '/'):
        return None
    info.name = root + name[len(base):]
    if info.islnk() and (info.linkname == base or info.linkname.startswith(base + '/')):
        info.linkname = root + info.linkname[len(base):]
    # PAX records of the engine's stream (long or non-ASCII names) would win over the new
    # names when written: they must go.
    info.pax_headers.pop('path', None)
    if info.islnk():
        info.pax_headers.pop('linkpath', None)
    return info


def tar_members(reader):
    """(TarInfo, content chunks) of the tar stream in ``reader`` (a ForwardReader), in order.

    The content of a member must be consumed (or left) before the next member is asked for.
    """
    with tarfile.open(fileobj=reader, mode='r:') as source:
        for info in source:
            source.members = []  # tarfile keeps every member it read: memory would grow
            if info.isreg():
                reader.seek(info.offset_data)
                yield info, reader.chunks(info.size)
            else:
                yield info, ()


def _unexpected(path, base, name):
    return EngineError('The engine\'s archive of %s is not what was asked for: it holds the member %r, which is not '
                       '%r nor below it. Nothing read this way is used (an engine that renames or drops members '
                       'would make an empty or wrong backup, or a restore that restores nothing).' % (path, name, base))


def engine_members(chunks, path, record_root=None):
    """The members of the engine's stream ``chunks`` of ``path``, named under ``record_root``.

    The stream must start with the path itself, and hold nothing outside it: a member named
    otherwise is an EngineError, never dropped (dropping them made an empty backup of a full volume).
    """
    base = posixpath.basename(path.rstrip('/'))
    root = record_root or member_root(path)
    first = True
    for info, content in tar_members(ForwardReader(chunks)):
        name = info.name
        if _renamed(info, base, root) is None or (first and name != base):
            raise _unexpected(path, base, name)
        first = False
        yield info, content
    if first:
        raise _unexpected(path, base, None)
