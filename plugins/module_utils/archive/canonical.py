# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one tar layout every archive of the collection has, whichever path read the data.

A member is written as a PAX header built from what the data is (name, type, permission
bits, numeric owner and group, whole-second modification time, size, link target, the
``SCHILY.xattr.*`` records the engine also keeps), with no user or group name, then its
content and the zero padding to 512 bytes. The same data therefore gives the same bytes
whether it came from the volume's directory or from the engine's archive endpoint.

That is what makes one pass enough. The content digest of a path (manifest scheme 2) is
the sha256 of its members' canonical bytes, which are, for an uncompressed single-path
archive, the archive itself: one hash serves both. Scheme 1 manifests (written before)
hash each member's metadata as text, then its content; ``LegacyDigest`` still computes it
so that their archives are recognised and restored as before.

sha256 rather than blake2b: on these machines (SHA extensions, OpenSSL) hashlib's sha256
runs at about 1.6 GiB/s against 0.75 GiB/s for blake2b (bench/backup_bench.py prints both).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import tarfile

BLOCK = 512
RECORD = 20 * BLOCK
ZEROS = b'\0' * RECORD
CONTENT_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE)
SCHEME = 2


def canonical_info(info):
    """A TarInfo holding only what the canonical header keeps of ``info``."""
    out = tarfile.TarInfo(info.name)
    out.type = tarfile.REGTYPE if info.type in CONTENT_TYPES else info.type
    out.mode = info.mode & 0o7777
    out.uid, out.gid = info.uid, info.gid
    out.uname = out.gname = ''
    out.mtime = int(info.mtime)
    out.size = info.size if out.type == tarfile.REGTYPE else 0
    out.linkname = info.linkname if info.type in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ''
    if info.type in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        out.devmajor, out.devminor = info.devmajor, info.devminor
    out.pax_headers = dict((key, value) for key, value in info.pax_headers.items() if key.startswith('SCHILY.xattr.'))
    return out


def header_bytes(info):
    return canonical_info(info).tobuf(tarfile.PAX_FORMAT, 'utf-8', 'surrogateescape')


def padding(size):
    return ZEROS[:(BLOCK - size % BLOCK) % BLOCK]


def end_of_archive(offset):
    """Two zero blocks, then zeros up to a whole record, as tar writes them."""
    offset += 2 * BLOCK
    return ZEROS[:2 * BLOCK] + ZEROS[:(RECORD - offset % RECORD) % RECORD]


# The file type bits Docker 20.10's archive endpoint puts in a member's mode (Docker 26 writes the
# permission bits only): scheme 1 digests, written on 20.10, hash the mode with them.
TYPE_BITS = {'0': 0o100000, '\0': 0o100000, '1': 0o100000, '2': 0o120000, '3': 0o020000, '4': 0o060000,
             '5': 0o040000, '6': 0o010000, '7': 0o100000}


def legacy_mode(kind, mode):
    """A member's mode as Docker 20.10's archive endpoint gave it (type bits included), whichever engine
    or path read the member."""
    return mode if mode & 0o170000 else mode | TYPE_BITS.get(kind, 0)


class LegacyDigest(object):
    """Scheme 1: each member's metadata as text, then its content (manifests written before scheme 2)."""

    def __init__(self):
        self.digest = hashlib.sha256()

    def member(self, info, header):
        kind = info.type.decode('latin-1') if isinstance(info.type, bytes) else info.type
        self.digest.update(('%s\0%s\0%o\0%d\0%d\0%d\0%d\0%s\0' % (
            info.name, kind, legacy_mode(kind, info.mode), info.uid, info.gid, int(info.mtime), info.size,
            info.linkname)).encode('utf-8', 'surrogateescape'))

    def content(self, data):
        self.digest.update(data)

    def padding(self, data):
        pass

    def freeze(self):
        pass

    def hexdigest(self):
        return self.digest.hexdigest()


class CanonicalDigest(object):
    """Scheme 2: the sha256 of the canonical bytes (possibly shared with the archive's own hash)."""

    def __init__(self, digest=None, fresh=None):
        """``digest``: a hash shared with the archive's own; ``fresh``: the hash to use otherwise (default a
        new sha256; a BackgroundDigest hashes in another thread)."""
        self.shared = digest is not None
        self.digest = digest if digest is not None else (fresh if fresh is not None else hashlib.sha256())
        self.value = None

    def member(self, info, header):
        if not self.shared:
            self.digest.update(header)

    def content(self, data):
        if not self.shared:
            self.digest.update(data)

    def padding(self, data):
        if not self.shared:
            self.digest.update(data)

    def freeze(self):
        """Keep the digest as it is now (a shared hash goes on with the rest of the archive)."""
        self.value = self.digest.hexdigest()

    def hexdigest(self):
        return self.value if self.value is not None else self.digest.hexdigest()


def new_digest(scheme, shared=None):
    return CanonicalDigest(shared) if scheme == SCHEME else LegacyDigest()


def combined_digest(pairs):
    """The digest of several paths' content: of their (member root, digest) pairs, in order."""
    digest = hashlib.sha256()
    for member, value in pairs:
        digest.update(('%s\0%s\n' % (member, value)).encode('utf-8'))
    return digest.hexdigest()


class PathStats(object):
    """What one path holds, and its content digest, as the manifest records it."""

    def __init__(self, path, volume, member, digest):
        self.path = path
        self.volume = volume
        self.member = member
        self.digest = digest
        self.bytes = 0
        self.files = 0
        self.entries = 0

    def count(self, info):
        self.entries += 1
        if info.type in CONTENT_TYPES:
            self.files += 1
            self.bytes += info.size

    @property
    def content_sha256(self):
        return self.digest.hexdigest()

    def as_dict(self):
        return dict(path=self.path, volume=self.volume, member=self.member, bytes=self.bytes,
                    files=self.files, entries=self.entries, content_sha256=self.content_sha256)


def emit_members(members, stats, out=None, extra=()):
    """Write ``members`` ((TarInfo, content chunks) pairs) in canonical form.

    ``out`` receives the bytes (``write``), ``stats.digest`` and every ``extra`` digest are
    told about each member. Returns the number of bytes emitted.
    """
    sinks = [stats.digest] + list(extra)
    emitted = 0
    for info, content in members:
        stats.count(info)
        header = header_bytes(info)
        for sink in sinks:
            sink.member(info, header)
        if out is not None:
            out.write(header)
        emitted += len(header)
        if info.type not in CONTENT_TYPES:
            continue
        for chunk in content:
            for sink in sinks:
                sink.content(chunk)
            if out is not None:
                out.write(chunk)
        tail = padding(info.size)
        for sink in sinks:
            sink.padding(tail)
        if out is not None:
            out.write(tail)
        emitted += info.size + len(tail)
    return emitted
