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

from ansible_collections.persistent.volumes.plugins.module_utils.engine import api as engine_api
from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import ConnectionOptions
from ansible_collections.persistent.volumes.plugins.module_utils.engine.api import EngineAPI
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError

HOST = 'unix:///run/test/docker.sock'


def http_error(status, explanation):
    response = requests.Response()
    response.status_code = status
    response.url = 'http+docker://localhost/v1.41/x'
    cls = docker.errors.NotFound if status == 404 else docker.errors.APIError
    return cls('%s error' % status, response=response, explanation=explanation)


class FakeClient(object):
    """A docker.APIClient stand-in: ``answers`` maps a method to a value or an exception."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []

    def __getattr__(self, method):
        def call(*args, **kwargs):
            self.calls.append((method, args, kwargs))
            answer = self.answers.get(method)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return call


def make_api(timeout=30, **answers):
    client = FakeClient(**answers)
    return EngineAPI(ConnectionOptions({'docker_host': HOST, 'timeout': timeout}, environ={}), client=client), client


def test_calls_are_counted_and_passed_through():
    api, client = make_api(volumes={'Volumes': [{'Name': 'a'}]}, containers=[{'Id': '1'}])
    assert api.list_volumes() == [{'Name': 'a'}]
    assert api.list_containers(filters={'volume': 'a'}) == [{'Id': '1'}]
    api.list_volumes()
    assert api.calls == {'volumes': 2, 'containers': 1}
    assert api.call_count == 3
    assert client.calls[1] == ('containers', (), {'all': True, 'filters': {'volume': 'a'}})


def test_empty_answers_become_empty_lists():
    api, dummy = make_api(volumes={'Volumes': None, 'Warnings': None}, containers=None, df=None)
    assert (api.list_volumes(), api.list_containers(), api.disk_usage()) == ([], [], {})


def test_create_volume_sends_none_for_empty_maps_and_remove_never_forces():
    api, client = make_api()
    api.create_volume('data', 'local', {}, {})
    api.remove_volume('data')
    assert client.calls == [
        ('create_volume', (), dict(name='data', driver='local', driver_opts=None, labels=None)),
        ('remove_volume', ('data',), dict(force=False)),
    ]


@pytest.mark.parametrize('method, args, exc, expected', [
    pytest.param('remove_volume', ('data',), http_error(409, 'remove data: volume is in use'),
                 "The Docker engine refused to remove volume 'data' (HTTP 409): remove data: volume is in use",
                 id='api-409'),
    pytest.param('create_volume', ('data', 'nfs', None, None), http_error(500, 'plugin "nfs" not found'),
                 "The Docker engine refused to create volume 'data' (HTTP 500): plugin \"nfs\" not found", id='api-500'),
    pytest.param('list_volumes', (), requests.exceptions.ConnectionError(
        ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))),
        'Cannot talk to the Docker engine at %s: the socket does not exist' % HOST, id='missing-socket'),
    pytest.param('list_containers', (), requests.exceptions.ConnectionError('[Errno 111] Connection refused'),
                 'Cannot talk to the Docker engine at %s: connection refused' % HOST, id='refused'),
    pytest.param('disk_usage', (), requests.exceptions.ReadTimeout('Read timed out. (read timeout=30)'),
                 'did not answer within timeout=30 seconds', id='read-timeout'),
    pytest.param('inspect_volume', ('data',), http_error(500, 'driver error'),
                 "refused to inspect volume 'data' (HTTP 500): driver error", id='inspect-non-404-raises'),
])
def test_errors_become_engine_errors(method, args, exc, expected):
    sdk_method = {'list_volumes': 'volumes', 'list_containers': 'containers', 'disk_usage': 'df'}.get(method, method)
    api, dummy = make_api(**{sdk_method: exc})
    with pytest.raises(EngineError) as caught:
        getattr(api, method)(*args)
    assert expected in caught.value.msg
    assert 'Traceback' not in caught.value.msg
    assert api.call_count == 1


@pytest.mark.parametrize('method', ['inspect_volume', 'inspect_container'])
def test_inspect_404_is_none(method):
    api, dummy = make_api(**{method: http_error(404, 'no such object')})
    assert getattr(api, method)('data') is None
    assert api.calls == {method: 1}


def test_client_is_opened_lazily_once_and_counts_version(monkeypatch):
    opened = []
    monkeypatch.setattr(engine_api, 'open_client', lambda options: opened.append(options) or FakeClient(df={}))
    api = EngineAPI(ConnectionOptions({}, environ={}))
    assert opened == [] and api.call_count == 0
    api.disk_usage()
    api.disk_usage()
    assert len(opened) == 1
    assert api.calls == {'version': 1, 'df': 2}


def test_connection_failure_while_opening(monkeypatch):
    def refuse(options):
        raise docker.errors.DockerException('Error while fetching server API version: [Errno 111] Connection refused')
    monkeypatch.setattr(engine_api, 'open_client', refuse)
    api = EngineAPI(ConnectionOptions({'docker_host': 'tcp://10.0.0.5:2375'}, environ={}))
    with pytest.raises(EngineError, match=r'^Cannot talk to the Docker engine at tcp://10\.0\.0\.5:2375: connection refused'):
        api.list_volumes()
    assert api.call_count == 0
