# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive_stream import (
    COMPRESSIONS,
    ChunkReader,
    HashingWriter,
    PathStats,
    content_digest,
    copy_path,
    member_root,
)

DATA = bytes(bytearray(range(256))) * 41  # 10496 bytes


# --- ChunkReader --------------------------------------------------------------------------
def chunked(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


CHUNKINGS = {
    'one': lambda: [DATA],
    'bytes': lambda: chunked(DATA, 1),
    'odd': lambda: chunked(DATA, 333),
    'empty-chunks': lambda: [b'', DATA[:10], b'', b'', DATA[10:5000], b'', DATA[5000:], b''],
    'generator': lambda: (part for part in chunked(DATA, 4096)),
}


@pytest.mark.parametrize('size', [1, 7, 512, 4096, 10496, 100000])
@pytest.mark.parametrize('chunking', sorted(CHUNKINGS))
def test_chunk_reader_reads_exactly_what_was_sent(chunking, size):
    reader = ChunkReader(CHUNKINGS[chunking]())
    parts = []
    while True:
        part = reader.read(size)
        assert len(part) <= size
        if not part:
            break
        parts.append(part)
    assert b''.join(parts) == DATA
    assert all(len(part) == size for part in parts[:-1])  # short reads only at the end
    assert reader.read(size) == b'' and reader.read() == b''


@pytest.mark.parametrize('chunking', sorted(CHUNKINGS))
def test_chunk_reader_read_all(chunking):
    reader = ChunkReader(CHUNKINGS[chunking]())
    assert reader.read(100) == DATA[:100]
    assert reader.read() == DATA[100:]
    assert reader.read(-1) == b''


def test_chunk_reader_of_nothing_and_zero_reads():
    assert ChunkReader([]).read(10) == b'' and ChunkReader([]).read() == b''
    reader = ChunkReader([b'abc'])
    assert reader.read(0) == b'' and reader.read(5) == b'abc'


# --- HashingWriter ------------------------------------------------------------------------
class Flushed(io.BytesIO):
    flushes = 0

    def flush(self):
        self.flushes += 1


def test_hashing_writer_passes_everything_through():
    target = Flushed()
    writer = HashingWriter(target)
    for part in chunked(DATA, 1000) + [b'']:
        assert writer.write(part) == len(part)
    writer.flush()
    assert target.getvalue() == DATA and target.flushes == 1
    assert writer.size == len(DATA) and writer.sha256.hexdigest() == hashlib.sha256(DATA).hexdigest()


@pytest.mark.parametrize('compression', sorted(COMPRESSIONS))
def test_hashing_writer_under_a_streaming_tarfile(compression):
    target = io.BytesIO()
    writer = HashingWriter(target)
    with tarfile.open(fileobj=writer, mode='w|' + COMPRESSIONS[compression]) as out:
        member = tarfile.TarInfo('data/f')
        member.size = len(DATA)
        out.addfile(member, io.BytesIO(DATA))
    assert writer.size == len(target.getvalue())
    assert writer.sha256.hexdigest() == hashlib.sha256(target.getvalue()).hexdigest()
    target.seek(0)
    with tarfile.open(fileobj=target, mode='r:' + (COMPRESSIONS[compression] or '')) as back:
        assert back.extractfile('data/f').read() == DATA


# --- member_root, PathStats, content_digest -------------------------------------------
@pytest.mark.parametrize('path, root', [('/data', 'data'), ('/var/lib/x', 'var/lib/x'), ('/data/', 'data'),
                                        ('/volume', 'volume')])
def test_member_root(path, root):
    assert member_root(path) == root


def test_path_stats_and_content_digest():
    first, second = PathStats('/a', 'v1', 'a'), PathStats('/b', 'v2', 'b')
    first.digest.update(b'one')
    assert first.as_dict() == dict(path='/a', volume='v1', member='a', bytes=0, files=0, entries=0,
                                   content_sha256=hashlib.sha256(b'one').hexdigest())
    both = content_digest([first, second])
    assert both == content_digest([first, second]) != content_digest([second, first])
    assert both != content_digest([first])
    renamed = PathStats('/c', 'v2', 'c')
    assert content_digest([first, renamed]) != both  # the member name counts, the volume name does not
    assert content_digest([first, PathStats('/b', 'other-volume', 'b')]) == both


# --- copy_path: re-rooting the engine's stream ------------------------------------------
def entry(name, kind=tarfile.REGTYPE, data=b'', linkname='', mode=0o644, uid=0, gid=0, mtime=1500000000):
    made = tarfile.TarInfo(name)
    made.type, made.linkname, made.mode, made.uid, made.gid, made.mtime = kind, linkname, mode, uid, gid, mtime
    made.size = len(data) if kind == tarfile.REGTYPE else 0
    return made, data


def engine_tree(base='data', **changes):
    """What ``GET /containers/x/archive?path=/.../<base>`` sends: the base directory first."""
    tree = [
        entry(base, tarfile.DIRTYPE, mode=0o750, uid=1000, gid=1000),
        entry(base + '/f', data=b'hello\n', uid=1000, gid=1000),
        entry(base + '/secret', data=b's' * 3000, mode=0o600),
        entry(base + '/suid', data=b'#!/bin/sh\n', mode=0o4755),
        entry(base + '/empty', tarfile.DIRTYPE, mode=0o700),
        entry(base + '/rel', tarfile.SYMTYPE, linkname='f'),
        entry(base + '/abs', tarfile.SYMTYPE, linkname='/' + base + '/f'),
        entry(base + '/hard', tarfile.LNKTYPE, linkname=base + '/f', uid=1000, gid=1000),
        entry(base + '/empty-file'),
    ]
    for index, (member, data) in enumerate(tree):
        for key, value in changes.get(member.name, {}).items():
            if key == 'data':
                data = value
                member.size = len(value)
            else:
                setattr(member, key, value)
        tree[index] = (member, data)
    return tree


def tar_chunks(tree, size=700, fmt=tarfile.PAX_FORMAT):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w', format=fmt) as out:
        for member, data in tree:
            out.addfile(member, io.BytesIO(data) if member.isreg() else None)
    return chunked(buffer.getvalue(), size)


def copy(tree, path='/data', record_root=None, size=700, out=True, fmt=tarfile.PAX_FORMAT):
    """Run copy_path; return (stats, members read back from the output tar as (TarInfo, bytes))."""
    stats = PathStats(path, 'vol', record_root or member_root(path))
    buffer = io.BytesIO()
    if out:
        with tarfile.open(fileobj=buffer, mode='w|', format=tarfile.PAX_FORMAT) as target:
            copy_path(tar_chunks(tree, size, fmt), path, stats, target, record_root=record_root)
    else:
        copy_path(tar_chunks(tree, size, fmt), path, stats, None, record_root=record_root)
    buffer.seek(0)
    members = []
    if out:
        with tarfile.open(fileobj=buffer, mode='r:') as back:
            for member in back.getmembers():
                members.append((member, back.extractfile(member).read() if member.isreg() else b''))
    return stats, members


@pytest.mark.parametrize('path, record_root, root', [
    ('/data', None, 'data'),
    ('/srv/data', None, 'srv/data'),
    ('/data', 'volume', 'volume'),
    ('/srv/data/', None, 'srv/data'),
])
def test_copy_path_re_roots_names_and_hard_links(path, record_root, root):
    tree = engine_tree()
    stats, members = copy(tree, path, record_root)
    assert [m.name for m, dummy in members] == [root + m.name[len('data'):] for m, dummy in tree]
    by_name = dict((m.name, (m, data)) for m, data in members)
    assert by_name[root + '/hard'][0].linkname == root + '/f'     # hard links name members: re-rooted
    assert by_name[root + '/rel'][0].linkname == 'f'              # symlinks are content: kept as they are
    assert by_name[root + '/abs'][0].linkname == '/data/f'
    for (original, data), (copied, copied_data) in zip(tree, members):
        assert (copied.type, copied.mode, copied.uid, copied.gid, copied.mtime, copied.size) == \
            (original.type, original.mode, original.uid, original.gid, original.mtime, original.size)
        assert copied_data == data
    assert (stats.files, stats.bytes, stats.entries) == (4, 6 + 3000 + 10, len(tree))
    assert stats.as_dict()['member'] == root


def test_copy_path_skips_what_is_not_below_the_base():
    tree = engine_tree() + [entry('database/x', data=b'other'), entry('dat', tarfile.DIRTYPE), entry('x', data=b'y')]
    stats, members = copy(tree)
    assert [m.name for m, dummy in members] == [m.name for m, dummy in engine_tree()]
    assert stats.entries == len(engine_tree()) and stats.files == 4


def test_copy_path_keeps_a_hard_link_to_outside_the_base_as_it_is():
    tree = engine_tree() + [entry('data/odd', tarfile.LNKTYPE, linkname='other/f')]
    dummy, members = copy(tree, record_root='volume')
    assert members[-1][0].name == 'volume/odd' and members[-1][0].linkname == 'other/f'


def digest_of(tree, **kwargs):
    return copy(tree, **kwargs)[0].content_sha256


def test_digest_is_stable_whatever_the_chunking_format_or_output():
    tree = engine_tree()
    reference = digest_of(tree)
    assert digest_of(engine_tree(), size=1) == reference
    assert digest_of(engine_tree(), size=10 ** 6) == reference
    assert digest_of(engine_tree(), fmt=tarfile.GNU_FORMAT) == reference
    assert digest_of(engine_tree(), out=False) == reference
    assert digest_of(engine_tree(), path='/data', record_root='data') == reference


CHANGES = {
    'content, same size': {'data/f': dict(data=b'HELLO\n')},
    'content, longer': {'data/f': dict(data=b'hello!\n')},
    'empty file gets a byte': {'data/empty-file': dict(data=b'x')},
    'mode': {'data/secret': dict(mode=0o640)},
    'setuid bit': {'data/suid': dict(mode=0o755)},
    'root mode': {'data': dict(mode=0o755)},
    'uid': {'data/f': dict(uid=1001)},
    'gid': {'data/f': dict(gid=0)},
    'root owner': {'data': dict(uid=0)},
    'mtime': {'data/f': dict(mtime=1500000001)},
    'dir mtime': {'data/empty': dict(mtime=1)},
    'symlink target': {'data/rel': dict(linkname='secret')},
    'hard link target': {'data/hard': dict(linkname='data/secret')},
    'type': {'data/empty-file': dict(type=tarfile.DIRTYPE)},
    'name': {'data/secret': dict(name='data/secret2')},
}


@pytest.mark.parametrize('change', sorted(CHANGES))
def test_digest_changes_with_content_or_metadata(change):
    assert digest_of(engine_tree(**CHANGES[change])) != digest_of(engine_tree())


def test_digest_changes_when_a_member_is_added_or_removed():
    reference = digest_of(engine_tree())
    assert digest_of(engine_tree() + [entry('data/new', tarfile.DIRTYPE)]) != reference
    assert digest_of(engine_tree()[:-1]) != reference
    assert digest_of(engine_tree(), record_root='volume') != reference  # the names are what they are restored as


def test_digest_of_two_files_that_swap_content_differs():
    one = engine_tree(**{'data/f': dict(data=b'aaaaaa'), 'data/empty-file': dict(data=b'bbbbbb')})
    two = engine_tree(**{'data/f': dict(data=b'bbbbbb'), 'data/empty-file': dict(data=b'aaaaaa')})
    assert digest_of(one) != digest_of(two)


def test_copy_path_of_a_big_file_in_small_chunks():
    data = bytes(bytearray(range(251))) * 4000  # ~1 MB, not a multiple of the tar block
    tree = [entry('data', tarfile.DIRTYPE), entry('data/big', data=data)]
    stats, members = copy(tree, size=65536)
    assert members[1][1] == data and stats.bytes == len(data) and stats.files == 1
    assert digest_of(tree, size=65536, out=False) == stats.content_sha256


PAX_NAMES = [u'caf\u00e9.txt', 'x' * 120]


@pytest.mark.parametrize('record_root', [
    pytest.param('data', id='same-root'),
    pytest.param('srv/data', id='re-rooted'),
])
@pytest.mark.parametrize('name', PAX_NAMES, ids=['non-ascii', 'long'])
def test_copy_path_re_roots_names_that_need_pax_headers(name, record_root):
    tree = [entry('data', tarfile.DIRTYPE), entry('data/' + name, data=b'content'),
            entry('data/link-to-' + name[:20], tarfile.LNKTYPE, linkname='data/' + name)]
    dummy, members = copy(tree, '/' + record_root, record_root=record_root)
    expected = [record_root, record_root + '/' + name, record_root + '/link-to-' + name[:20]]
    assert [m.name for m, dummy in members] == expected
    assert members[2][0].linkname == record_root + '/' + name
