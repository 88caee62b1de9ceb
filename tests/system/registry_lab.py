# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A registry (Debian's docker-registry) beside an extra engine, inside that engine's network
namespace on 127.0.0.1:5000: an image pushed there gets the RepoDigests that only a registry
gives, so references by digest can be pulled for real without leaving the machine."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil
import signal
import subprocess
import time

import docker

from lab import ExtraEngine

ADDRESS = '127.0.0.1:5000'
CONFIG = '''version: 0.1
storage:
  filesystem:
    rootdirectory: %s
http:
  addr: %s
'''


class RegistryEngine(ExtraEngine):
    """An ExtraEngine with a registry at 127.0.0.1:5000 of its own namespace."""

    def __init__(self, name):
        super(RegistryEngine, self).__init__(name)
        self.registry = None

    def start(self, timeout=60):
        super(RegistryEngine, self).start(timeout)
        subprocess.run(['ip', '-n', self.name, 'link', 'set', 'lo', 'up'], check=True)
        config = os.path.join(self.root, 'registry.yml')
        with open(config, 'w') as handle:
            handle.write(CONFIG % (os.path.join(self.root, 'registry'), ADDRESS))
        log = open(os.path.join(self.root, 'registry.log'), 'wb')
        self.registry = subprocess.Popen(
            ['nsenter', '--net=/run/netns/%s' % self.name, shutil.which('docker-registry') or 'docker-registry',
             'serve', config],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def push(self, client, repository, tag, attempts=20):
        """Push ``repository:tag`` (the registry may still be starting); its RepoDigest."""
        for dummy in range(attempts):
            errors = [line['error'] for line in client.push(repository, tag=tag, stream=True, decode=True)
                      if 'error' in line]
            if not errors:
                break
            if self.registry.poll() is not None:
                raise RuntimeError('docker-registry ended: see %s' % os.path.join(self.root, 'registry.log'))
            time.sleep(0.5)
        else:
            raise RuntimeError('push of %s:%s failed: %s' % (repository, tag, errors))
        digests = client.inspect_image('%s:%s' % (repository, tag))['RepoDigests']
        return [d for d in digests if d.startswith(repository + '@')][0].split('@', 1)[1]

    def stop(self):
        if self.registry is not None and self.registry.poll() is None:
            os.killpg(self.registry.pid, signal.SIGTERM)
            self.registry.wait(timeout=30)
        super(RegistryEngine, self).stop()


def copy_image(source, target, reference):
    """``reference`` from the ``source`` engine into the ``target`` engine (save, load)."""
    target.load_image(b''.join(source.get_image(reference)))
    return target.inspect_image(reference)['Id']


def forget(client, reference):
    """Drop a tag or digest reference (the image stays under its other names)."""
    try:
        client.remove_image(reference, noprune=True)
    except docker.errors.NotFound:
        pass
