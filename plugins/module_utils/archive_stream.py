# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tar streams between the engine's archive endpoint and files, never held in memory.

The engine sends a volume's content as a tar stream whose top member is the mount
path's last component. Backups re-root every member under the full container path
(``/var/lib/x`` -> ``var/lib/x/...``) into one archive, and a digest over each member's
metadata and content tells whether the data changed since an earlier backup.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import posixpath
import tarfile

CHUNK = 1024 * 1024
COMPRESSIONS = {'none': '', 'gzip': 'gz', 'xz': 'xz'}


class ChunkReader(object):
    """A file-like view of an iterator of byte chunks (the SDK's archive stream)."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = b''
        self._done = False

    def read(self, size=-1):
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0:
            data, self._buffer = self._buffer, b''
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


class HashingWriter(object):
    """Writes to ``target`` and keeps the sha256 and size of what went through."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        return self.target.write(data)

    def flush(self):
        return self.target.flush()


class PathStats(object):
    """What one backed-up path holds."""

    def __init__(self, path, volume, member):
        self.path = path
        self.volume = volume
        self.member = member
        self.bytes = 0
        self.files = 0
        self.entries = 0
        self.digest = hashlib.sha256()

    @property
    def content_sha256(self):
        return self.digest.hexdigest()

    def as_dict(self):
        return dict(path=self.path, volume=self.volume, member=self.member, bytes=self.bytes,
                    files=self.files, entries=self.entries, content_sha256=self.content_sha256)


def content_digest(stats):
    """The digest of several paths' content: of their own digests, in order."""
    digest = hashlib.sha256()
    for item in stats:
        digest.update(('%s\0%s\n' % (item.member, item.content_sha256)).encode('utf-8'))
    return digest.hexdigest()


def member_root(path):
    """The archive member name a container path is stored under: ``/var/lib/x`` -> ``var/lib/x``."""
    return path.strip('/')


def _digest_member(digest, info):
    digest.update(('%s\0%s\0%o\0%d\0%d\0%d\0%d\0%s\0' % (
        info.name, info.type.decode('latin-1') if isinstance(info.type, bytes) else info.type,
        info.mode, info.uid, info.gid, int(info.mtime), info.size, info.linkname)).encode('utf-8', 'surrogateescape'))


def copy_path(chunks, path, stats, out=None, record_root=None):
    """Copy the engine's tar stream of ``path`` into ``out`` (a tarfile or None), re-rooted
    under ``record_root`` (default: the path itself, without its leading slash).

    Updates ``stats``, whose digest covers content and metadata of every member, in order.
    """
    digest = stats.digest
    base = posixpath.basename(path.rstrip('/'))
    root = record_root or member_root(path)
    with tarfile.open(fileobj=ChunkReader(chunks), mode='r|') as source:
        for info in source:
            name = info.name
            if name == base or name.startswith(base + '/'):
                info.name = root + name[len(base):]
            else:
                continue
            if info.islnk() and (info.linkname == base or info.linkname.startswith(base + '/')):
                info.linkname = root + info.linkname[len(base):]
            # PAX records of the engine's stream (long or non-ASCII names) would win over
            # the new names when written: they must go.
            info.pax_headers.pop('path', None)
            if info.islnk():
                info.pax_headers.pop('linkpath', None)
            stats.entries += 1
            _digest_member(digest, info)
            if info.isreg():
                stats.files += 1
                stats.bytes += info.size
                content = source.extractfile(info)
                if out is not None:
                    out.addfile(info, _DigestingReader(content, digest))
                else:
                    while True:
                        block = content.read(CHUNK)
                        if not block:
                            break
                        digest.update(block)
            elif out is not None:
                out.addfile(info)


class _DigestingReader(object):
    def __init__(self, source, digest):
        self.source = source
        self.digest = digest

    def read(self, size=-1):
        data = self.source.read(size)
        self.digest.update(data)
        return data
