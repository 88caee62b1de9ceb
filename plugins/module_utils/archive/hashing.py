# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hashing beside the I/O, on the second core.

hashlib releases Python's lock while it hashes a buffer bigger than 2 KiB, as reads and writes
do while they wait: a thread that hashes overlaps with the thread that reads, parses and writes.
``HashThread`` takes (digest, bytes) updates, in batches of about 1 MiB, and applies them in
order in its own thread; ``BackgroundDigest`` is a digest whose ``update`` goes there and whose
``hexdigest`` waits for it. ``read_ahead`` reads a file in blocks in a thread of its own, hashing
each block there, and hands the blocks over through a bounded queue (memory stays flat).
Everything handed over must be immutable (bytes, or views of bytes): it is not copied.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import queue
import sys
import threading

BATCH = 1024 * 1024
BLOCK = 1024 * 1024


class HashThread(object):
    """Digest updates applied in order by one background thread; ``close`` it when done."""

    def __init__(self, depth=8):
        self._queue = queue.Queue(maxsize=depth)
        self._batch, self._batched = [], 0
        self._error = None
        self._worker = threading.Thread(target=self._work, name='pv-hash')
        self._worker.daemon = True
        self._worker.start()

    def _work(self):
        while True:
            batch = self._queue.get()
            try:
                if batch is None:
                    return
                if self._error is None:
                    for function, data in batch:
                        function(data)
            except BaseException:  # pylint: disable=broad-except
                self._error = sys.exc_info()
            finally:
                self._queue.task_done()

    def update(self, digest, data):
        self.call(digest.update, data)

    def call(self, function, data=b''):
        """``function(data)`` in the thread, after every update and call handed over before."""
        self._batch.append((function, data))
        self._batched += len(data)
        if self._batched >= BATCH:
            self._hand_over()

    def _hand_over(self):
        if self._batch:
            self._queue.put(self._batch)
            self._batch, self._batched = [], 0

    def wait(self):
        """Until every update handed over so far is applied."""
        self._hand_over()
        self._queue.join()
        if self._error is not None:
            raise self._error[1].with_traceback(self._error[2])

    def close(self):
        if self._worker.is_alive():
            self._batch = []
            self._queue.put(None)
            self._worker.join(timeout=10)


class BackgroundDigest(object):
    """``digest`` (a hashlib object) updated by ``hashes`` (a HashThread)."""

    def __init__(self, digest, hashes):
        self._digest = digest
        self._hashes = hashes

    def update(self, data):
        self._hashes.update(self._digest, data)

    def hexdigest(self):
        self._hashes.wait()
        return self._digest.hexdigest()


class ForkedDigest(object):
    """A sha256 that is ``shared`` (a hashlib object updated by ``hashes``) until ``fork``, then a copy of it
    that ``update`` goes on alone: the digest of a prefix of what ``shared`` hashes, and of more after it."""

    def __init__(self, shared, hashes):
        self._shared = shared
        self._hashes = hashes
        self._digest = None
        self.forked = False

    def fork(self):
        """From here on, a hash of its own (a copy of the shared one as it is at this point of the updates)."""
        if not self.forked:
            self.forked = True
            self._hashes.call(self._copy)

    def _copy(self, dummy):
        self._digest = self._shared.copy()

    def _update(self, data):
        self._digest.update(data)

    def update(self, data):
        """Only after ``fork``: before it, what it hashes is the shared hash's."""
        if not self.forked:
            raise ValueError('a ForkedDigest takes updates of its own only after fork()')
        self._hashes.call(self._update, data)

    def hexdigest(self):
        self.fork()
        self._hashes.wait()
        return self._digest.hexdigest()


def _read_blocks(handle, digest, channel, stop, size):
    try:
        while not stop.is_set():
            block = handle.read(size)
            if digest is not None and block:
                digest.update(block)
            channel.put((block, None))
            if not block:
                return
    except BaseException:  # pylint: disable=broad-except
        channel.put((None, sys.exc_info()))


def _advise_sequential(handle):
    try:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
    except (OSError, AttributeError, ValueError):
        pass


def read_ahead(handle, digest=None, size=BLOCK, depth=8):
    """The bytes of the binary file ``handle`` in blocks, read (and hashed into ``digest``) ahead in a
    second thread; at most ``depth`` blocks wait. Stopping early stops the reading thread."""
    _advise_sequential(handle)
    channel = queue.Queue(maxsize=depth)
    stop = threading.Event()
    worker = threading.Thread(target=_read_blocks, args=(handle, digest, channel, stop, size), name='pv-read-ahead')
    worker.daemon = True
    worker.start()
    try:
        while True:
            block, error = channel.get()
            if error is not None:
                raise error[1].with_traceback(error[2])
            if not block:
                return
            yield block
    finally:
        stop.set()
        while worker.is_alive():
            try:
                channel.get(timeout=0.1)  # unblock a reader waiting for room
            except queue.Empty:
                pass
        worker.join()
