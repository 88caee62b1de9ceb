# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import (
    CONNECTION_ARGS,
    ConnectionOptions,
    open_client,
)


@pytest.fixture
def cert_dir(tmp_path):
    for name in ('ca.pem', 'cert.pem', 'key.pem'):
        (tmp_path / name).write_text(u'-----BEGIN-----\n')
    return str(tmp_path)


def test_defaults():
    options = ConnectionOptions({}, environ={})
    assert (options.docker_host, options.api_version, options.timeout) == ('unix:///var/run/docker.sock', 'auto', 60)
    assert (options.uses_tls, options.is_local) == (False, True)
    assert (options.ca_path, options.client_cert, options.client_key) == (None, None, None)
    assert options.problems() == []


@pytest.mark.parametrize('host, local', [
    ('unix:///run/user/1000/docker.sock', True),
    ('/var/run/docker.sock', True),
    ('tcp://10.0.0.5:2376', False),
    ('ssh://admin@host', False),
])
def test_is_local(host, local):
    assert ConnectionOptions({'docker_host': host}, environ={}).is_local is local


def test_cert_path_fallback_from_environ(cert_dir):
    options = ConnectionOptions({'tls': True}, environ={'DOCKER_CERT_PATH': cert_dir})
    assert options.ca_path == os.path.join(cert_dir, 'ca.pem')
    assert options.client_cert == os.path.join(cert_dir, 'cert.pem')
    assert options.client_key == os.path.join(cert_dir, 'key.pem')
    assert options.problems() == []


def test_explicit_paths_beat_cert_path_and_missing_files_are_skipped(cert_dir, tmp_path):
    os.remove(os.path.join(cert_dir, 'ca.pem'))
    options = ConnectionOptions({'client_cert': '/etc/mine.pem', 'client_key': '/etc/mine.key'},
                                environ={'DOCKER_CERT_PATH': cert_dir})
    assert (options.ca_path, options.client_cert, options.client_key) == (None, '/etc/mine.pem', '/etc/mine.key')


@pytest.mark.parametrize('params, expected', [
    pytest.param({'client_cert': '/c.pem'}, ['client_cert and client_key must be given together (got only client_cert)'],
                 id='cert-without-key'),
    pytest.param({'client_key': '/k.pem'}, ['client_cert and client_key must be given together (got only client_key)'],
                 id='key-without-cert'),
    pytest.param({'tls': True, 'ca_path': '/nonexistent/ca.pem'}, ['ca_path: /nonexistent/ca.pem is not a readable file'],
                 id='missing-ca-with-tls'),
    pytest.param({'validate_certs': True, 'client_cert': '/nonexistent/c.pem', 'client_key': '/nonexistent/k.pem'},
                 ['client_cert: /nonexistent/c.pem is not a readable file',
                  'client_key: /nonexistent/k.pem is not a readable file'], id='missing-pair-with-verify'),
    pytest.param({'ca_path': '/nonexistent/ca.pem'}, [], id='missing-file-without-tls-unused'),
    pytest.param({'timeout': -5}, ['timeout must be a positive number of seconds, got -5'], id='negative-timeout'),
])
def test_problems(params, expected):
    assert ConnectionOptions(params, environ={}).problems() == expected


def test_zero_timeout_is_a_problem_not_the_default():
    assert ConnectionOptions({'timeout': 0}, environ={}).problems() == [
        'timeout must be a positive number of seconds, got 0']


@pytest.mark.parametrize('option, env', [
    ('docker_host', 'DOCKER_HOST'), ('tls_hostname', 'DOCKER_TLS_HOSTNAME'), ('api_version', 'DOCKER_API_VERSION'),
    ('timeout', 'DOCKER_TIMEOUT'), ('tls', 'DOCKER_TLS'), ('validate_certs', 'DOCKER_TLS_VERIFY'),
])
def test_env_fallbacks_match_community_docker(option, env):
    assert CONNECTION_ARGS[option]['fallback'][1] == [env]


@pytest.mark.parametrize('host, trusts_env', [
    ('unix:///var/run/docker.sock', False),   # no proxy applies to a socket: not read per call
    ('tcp://127.0.0.1:1', True),              # HTTP(S)_PROXY may be how the engine is reached
])
def test_proxy_variables_are_read_only_where_they_can_apply(host, trusts_env):
    client = open_client(ConnectionOptions(dict(docker_host=host, api_version='1.41'), environ={}))
    assert client.trust_env is trusts_env
