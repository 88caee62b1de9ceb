# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading ahead in a second thread while the first one hashes, compresses and writes.

Reading files (or the engine's socket) waits for the disk; hashing and writing wait for
the processor. ``prefetched`` runs the member source in a background thread and hands its
members and content chunks over through a bounded queue (at most ``depth`` chunks, so
memory stays flat), so that both kinds of waiting overlap: the C code of hashlib, zlib and
file writes releases Python's lock, as does waiting for a read. An error in the reading
thread is raised in the caller's, where it would have been raised without the thread.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import queue
import sys
import threading

_MEMBER, _CHUNK, _END, _ERROR = range(4)


class _Stop(Exception):
    pass


def _produce(members, channel, stop):
    def put(item):
        while not stop.is_set():
            try:
                channel.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        raise _Stop()
    try:
        for info, content in members:
            put((_MEMBER, info))
            for chunk in content:
                put((_CHUNK, bytes(chunk)))
        put((_END, None))
    except _Stop:
        return
    except BaseException:  # pylint: disable=broad-except
        try:
            put((_ERROR, sys.exc_info()))
        except _Stop:
            return
    finally:
        close = getattr(members, 'close', None)
        if close is not None:
            close()  # its open files, in this thread


def _content(channel, pending):
    """The chunks of the current member, up to the next member's header (kept in ``pending``)."""
    while True:
        kind, value = channel.get()
        if kind == _CHUNK:
            yield value
            continue
        pending.append((kind, value))
        return


def prefetched(members, depth=8):
    """The same (TarInfo, content) pairs as ``members``, read ahead in a background thread.

    Each member's content must be consumed before the next member is asked for.
    """
    channel = queue.Queue(maxsize=depth)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(members, channel, stop), name='pv-prefetch')
    worker.daemon = True
    worker.start()
    pending = []
    try:
        while True:
            kind, value = pending.pop() if pending else channel.get()
            if kind == _END:
                return
            if kind == _ERROR:
                raise value[1].with_traceback(value[2])
            content = _content(channel, pending)
            yield value, content
            for dummy in content:
                pass  # what the consumer left of this member
    finally:
        stop.set()
        worker.join(timeout=5)
