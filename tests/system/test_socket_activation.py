# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The direct path behind an engine started as stock hosts start it.

On Debian, Ubuntu and docker-ce hosts systemd's ``docker.socket`` owns the listening socket and
hands it to ``dockerd -H fd://``: a client's ``SO_PEERCRED`` names the listener, not dockerd.
The direct path is still proved there (the process that accepted this very connection holds
the volume database), and still refused where the process cannot be proved to be the engine
owning the local directories: an activated engine in another mount namespace whose
``DockerRootDir`` is another engine's directory here (as Docker 26 in its Debian 13 root), a
proxy, a remote engine. Each engine here is an extra engine of this module (its own network
namespace); the machine's engine is never touched.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket
import subprocess
import threading

import docker
import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import peer_pid
from conftest import RUN_ID, failed, run_module
from lab import REPO, ExtraEngine
from test_restore_hostile import ok

BUSYBOX = 'local/busybox:latest'


def load_image(client):
    """local/busybox:latest on an extra engine, from the machine's engine."""
    main = docker.APIClient(base_url='unix:///var/run/docker.sock', version='auto', timeout=120)
    try:
        client.load_image(main.get_image(BUSYBOX))
    finally:
        main.close()


@pytest.fixture(scope='module')
def activated():
    engine = ExtraEngine('pva%s' % RUN_ID, activated=True)
    engine.start()
    yield engine
    engine.stop()


@pytest.fixture(scope='module')
def elsewhere():
    """Activated too, in a mount namespace of its own with the default data root."""
    engine = ExtraEngine('pve%s' % RUN_ID, activated=True, own_default_root=True)
    engine.start()
    yield engine
    engine.stop()


def volume_with_file(engine, name, text):
    client = docker.APIClient(base_url=engine.docker_host, version='auto', timeout=120)
    load_image(client)
    client.create_volume(name, labels={'pvtest': RUN_ID})
    writer = client.create_container(BUSYBOX, ['sh', '-c', 'echo %s > /v/f' % text],
                                     host_config=client.create_host_config(binds=['%s:/v' % name]))
    client.start(writer)
    assert client.wait(writer, timeout=60)['StatusCode'] == 0
    client.remove_container(writer)
    return client


def read_back(client, name):
    reader = client.create_container(BUSYBOX, ['cat', '/v/f'],
                                     host_config=client.create_host_config(binds=['%s:/v' % name]))
    client.start(reader)
    client.wait(reader, timeout=60)
    text = client.logs(reader).decode().strip()
    client.remove_container(reader)
    return text


def sockets(pid):
    links = (os.readlink('/proc/%d/fd/%s' % (pid, fd)) for fd in os.listdir('/proc/%d/fd' % pid))
    return set(link for link in links if link.startswith('socket:['))


def test_the_listener_not_the_engine_answers_so_peercred(activated):
    """What makes activation different: the socket's peer is the listener; dockerd holds that
    very listening socket (handed over as fd 3) and accepts the connections."""
    assert peer_pid(activated.socket) == activated.listener_pid != activated.engine_pid
    assert len(sockets(activated.listener_pid)) == 1  # the listening socket, nothing else
    assert sockets(activated.listener_pid) <= sockets(activated.engine_pid)


def test_the_direct_path_is_proved_behind_an_activated_socket(activated, tmp_path):
    volume = 'pvt-%s-act' % RUN_ID
    client = volume_with_file(activated, volume, 'activated')
    dest = str(tmp_path / 'a.tar')
    made = ok(run_module('volume_backup', dict(volume=volume, dest=dest, docker_host=activated.docker_host)))
    assert made['method'] == 'direct', made['method_reason']
    assert made['method_reason'] == (
        'auto: local engine (pid %d, behind a socket activated by pid %d) owns the volume directories'
        % (activated.engine_pid, activated.listener_pid))
    copy = volume + '-copy'
    restored = ok(run_module('volume_restore', dict(src=dest, volume=copy, method='direct',
                                                    docker_host=activated.docker_host)))
    assert restored['method'] == 'direct' and restored['changed'] is True
    assert read_back(client, copy) == 'activated'
    again = ok(run_module('volume_restore', dict(src=dest, volume=copy, docker_host=activated.docker_host)))
    assert again['changed'] is False


def test_an_activated_engine_in_another_root_is_never_taken_for_the_local_one(elsewhere, tmp_path):
    """It reports DockerRootDir /var/lib/docker: here that is the machine's engine's directory,
    whose volume database neither the listener nor the accepting dockerd holds."""
    volume = 'pvt-%s-else' % RUN_ID
    client = volume_with_file(elsewhere, volume, 'elsewhere')
    assert client.info()['DockerRootDir'] == '/var/lib/docker'
    dest = str(tmp_path / 'e.tar')
    made = ok(run_module('volume_backup', dict(volume=volume, dest=dest, docker_host=elsewhere.docker_host)))
    assert made['method'] == 'engine'
    assert made['method_reason'] == (
        'neither the process listening on %s (pid %d) nor the one that accepted a connection to it (pid %d) holds '
        '/var/lib/docker/volumes/metadata.db open: it is not the engine that owns the volumes seen here (a proxy, '
        "an engine in another mount namespace or root, or another machine's engine)"
        % (elsewhere.socket, elsewhere.listener_pid, elsewhere.engine_pid))
    for check in (True, False):
        failed(run_module('volume_backup', dict(volume=volume, dest=dest, method='direct', force=True,
                                                docker_host=elsewhere.docker_host), check=check),
               'method=direct cannot be used: neither the process listening on %s' % elsewhere.socket,
               'nothing was changed')
        failed(run_module('volume_restore', dict(src=dest, volume=volume + '-d', method='direct',
                                                 docker_host=elsewhere.docker_host), check=check),
               'method=direct cannot be used', 'nothing was changed')
    restored = ok(run_module('volume_restore', dict(src=dest, volume=volume + '-copy',
                                                    docker_host=elsewhere.docker_host)))
    assert restored['method'] == 'engine' and read_back(client, volume + '-copy') == 'elsewhere'


DOCKER26_ROOT = os.path.join(REPO, '.build', 'docker26', 'root')


@pytest.fixture(scope='module')
def docker26_default_root():
    """Debian 13's Docker 26 (scripts/docker26-up.sh), behind socket activation, with its default data root:
    /var/lib/docker in its Debian 13 root, reported as DockerRootDir /var/lib/docker."""
    if not os.path.exists(os.path.join(DOCKER26_ROOT, '.pv-complete')):
        pytest.skip('no Debian 13 root in .build/docker26 (make system-docker26 makes it)')
    env = dict(os.environ, PV_D26_NAME='pvd26r%s' % RUN_ID, PV_D26_DATA_ROOT='default')
    script = os.path.join(REPO, 'scripts', 'docker26-%s.sh')
    host = subprocess.run([script % 'up'], env=env, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          universal_newlines=True, check=True).stdout.strip()
    yield host
    subprocess.run([script % 'down'], env=env, stdin=subprocess.DEVNULL, check=False)


def test_docker26_in_its_own_root_is_never_taken_for_the_local_engine(docker26_default_root, tmp_path):
    """The case that made this rule: Docker 26 in its Debian 13 root reports DockerRootDir
    /var/lib/docker, which here is the machine's engine's directory."""
    host = docker26_default_root
    client = docker.APIClient(base_url=host, version='auto', timeout=120)
    assert client.info()['DockerRootDir'] == '/var/lib/docker' and client.version()['ApiVersion'] >= '1.45'
    volume = 'pvt-%s-d26' % RUN_ID
    client.create_volume(volume)
    dest = str(tmp_path / 'd26.tar')
    made = ok(run_module('volume_backup', dict(volume=volume, dest=dest, docker_host=host)))
    assert made['method'] == 'engine'
    assert made['method_reason'].startswith('neither the process listening on %s' % host[len('unix://'):])
    assert 'holds /var/lib/docker/volumes/metadata.db open' in made['method_reason']
    for check in (True, False):
        failed(run_module('volume_backup', dict(volume=volume, dest=dest, method='direct', force=True,
                                                docker_host=host), check=check),
               'method=direct cannot be used: neither the process listening on', 'nothing was changed')
    client.remove_volume(volume)  # its data root is in the kept Debian 13 root


class TcpForwarder(object):
    """tcp://127.0.0.1:<port> -> a Unix socket: the engine as a remote client reaches it."""

    def __init__(self, target):
        self.target = target
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(('127.0.0.1', 0))
        self.server.listen(16)
        self.docker_host = 'tcp://127.0.0.1:%d' % self.server.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                client, dummy = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.target)
            for one, other in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(one, other), daemon=True).start()

    @staticmethod
    def pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.server.close()


def test_a_remote_engine_is_never_taken_for_the_local_one(activated, tmp_path):
    """The same activated engine over TCP: the endpoint, and method=direct refused."""
    volume = 'pvt-%s-remote' % RUN_ID
    volume_with_file(activated, volume, 'remote')
    forwarder = TcpForwarder(activated.socket)
    try:
        dest = str(tmp_path / 'r.tar')
        made = ok(run_module('volume_backup', dict(volume=volume, dest=dest, docker_host=forwarder.docker_host)))
        assert made['method'] == 'engine'
        assert made['method_reason'] == 'the engine is not on a local Unix socket (docker_host=%s)' % forwarder.docker_host
        for check in (True, False):
            failed(run_module('volume_backup', dict(volume=volume, dest=dest, method='direct', force=True,
                                                    docker_host=forwarder.docker_host), check=check),
                   'method=direct cannot be used: the engine is not on a local Unix socket', 'nothing was changed')
    finally:
        forwarder.close()
