# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A volume's directory read as the engine's archive endpoint would send it.

The engine walks a path depth first, each directory's names in byte order, and writes a
header per entry: the mode with its file-type bits, numeric owner and group, the time in
whole seconds, a hard link for the second name of an inode, sockets left out, and the
``security.capability`` attribute kept. ``directory_members`` yields the same members
(re-rooted under the archive's member name) from the directory itself, so that the
canonical archive and the content digest are the same on both paths.

Nothing is written: files are opened read only, without following symlinks and without
touching their access time (O_NOATIME, when the kernel allows it).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os
import stat
import tarfile

CHUNK = 1024 * 1024
CAPABILITY = 'security.capability'
KINDS = {
    stat.S_IFDIR: tarfile.DIRTYPE,
    stat.S_IFREG: tarfile.REGTYPE,
    stat.S_IFLNK: tarfile.SYMTYPE,
    stat.S_IFCHR: tarfile.CHRTYPE,
    stat.S_IFBLK: tarfile.BLKTYPE,
    stat.S_IFIFO: tarfile.FIFOTYPE,
}
READ_FLAGS = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0)
NOATIME = getattr(os, 'O_NOATIME', 0)


class ChangedWhileRead(object):
    """Files whose size changed while they were read (their member keeps the size first seen)."""

    def __init__(self):
        self.names = []


def _capability(name, dir_fd):
    """The entry's security.capability attribute (None when it has none), as the engine keeps it."""
    target = dir_fd if name is None else '/proc/self/fd/%d/%s' % (dir_fd, name)
    try:
        value = os.getxattr(target, CAPABILITY, follow_symlinks=name is None)
    except (OSError, AttributeError):
        return None
    return value.decode('utf-8', 'surrogateescape')


def member_info(name, st, linkname=''):
    info = tarfile.TarInfo(name)
    info.type = KINDS[stat.S_IFMT(st.st_mode)]
    info.mode = st.st_mode  # with the file-type bits, as the engine's headers have them
    info.uid, info.gid = st.st_uid, st.st_gid
    info.mtime = int(st.st_mtime)
    info.size = st.st_size if info.type == tarfile.REGTYPE else 0
    info.linkname = linkname
    if info.type in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    return info


def open_for_reading(name, dir_fd):
    try:
        return os.open(name, READ_FLAGS | NOATIME, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno != errno.EPERM or not NOATIME:
            raise
        return os.open(name, READ_FLAGS, dir_fd=dir_fd)


def file_content(fd, size, changed, name):
    """``size`` bytes of ``fd`` in 1 MiB blocks; zeros make up for a file that shrank meanwhile."""
    left = size
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
    except (OSError, AttributeError):
        pass
    while left > 0:
        block = os.read(fd, min(left, CHUNK))
        if not block:
            changed.names.append(name)
            while left > 0:
                step = min(left, CHUNK)
                yield bytes(step)
                left -= step
            return
        left -= len(block)
        yield block
    if os.read(fd, 1):
        changed.names.append(name)


class _Walk(object):
    """The state of one directory walk: hard links seen, files that changed while read."""

    def __init__(self, changed):
        self.links = {}
        self.changed = changed

    def entry(self, name, st, dir_fd, base):
        """(TarInfo, content) of one non-directory entry (None for a socket)."""
        kind = stat.S_IFMT(st.st_mode)
        if kind == stat.S_IFSOCK or kind not in KINDS:
            return None
        linkname = os.readlink(base, dir_fd=dir_fd) if kind == stat.S_IFLNK else ''
        if kind != stat.S_IFDIR and st.st_nlink > 1:
            first = self.links.get(st.st_ino)
            if first is not None:
                info = member_info(name, st)
                info.type, info.linkname, info.size = tarfile.LNKTYPE, first, 0
                return info, ()
            self.links[st.st_ino] = name
        info = member_info(name, st, linkname)
        capability = _capability(base, dir_fd)
        if capability is not None:
            info.pax_headers['SCHILY.xattr.' + CAPABILITY] = capability
        if kind != stat.S_IFREG:
            return info, ()
        return info, self.content(base, dir_fd, info.size, name)

    def content(self, base, dir_fd, size, name):
        fd = open_for_reading(base, dir_fd)
        try:
            yield from file_content(fd, size, self.changed, name)
        finally:
            os.close(fd)


def _listing(dir_fd):
    """A directory's names in byte order (the engine's order)."""
    with os.scandir(dir_fd) as entries:
        names = [entry.name for entry in entries]
    names.sort(key=os.fsencode)
    return names


def directory_members(root, record_root, changed=None):
    """(TarInfo, content chunks) for ``root`` and everything below it, named under ``record_root``."""
    walk = _Walk(changed or ChangedWhileRead())
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, 'O_NOFOLLOW', 0))
    try:
        st = os.fstat(root_fd)
        info = member_info(record_root, st)
        capability = _capability(None, root_fd)
        if capability is not None:
            info.pax_headers['SCHILY.xattr.' + CAPABILITY] = capability
        yield info, ()
        yield from _below(walk, root_fd, record_root)
    finally:
        os.close(root_fd)


def _below(walk, dir_fd, prefix):
    for base in _listing(dir_fd):
        name = prefix + '/' + base
        try:
            st = os.lstat(base, dir_fd=dir_fd)
        except FileNotFoundError:
            continue  # gone since the listing, as the engine skips it
        if not stat.S_ISDIR(st.st_mode):
            member = walk.entry(name, st, dir_fd, base)
            if member is not None:
                yield member
            continue
        info = member_info(name, st)
        capability = _capability(base, dir_fd)
        if capability is not None:
            info.pax_headers['SCHILY.xattr.' + CAPABILITY] = capability
        yield info, ()
        try:
            child = os.open(base, os.O_RDONLY | os.O_DIRECTORY | getattr(os, 'O_NOFOLLOW', 0), dir_fd=dir_fd)
        except FileNotFoundError:
            continue
        try:
            yield from _below(walk, child, name)
        finally:
            os.close(child)
