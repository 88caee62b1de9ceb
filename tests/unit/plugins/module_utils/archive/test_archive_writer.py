# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The backup's write side without an engine: ArchiveWriter (the temporary file, its compression,
sha256 and size, a failing disk) and write_archive's one pass (the facts a manifest records), against a
source of made-up members."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import gzip
import hashlib
import io
import lzma
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
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import read_digests, write_archive
from ansible_collections.persistent.volumes.plugins.module_utils.archive.writer import BATCH, ArchiveWriter

DECOMPRESS = {'none': lambda data: data, 'gzip': gzip.decompress, 'xz': lzma.decompress}


def entry(name, data=None, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, 0o644, 1700000000
    if data is not None:
        info.size = len(data)
    return info, [data[i:i + 65536] for i in range(0, len(data), 65536)] if data else []


def tree(member, seed):
    """A directory, a file larger than a writer's batch, an empty file and a small one."""
    big = hashlib.sha256(seed).digest() * (BATCH // 32 + 4096)
    return [entry(member, kind=tarfile.DIRTYPE), entry(member + '/big', big), entry(member + '/empty', b''),
            entry(member + '/small', seed)]


def sha256_of(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def leftovers(directory):
    return sorted(name for name in os.listdir(str(directory)) if name != 'keep')


@pytest.mark.parametrize('compression', ['none', 'gzip', 'xz'])
def test_the_file_is_what_the_writer_says(tmp_path, compression):
    dest = str(tmp_path / 'app.tar')
    writer = ArchiveWriter(dest, compression)
    stats = PathStats('/data', 'v', 'data', new_digest(2))
    written = emit_members(tree('data', b'one'), stats, writer)
    path = writer.finish()
    assert os.path.dirname(path) == str(tmp_path) and os.path.basename(path).startswith('.app.tar.')
    assert path.endswith('.partial') and not os.path.exists(dest)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert (writer.size, writer.sha256.hexdigest()) == (os.path.getsize(path), sha256_of(path))
    with open(path, 'rb') as handle:
        tar = DECOMPRESS[compression](handle.read())
    assert writer.offset == len(tar) == written + len(end_of_archive(written))
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        assert archive.getnames() == ['data', 'data/big', 'data/empty', 'data/small']
        assert archive.extractfile('data/small').read() == b'one'


def test_at_a_barrier_the_hash_is_that_of_the_bytes_so_far(tmp_path):
    """What lets an uncompressed archive's first path share the archive's hash (one pass, not two)."""
    writer = ArchiveWriter(str(tmp_path / 'a.tar'), 'none')
    first = os.urandom(3 * BATCH + 17)
    writer.write(first)
    writer.barrier()
    assert writer.sha256.hexdigest() == hashlib.sha256(first).hexdigest()
    writer.write(b'x' * 1000)
    path = writer.finish()
    assert writer.sha256.hexdigest() == sha256_of(path)


class FullDisk(object):
    """A sink whose disk fills up after ``room`` bytes."""

    def __init__(self, path, room):
        self._file = io.open(path, 'wb')
        self._room = room

    def write(self, data):
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, 'No space left on device')
        self._room -= len(data)
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


@pytest.mark.parametrize('fails_at', ['write', 'finish'])
def test_a_full_disk_is_raised_and_the_partial_file_goes(tmp_path, fails_at):
    (tmp_path / 'keep').write_bytes(b'the previous archive')
    writer = ArchiveWriter(str(tmp_path / 'app.tar'), 'none', sink=lambda path: FullDisk(path, 2 * BATCH))
    with pytest.raises(OSError) as raised:
        for dummy in range(8):
            writer.write(os.urandom(BATCH))
        if fails_at == 'finish':
            writer.finish()
        else:
            writer.barrier()
    assert raised.value.errno == errno.ENOSPC
    writer.discard()
    assert leftovers(tmp_path) == [] and (tmp_path / 'keep').read_bytes() == b'the previous archive'


def test_discard_leaves_nothing(tmp_path):
    writer = ArchiveWriter(str(tmp_path / 'app.tar.gz'), 'gzip')
    writer.write(os.urandom(BATCH + 1))
    writer.discard()
    assert leftovers(tmp_path) == []


class Item(object):
    def __init__(self, path, member):
        self.path, self.volume, self.member = path, 'v-' + member, member


class MadeUpSource(object):
    """What write_archive reads: ``items``, and each item's members."""

    def __init__(self, broken_after=None):
        self.items = [Item('/data', 'data'), Item('/var/lib/db', 'var/lib/db')]
        self._broken_after = broken_after

    def members(self, api, item, access, changed):
        for number, member in enumerate(tree(item.member, item.member.encode())):
            if number == self._broken_after:
                raise OSError(errno.EIO, 'Input/output error', item.path)
            yield member


@pytest.mark.parametrize('compression', ['none', 'gzip', 'xz'])
def test_one_pass_facts_match_the_file_and_a_read_of_the_data(tmp_path, compression):
    """The archive's sha256 and size are the file's; the content digests (what a restore checks, whatever the
    compression) are those of a pass that writes nothing, as check mode makes it."""
    facts, stats = write_archive(None, MadeUpSource(), None, str(tmp_path / 'app.tar'), compression, set([1, 2]))
    assert (facts['sha256'], facts['size']) == (sha256_of(facts['path']), os.path.getsize(facts['path']))
    content, read_stats = read_digests(None, MadeUpSource(), None, set([1, 2]))
    assert facts['content'] == content and sorted(content) == [1, 2]
    assert [s.as_dict() for s in stats] == [s.as_dict() for s in read_stats]
    assert [s.as_dict()['files'] for s in stats] == [3, 3] and facts['changed_while_read'] == []


def test_a_source_that_fails_mid_pass_leaves_no_partial_archive(tmp_path):
    (tmp_path / 'keep').write_bytes(b'the previous archive')
    with pytest.raises(OSError):
        write_archive(None, MadeUpSource(broken_after=2), None, str(tmp_path / 'app.tar'), 'none', set([2]))
    assert leftovers(tmp_path) == [] and (tmp_path / 'keep').read_bytes() == b'the previous archive'


def test_an_archive_is_read_without_touching_its_access_time(tmp_path):
    """A restore reads the archive without updating its atime (O_NOATIME, as root or its owner): a first
    read of an archive just written would otherwise dirty its inode for the restore's syncfs to commit."""
    import os
    from ansible_collections.persistent.volumes.plugins.module_utils.archive.reader import open_archive
    path = tmp_path / 'a.tar'
    path.write_bytes(b'x' * 10)
    os.utime(str(path), (1000000000, 2000000000))  # atime older than mtime: relatime would update it
    with open_archive(str(path)) as handle:
        assert handle.read() == b'x' * 10
    assert os.stat(str(path)).st_atime == 1000000000
