# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An uncompressed archive is checked with one hash (archive/one_hash.py): the paths' content digests are
still those of their canonical bytes, whatever the archive's layout (several paths, paths interleaved,
headers that are not canonical, padding that is not zeros), and a canonical archive is hashed once."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import gzip
import hashlib
import io
import os
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive import one_hash
from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    CONTENT_TYPES,
    PathStats,
    emit_members,
    end_of_archive,
    header_bytes,
    new_digest,
    padding,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import ArchiveCheck
from ansible_collections.persistent.volumes.plugins.module_utils.archive.hashing import ForkedDigest, HashThread
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal


def entry(name, data=None, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.uid, info.gid = kind, 0o644, 1700000000, 0, 0
    if data is not None:
        info.size = len(data)
    return info, [data] if data else []


def canonical(members):
    """An archive as the collection writes it: every member canonical, the end of archive after them."""
    out = io.BytesIO()
    offset = emit_members(members, PathStats('/x', 'v', 'x', new_digest(2)), out)
    out.write(end_of_archive(offset))
    return out.getvalue()


def reference_digests(raw):
    """{root: the sha256 of its members' canonical bytes}, computed apart from the check."""
    digests = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode='r:') as source:
        for info in source:
            digest = digests.setdefault(info.name.split('/')[0], hashlib.sha256())
            digest.update(header_bytes(info))
            if info.type in CONTENT_TYPES:
                digest.update(source.extractfile(info).read() + padding(info.size))
    return dict((root, digest.hexdigest()) for root, digest in digests.items())


def manifest_of(data, digests, roots):
    return dict(sha256=hashlib.sha256(data).hexdigest(), content_scheme=2,
                paths=[dict(path='/' + root, member=root, content_sha256=digests[root]) for root in roots])


def checked(tmp_path, data, manifest, roots, name='b.tar'):
    """check_archive's verdict, and whether the first path's digest left the archive's hash before the end."""
    src = str(tmp_path / name)
    with open(src, 'wb') as handle:
        handle.write(data)
    forked = []
    check = ArchiveCheck(src, manifest, roots)
    with open(src, 'rb') as handle:
        for dummy in check.members(handle):
            pass
        if check.one is not None:
            forked.append(check.one.shared.forked)
        try:
            return check.verdict(), forked
        finally:
            check.close()


def tree(root, seed):
    return [entry(root, kind=tarfile.DIRTYPE), entry(root + '/a', os.urandom(70000 + seed)),
            entry(root + '/b', b''), entry(root + '/c', os.urandom(512)), entry(root + '/z', os.urandom(5000))]


def non_canonical_headers(roots):
    """GNU headers with user and group names: not the canonical PAX ones."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w', format=tarfile.GNU_FORMAT) as tar:
        for info, content in tree(roots[0], 1):
            info.uname, info.gname = 'root', 'root'
            tar.addfile(info, io.BytesIO(content[0]) if content else None)
    return out.getvalue()


def dirty_padding(roots):
    """A canonical archive whose padding after data/a is not zeros (tar never reads it)."""
    data = bytearray(canonical(tree(roots[0], 2)))
    with tarfile.open(fileobj=io.BytesIO(bytes(data)), mode='r:') as source:
        member = source.getmember(roots[0] + '/a')
    end = member.offset_data + member.size
    data[end:end + 10] = b'x' * 10
    return bytes(data)


LAYOUTS = [
    # name, roots, the archive, the first path's digest stays the archive's hash to its end
    ('one-path', ['data'], lambda roots: canonical(tree('data', 0)), True),
    ('two-paths', ['data', 'other'], lambda roots: canonical(tree('data', 0) + tree('other', 3)), False),
    ('second-path-first', ['data', 'other'], lambda roots: canonical(tree('other', 3) + tree('data', 0)), False),
    ('interleaved', ['data', 'other'],
     lambda roots: canonical(tree('data', 0)[:2] + tree('other', 3) + tree('data', 0)[2:]), False),
    ('non-canonical-headers', ['data'], non_canonical_headers, False),
    ('dirty-padding', ['data'], dirty_padding, False),
]


@pytest.mark.parametrize('roots, make, shared', [row[1:] for row in LAYOUTS], ids=[row[0] for row in LAYOUTS])
def test_one_hash_gives_each_path_its_canonical_digest(tmp_path, roots, make, shared):
    raw = make(roots)
    digests = reference_digests(raw)
    sizes, forked = checked(tmp_path, raw, manifest_of(raw, digests, roots), roots)
    assert forked == [not shared]
    assert sorted(sizes) == sorted(roots)
    # the same tar, compressed, is checked the other way (two hashes): the same digests pass
    packed = gzip.compress(raw)
    assert checked(tmp_path, packed, manifest_of(packed, digests, roots), roots, 'b.tar.gz') == (sizes, [])


@pytest.mark.parametrize('roots, make', [row[1:3] for row in LAYOUTS], ids=[row[0] for row in LAYOUTS])
def test_one_hash_still_refuses_a_wrong_path_digest(tmp_path, roots, make):
    raw = make(roots)
    digests = reference_digests(raw)
    for root in roots:
        wrong = dict(digests, **{root: hashlib.sha256(digests[root].encode()).hexdigest()})
        with pytest.raises(Refusal, match='content_sha256'):
            checked(tmp_path, raw, manifest_of(raw, wrong, roots), roots)


def test_one_hash_still_refuses_a_changed_byte_anywhere(tmp_path):
    raw = canonical(tree('data', 0))
    manifest = manifest_of(raw, reference_digests(raw), ['data'])
    for offset in (0, 600, 520 + 70000 + 10, len(raw) - 1):
        damaged = bytearray(raw)
        damaged[offset] ^= 1
        with pytest.raises(Refusal, match='does not match its manifest'):
            checked(tmp_path, bytes(damaged), manifest, ['data'])


def test_the_archive_hash_is_of_every_byte_once():
    hashes = HashThread()
    archive = hashlib.sha256()
    shared = ForkedDigest(archive, hashes)
    one = one_hash.OneHash(type('D', (), {'update': lambda self, data: hashes.update(archive, data)})(),
                           'data', shared)
    one.tap(b'head')
    one.finish(iter([b'tail', b'end']))
    hashes.wait()
    assert archive.hexdigest() == hashlib.sha256(b'headtailend').hexdigest()
    assert shared.forked and shared.hexdigest() == hashlib.sha256(b'').hexdigest()
    hashes.close()


def test_a_forked_digest_is_the_shared_hash_up_to_the_fork_then_its_own():
    hashes = HashThread()
    shared = hashlib.sha256()
    forked = ForkedDigest(shared, hashes)
    with pytest.raises(ValueError):
        forked.update(b'too early')
    hashes.update(shared, b'a' * 3000)
    forked.fork()
    hashes.update(shared, b'b' * 3000)
    forked.update(b'c')
    assert forked.hexdigest() == hashlib.sha256(b'a' * 3000 + b'c').hexdigest()
    hashes.wait()
    assert shared.hexdigest() == hashlib.sha256(b'a' * 3000 + b'b' * 3000).hexdigest()
    hashes.close()
