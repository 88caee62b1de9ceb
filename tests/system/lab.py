# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab for tests (see DESIGN.md, The lab): extra Docker engines, each in its own network
namespace (``ExtraEngine``), and the fleet of lab hosts that scripts/fleet-up.sh makes, reached
over SSH like real Docker hosts (``Fleet``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import docker
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
# Held while a fleet is up, by the tests and by 'make molecule' (flock(1) on the same file).
FLEET_LOCK = '/tmp/pv-fleet.lock'


ACTIVATION = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'socket_activation.py')


class ExtraEngine(object):
    """A dockerd with its own data root, exec root and socket, in netns ``name``.

    ``activated``: started as systemd's docker.socket starts it, behind socket_activation.py
    (a listener that holds the socket and hands it to ``dockerd -H fd://``; ``listener_pid``).
    ``own_default_root``: in a mount namespace of its own where ``/var/lib/docker`` is another
    directory, with the default data root: it reports ``DockerRootDir /var/lib/docker``, which on
    this machine is the main engine's (as Docker 26 in its Debian 13 root does).
    """

    def __init__(self, name, activated=False, own_default_root=False):
        self.name = name
        self.root = tempfile.mkdtemp(prefix='pv-%s-' % name, dir='/tmp')
        self.socket = os.path.join(self.root, 'docker.sock')
        self.docker_host = 'unix://' + self.socket
        self.activated = activated
        self.own_default_root = own_default_root
        self.process = None

    def command(self):
        dockerd = ['dockerd', '--exec-root', os.path.join(self.root, 'exec'),
                   '--pidfile', os.path.join(self.root, 'docker.pid')]
        if not self.own_default_root:
            dockerd += ['--data-root', os.path.join(self.root, 'data')]
        dockerd += ['-H', 'fd://' if self.activated else self.docker_host]
        if self.own_default_root:
            os.makedirs(os.path.join(self.root, 'data'))
            dockerd = ['unshare', '-m', '--propagation', 'private', 'sh', '-c',
                       'mount --bind "$1" /var/lib/docker && shift && exec "$@"', 'sh',
                       os.path.join(self.root, 'data')] + dockerd
        if self.activated:
            dockerd = [sys.executable, ACTIVATION, '--socket', self.socket,
                       '--pidfile', os.path.join(self.root, 'listener.pid'), '--'] + dockerd
        return ['nsenter', '--net=/run/netns/%s' % self.name] + dockerd

    @property
    def listener_pid(self):
        with open(os.path.join(self.root, 'listener.pid')) as handle:
            return int(handle.read())

    @property
    def engine_pid(self):
        with open(os.path.join(self.root, 'docker.pid')) as handle:
            return int(handle.read())

    def start(self, timeout=60):
        subprocess.run(['ip', 'netns', 'add', self.name], check=True)
        log = open(os.path.join(self.root, 'dockerd.log'), 'wb')
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
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


class Fleet(object):
    """scripts/fleet-up.sh COUNT on entry, scripts/fleet-down.sh on exit.

    ``inventory`` is the inventory the lab writes (group docker_hosts, SSH as the lab's user);
    ``api(host)`` talks to a host's engine directly, through its socket as this machine sees
    it, to check what a playbook did; ``outage(host, action, service)`` stops or starts a
    host's engine or sshd (scripts/fleet-host.sh).
    """

    def __init__(self, count=3, log_path=None):
        self.count = count
        self.inventory = os.path.join(REPO, '.build', 'lab', 'fleet.yml')
        self.log_path = log_path or os.path.join(REPO, '.build', 'lab', 'fleet-tests.log')
        self.hosts = []
        self.sockets = {}

    def _script(self, *args):
        with open(self.log_path, 'a') as log:
            proc = subprocess.run([os.path.join(REPO, 'scripts', args[0])] + list(args[1:]), cwd=REPO,
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, check=False)
        if proc.returncode != 0:
            with open(self.log_path) as log:
                tail = log.read()[-3000:]
            raise RuntimeError('scripts/%s failed (exit %d):\n%s' % (' '.join(args), proc.returncode, tail))

    def __enter__(self):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        # One fleet on the machine (/tmp/pvlab): another test run's waits until this one is down.
        self._lock = open(FLEET_LOCK, 'a')
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._script('fleet-up.sh', str(self.count))
        with open(self.inventory) as handle:
            hosts = yaml.safe_load(handle)['docker_hosts']['hosts']
        self.hosts = sorted(hosts)
        self.sockets = dict((name, hosts[name]['lab_engine_socket']) for name in self.hosts)
        return self

    def __exit__(self, *exc_info):
        try:
            self._script('fleet-down.sh')
        finally:
            self._lock.close()

    def api(self, host):
        return docker.APIClient(base_url=self.sockets[host], version='auto', timeout=60)

    def outage(self, host, action, service):
        self._script('fleet-host.sh', host, action, service)
