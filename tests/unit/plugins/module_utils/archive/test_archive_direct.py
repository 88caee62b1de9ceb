# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The direct path without an engine: a directory read as members (archive_direct_source), the
read-ahead thread (archive_prefetch) and the extraction into a directory (archive_extract).
The system tests compare both paths on the real engine; here each piece is pinned down."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os
import stat
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    PathStats,
    emit_members,
    end_of_archive,
    new_digest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.direct_source import (
    ChangedWhileRead,
    directory_members,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.extract import extract_path, is_zeros, write_sparse
from ansible_collections.persistent.volumes.plugins.module_utils.archive.prefetch import prefetched
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal

MTIME = 1500000000


def tree(root):
    """A small tree with every kind of entry the direct path meets."""
    os.makedirs(os.path.join(root, 'sub', 'deeper'))
    os.mkdir(os.path.join(root, 'empty'))
    for name, content in (('b.txt', b'bee\n'), ('a.txt', b'a\n'), ('sub/deeper/f', b'deep\n'), (u'caf\u00e9', b'u')):
        with open(os.path.join(root, name), 'wb') as handle:
            handle.write(content)
    os.link(os.path.join(root, 'a.txt'), os.path.join(root, 'sub', 'hard'))
    os.symlink('../a.txt', os.path.join(root, 'sub', 'rel'))
    with open(os.path.join(root, 'sparse'), 'wb') as handle:
        handle.truncate(1 << 20)
        handle.seek(300000)
        handle.write(b'x')
    os.chmod(os.path.join(root, 'b.txt'), 0o4750)
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(directory, name), (MTIME, MTIME), follow_symlinks=False)
    os.utime(root, (MTIME, MTIME))


def listing(root, record='data'):
    return [(info.name, info.type, info.linkname, info.size, b''.join(content))
            for info, content in directory_members(root, record)]


def test_members_come_depth_first_in_byte_order_with_hard_links(tmp_path):
    tree(str(tmp_path))
    names = [(name, kind, link) for name, kind, link, dummy, dummy in listing(str(tmp_path))]
    assert names == [
        ('data', tarfile.DIRTYPE, ''), ('data/a.txt', tarfile.REGTYPE, ''), ('data/b.txt', tarfile.REGTYPE, ''),
        (u'data/caf\u00e9', tarfile.REGTYPE, ''), ('data/empty', tarfile.DIRTYPE, ''),
        ('data/sparse', tarfile.REGTYPE, ''), ('data/sub', tarfile.DIRTYPE, ''),
        ('data/sub/deeper', tarfile.DIRTYPE, ''), ('data/sub/deeper/f', tarfile.REGTYPE, ''),
        ('data/sub/hard', tarfile.LNKTYPE, 'data/a.txt'), ('data/sub/rel', tarfile.SYMTYPE, '../a.txt')]
    by_name = dict((row[0], row) for row in listing(str(tmp_path)))
    assert by_name['data/a.txt'][4] == b'a\n' and by_name['data/sub/hard'][3] == 0
    assert by_name['data/sparse'][4] == b'\0' * 300000 + b'x' + b'\0' * ((1 << 20) - 300001)


def test_members_keep_the_mode_with_its_type_bits_owner_and_whole_seconds(tmp_path):
    tree(str(tmp_path))
    os.utime(str(tmp_path / 'a.txt'), (MTIME, MTIME + 0.9))
    infos = dict((info.name, info) for info, dummy in directory_members(str(tmp_path), 'x'))
    assert infos['x/b.txt'].mode == stat.S_IFREG | 0o4750 and infos['x/a.txt'].mtime == MTIME
    assert infos['x'].mode & stat.S_IFDIR and infos['x/sub/rel'].mode == stat.S_IFLNK | 0o777
    assert (infos['x/a.txt'].uid, infos['x/a.txt'].gid) == (os.getuid(), os.getgid())


def test_sockets_are_left_out_as_the_engine_does(tmp_path):
    import socket
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / 'sock'))
        assert [row[0] for row in listing(str(tmp_path))] == ['data']
    finally:
        server.close()


def test_a_file_that_shrinks_while_read_keeps_its_size_and_is_reported(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(b'x' * 3000000)
    changed = ChangedWhileRead()
    members = directory_members(str(tmp_path), 'd', changed)
    next(members)
    info, content = next(members)
    content = iter(content)
    first = next(content)
    path.write_bytes(b'short')
    rest = b''.join(content)
    assert len(first) + len(rest) == info.size == 3000000 and changed.names == ['d/f']


# --- prefetched ------------------------------------------------------------------------------
def test_prefetched_gives_the_same_members_and_content(tmp_path):
    tree(str(tmp_path))
    direct = [(i.name, b''.join(c)) for i, c in directory_members(str(tmp_path), 'd')]
    ahead = [(i.name, b''.join(c)) for i, c in prefetched(directory_members(str(tmp_path), 'd'), depth=2)]
    assert ahead == direct


def test_prefetched_skips_what_is_not_read_and_raises_errors_where_they_belong():
    def members():
        for index in range(3):
            yield tarfile.TarInfo('m%d' % index), iter([b'a', b'b'])
        raise OSError('disk gone')
    seen = []
    with pytest.raises(OSError, match='disk gone'):
        for info, content in prefetched(members(), depth=1):
            seen.append(info.name)
    assert seen == ['m0', 'm1', 'm2']


def test_prefetched_stops_its_thread_when_the_reader_stops():
    def endless():
        while True:
            yield tarfile.TarInfo('m'), iter([b'x' * 100])
    for dummy in zip(range(5), prefetched(endless(), depth=1)):
        pass


# --- extraction ----------------------------------------------------------------------------
def archive_of(root, record='data'):
    """The canonical archive of ``root`` as the backup writes it."""
    out = io.BytesIO()
    stats = PathStats('/' + record, 'v', record, new_digest(2))
    out.write(end_of_archive(emit_members(directory_members(root, record), stats, out)))
    return out.getvalue()


def snapshot(root):
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in ['.'] if directory == root else []:
            st = os.lstat(directory)
            found[name] = (stat.S_IMODE(st.st_mode), int(st.st_mtime))
        for name in dirs + files:
            full = os.path.join(directory, name)
            st = os.lstat(full)
            content = os.readlink(full) if stat.S_ISLNK(st.st_mode) else \
                open(full, 'rb').read() if stat.S_ISREG(st.st_mode) else None
            found[os.path.relpath(full, root)] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode),
                                                  int(st.st_mtime), st.st_nlink, content)
    return found


def test_extraction_gives_back_the_tree(tmp_path):
    source, target = tmp_path / 'source', tmp_path / 'target'
    source.mkdir()
    target.mkdir()
    tree(str(source))
    os.chmod(str(source), 0o751)
    os.utime(str(source), (MTIME, MTIME))
    src = tmp_path / 'a.tar'
    src.write_bytes(archive_of(str(source)))
    assert extract_path(str(src), 'data', ['data'], str(target)) == 11
    assert snapshot(str(target)) == snapshot(str(source))
    assert os.stat(str(target / 'sub' / 'hard')).st_ino == os.stat(str(target / 'a.txt')).st_ino
    assert os.stat(str(target / 'sparse')).st_blocks * 512 < 1 << 20  # still sparse


def test_extraction_of_one_path_of_several(tmp_path):
    one, two, target = tmp_path / 'one', tmp_path / 'two', tmp_path / 'target'
    for directory in (one, two, target):
        directory.mkdir()
    (one / 'f').write_bytes(b'one')
    (two / 'g').write_bytes(b'two')
    src = tmp_path / 'a.tar'
    src.write_bytes(archive_of(str(one), 'srv/one')[:-10240] + archive_of(str(two), 'two'))
    extract_path(str(src), 'two', ['srv/one', 'two'], str(target))
    assert os.listdir(str(target)) == ['g']


def test_extraction_never_follows_a_symlink_on_the_disk(tmp_path):
    outside, target = tmp_path / 'outside', tmp_path / 'target'
    outside.mkdir()
    target.mkdir()
    os.symlink(str(outside), str(target / 'sub'))  # not from the archive: planted on the disk
    member = tarfile.TarInfo('data/sub/evil')
    member.size = 1
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w') as archive:
        archive.addfile(tarfile.TarInfo('data'), None)
        archive.addfile(member, io.BytesIO(b'x'))
    src = tmp_path / 'a.tar'
    src.write_bytes(out.getvalue())
    with pytest.raises(OSError):
        extract_path(str(src), 'data', ['data'], str(target))
    assert os.listdir(str(outside)) == []


def test_extraction_refuses_a_member_the_checks_refuse(tmp_path):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w') as archive:
        link = tarfile.TarInfo('data/l')
        link.type, link.linkname = tarfile.SYMTYPE, '/etc'
        archive.addfile(link)
    src = tmp_path / 'a.tar'
    src.write_bytes(out.getvalue())
    (tmp_path / 'target').mkdir()
    with pytest.raises(Refusal, match="member 'data/l' is a symlink to /etc, outside /data. It changed since"):
        extract_path(str(src), 'data', ['data'], str(tmp_path / 'target'))
    assert os.listdir(str(tmp_path / 'target')) == []


@pytest.mark.parametrize('chunks, holes', [
    ([b'\0' * 65536 * 3], 3),
    ([b'a' + b'\0' * 65535, b'\0' * 65536], 1),
    ([b'\0' * 1000, b'tail'], 0),
    ([b'x' * 200000], 0),
    ([b'x' * 65536 + b'\0' * 65536 * 4 + b'y' * 70000, memoryview(b'\0' * 65536 + b'z' * 3)], 5),
    ([b'\0' * 65535 + b'w', b'\0' * 10], 0),
])
def test_write_sparse(tmp_path, chunks, holes, monkeypatch):
    data = b''.join(bytes(chunk) for chunk in chunks)
    writes = []
    real_write = os.write
    monkeypatch.setattr(os, 'write', lambda fd, block: writes.append(len(block)) or real_write(fd, block))
    fd = os.open(str(tmp_path / 'f'), os.O_WRONLY | os.O_CREAT)
    try:
        write_sparse(fd, chunks, len(data))
    finally:
        os.close(fd)
    assert (tmp_path / 'f').read_bytes() == data
    assert sum(writes) == len(data) - holes * 65536
    assert len(writes) <= len(chunks) + holes  # one write between two holes, not one per 64 KiB
    if holes == 3:
        assert os.stat(str(tmp_path / 'f')).st_blocks == 0


def test_is_zeros():
    assert is_zeros(memoryview(bytes(65536)))
    assert not is_zeros(memoryview(bytes(65535)))
    for where in (0, 30000, 65535):
        block = bytearray(65536)
        block[where] = 1
        assert not is_zeros(memoryview(bytes(block)))


# --- an entry swapped between the listing's lstat and the open ---------------------------------
def _fifo(path):
    os.mkfifo(path)


def _socket(path):
    import socket
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.close()


def _device(path):
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null's numbers


def _symlink(path):
    os.symlink('/etc/shadow', path)


def _directory(path):
    os.mkdir(path)


def _other_file(path):
    with open(path, 'w') as handle:
        handle.write('another inode')


SWAPS = [  # what replaces the regular file, what the walk then says it is (None: left out)
    (_fifo, stat.S_IFIFO, False),
    (_socket, stat.S_IFSOCK, False),
    (_device, stat.S_IFCHR, False),
    (_symlink, None, False),
    (_directory, stat.S_IFDIR, True),
    (_other_file, stat.S_IFREG, True),
    (None, None, False),  # removed
]


@pytest.mark.parametrize('swap, kind, opened', SWAPS)
def test_an_entry_is_described_by_the_handle_opened_not_by_the_listing(tmp_path, swap, kind, opened):
    from ansible_collections.persistent.volumes.plugins.module_utils.archive.direct_source import _opened
    if swap is _device and os.geteuid() != 0:
        pytest.skip('mknod needs root')
    path = tmp_path / 'f'
    path.write_bytes(b'x' * 10)
    listed = os.lstat(str(path))
    os.unlink(str(path))
    if swap is not None:
        swap(str(path))
    dir_fd = os.open(str(tmp_path), os.O_RDONLY | os.O_DIRECTORY)
    try:
        now, fd = _opened('f', dir_fd, listed)
    finally:
        os.close(dir_fd)
    if fd is not None:
        os.close(fd)
    assert (fd is not None) == opened
    if kind is None:
        assert now is None or stat.S_ISLNK(now.st_mode)
    else:
        assert stat.S_IFMT(now.st_mode) == kind


@pytest.mark.parametrize('swap, kind, opened', SWAPS[:3])
def test_a_special_file_swapped_in_is_archived_as_what_it_is_and_never_read(tmp_path, swap, kind, opened):
    """The walk itself: a fifo never blocks it, a device is never read, a socket is left out."""
    if swap is _device and os.geteuid() != 0:
        pytest.skip('mknod needs root')
    (tmp_path / 'a').write_bytes(b'a')
    (tmp_path / 'f').write_bytes(b'x' * 10)
    changed = ChangedWhileRead()
    members = directory_members(str(tmp_path), 'd', changed)
    found = [(next(members)[0].name, next(members)[0].name)]
    os.unlink(str(tmp_path / 'f'))
    swap(str(tmp_path / 'f'))
    rest = [(info.name, info.type, b''.join(content)) for info, content in members]
    expected = {stat.S_IFIFO: [('d/f', tarfile.FIFOTYPE, b'')], stat.S_IFCHR: [('d/f', tarfile.CHRTYPE, b'')],
                stat.S_IFSOCK: []}[kind]
    assert found == [('d', 'd/a')] and rest == expected


def test_a_tree_deeper_than_the_recursion_limit_is_walked():
    import subprocess
    import sys
    import tempfile
    depth = sys.getrecursionlimit() + 200
    root = tempfile.mkdtemp(prefix='pv-unit-deep-')  # not in pytest's tmp_path: its clean-up recurses
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        for dummy in range(depth):
            os.mkdir('d', dir_fd=fd)
            child = os.open('d', os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        os.close(fd)
        names = [info.name for info, dummy in directory_members(root, 'x')]
    finally:
        subprocess.call(['rm', '-rf', '--', root])
    assert len(names) == depth + 1 and names[-1] == 'x' + '/d' * depth


# --- the extraction's directory handles --------------------------------------------------------
@pytest.mark.parametrize('limit', [2, 4, 64])
def test_hard_links_across_more_directories_than_the_cache_holds_restore(tmp_path, limit):
    from ansible_collections.persistent.volumes.plugins.module_utils.archive import extract
    source = tmp_path / 'src'
    source.mkdir()
    for i in range(40):
        os.makedirs(str(source / 'a' / str(i)))
        os.makedirs(str(source / 'p' / ('pkg%d' % i) / 'lib'))
        (source / 'a' / str(i) / 'f').write_text(str(i))
        os.link(str(source / 'a' / str(i) / 'f'), str(source / 'p' / ('pkg%d' % i) / 'lib' / 'f'))
    archive = str(tmp_path / 'a.tar')
    stats = PathStats('/d', 'v', 'd', new_digest(2))
    with open(archive, 'wb') as out:
        out.write(end_of_archive(emit_members(directory_members(str(source), 'd'), stats, out)))
    target = tmp_path / 'dst'
    target.mkdir()
    original = extract.Directories.__init__.__defaults__
    extract.Directories.__init__.__defaults__ = (limit,)
    try:
        extract_path(archive, 'd', ['d'], str(target))
    finally:
        extract.Directories.__init__.__defaults__ = original
    for i in range(40):
        one, two = target / 'a' / str(i) / 'f', target / 'p' / ('pkg%d' % i) / 'lib' / 'f'
        assert one.read_text() == str(i) and os.stat(str(one)).st_ino == os.stat(str(two)).st_ino


def test_sync_filesystem(tmp_path, monkeypatch):
    import ctypes
    from ansible_collections.persistent.volumes.plugins.module_utils.archive.extract import sync_filesystem
    fd = os.open(str(tmp_path), os.O_RDONLY)
    try:
        sync_filesystem(fd)  # the real syncfs

        class Refused(object):
            def __init__(self, name, use_errno=False):
                pass

            def syncfs(self, fd):
                ctypes.set_errno(5)
                return -1
        monkeypatch.setattr(ctypes, 'CDLL', Refused)
        with pytest.raises(OSError, match='syncfs'):
            sync_filesystem(fd)  # a write the disk refused fails the restore
        synced = []

        def no_library(name, use_errno=False):
            raise OSError('no C library')
        monkeypatch.setattr(ctypes, 'CDLL', no_library)
        monkeypatch.setattr(os, 'sync', lambda: synced.append(True))
        sync_filesystem(fd)
        assert synced == [True]
    finally:
        os.close(fd)
