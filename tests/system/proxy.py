# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Unix-socket HTTP proxy in front of the Docker engine that can stop one request.

Modules pointed at it (``docker_host: unix://<socket>``) talk to the real engine,
request by request, until a request whose first line matches a rule arrives: that
request is never forwarded. The rule's event is set and the client connection is
either closed at once (``close``: the module sees a broken connection) or held open
(``hold``: the module waits, so the test can kill it at exactly that point).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import socket
import tempfile
import threading

# The engine under test (conftest.DOCKER_HOST: the machine's, unless a stage names another).
ENGINE_SOCKET = os.environ.get('PV_TEST_DOCKER_HOST', 'unix:///var/run/docker.sock')[len('unix://'):]


class Rule(object):
    """Stop the first request whose first line matches ``pattern``."""

    def __init__(self, pattern, action):
        if action not in ('close', 'hold'):
            raise ValueError('action must be close or hold, got %r' % action)
        self.pattern = re.compile(pattern)
        self.action = action
        self.event = threading.Event()
        self.line = None

    def wait(self, timeout=60):
        return self.event.wait(timeout)


class _Reader(object):
    """Buffered reads from a socket: up to a marker, or an exact number of bytes."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b''

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError()
        self.buffer += chunk

    def until(self, marker):
        while marker not in self.buffer:
            self._fill()
        index = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:index], self.buffer[index:]
        return data

    def exact(self, size):
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def _headers(head):
    found = {}
    for line in head.split(b'\r\n')[1:]:
        if b':' in line:
            key, value = line.split(b':', 1)
            found[key.strip().lower().decode('latin-1')] = value.strip().decode('latin-1')
    return found


class EngineProxy(object):
    """Forward HTTP requests from ``path`` to the engine's socket, one request at a time."""

    def __init__(self, path=None, upstream=ENGINE_SOCKET):
        self.dir = None
        if path is None:
            self.dir = tempfile.mkdtemp(prefix='pv-proxy-')
            path = os.path.join(self.dir, 'docker.sock')
        self.path = path
        self.upstream = upstream
        self.docker_host = 'unix://' + path
        self.requests = []      # first lines of the requests forwarded
        self._rules = []
        self._lock = threading.Lock()
        self._sockets = []
        self._stopping = threading.Event()
        self._server = None

    # --- control ---------------------------------------------------------------
    def intercept(self, pattern, action='close'):
        """Stop the next request matching ``pattern``; returns the Rule (its ``event``)."""
        rule = Rule(pattern, action)
        with self._lock:
            self._rules.append(rule)
        return rule

    def _match(self, line):
        with self._lock:
            for rule in self._rules:
                if not rule.event.is_set() and rule.pattern.search(line):
                    rule.line = line
                    return rule
        return None

    def start(self):
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(64)
        thread = threading.Thread(target=self._accept, name='engine-proxy')
        thread.daemon = True
        thread.start()
        return self

    def stop(self):
        self._stopping.set()
        with self._lock:
            sockets = list(self._sockets) + [self._server]
        for sock in sockets:
            _close(sock)
        if os.path.exists(self.path):
            os.unlink(self.path)
        if self.dir:
            os.rmdir(self.dir)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- serving ---------------------------------------------------------------
    def _track(self, sock):
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept(self):
        while not self._stopping.is_set():
            try:
                client, dummy = self._server.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(self._track(client),))
            thread.daemon = True
            thread.start()

    def _serve(self, client):
        upstream = self._track(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        try:
            upstream.connect(self.upstream)
            before_forwarding = self._start_answers(upstream, client)
            reader = _Reader(client)
            while not self._stopping.is_set():
                head = reader.until(b'\r\n\r\n')
                line = head.split(b'\r\n', 1)[0].decode('latin-1')
                rule = self._match(line)
                if rule is not None:
                    rule.event.set()
                    if rule.action == 'hold':
                        while client.recv(65536):   # until the client goes away
                            pass
                    return
                before_forwarding(line)
                upstream.sendall(head)
                self.requests.append(line)
                self._forward_body(reader, upstream, _headers(head))
        except (EOFError, OSError):
            pass
        finally:
            _close(client)
            _close(upstream)

    def _start_answers(self, upstream, client, before_chunk=None):
        """Start copying the engine's answers to the client; return what to call with each
        request's first line before the request goes to the engine."""
        pump = threading.Thread(target=_pump, args=(upstream, client, before_chunk))
        pump.daemon = True
        pump.start()
        return lambda line: None

    @staticmethod
    def _forward_body(reader, upstream, headers):
        if headers.get('transfer-encoding', '').lower() == 'chunked':
            while True:
                size_line = reader.until(b'\r\n')
                upstream.sendall(size_line)
                size = int(size_line.split(b';')[0].strip() or b'0', 16)
                upstream.sendall(reader.exact(size + 2))
                if size == 0:
                    return
        length = int(headers.get('content-length') or 0)
        if length:
            upstream.sendall(reader.exact(length))


def _pump(source, destination, before_chunk=None):
    """Copy the engine's answers to the client as they come (``before_chunk()`` first, each time)."""
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            if before_chunk is not None:
                before_chunk()
            destination.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            destination.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _close(sock):
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
