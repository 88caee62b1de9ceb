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
import lzma
import posixpath
import tarfile
import zlib

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    SCHEME,
    PathStats,
    combined_digest,
    emit_members,
    new_digest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.reader import (
    ForwardReader,
    decompressed,
    file_chunks,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import tar_members
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError, Refusal

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


def _scan(members, src, roots, sizes, tally=None):
    """The first problem of the archive's members (None when all may be restored); with ``tally``
    ({root: PathStats}), each member's content is also counted and digested as its path's."""
    links = {}
    seen = set()
    for info, content in members:
        problem = member_problem(info, roots) or chain_problem(info, roots, links)
        if not problem and info.islnk() and posixpath.normpath(info.linkname) not in seen:
            problem = 'is a hard link to %s, which is not an earlier member' % info.linkname
        seen.add(posixpath.normpath(info.name))
        if problem:
            return 'Refusing to restore %s: member %r %s. Nothing was restored.' % (src, info.name, problem)
        root = next(r for r in roots if _inside(posixpath.normpath(info.name), r))
        if info.isreg():
            sizes[root] += info.size
        if tally is not None:
            emit_members([(info, content)], tally[root])
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


def _members(handle, digest=None):
    """The members of the archive file ``handle``, read once (content not asked for is skipped)."""
    reader = ForwardReader(decompressed(file_chunks(handle, digest)))
    yield from tar_members(reader)


def _finish(handle, digest):
    """Hash what is left of the file after the end of the archive (the checksum covers the whole file)."""
    for dummy in file_chunks(handle, digest):
        pass
    return digest.hexdigest()


def check_archive(src, manifest, roots):
    """Checksum and members in one read of the archive; return {root: bytes}.

    A checksum that does not match wins over any other finding: the archive is not the
    one the manifest describes.
    """
    sizes = dict((root, 0) for root in roots)
    digest = hashlib.sha256()
    tally = None
    if isinstance(manifest.get('paths'), list) and manifest['paths']:
        tally = dict((root, PathStats('/' + root, None, root, new_digest(SCHEME))) for root in roots)
    with open(src, 'rb') as handle:
        problem = unreadable = None
        try:
            problem = _scan(_members(handle, digest), src, roots, sizes, tally)
        except READ_ERRORS as exc:
            unreadable = exc
        actual = _finish(handle, digest)
    if actual != manifest.get('sha256'):
        raise Refusal('The archive %s does not match its manifest: sha256 %s, manifest says %s. It may be '
                      'damaged or replaced; nothing was restored.' % (src, actual, manifest.get('sha256')))
    if unreadable is not None:
        raise InputError('%s is not a readable tar archive: %s.' % (src, unreadable))
    if problem:
        raise Refusal(problem)
    disagreement = manifest_problem(manifest, tally) if tally is not None else None
    if disagreement:
        raise Refusal('The manifest of %s does not describe its archive: %s. Nothing was restored.'
                      % (src, disagreement))
    return sizes
