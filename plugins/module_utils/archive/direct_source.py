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

Nothing is written, and nothing blocks. The containers using a volume may change it while
it is read: each regular file and directory is opened (read only, ``O_NOFOLLOW |
O_NONBLOCK | O_NOCTTY``, without touching its access time where the kernel allows it) and
described by ``fstat`` of that very handle, never by the ``lstat`` of the listing; an entry
swapped for a FIFO, a device, a socket or a symlink meanwhile is archived as what it is,
its content never read (it is reported as changed while read). The walk keeps its own
stack, so a tree deeper than Python's recursion limit reads like any other.
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
READ_FLAGS = (os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOCTTY', 0)
              | getattr(os, 'O_CLOEXEC', 0))
NOATIME = getattr(os, 'O_NOATIME', 0)
GONE = (errno.ENOENT, errno.ENOTDIR)  # removed, or a directory on the way replaced, since the listing
NOT_OPENED = (errno.ELOOP, errno.ENXIO, errno.EMLINK)  # a symlink or a socket swapped in


class ChangedWhileRead(object):
    """Files that changed while they were read: their size (the member keeps the size first seen),
    or what they are (the member is what the open handle found)."""

    def __init__(self):
        self.names = []


def _capability(name, dir_fd):
    """The entry's security.capability attribute (None when it has none), as the engine keeps it;
    ``name`` None: of the open ``dir_fd`` itself."""
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


def _opened(base, dir_fd, st):
    """(what is at ``base`` now, an open handle on it when it is a regular file or a directory).

    ``st`` is the listing's lstat. Only regular files and directories are opened; whatever the
    open finds is described by fstat of the handle. (None, None): it is gone.
    """
    for dummy in range(3):
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            return st, None
        try:
            fd = open_for_reading(base, dir_fd)
        except OSError as exc:
            if exc.errno in GONE:
                return None, None
            if exc.errno not in NOT_OPENED:
                raise
        else:
            now = os.fstat(fd)
            if stat.S_ISREG(now.st_mode) or stat.S_ISDIR(now.st_mode):
                return now, fd
            os.close(fd)  # a fifo or a device swapped in: nothing is read from it
            return now, None
        try:
            st = os.lstat(base, dir_fd=dir_fd)
        except FileNotFoundError:
            return None, None
    return None, None  # it keeps changing: left out, as an entry gone since the listing


def _swapped(before, now):
    return (before.st_dev, before.st_ino, stat.S_IFMT(before.st_mode)) != \
        (now.st_dev, now.st_ino, stat.S_IFMT(now.st_mode))


class FileContent(object):
    """The ``size`` bytes of an open file, read in 1 MiB blocks; the handle is closed at the end
    (or when the content is dropped unread); zeros make up for a file that shrank meanwhile."""

    def __init__(self, fd, size, changed, name):
        self.fd, self.size, self.changed, self.name = fd, size, changed, name

    def __iter__(self):
        try:
            yield from file_content(self.fd, self.size, self.changed, self.name)
        finally:
            self.close()

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __del__(self):
        self.close()


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


def _with_capability(info, name, dir_fd):
    capability = _capability(name, dir_fd)
    if capability is not None:
        info.pax_headers['SCHILY.xattr.' + CAPABILITY] = capability
    return info


class _Walk(object):
    """One directory walk: hard links seen, files that changed while read, the open directories."""

    def __init__(self, changed):
        self.links = {}
        self.changed = changed
        self.stack = []  # (directory fd, its member name, the names still to read)

    def entry(self, name, base, dir_fd):
        """(TarInfo, content) of one entry (None when it is left out); a directory is entered."""
        try:
            st = os.lstat(base, dir_fd=dir_fd)
        except FileNotFoundError:
            return None  # gone since the listing, as the engine skips it
        first = self.links.get(st.st_ino) if stat.S_ISREG(st.st_mode) and st.st_nlink > 1 else None
        if first is not None:
            info = member_info(name, st)
            info.type, info.linkname, info.size = tarfile.LNKTYPE, first, 0
            return info, ()
        now, fd = _opened(base, dir_fd, st)
        if now is None:
            return None
        if _swapped(st, now):
            self.changed.names.append(name)
        try:
            return self._described(name, base, dir_fd, now, fd)
        except BaseException:
            if fd is not None:
                os.close(fd)
            raise

    def _described(self, name, base, dir_fd, st, fd):
        kind = stat.S_IFMT(st.st_mode)
        if kind == stat.S_IFSOCK or kind not in KINDS:
            return None
        if kind == stat.S_IFDIR:
            info = _with_capability(member_info(name, st), None, fd)
            self.stack.append((fd, name, iter(_listing(fd))))
            return info, ()
        if kind == stat.S_IFLNK:
            try:
                return member_info(name, st, os.readlink(base, dir_fd=dir_fd)), ()
            except OSError:
                return None  # no longer a symlink: gone, as far as this walk can tell
        if kind != stat.S_IFREG:
            return _with_capability(member_info(name, st), base, dir_fd), ()
        if st.st_nlink > 1:
            self.links[st.st_ino] = name
        info = _with_capability(member_info(name, st), None, fd)
        return info, FileContent(fd, info.size, self.changed, name)

    def close(self):
        while self.stack:
            os.close(self.stack.pop()[0])


def _listing(dir_fd):
    """A directory's names in byte order (the engine's order)."""
    with os.scandir(dir_fd) as entries:
        names = [entry.name for entry in entries]
    names.sort(key=os.fsencode)
    return names


def allow_open_files():
    """Raise this process's soft limit of open files to its hard limit: the walk holds one handle per
    level of the tree, and trees deeper than the usual soft limit (1024) exist."""
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def directory_members(root, record_root, changed=None):
    """(TarInfo, content chunks) for ``root`` and everything below it, named under ``record_root``."""
    allow_open_files()
    walk = _Walk(changed or ChangedWhileRead())
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0))
    try:
        yield _with_capability(member_info(record_root, os.fstat(root_fd)), None, root_fd), ()
        walk.stack.append((os.dup(root_fd), record_root, iter(_listing(root_fd))))
        while walk.stack:
            dir_fd, prefix, names = walk.stack[-1]
            base = next(names, None)
            if base is None:
                os.close(walk.stack.pop()[0])
                continue
            member = walk.entry(prefix + '/' + base, base, dir_fd)
            if member is not None:
                yield member
    finally:
        walk.close()
        os.close(root_fd)
