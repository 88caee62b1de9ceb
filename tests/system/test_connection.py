# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options, engine errors and the missing Docker SDK."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket

import pytest

from conftest import run_module


@pytest.mark.parametrize('module', ['volume', 'volume_info'])
def test_missing_socket_names_the_docker_host(module, tmp_path):
    host = 'unix://%s/nothing.sock' % tmp_path
    result = run_module(module, {'name': 'somevol', 'docker_host': host})
    assert result['rc'] == 1
    assert result['msg'] == ('Cannot talk to the Docker engine at %s: the socket does not exist '
                             '(is the Docker engine running?)' % host)


def test_refused_tcp_port_names_the_docker_host():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    host = 'tcp://127.0.0.1:%d' % port
    result = run_module('volume', {'name': 'somevol', 'docker_host': host})
    assert result['rc'] == 1
    assert result['msg'].startswith('Cannot talk to the Docker engine at %s: connection refused' % host)


def test_docker_host_from_environment(monkeypatch, tmp_path):
    host = 'unix://%s/env.sock' % tmp_path
    monkeypatch.setenv('DOCKER_HOST', host)
    result = run_module('volume_info', {})
    assert result['rc'] == 1 and host in result['msg']


def test_silent_engine_times_out(tmp_path):
    """A socket that accepts but never answers: the message names timeout."""
    path = str(tmp_path / 'silent.sock')
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(5)
    try:
        result = run_module('volume_info', {'docker_host': 'unix://' + path, 'timeout': 2})
    finally:
        server.close()
    assert result['rc'] == 1
    assert 'did not answer within timeout=2 seconds' in result['msg'], result['msg']


def test_client_cert_without_key_is_refused(tmp_path):
    cert = tmp_path / 'cert.pem'
    cert.write_text('x')
    result = run_module('volume_info', {'tls': True, 'client_cert': str(cert)})
    assert result['rc'] == 1
    assert 'client_cert and client_key must be given together' in result['msg']


def test_missing_sdk_uses_missing_required_lib():
    blocker = 'import sys; sys.modules["docker"] = None; '
    result = run_module('volume', {'name': 'somevol'}, preamble=blocker)
    assert result['rc'] == 1
    assert 'Failed to import the required Python library (docker (the Docker SDK for Python))' in result['msg']
