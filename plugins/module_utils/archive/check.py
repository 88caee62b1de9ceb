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


def _scan(infos, src, roots, sizes):
    """The first problem of the archive's members (None when all may be restored)."""
    links = {}
    seen = set()
    for info in infos:
        problem = member_problem(info, roots) or chain_problem(info, roots, links)
        if not problem and info.islnk() and posixpath.normpath(info.linkname) not in seen:
            problem = 'is a hard link to %s, which is not an earlier member' % info.linkname
        seen.add(posixpath.normpath(info.name))
        if problem:
            return 'Refusing to restore %s: member %r %s. Nothing was restored.' % (src, info.name, problem)
        if info.isreg():
            root = next(r for r in roots if _inside(posixpath.normpath(info.name), r))
            sizes[root] += info.size
    return None


READ_ERRORS = (tarfile.TarError, EOFError, TypeError, ValueError, zlib.error, lzma.LZMAError, IOError)


def _headers(handle, digest=None):
    """The members' headers of the archive file ``handle``, read once (content is skipped, not kept)."""
    reader = ForwardReader(decompressed(file_chunks(handle, digest)))
    for info, dummy in tar_members(reader):
        yield info


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
    with open(src, 'rb') as handle:
        problem = unreadable = None
        try:
            problem = _scan(_headers(handle, digest), src, roots, sizes)
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
    return sizes
