# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Extra Docker engines for tests, each in its own network namespace (see DESIGN.md, The lab)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil
import signal
import subprocess
import tempfile
import time

import docker


class ExtraEngine(object):
    """A dockerd with its own data root, exec root and socket, in netns ``name``."""

    def __init__(self, name):
        self.name = name
        self.root = tempfile.mkdtemp(prefix='pv-%s-' % name, dir='/tmp')
        self.socket = os.path.join(self.root, 'docker.sock')
        self.docker_host = 'unix://' + self.socket
        self.process = None

    def start(self, timeout=60):
        subprocess.run(['ip', 'netns', 'add', self.name], check=True)
        log = open(os.path.join(self.root, 'dockerd.log'), 'wb')
        self.process = subprocess.Popen(
            ['nsenter', '--net=/run/netns/%s' % self.name, 'dockerd',
             '--data-root', os.path.join(self.root, 'data'),
             '--exec-root', os.path.join(self.root, 'exec'),
             '--pidfile', os.path.join(self.root, 'docker.pid'),
             '-H', self.docker_host],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                client = docker.APIClient(base_url=self.docker_host, version='auto', timeout=5)
                client.version()
                client.close()
                return
            except Exception:  # not up yet
                if self.process.poll() is not None:
                    break
                time.sleep(0.5)
        with open(os.path.join(self.root, 'dockerd.log')) as handle:
            tail = handle.read()[-3000:]
        self.stop()
        raise RuntimeError('extra engine %s did not start:\n%s' % (self.name, tail))

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        subprocess.run(['ip', 'netns', 'delete', self.name], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(['umount', '-R', self.root], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)
