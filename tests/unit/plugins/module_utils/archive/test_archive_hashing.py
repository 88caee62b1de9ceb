# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.hashing import (
    BackgroundDigest,
    HashThread,
    read_ahead,
)

PIECES = [
    [],
    [b'a'],
    [b'x' * 512, b'y' * (3 << 20), b'', b'z' * 7],
    [os.urandom(1 << 20) for dummy in range(5)],
    [bytes([i]) * (i * 1000 + 1) for i in range(200)],
]


@pytest.mark.parametrize('pieces', PIECES, ids=['empty', 'one-byte', 'mixed', 'megabytes', 'many-small'])
def test_background_digests_equal_hashlib_in_order(pieces):
    hashes = HashThread()
    try:
        first, second = BackgroundDigest(hashlib.sha256(), hashes), BackgroundDigest(hashlib.sha256(), hashes)
        for piece in pieces:
            first.update(piece)
            second.update(memoryview(piece)[::-1].tobytes())
        assert first.hexdigest() == hashlib.sha256(b''.join(pieces)).hexdigest()
        assert second.hexdigest() == hashlib.sha256(b''.join(p[::-1] for p in pieces)).hexdigest()
    finally:
        hashes.close()


def test_a_failing_update_is_raised_where_the_digest_is_asked_for():
    class Broken(object):
        def update(self, data):
            raise ValueError('broken digest')

        def hexdigest(self):
            return None

    hashes = HashThread()
    try:
        digest = BackgroundDigest(Broken(), hashes)
        digest.update(b'x')
        with pytest.raises(ValueError, match='broken digest'):
            digest.hexdigest()
    finally:
        hashes.close()


@pytest.mark.parametrize('size, block', [(0, 4), (1, 4), (4, 4), (5, 4), (10 ** 6 + 3, 1 << 16)])
def test_read_ahead_gives_every_byte_once_and_hashes_them(size, block):
    data = os.urandom(size)
    digest = hashlib.sha256()
    blocks = list(read_ahead(io.BytesIO(data), digest, size=block, depth=2))
    assert b''.join(blocks) == data and all(blocks)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_read_ahead_stopped_early_stops_its_thread():
    reader = read_ahead(io.BytesIO(b'x' * 100000), None, size=10, depth=1)
    assert next(reader) == b'x' * 10
    reader.close()  # must not hang on the full queue


def test_read_ahead_raises_a_read_error_in_the_caller():
    class Failing(io.RawIOBase):
        def read(self, size=-1):
            raise OSError(5, 'Input/output error')

    with pytest.raises(OSError, match='Input/output error'):
        list(read_ahead(Failing()))
