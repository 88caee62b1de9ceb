# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writing an archive's path into a fresh volume's directory (the direct path of a restore).

The archive was checked whole before this runs (check_archive), or is checked while it is
written (an ArchiveCheck: a fresh volume nothing sees yet, thrown away on a mismatch); every
member is checked again here as it comes, so that an archive changed in between still cannot write outside
the directory. Nothing is ever reached through a symlink on the disk: each directory is
opened from the volume's root one component at a time with O_NOFOLLOW, after following
the archive's own symlinks in the archive (they have been checked to stay inside).
Owners, modes, times, symlinks, hard links, empty directories, the capability attribute
and holes (runs of zeros are skipped, not written) come back as they were; directory
times and modes are set last, deepest first, as tar does.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import errno
import os
import posixpath
import stat
import tarfile

from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import (
    ArchiveUnreadable,
    chain_problem,
    member_problem,
    resolve,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.reader import (
    ForwardReader,
    decompressed,
    file_chunks,
    open_archive,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import tar_members
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal

HOLE = 64 * 1024
ZERO_BLOCK = bytes(HOLE)
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0)
FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0)


def is_zeros(block):
    """True when ``block`` (a memoryview) is HOLE zero bytes. Compared as bytes: a memoryview compares
    one element at a time (about 1 s a GiB of zeros), bytes with memcmp."""
    return len(block) == HOLE and not block[0] and not block[-1] and block.tobytes() == ZERO_BLOCK


def _write_at(fd, data, offset, cursor):
    """``data`` written at ``offset`` (the file's offset is ``cursor``); the file's offset after it."""
    if not len(data):
        return cursor
    if cursor != offset:
        os.lseek(fd, offset, os.SEEK_SET)
    written = 0
    while written < len(data):
        written += os.write(fd, data[written:])
    return offset + len(data)


def write_sparse(fd, chunks, size):
    """Write ``chunks`` to ``fd``, seeking over 64 KiB blocks of zeros; the file ends at ``size``.

    What lies between two holes goes in one write (a chunk is up to a MiB), not 64 KiB at a time.
    """
    base = cursor = 0  # the file offset of the chunk's first byte, the file's offset
    for chunk in chunks:
        view = memoryview(chunk).cast('B')
        run = start = 0  # the data not written yet: view[run:start]
        while start < len(view):
            if is_zeros(view[start:start + HOLE]):
                cursor = _write_at(fd, view[run:start], base + run, cursor)
                run = start + HOLE
            start += HOLE
        cursor = _write_at(fd, view[run:], base + run, cursor)
        base += len(view)
    os.ftruncate(fd, size)


class Directories(object):
    """Directory file descriptors below the root, opened without following any symlink.

    A descriptor handed out by ``fd`` stays open until the next ``trim`` (the start of the next
    member): a member may hold two (a hard link's directory and its target's). Between members
    the least recently used beyond ``limit`` are closed; a path deeper than ``limit`` is walked
    with its intermediate directories opened one at a time, so that no tree, however deep,
    holds more than about ``limit`` descriptors.
    """

    def __init__(self, root_fd, limit=64):
        self.root = root_fd
        self.open = collections.OrderedDict()
        self.limit = limit
        self.pinned = set()

    def fd(self, parts):
        """The directory ``parts`` (a tuple of components below the root), open until the next trim."""
        if not parts:
            return self.root
        self.pinned.add(parts)
        found = self.open.get(parts)
        if found is not None:
            self.open.move_to_end(parts)
            return found
        depth = len(parts) - 1
        while depth and parts[:depth] not in self.open:
            depth -= 1
        current = self.open[parts[:depth]] if depth else self.root
        transient = None
        for end in range(depth + 1, len(parts) + 1):
            child = os.open(parts[end - 1], DIR_FLAGS, dir_fd=current)
            if transient is not None:
                os.close(transient)
            transient = None
            if len(parts) - end < self.limit:  # the deepest part of a long path is what comes next
                self.open[parts[:end]] = child
            else:
                transient = child
            current = child
        return current

    def trim(self):
        """Close the least recently used descriptors beyond the limit; none is held any more."""
        self.pinned = set()
        while len(self.open) > self.limit:
            dummy, fd = self.open.popitem(last=False)
            os.close(fd)

    def forget(self, parts):
        """Close the descriptors of ``parts`` and below (that directory was removed)."""
        for key in [key for key in self.open if key[:len(parts)] == parts and key not in self.pinned]:
            os.close(self.open.pop(key))

    def close(self):
        for fd in self.open.values():
            os.close(fd)
        self.open = collections.OrderedDict()


def _set_attributes(name, info, dir_fd, fd=None):
    """Owner, group, mode, capability and time of an entry (``fd`` when it is open)."""
    follow = info.type != tarfile.SYMTYPE
    if fd is not None:
        os.fchown(fd, info.uid, info.gid)
    else:
        os.chown(name, info.uid, info.gid, dir_fd=dir_fd, follow_symlinks=False)
    if follow:
        if fd is not None:
            os.fchmod(fd, info.mode & 0o7777)
        else:
            os.chmod(name, info.mode & 0o7777, dir_fd=dir_fd)
    for key, value in info.pax_headers.items():
        if key.startswith('SCHILY.xattr.') and follow:
            try:
                target = fd if fd is not None else '/proc/self/fd/%d/%s' % (dir_fd, name)
                os.setxattr(target, key[len('SCHILY.xattr.'):], value.encode('utf-8', 'surrogateescape'))
            except OSError as exc:
                if exc.errno not in (errno.ENOTSUP, errno.EPERM):
                    raise
    stamp = int(info.mtime * 1e9)
    if fd is not None:
        os.utime(fd, ns=(stamp, stamp))
    else:
        os.utime(name, ns=(stamp, stamp), dir_fd=dir_fd, follow_symlinks=False)


def _clear(name, dir_fd):
    """Make room for a member whose name is taken (a later member of a name wins, as in tar);
    True when that was a directory."""
    try:
        os.unlink(name, dir_fd=dir_fd)
    except IsADirectoryError:
        os.rmdir(name, dir_fd=dir_fd)
        return True
    except FileNotFoundError:
        pass
    return False


class Extraction(object):
    """One path of an archive written below ``root`` (a directory that exists)."""

    def __init__(self, root, member, roots):
        self.member = member
        self.roots = roots
        self.links = {}
        self.seen = set()
        self.dirs = []
        self.root_info = None
        self.root_fd = os.open(root, DIR_FLAGS)
        self.directories = Directories(self.root_fd)

    def place(self, info):
        """(parent directory fd, name, physical parts) of a member, after the archive's own links."""
        clean = posixpath.normpath(info.name).split('/')
        parent = resolve(clean[:-1], self.links)
        inside = parent[len(self.member.split('/')):]
        return self.directories.fd(tuple(inside)), clean[-1], tuple(inside) + (clean[-1],)

    def check(self, src, info):
        problem = member_problem(info, self.roots) or chain_problem(info, self.roots, self.links)
        if not problem and info.islnk() and posixpath.normpath(info.linkname) not in self.seen:
            problem = 'is a hard link to %s, which is not an earlier member' % info.linkname
        self.seen.add(posixpath.normpath(info.name))
        if not info.issym():
            self.links.pop(posixpath.normpath(info.name), None)  # a later member of that name replaces the link
        if problem:
            raise Refusal('Refusing to restore %s: member %r %s. It changed since it was checked; the new volume '
                          'is removed.' % (src, info.name, problem))

    def add(self, info, content):
        if posixpath.normpath(info.name) == self.member:
            self.root_info = info
            return
        self.directories.trim()
        dir_fd, name, parts = self.place(info)
        if info.isdir():
            try:
                os.mkdir(name, 0o700, dir_fd=dir_fd)
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(name, dir_fd=dir_fd).st_mode):
                    _clear(name, dir_fd)
                    os.mkdir(name, 0o700, dir_fd=dir_fd)
            self.dirs.append((parts, info))
            return
        if info.issym():
            self._retry(lambda: os.symlink(info.linkname, name, dir_fd=dir_fd), parts, dir_fd)
            _set_attributes(name, info, dir_fd)
            return
        if info.islnk():
            target = posixpath.normpath(info.linkname).split('/')
            source_fd, source_name, dummy = self.place(tarfile.TarInfo('/'.join(target)))
            self._retry(lambda: os.link(source_name, name, src_dir_fd=source_fd, dst_dir_fd=dir_fd,
                                        follow_symlinks=False), parts, dir_fd)
            return
        fd = self._retry(lambda: os.open(name, FILE_FLAGS, 0o600, dir_fd=dir_fd), parts, dir_fd)
        try:
            write_sparse(fd, content, info.size)
            _set_attributes(name, info, dir_fd, fd)
        finally:
            os.close(fd)

    def _retry(self, action, parts, dir_fd):
        try:
            return action()
        except FileExistsError:
            if _clear(parts[-1], dir_fd):
                self.directories.forget(parts)
            return action()

    def finish(self):
        """Directories' attributes, deepest first, then the root's."""
        for parts, info in reversed(self.dirs):
            self.directories.trim()
            fd = os.open(parts[-1], DIR_FLAGS, dir_fd=self.directories.fd(parts[:-1]))
            try:
                _set_attributes(parts[-1], info, None, fd)
            finally:
                os.close(fd)
        if self.root_info is not None:
            _set_attributes('.', self.root_info, None, self.root_fd)

    def close(self):
        self.directories.close()
        os.close(self.root_fd)


def sync_filesystem(fd):
    """Everything written to the file system ``fd`` lies on, on its disk: one syncfs for the whole
    restore instead of an fsync a file (os.sync where the C library has no syncfs). A write the disk
    refused is an OSError here, not a restore reported done."""
    try:
        import ctypes  # pylint: disable=import-outside-toplevel
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (ImportError, OSError, AttributeError):
        os.sync()
        return
    if syncfs(fd) != 0:
        code = ctypes.get_errno()
        raise OSError(code, 'syncfs: %s' % os.strerror(code))


def _members(handle, check):
    """The archive's members: as ``check`` (an ArchiveCheck) passes them, or all of them (checked before)."""
    if check is not None:
        return check.members(handle)
    return tar_members(ForwardReader(decompressed(file_chunks(handle))))


def extract_path(src, member, roots, target, check=None):
    """Write the members of ``src`` below ``member`` (one of ``roots``) into the directory ``target``.

    ``check``: an ArchiveCheck of ``src`` made while it is written (one read of the archive); its
    verdict is raised here, after the last member (the caller throws the fresh directory away). Without
    it, the archive was checked before. What was written is on the disk when it returns (syncfs).
    Returns the number of members written.
    """
    extraction = Extraction(target, member, roots)
    count = 0
    try:
        with open_archive(src) as handle:
            try:
                for info, content in _members(handle, check):
                    extraction.check(src, info)
                    name = posixpath.normpath(info.name)
                    if name != member and not name.startswith(member + '/'):
                        continue
                    extraction.add(info, content)
                    count += 1
            except ArchiveUnreadable:
                pass  # the verdict says why
            if check is not None:
                check.verdict()
        extraction.finish()
        sync_filesystem(extraction.root_fd)  # durable before anything makes it visible (a swap, the result)
    finally:
        extraction.close()
        if check is not None:
            check.close()
    return count
