#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A bare client: the engine work of a layout run, done with as little as can do it.

Python's standard library only (no Docker SDK, no Ansible), one connection to the
engine's Unix socket:

- make: one container listing, then per index the writes that persistent.volumes.layout
  makes on an empty engine: a labelled volume, a data container that mounts it at
  /data, and a consumer wired to that data container with --volumes-from. Nothing is
  inspected or started.
- read: the reads of an idempotent re-run: the listing, the image, and each container
  inspected once (all must exist).

The benchmark uses it as the floor of the fleet scenario: what any client of these
engines pays on this machine.

    python raw_client.py make|read unix:///path/docker.sock PREFIX COUNT [IMAGE]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import socket
import sys

try:
    from http.client import HTTPConnection
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2
    from httplib import HTTPConnection
    from urllib import quote


class UnixConnection(HTTPConnection):
    def __init__(self, path):
        HTTPConnection.__init__(self, 'localhost', timeout=120)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class Engine(object):
    def __init__(self, docker_host):
        if not docker_host.startswith('unix://'):
            raise SystemExit('raw_client.py: only unix:// sockets, not %s' % docker_host)
        self.connection = UnixConnection(docker_host[len('unix://'):])
        self.calls = 0

    def call(self, method, path, body=None):
        self.calls += 1
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, path, body=payload, headers={'Content-Type': 'application/json'})
        answer = self.connection.getresponse()
        data = answer.read()
        if answer.status >= 300:
            raise SystemExit('raw_client.py: %s %s answered %d: %s' % (method, path, answer.status, data[:300]))
        return json.loads(data) if data else None


def make(engine, prefix, count, image):
    engine.call('GET', '/containers/json?all=1')
    for index in range(1, count + 1):
        data = '%sdc_%02d' % (prefix, index)
        volume = engine.call('POST', '/volumes/create', {'Labels': {'persistent.volumes.anonymous-for': data}})['Name']
        engine.call('POST', '/containers/create?name=' + quote(data), {
            'Image': image, 'Cmd': ['/bin/sh'],
            'Labels': {'persistent.volumes.data-container': 'true', 'persistent.volumes.owned-volumes': json.dumps([volume])},
            'HostConfig': {'Binds': ['%s:/data:rw' % volume]}})
        engine.call('POST', '/containers/create?name=' + quote('%sc_%02d' % (prefix, index)), {
            'Image': image, 'Cmd': ['sleep', '1000000'], 'HostConfig': {'VolumesFrom': ['%s:rw' % data]}})


def read(engine, prefix, count, image):
    engine.call('GET', '/containers/json?all=1')
    engine.call('GET', '/images/%s/json' % quote(image, safe=''))
    for index in range(1, count + 1):
        engine.call('GET', '/containers/%s/json' % quote('%sdc_%02d' % (prefix, index)))
        engine.call('GET', '/containers/%s/json' % quote('%sc_%02d' % (prefix, index)))


def main(argv):
    if len(argv) not in (5, 6) or argv[1] not in ('make', 'read'):
        raise SystemExit('usage: raw_client.py make|read unix:///path/docker.sock PREFIX COUNT [IMAGE]')
    engine = Engine(argv[2])
    work = make if argv[1] == 'make' else read
    work(engine, argv[3], int(argv[4]), argv[5] if len(argv) == 6 else 'local/busybox:latest')
    print(json.dumps({'changed': argv[1] == 'make', 'api_calls': engine.calls}))


if __name__ == '__main__':
    main(sys.argv)
