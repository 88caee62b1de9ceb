#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A counting Unix-socket proxy for the Docker Engine API.

Listens on a Unix socket, forwards every connection byte for byte to the engine's
socket, and counts the HTTP requests that pass, by method and path pattern
(``GET /containers/{id}/json``). The API version prefix and query values are dropped;
names and ids in paths become ``{id}``/``{name}``. Answers are forwarded untouched.

Threaded: one thread accepts, two per connection. It stops by itself: ``stop()``
(or leaving the ``with`` block) when used from Python, and on the command line after
``--idle`` seconds without an open connection, after ``--max-seconds``, or on
SIGTERM/SIGINT; then it writes the counts as JSON.

    python count_proxy.py LISTEN_SOCKET UPSTREAM_SOCKET [--out counts.json] [--idle 60]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import re
import signal
import socket
import sys
import threading
import time

try:
    from urllib.parse import urlsplit, parse_qsl
except ImportError:  # pragma: no cover - Python 2
    from urlparse import urlsplit, parse_qsl

_VERSION_PREFIX = re.compile(r'^/v\d+(\.\d+)?(?=/)')
_FIXED = {
    'containers': ('json', 'create', 'prune'),
    'volumes': ('create', 'prune'),
    'networks': ('create', 'prune'),
    'images': ('json', 'create', 'load', 'search', 'prune', 'get'),
}
_IMAGE_ACTIONS = ('json', 'history', 'push', 'tag', 'get')
_PLACEHOLDER = {'containers': '{id}', 'volumes': '{name}', 'networks': '{id}', 'exec': '{id}', 'images': '{name}'}


def path_pattern(method, target):
    """'GET /v1.41/containers/abc/json?size=1' -> 'GET /containers/{id}/json?size'."""
    parts = urlsplit(target)
    path = _VERSION_PREFIX.sub('', parts.path) or '/'
    segments = path.strip('/').split('/')
    kind = segments[0]
    if kind in _PLACEHOLDER and len(segments) > 1 and segments[1] not in _FIXED.get(kind, ()):
        if kind == 'images':
            # Image names hold slashes: /images/local/busybox:latest/json
            if len(segments) > 2 and segments[-1] in _IMAGE_ACTIONS:
                segments = [kind, _PLACEHOLDER[kind], segments[-1]]
            else:
                segments = [kind, _PLACEHOLDER[kind]]
        else:
            segments = [kind, _PLACEHOLDER[kind]] + segments[2:]
    pattern = '/' + '/'.join(segments)
    keys = sorted(set(key for key, dummy in parse_qsl(parts.query, keep_blank_values=True)))
    if keys:
        pattern += '?' + ','.join(keys)
    return '%s %s' % (method, pattern)


class _RequestCounter(object):
    """Follows the client-to-engine byte stream of one connection and counts its requests.

    Only reads a copy of the stream: the bytes themselves are forwarded as they come,
    so a request this parser does not understand is still served (and counted as
    'UNPARSED').
    """

    def __init__(self, record):
        self.record = record
        self.buffer = b''
        self.state = 'head'
        self.remaining = 0
        self.raw = False  # after an upgrade (attach, exec start): no more HTTP requests

    def feed(self, data):
        if self.raw:
            return
        self.buffer += data
        while not self.raw:
            if not self._step():
                break

    def _step(self):
        if self.state == 'head':
            end = self.buffer.find(b'\r\n\r\n')
            if end < 0:
                return False
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            lines = head.decode('latin-1').split('\r\n')
            request = lines[0].split(' ')
            if len(request) < 2:
                self.record('UNPARSED')
                self.raw = True
                return False
            self.record(path_pattern(request[0], request[1]))
            headers = {}
            for line in lines[1:]:
                name, dummy, value = line.partition(':')
                headers[name.strip().lower()] = value.strip()
            if 'upgrade' in headers:
                self.raw = True
                return False
            if 'chunked' in headers.get('transfer-encoding', '').lower():
                self.state = 'chunk-size'
            else:
                self.remaining = int(headers.get('content-length') or 0)
                self.state = 'body' if self.remaining else 'head'
            return True
        if self.state == 'body':
            take = min(self.remaining, len(self.buffer))
            self.buffer = self.buffer[take:]
            self.remaining -= take
            if self.remaining:
                return False
            self.state = 'head'
            return True
        if self.state in ('chunk-size', 'trailer'):
            end = self.buffer.find(b'\r\n')
            if end < 0:
                return False
            line, self.buffer = self.buffer[:end], self.buffer[end + 2:]
            if self.state == 'trailer':
                if not line:
                    self.state = 'head'
                return True
            size = int(line.split(b';')[0].strip() or b'0', 16)
            if size == 0:
                self.state = 'trailer'
            else:
                self.remaining = size + 2  # chunk data and its CRLF
                self.state = 'chunk-data'
            return True
        if self.state == 'chunk-data':
            take = min(self.remaining, len(self.buffer))
            self.buffer = self.buffer[take:]
            self.remaining -= take
            if self.remaining:
                return False
            self.state = 'chunk-size'
            return True
        return False


class CountingProxy(object):
    """Unix socket ``listen`` -> Unix socket ``upstream``, counting HTTP requests."""

    def __init__(self, listen, upstream):
        self.listen = listen
        self.upstream = upstream
        self.counts = {}
        self.connections = 0
        self.open_connections = 0
        self.last_activity = time.time()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None

    # -- counting ------------------------------------------------------------------
    def _record(self, key):
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            self.last_activity = time.time()

    def reset(self):
        with self._lock:
            self.counts = {}
            self.connections = 0

    def snapshot(self):
        with self._lock:
            return dict(total=sum(self.counts.values()), connections=self.connections,
                        by_pattern=dict(sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))))

    # -- serving -------------------------------------------------------------------
    def start(self):
        if os.path.exists(self.listen):
            os.unlink(self.listen)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.listen)
        self._server.listen(64)
        self._server.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept_loop, name='count-proxy-accept')
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._server is not None:
            self._server.close()
            self._server = None
        if os.path.exists(self.listen):
            os.unlink(self.listen)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                client, dummy = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            client.settimeout(None)
            try:
                engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                engine.connect(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self.connections += 1
                self.open_connections += 1
                self.last_activity = time.time()
            done = [0]
            counter = _RequestCounter(self._record)
            for source, sink, hook in ((client, engine, counter.feed), (engine, client, None)):
                thread = threading.Thread(target=self._pipe, args=(source, sink, hook, client, engine, done))
                thread.daemon = True
                thread.start()

    def _pipe(self, source, sink, hook, client, engine, done):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if hook is not None:
                    try:
                        hook(data)
                    except Exception:  # a parsing problem must never break the forwarding
                        self._record('UNPARSED')
                        hook = None
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with self._lock:
            done[0] += 1
            last = done[0] == 2
            if last:
                self.open_connections -= 1
                self.last_activity = time.time()
        if last:
            client.close()
            engine.close()

    def wait_idle(self, idle, max_seconds=None):
        """Block until no connection was open for ``idle`` seconds (or max_seconds passed)."""
        started = time.time()
        while not self._stopping.is_set():
            now = time.time()
            with self._lock:
                quiet = self.open_connections == 0 and now - self.last_activity >= idle
            if quiet or (max_seconds and now - started >= max_seconds):
                return
            time.sleep(0.2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('listen', help='Unix socket path to listen on')
    parser.add_argument('upstream', help="the engine's Unix socket path (unix:// prefix allowed)")
    parser.add_argument('--out', help='write the counts as JSON here (default: stdout)')
    parser.add_argument('--idle', type=float, default=60.0, help='stop after this many seconds without an open connection')
    parser.add_argument('--max-seconds', type=float, default=3600.0, help='stop after this many seconds in any case')
    args = parser.parse_args(argv)

    def strip(value):
        return value[len('unix://'):] if value.startswith('unix://') else value

    proxy = CountingProxy(strip(args.listen), strip(args.upstream))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *dummy: stop.set())
    proxy.start()
    waiter = threading.Thread(target=proxy.wait_idle, args=(args.idle, args.max_seconds))
    waiter.daemon = True
    waiter.start()
    while waiter.is_alive() and not stop.is_set():
        waiter.join(0.2)
    proxy.stop()
    text = json.dumps(proxy.snapshot(), indent=2, sort_keys=False)
    if args.out:
        with open(args.out, 'w') as handle:
            handle.write(text + '\n')
    else:
        sys.stdout.write(text + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
