# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import docker.errors
import pytest
import requests
import requests.exceptions

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import (
    EngineError,
    InputError,
    PersistentVolumesError,
    Refusal,
    api_error,
    connection_error,
)

SOCKET = 'unix:///var/run/docker.sock'


def http_error(status, explanation, cls=docker.errors.APIError):
    response = requests.Response()
    response.status_code = status
    response.reason = 'Conflict'
    response.url = 'http+docker://localhost/v1.41/volumes/data'
    return cls('%s Client Error' % status, response=response, explanation=explanation)


@pytest.mark.parametrize('exc, timeout, expected', [
    pytest.param(requests.exceptions.ConnectionError(('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))),
                 None, 'Cannot talk to the Docker engine at %s: the socket does not exist (is the Docker engine running?)' % SOCKET,
                 id='missing-socket'),
    pytest.param(docker.errors.DockerException("Error while fetching server API version: ('Connection aborted.', "
                                               "PermissionError(13, 'Permission denied'))"),
                 None, 'permission denied on the socket (run as root or as a member of the docker group)', id='permission'),
    pytest.param(requests.exceptions.ConnectionError('[Errno 111] Connection refused'), None,
                 'connection refused (is the Docker engine listening there?)', id='refused'),
    pytest.param(requests.exceptions.ReadTimeout("UnixHTTPConnectionPool(host='localhost', port=None): Read timed out."),
                 7, 'the engine did not answer within timeout=7 seconds', id='timeout'),
    pytest.param(requests.exceptions.ConnectTimeout('Connection to 10.0.0.5 timed out.'), None,
                 'the engine did not answer in time', id='timeout-unknown'),
    pytest.param(requests.exceptions.SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'), None,
                 'TLS handshake failed: [SSL: CERTIFICATE_VERIFY_FAILED]', id='tls'),
    pytest.param(docker.errors.DockerException('Invalid bind address format: tcp//x'), None,
                 ': Invalid bind address format: tcp//x', id='other-text-kept'),
])
def test_connection_error_messages(exc, timeout, expected):
    error = connection_error(exc, SOCKET, timeout)
    assert isinstance(error, EngineError)
    assert error.msg.startswith('Cannot talk to the Docker engine at %s: ' % SOCKET)
    assert expected in error.msg
    assert error.details == {'docker_host': SOCKET}


def test_connection_error_host_name_containing_ssl_is_not_tls():
    exc = requests.exceptions.ConnectionError("HTTPConnectionPool(host='classless.lan', port=2375): "
                                              "Failed to resolve 'classless.lan'")
    assert 'TLS' not in connection_error(exc, 'tcp://classless.lan:2375').msg


@pytest.mark.parametrize('exc, expected, status', [
    pytest.param(http_error(409, 'remove data: volume is in use - [4f1c]'),
                 "The Docker engine refused to remove volume 'data' (HTTP 409): remove data: volume is in use - [4f1c]",
                 409, id='409-with-explanation'),
    pytest.param(http_error(404, b'no such volume', docker.errors.NotFound),
                 "The Docker engine refused to remove volume 'data' (HTTP 404): no such volume", 404, id='bytes'),
    pytest.param(docker.errors.APIError('boom'), "The Docker engine refused to remove volume 'data': boom", None,
                 id='no-response'),
])
def test_api_error_messages(exc, expected, status):
    error = api_error(exc, "remove volume 'data'")
    assert isinstance(error, EngineError)
    assert error.msg == expected
    assert error.details == {'status_code': status}


def test_error_kinds_carry_msg_and_details():
    for cls in (InputError, Refusal, EngineError):
        error = cls('no', used_by=[])
        assert isinstance(error, PersistentVolumesError)
        assert (error.msg, str(error), error.details) == ('no', 'no', {'used_by': []})
