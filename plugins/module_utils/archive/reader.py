# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading tar streams forward only, in big slices, never holding a whole member in memory.

``ForwardReader`` is the file object ``tarfile.open(mode='r:')`` reads headers from: it
answers ``tell`` and forward ``seek`` (skipping a member's content is a seek), and hands a
member's content out as memoryview slices of the chunks it got (``chunks``), so that a
gigabyte goes from the source to its hashes and its destination with no copy in Python.
The source is an iterator of byte chunks: the engine's archive stream, or a file read in
1 MiB blocks (``file_chunks``), decompressed on the way (``decompressed``) with a bounded
output per step, so that a small archive that inflates to terabytes cannot fill memory.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import bz2
import itertools
import lzma
import os
import zlib

CHUNK = 1024 * 1024
MAGIC = ((b'\x1f\x8b', 'gzip'), (b'\xfd7zXZ\x00', 'xz'), (b'BZh', 'bzip2'))


class ForwardReader(object):
    """A forward-only, seekable-forward file object over an iterator of byte chunks.

    ``tap``: called with every piece of the stream consumed by ``read`` or skipped by ``seek``, in
    order (what ``chunks`` hands out is not tapped): with ``chunks`` and ``rest``, each byte once.
    """

    def __init__(self, chunks, tap=None):
        self._chunks = iter(chunks)
        self._buffer = memoryview(b'')
        self._position = 0
        self._tap = tap

    def _fill(self):
        """Make the buffer non-empty; False at the end of the stream."""
        while not len(self._buffer):
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return False
            self._buffer = memoryview(chunk).cast('B')
        return True

    def tell(self):
        return self._position

    def seekable(self):
        return True

    def readable(self):
        return True

    def _take(self, size):
        """Up to ``size`` bytes of the current chunk (a view, not a copy)."""
        part = self._buffer[:size]
        self._buffer = self._buffer[len(part):]
        self._position += len(part)
        return part

    def read(self, size=-1):
        parts = []
        while size != 0 and self._fill():
            part = self._take(len(self._buffer) if size < 0 else size)
            parts.append(part)
            if size > 0:
                size -= len(part)
        data = b''.join(parts)
        if self._tap is not None and data:
            self._tap(data)
        return data

    def seek(self, position, whence=0):
        if whence == 1:
            position += self._position
        if whence not in (0, 1) or position < self._position:
            raise IOError('this stream is read forward only (asked to go from %d to %d)' % (self._position, position))
        while position > self._position and self._fill():
            part = self._take(position - self._position)
            if self._tap is not None:
                self._tap(part)
        return self._position

    def chunks(self, size):
        """The next ``size`` bytes as memoryview slices; fewer only at the end of the stream."""
        while size > 0 and self._fill():
            part = self._take(size)
            size -= len(part)
            yield part

    def rest(self):
        """What is left of the stream, up to its end (not tapped)."""
        while self._fill():
            yield self._take(len(self._buffer))


def file_chunks(handle, digest=None, size=CHUNK):
    """A binary file's bytes in blocks (updating ``digest`` with each), read ahead sequentially."""
    advise = getattr(os, 'posix_fadvise', None)
    if advise is not None:
        try:
            advise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        except (OSError, AttributeError, ValueError):
            pass
    while True:
        block = handle.read(size)
        if not block:
            return
        if digest is not None:
            digest.update(block)
        yield block


def compression_of(head):
    """The compression whose magic bytes ``head`` starts with ('none' for a plain tar)."""
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    return 'none'


def _decompressor(name):
    if name == 'gzip':
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if name == 'xz':
        return lzma.LZMADecompressor()
    return bz2.BZ2Decompressor()


def _drain(decompressor, data, limit):
    """Output of ``decompressor`` for ``data``, at most ``limit`` bytes per piece."""
    if hasattr(decompressor, 'unconsumed_tail'):  # zlib
        piece = decompressor.decompress(data, limit)
        while piece:
            yield piece
            if decompressor.eof or not decompressor.unconsumed_tail:
                return  # after the end, the rest is in unused_data only
            piece = decompressor.decompress(decompressor.unconsumed_tail, limit)
        return
    piece = decompressor.decompress(data, max_length=limit)
    while piece:
        yield piece
        if decompressor.eof or decompressor.needs_input:
            return
        piece = decompressor.decompress(b'', max_length=limit)


def decompressed(chunks, limit=CHUNK):
    """The decompressed bytes of ``chunks`` (compression detected by magic bytes).

    Concatenated compressed streams (``cat a.gz b.gz``) are read one after the other, as
    gzip does; trailing zero padding after the last one is ignored.
    """
    chunks = iter(chunks)
    head = b''
    for chunk in chunks:
        head += chunk
        if len(head) >= 8:
            break
    name = compression_of(head)
    if name == 'none':
        if head:
            yield head
        yield from chunks
        return
    decompressor = _decompressor(name)
    for data in itertools.chain([head], chunks):
        while data:
            if decompressor.eof:
                if not data.strip(b'\0'):
                    break  # zero padding after the last stream
                decompressor = _decompressor(name)
            yield from _drain(decompressor, data, limit)
            data = decompressor.unused_data if decompressor.eof else b''
    if not decompressor.eof:
        raise EOFError('the %s stream ends early (the archive is truncated)' % name)


def open_archive(src):
    """``src`` opened for reading, without updating its access time where the file system allows it: a first
    read of an archive just written would dirty its inode, which the restore's syncfs then has to commit."""
    try:
        fd = os.open(src, os.O_RDONLY | getattr(os, 'O_NOATIME', 0) | getattr(os, 'O_CLOEXEC', 0))
    except PermissionError:
        fd = os.open(src, os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0))
    return os.fdopen(fd, 'rb')
