# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An archive file being written: compressed on the way, its sha256 and size kept as it grows.

The file is a private temporary file (mode 0600) beside its destination. Compressing and
writing happen in a second thread, fed with batches of about 1 MiB, and hashing what is
written in a third (hashing.py), while the caller goes on reading: the C code of zlib, lzma, hashlib and file writes releases Python's
lock, so reading and writing overlap. ``barrier`` waits until everything handed over so far
is hashed (the first path's digest is the archive's hash at that point); ``finish`` writes
the end of the archive, flushes and syncs the file. gzip is written at level 6 (gzip's own
default), xz at preset 6 (xz's).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import lzma
import os
import queue
import sys
import tempfile
import threading
import zlib

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import end_of_archive
from ansible_collections.persistent.volumes.plugins.module_utils.archive.hashing import BackgroundDigest, HashThread

# What an archive can be compressed with (none: a plain tar).
COMPRESSIONS = ('none', 'gzip', 'xz')
BUFFER = 1024 * 1024
BATCH = 1024 * 1024


def _compressor(compression):
    if compression == 'gzip':
        return zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    if compression == 'xz':
        return lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=6)
    return None


class ArchiveWriter(object):
    """Write through ``write``; ``sha256`` and ``size`` describe the file's bytes."""

    def __init__(self, dest, compression):
        directory = os.path.dirname(dest)
        handle, self.path = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), suffix='.partial', dir=directory)
        os.fchmod(handle, 0o600)
        self._file = io.open(handle, 'wb', buffering=BUFFER)
        self._compressor = _compressor(compression)
        # hashed in a third thread, beside the writes (a write waiting for the disk no longer holds the hash up)
        self._hashes = HashThread()
        self.sha256 = BackgroundDigest(hashlib.sha256(), self._hashes)
        self.size = 0        # of the file
        self.offset = 0      # of the uncompressed tar stream
        self._batch, self._batched = [], 0
        self._queue = queue.Queue(maxsize=8)
        self._error = None
        self._worker = threading.Thread(target=self._work, name='pv-archive-writer')
        self._worker.daemon = True
        self._worker.start()

    @property
    def uncompressed(self):
        return self._compressor is None

    def _raw(self, data):
        if data:
            self.sha256.update(data)
            self.size += len(data)
            self._file.write(data)

    def _work(self):
        while True:
            batch = self._queue.get()
            try:
                if batch is None:
                    return
                if self._error is None:
                    for data in batch:
                        self._raw(data if self._compressor is None else self._compressor.compress(data))
            except BaseException:  # pylint: disable=broad-except
                self._error = sys.exc_info()
            finally:
                self._queue.task_done()

    def _check(self):
        if self._error is not None:
            raise self._error[1].with_traceback(self._error[2])

    def _hand_over(self):
        if self._batch:
            self._queue.put(self._batch)
            self._batch, self._batched = [], 0
        self._check()

    def write(self, data):
        """Queue ``data`` (bytes or a view of immutable bytes: it is not copied)."""
        self.offset += len(data)
        self._batch.append(data)
        self._batched += len(data)
        if self._batched >= BATCH:
            self._hand_over()

    def barrier(self):
        """Wait until everything written so far is hashed (and compressed, and written)."""
        self._hand_over()
        self._queue.join()
        self._check()
        self._hashes.wait()  # the writing thread is idle now: the hash thread's batch is all handed over

    def finish(self):
        """End the archive, sync it to disk; return the temporary file's path."""
        self.write(end_of_archive(self.offset))
        self._stop()
        if self._compressor is not None:
            self._raw(self._compressor.flush())
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.sha256.hexdigest()  # every byte hashed
        self._hashes.close()
        return self.path

    def _stop(self):
        if self._worker.is_alive():
            self._hand_over()
            self._queue.put(None)
            self._worker.join()
        self._check()

    def discard(self):
        try:
            self._error = self._error or (None, None, None)  # the worker drops what is left
            if self._worker.is_alive():
                self._queue.put(None)
                self._worker.join(timeout=10)
            self._hashes.close()
        finally:
            if not self._file.closed:
                try:
                    self._file.close()
                except OSError:
                    pass  # a full disk fails the close's flush as well; the file goes all the same
            if os.path.exists(self.path):
                os.unlink(self.path)
