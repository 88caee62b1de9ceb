# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's stream re-rooted, the canonical archive and its digests (archive_stream, archive_reader,
archive_canonical), without an engine: streams are made with tarfile."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import gzip
import hashlib
import io
import lzma
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    SCHEME,
    PathStats,
    canonical_info,
    combined_digest,
    emit_members,
    end_of_archive,
    new_digest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.reader import (
    ForwardReader,
    compression_of,
    decompressed,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import (
    engine_members,
    member_root,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError

DATA = bytes(bytearray(range(256))) * 41  # 10496 bytes


def chunked(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


CHUNKINGS = {
    'one': lambda: [DATA],
    'bytes': lambda: chunked(DATA, 1),
    'odd': lambda: chunked(DATA, 333),
    'empty-chunks': lambda: [b'', DATA[:10], b'', b'', DATA[10:5000], b'', DATA[5000:], b''],
    'generator': lambda: (part for part in chunked(DATA, 4096)),
}


# --- ForwardReader ------------------------------------------------------------------------
@pytest.mark.parametrize('size', [1, 7, 512, 4096, 10496, 100000])
@pytest.mark.parametrize('chunking', sorted(CHUNKINGS))
def test_forward_reader_reads_exactly_what_was_sent(chunking, size):
    reader = ForwardReader(CHUNKINGS[chunking]())
    parts = []
    while True:
        part = reader.read(size)
        assert len(part) <= size
        if not part:
            break
        parts.append(part)
    assert b''.join(parts) == DATA and reader.tell() == len(DATA)
    assert all(len(part) == size for part in parts[:-1])  # short reads only at the end
    assert reader.read(size) == b'' and reader.read() == b''


@pytest.mark.parametrize('chunking', sorted(CHUNKINGS))
def test_forward_reader_seeks_forward_and_hands_out_slices(chunking):
    reader = ForwardReader(CHUNKINGS[chunking]())
    assert reader.read(100) == DATA[:100]
    assert reader.seek(1000) == 1000 and reader.tell() == 1000
    assert b''.join(bytes(part) for part in reader.chunks(3000)) == DATA[1000:4000]
    assert reader.seek(10, 1) == 4010
    assert reader.read() == DATA[4010:]
    assert list(reader.chunks(10)) == []


def test_forward_reader_refuses_to_go_back():
    reader = ForwardReader([DATA])
    reader.read(20)
    with pytest.raises(IOError, match='read forward only'):
        reader.seek(10)


# --- decompressed -------------------------------------------------------------------------
COMPRESSORS = {'none': lambda data: data, 'gzip': gzip.compress, 'xz': lzma.compress,
               'bzip2': lambda data: __import__('bz2').compress(data)}


@pytest.mark.parametrize('compression', sorted(COMPRESSORS))
@pytest.mark.parametrize('size', [1, 7, 65536])
def test_decompressed_whatever_the_chunking(compression, size):
    packed = COMPRESSORS[compression](DATA * 20)
    assert compression_of(packed[:8]) == compression
    out = b''.join(bytes(piece) for piece in decompressed(chunked(packed, size), limit=1000))
    assert out == DATA * 20


def test_decompressed_bounds_each_piece_and_reads_concatenated_streams():
    packed = gzip.compress(b'\0' * (4 << 20)) + gzip.compress(b'tail') + b'\0' * 700
    pieces = list(decompressed([packed], limit=65536))
    assert max(len(piece) for piece in pieces) <= 65536
    assert b''.join(pieces) == b'\0' * (4 << 20) + b'tail'


@pytest.mark.parametrize('compression', ['gzip', 'xz'])
def test_decompressed_of_a_truncated_stream_fails(compression):
    packed = COMPRESSORS[compression](DATA * 20)
    with pytest.raises(EOFError, match='truncated'):
        b''.join(decompressed([packed[:len(packed) // 2]]))


# --- engine_members: re-rooting the engine's stream ------------------------------------------
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


def copy(tree, path='/data', record_root=None, size=700, out=True, fmt=tarfile.PAX_FORMAT, scheme=SCHEME):
    """Re-root and emit the stream; return (stats, members read back from the archive as (TarInfo, bytes))."""
    stats = PathStats(path, 'vol', record_root or member_root(path), new_digest(scheme))
    buffer = io.BytesIO()
    offset = emit_members(engine_members(tar_chunks(tree, size, fmt), path, record_root), stats,
                          buffer if out else None)
    members = []
    if out:
        buffer.write(end_of_archive(offset))
        assert len(buffer.getvalue()) % 10240 == 0
        buffer.seek(0)
        with tarfile.open(fileobj=buffer, mode='r:') as back:
            for member in back.getmembers():
                members.append((member, back.extractfile(member).read() if member.isreg() else b''))
        if scheme == SCHEME:
            assert hashlib.sha256(buffer.getvalue()[:offset]).hexdigest() == stats.content_sha256
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


# What Podman 4.3 sends for a volume read through a container that is not running: the root
# named '' and its content '/f'. Dropped silently, it made an empty backup of a full volume, and a
# restore that found "the same" (empty) data there and restored nothing.
PODMAN_STOPPED = [entry('', tarfile.DIRTYPE, mode=0o755), entry('/f', data=b'good\n')]


@pytest.mark.parametrize('tree, named', [
    (engine_tree() + [entry('database/x', data=b'other')], 'database/x'),
    (engine_tree() + [entry('dat', tarfile.DIRTYPE)], 'dat'),
    (engine_tree() + [entry('x', data=b'y')], 'x'),
    (PODMAN_STOPPED, ''),
    (engine_tree()[1:], 'data/f'),                                 # no root entry first
    (engine_tree(base='other'), 'other'),                          # another path's stream
    ([], None),                                                    # nothing at all
])
def test_copy_path_refuses_a_stream_that_is_not_the_path(tree, named):
    with pytest.raises(EngineError) as caught:
        copy(tree)
    assert 'not what was asked for' in caught.value.msg and 'holds the member %r' % (named,) in caught.value.msg


def test_copy_path_keeps_a_hard_link_to_outside_the_base_as_it_is():
    tree = engine_tree() + [entry('data/odd', tarfile.LNKTYPE, linkname='other/f')]
    dummy, members = copy(tree, record_root='volume')
    assert members[-1][0].name == 'volume/odd' and members[-1][0].linkname == 'other/f'


def digest_of(tree, **kwargs):
    return copy(tree, **kwargs)[0].content_sha256


SCHEMES = pytest.mark.parametrize('scheme', [1, SCHEME])


@SCHEMES
def test_digest_is_stable_whatever_the_chunking_format_or_output(scheme):
    digest = functools.partial(digest_of, scheme=scheme)
    tree = engine_tree()
    reference = digest(tree)
    assert digest(engine_tree(), size=1) == reference
    assert digest(engine_tree(), size=10 ** 6) == reference
    assert digest(engine_tree(), fmt=tarfile.GNU_FORMAT) == reference
    assert digest(engine_tree(), out=False) == reference
    assert digest(engine_tree(), path='/data', record_root='data') == reference


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


@SCHEMES
@pytest.mark.parametrize('change', sorted(CHANGES))
def test_digest_changes_with_content_or_metadata(change, scheme):
    assert digest_of(engine_tree(**CHANGES[change]), scheme=scheme) != digest_of(engine_tree(), scheme=scheme)


@SCHEMES
def test_digest_changes_when_a_member_is_added_or_removed(scheme):
    digest = functools.partial(digest_of, scheme=scheme)
    reference = digest(engine_tree())
    assert digest(engine_tree() + [entry('data/new', tarfile.DIRTYPE)]) != reference
    assert digest(engine_tree()[:-1]) != reference
    assert digest(engine_tree(), record_root='volume') != reference  # the names are what they are restored as


@SCHEMES
def test_digest_of_two_files_that_swap_content_differs(scheme):
    digest = functools.partial(digest_of, scheme=scheme)
    one = engine_tree(**{'data/f': dict(data=b'aaaaaa'), 'data/empty-file': dict(data=b'bbbbbb')})
    two = engine_tree(**{'data/f': dict(data=b'bbbbbb'), 'data/empty-file': dict(data=b'aaaaaa')})
    assert digest(one) != digest(two)


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


# --- the canonical archive ------------------------------------------------------------------
def test_canonical_archive_drops_names_and_sub_second_times_and_keeps_capabilities():
    tree = engine_tree()
    tree[1][0].uname, tree[1][0].gname, tree[1][0].mtime = 'alice', 'staff', 1500000000.75
    tree[3][0].pax_headers = {'SCHILY.xattr.security.capability': u'\x01\x00\x00\x02', 'comment': 'dropped'}
    reference = copy(engine_tree())
    stats, members = copy(tree)
    by_name = dict((m.name, m) for m, dummy in members)
    assert (by_name['data/f'].uname, by_name['data/f'].gname, by_name['data/f'].mtime) == ('', '', 1500000000)
    assert by_name['data/suid'].pax_headers == {'SCHILY.xattr.security.capability': u'\x01\x00\x00\x02'}
    assert stats.content_sha256 != reference[0].content_sha256  # the capability counts
    tree[3][0].pax_headers = {}
    assert copy(tree)[0].content_sha256 == reference[0].content_sha256


def test_canonical_header_keeps_the_permission_bits_only():
    member = engine_tree()[1][0]
    member.mode = 0o104755  # as the engine's headers have it: the file-type bits too
    header = canonical_info(member)
    assert header.mode == 0o4755 and (header.uname, header.gname, header.pax_headers) == ('', '', {})


def test_combined_digest_is_of_the_pairs_in_order():
    pairs = [('a', '1' * 64), ('b', '2' * 64)]
    expected = hashlib.sha256(('a\0%s\nb\0%s\n' % ('1' * 64, '2' * 64)).encode()).hexdigest()
    assert combined_digest(pairs) == expected != combined_digest(list(reversed(pairs)))


def test_path_stats_counts_files_bytes_and_entries():
    stats, dummy = copy(engine_tree())
    assert stats.as_dict() == dict(path='/data', volume='vol', member='data', bytes=6 + 3000 + 10, files=4,
                                   entries=len(engine_tree()), content_sha256=stats.content_sha256)
