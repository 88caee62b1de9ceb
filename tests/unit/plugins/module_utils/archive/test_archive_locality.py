# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""When the direct path may be taken (archive/locality.py), as tables."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import (
    Access,
    _podman_problem,
    choose_access,
    engine_access,
    volume_problem,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import ConnectionOptions
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI


PODMAN = {'Version': '4.3.1', 'ApiVersion': '1.41', 'Components': [{'Name': 'Podman Engine', 'Version': '4.3.1'}]}
DOCKER = {'Version': '20.10.24', 'ApiVersion': '1.41', 'Components': [{'Name': 'Engine', 'Version': '20.10.24'}]}


class Engine(FakeEngineAPI):
    """A module engine that is its own API: the connection options, ``info`` and ``version`` as given."""

    def __init__(self, docker_host, tls=False, info=None, version=None):
        super(Engine, self).__init__()
        self.options = ConnectionOptions(dict(docker_host=docker_host, tls=tls), environ={})
        self.api = self
        self._info = info or {}
        self._version = version or DOCKER

    def info(self):
        return self._info

    def version(self):
        return self._version


@pytest.mark.parametrize('host, tls, method, reason', [
    ('unix:///var/run/docker.sock', False, 'engine', 'method=engine was asked'),
    ('tcp://10.0.0.1:2376', True, 'auto', 'the engine is not on a local Unix socket (docker_host=tcp://10.0.0.1:2376)'),
    ('ssh://user@host', False, 'auto', 'the engine is not on a local Unix socket (docker_host=ssh://user@host)'),
    ('unix:///nonexistent/docker.sock', False, 'auto', 'cannot ask the socket /nonexistent/docker.sock who serves it'),
])
def test_engine_access_falls_back_to_the_engine(host, tls, method, reason):
    access = engine_access(Engine(host, tls), method)
    assert access.method == 'engine' and access.reason.startswith(reason)


def test_direct_that_cannot_be_proved_is_refused():
    with pytest.raises(Refusal, match=r'^method=direct cannot be used: the engine is not on a local Unix socket '
                                      r'\(docker_host=tcp://h:2375\)\. Use method=auto'):
        choose_access(Engine('tcp://h:2375'), 'direct', [])


@pytest.mark.parametrize('host, method', [
    ('tcp://h:2375', 'auto'),
    ('tcp://h:2375', 'direct'),
    ('unix:///var/run/docker.sock', 'engine'),
    ('unix:///nonexistent/podman.sock', 'auto'),
])
def test_the_engine_path_is_refused_on_podman(host, method):
    with pytest.raises(Refusal) as caught:
        choose_access(Engine(host, version=PODMAN), method, [])
    message = caught.value.msg
    assert message.startswith('Refusing to read or write volume data through the engine on Podman 4.3.1 (API 1.41): '
                              'its archive endpoint reads every owner and group')
    assert 'The direct path was not taken: ' in message and message.endswith('nothing was changed.')


def test_podman_is_proved_by_its_program_and_database(tmp_path):
    engine = Engine('unix:///run/podman.sock', version=PODMAN)
    problem = _podman_problem(engine, str(tmp_path), os.getpid())  # this process is python, not podman
    assert 'is %s, not podman' % os.path.basename(os.readlink('/proc/self/exe')) in problem


@pytest.mark.parametrize('volume, problem', [
    ({'Name': 'v', 'Driver': 'nfs-plugin', 'Mountpoint': '/x'}, 'volume v uses the driver nfs-plugin, not local'),
    ({'Name': 'v', 'Driver': 'local', 'Options': {'type': 'nfs', 'o': 'addr=1.2.3.4'}, 'Mountpoint': '/x'},
     'volume v is a local volume with mount options o, type (mounted only while in use)'),
    ({'Name': 'v', 'Driver': 'local', 'Mountpoint': ''}, 'volume v has no Mountpoint'),
    ({'Name': 'v', 'Driver': 'local', 'Mountpoint': '/nonexistent/v/_data'},
     'cannot look at the Mountpoint of volume v: No such file or directory'),
])
def test_volume_problem(volume, problem):
    assert volume_problem(Access('direct', 'proved', pid=os.getpid()), volume) == problem


def test_volume_problem_of_the_engine_s_own_directory(tmp_path):
    volume = {'Name': 'v', 'Driver': 'local', 'Mountpoint': str(tmp_path)}
    assert volume_problem(Access('direct', 'proved', pid=os.getpid()), volume) is None
