# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checking a backup archive before anything is restored from it.

Every member must sit below one of the manifest's paths, with no absolute name, no
``..``, no link that leads outside its path, and no device or fifo. The archive's
sha256 must be the manifest's. Each check fails with a message naming the member.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import lzma
import os
import posixpath
import tarfile
import zlib

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    CONTENT_TYPES,
    SCHEME,
    CanonicalDigest,
    PathStats,
    combined_digest,
    header_bytes,
    padding,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.hashing import (
    BackgroundDigest,
    ForkedDigest,
    HashThread,
    read_ahead,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_hash import OneHash
from ansible_collections.persistent.volumes.plugins.module_utils.archive.reader import (
    ForwardReader,
    compression_of,
    decompressed,
    open_archive,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import tar_members
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal

# The archive is read in blocks of 256 KiB, 32 of them ahead (8 MiB, as 8 of a MiB): measured on a busy
# two-core machine, a restore of 1 GiB spent 0.3 to 0.5 s more in the kernel reading it a MiB at a time.
READ_BLOCK = 256 * 1024
READ_DEPTH = 32
ALLOWED = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE)


def _inside(target, root):
    return target == root or target.startswith(root + '/')


def member_problem(info, roots):
    """Why ``info`` must not be restored (None when it may)."""
    name = info.name
    if name.startswith('/'):
        return 'has an absolute name'
    parts = name.rstrip('/').split('/')
    if '..' in parts:
        return "climbs out of its path with '..'"
    clean = posixpath.normpath(name)
    root = next((r for r in roots if _inside(clean, r)), None)
    if root is None:
        return 'is not below any path of the manifest (%s)' % ', '.join(sorted(roots))
    if info.type not in ALLOWED:
        kind = {tarfile.CHRTYPE: 'a character device', tarfile.BLKTYPE: 'a block device',
                tarfile.FIFOTYPE: 'a fifo'}.get(info.type, 'a special file (type %r)' % info.type)
        return 'is %s' % kind
    if info.issym():
        link = info.linkname
        target = posixpath.normpath(link.lstrip('/') if link.startswith('/')
                                    else posixpath.join(posixpath.dirname(clean), link))
        if target.startswith('..') or not _inside(target, root):
            return 'is a symlink to %s, outside %s' % (link, '/' + root)
    if info.islnk():
        target = posixpath.normpath(info.linkname)
        if info.linkname.startswith('/') or '..' in info.linkname.split('/') or not _inside(target, root):
            return 'is a hard link to %s, outside %s' % (info.linkname, '/' + root)
    return None


def resolve(parts, links, depth=0):
    """Components of a path after following the archive's own symlinks (None: it escapes).

    Paths are relative to the container root, like member names; an absolute link target
    is too. A chain such as ``x -> .`` then ``y -> x/..`` is caught here, where a member
    judged on its own looks harmless.
    """
    out, key = [], ''
    for part in parts:
        if part in ('', '.'):
            continue
        if part == '..':
            if not out:
                return None
            out.pop()
            key = '/'.join(out)
            continue
        out.append(part)
        key = key + '/' + part if key else part  # the path so far, built as it grows (deep trees)
        target = links.get(key) if links else None
        if target is not None:
            if depth > 40:
                return None
            base = [] if target.startswith('/') else out[:-1]
            out = resolve(base + target.split('/'), links, depth + 1)
            if out is None:
                return None
            key = '/'.join(out)
    return out


def chain_problem(info, roots, links):
    """Why ``info`` escapes through earlier symlinks of the archive (None when it does not)."""
    clean = posixpath.normpath(info.name).split('/')
    root = next((r for r in roots if _inside('/'.join(clean), r)), None)
    parent = resolve(clean[:-1], links)
    if parent is None or not _inside('/'.join(parent + clean[-1:]), root):
        return 'lies below a symlink that leads outside %s' % ('/' + root)
    if info.issym():
        base = [] if info.linkname.startswith('/') else parent
        target = resolve(base + info.linkname.split('/'), links)
        if target is None or not _inside('/'.join(target), root):
            return 'is a symlink to %s, which leads outside %s through other links' % (info.linkname, '/' + root)
        links['/'.join(parent + clean[-1:])] = info.linkname
    return None


def manifest_problem(manifest, tally):
    """How the manifest's paths disagree with the archive's members (None when they agree): each
    path's member root is the path's, and its entries, files, bytes and content digest are the
    archive's; so is the digest of the whole."""
    scheme = manifest.get('content_scheme', 1)
    keys = ('entries', 'files', 'bytes', 'content_sha256') if scheme == SCHEME else ()
    for entry in manifest['paths']:
        stats = tally[entry['member']]
        if not isinstance(entry.get('path'), str) or entry['member'] != entry['path'].strip('/') or \
                posixpath.normpath('/' + entry['member']) != entry['path']:
            return 'path %r is stored under member %r, which is not that path' % (entry.get('path'), entry['member'])
        if not stats.entries:
            return 'path %s has no member in the archive' % entry['path']
        for key in keys:  # scheme 1 digested the engine's stream, which the archive does not keep
            if key in entry and entry[key] != getattr(stats, key):
                return 'path %s: the manifest says %s %s, the archive holds %s' % (
                    entry['path'], key, entry[key], getattr(stats, key))
    whole = combined_digest([(entry['member'], tally[entry['member']].content_sha256) for entry in manifest['paths']])
    if scheme == SCHEME and manifest.get('content_sha256') not in (None, whole):
        return 'the manifest says content_sha256 %s, the archive holds %s' % (manifest.get('content_sha256'), whole)
    return None


READ_ERRORS = (tarfile.TarError, EOFError, TypeError, ValueError, zlib.error, lzma.LZMAError, IOError)


def _root_of(name, roots):
    """The root ``name`` lies below (member_problem made sure there is one)."""
    return next(r for r in roots if _inside(posixpath.normpath(name), r))


class ArchiveUnreadable(Exception):
    """The archive could not be read on (ArchiveCheck.verdict says why)."""


class ArchiveCheck(object):
    """The checks of an archive made as its members go by: its sha256, each member against the paths and
    the archive's earlier links, and each path's entries, files, bytes and content digest against the
    manifest. A compressed archive is hashed as it is read (in the reading thread), the paths' digests in
    a second thread; an uncompressed one is hashed once, in that second thread, the first path's digest
    with it (archive/one_hash.py).

    ``members`` yields the members that passed, each with its content (whatever the caller leaves
    of it is read and digested all the same), and stops at the first problem; ``verdict`` reads the
    rest of the file and raises what is wrong, in the order ``check_archive`` always gave: a
    checksum that does not match wins over any other finding.
    """

    def __init__(self, src, manifest, roots):
        self.src, self.manifest, self.roots = src, manifest, roots
        self.sizes = dict((root, 0) for root in roots)
        self.digest = hashlib.sha256()
        self.hashes = HashThread()
        self.tally = None
        if isinstance(manifest.get('paths'), list) and manifest['paths']:
            self.tally = dict((root, PathStats('/' + root, None, root, CanonicalDigest(
                fresh=BackgroundDigest(hashlib.sha256(), self.hashes)))) for root in roots)
        self.links, self.seen = {}, set()
        self.problem = self.unreadable = None
        self.blocks = self.reader = self.one = None

    def _judge(self, info):
        problem = member_problem(info, self.roots) or chain_problem(info, self.roots, self.links)
        if not problem and info.islnk() and posixpath.normpath(info.linkname) not in self.seen:
            problem = 'is a hard link to %s, which is not an earlier member' % info.linkname
        self.seen.add(posixpath.normpath(info.name))
        if problem:
            self.problem = 'Refusing to restore %s: member %r %s. Nothing was restored.' % (self.src, info.name, problem)
        return problem

    def _counted(self, info, content):
        """``content`` passed on, digested as its path's; the padding after it too."""
        root = _root_of(info.name, self.roots)
        if info.isreg():
            self.sizes[root] += info.size
        stats = self.tally[root] if self.tally is not None else None
        if stats is None:
            yield from content
            return
        stats.count(info)
        if self.one is not None:
            self.one.member(info, root, stats.digest, header_bytes(info))
        else:
            stats.digest.member(info, header_bytes(info))
        if info.type not in CONTENT_TYPES:
            return
        chunks = iter(content)
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            except READ_ERRORS as exc:  # reading the archive, not what the caller does with it
                self.unreadable = exc
                raise ArchiveUnreadable(exc)
            if self.one is not None:
                self.one.content(root, stats.digest, chunk)
            else:
                stats.digest.content(chunk)
            yield chunk
        if self.one is None:
            stats.digest.padding(padding(info.size))  # OneHash takes it before the next member

    def _one_hash(self, handle):
        """A OneHash when the archive is uncompressed (its hash and its first path's digest are then one
        hash, in the hash thread), else None (the archive is hashed as it is read, the paths apart)."""
        try:
            head = os.pread(handle.fileno(), 8, 0)
        except (AttributeError, OSError, io.UnsupportedOperation):
            return None
        if self.tally is None or not self.roots or compression_of(head) != 'none':
            return None
        shared = ForkedDigest(self.digest, self.hashes)
        self.tally[self.roots[0]].digest = CanonicalDigest(fresh=shared)
        return OneHash(BackgroundDigest(self.digest, self.hashes), self.roots[0], shared)

    def members(self, handle):
        """(TarInfo, content) of the archive file ``handle`` that passed the checks, read once."""
        self.one = self._one_hash(handle)
        self.blocks = read_ahead(handle, self.digest if self.one is None else None, size=READ_BLOCK, depth=READ_DEPTH)
        self.reader = ForwardReader(decompressed(self.blocks), tap=self.one.tap if self.one is not None else None)
        try:
            for info, content in tar_members(self.reader):
                if self._judge(info):
                    return
                counted = self._counted(info, content)
                yield info, counted
                for dummy in counted:
                    pass  # what the caller left of this member
        except ArchiveUnreadable:
            return
        except READ_ERRORS as exc:
            self.unreadable = exc

    def verdict(self):
        """Read (and hash) what is left of the file; raise what is wrong; return {root: bytes}."""
        try:
            if self.one is not None:
                self.one.finish(self.reader.rest() if self.reader is not None else ())
                self.hashes.wait()
            else:
                for dummy in self.blocks or ():
                    pass
            actual = self.digest.hexdigest()
        finally:
            self.blocks = self.reader = None
        try:
            return self._judged(actual)
        finally:
            self.hashes.close()

    def _judged(self, actual):
        if actual != self.manifest.get('sha256'):
            raise Refusal('The archive %s does not match its manifest: sha256 %s, manifest says %s. It may be '
                          'damaged or replaced; nothing was restored.' % (self.src, actual, self.manifest.get('sha256')))
        if self.unreadable is not None:
            raise InputError('%s is not a readable tar archive: %s.' % (self.src, self.unreadable))
        if self.problem:
            raise Refusal(self.problem)
        disagreement = manifest_problem(self.manifest, self.tally) if self.tally is not None else None
        if disagreement:
            raise Refusal('The manifest of %s does not describe its archive: %s. Nothing was restored.'
                          % (self.src, disagreement))
        return self.sizes

    def close(self):
        if self.blocks is not None:
            self.blocks.close()
        self.hashes.close()


def check_archive(src, manifest, roots):
    """Checksum and members in one read of the archive; return {root: bytes}.

    A checksum that does not match wins over any other finding: the archive is not the
    one the manifest describes.
    """
    check = ArchiveCheck(src, manifest, roots)
    try:
        with open_archive(src) as handle:
            for dummy in check.members(handle):
                pass
            return check.verdict()
    finally:
        check.close()
