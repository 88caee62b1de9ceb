# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every module, and the Docker SDK client built from them.

The option names and environment fallbacks are those of community.docker, so that
playbooks and ``module_defaults`` written for it work unchanged. The matching
documentation lives in ``plugins/doc_fragments/docker.py``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import traceback

from ansible.module_utils.basic import env_fallback

DOCKER_IMPORT_ERROR = None
try:
    import docker
    import docker.constants
    import docker.errors
    import docker.tls
    import requests.adapters
except ImportError:
    docker = None
    DOCKER_IMPORT_ERROR = traceback.format_exc()

DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'
DEFAULT_TIMEOUT = 60

CONNECTION_ARGS = dict(
    docker_host=dict(type='str', default=DEFAULT_DOCKER_HOST, aliases=['docker_url'],
                     fallback=(env_fallback, ['DOCKER_HOST'])),
    tls_hostname=dict(type='str', fallback=(env_fallback, ['DOCKER_TLS_HOSTNAME'])),
    api_version=dict(type='str', default='auto', aliases=['docker_api_version'],
                     fallback=(env_fallback, ['DOCKER_API_VERSION'])),
    timeout=dict(type='int', default=DEFAULT_TIMEOUT, fallback=(env_fallback, ['DOCKER_TIMEOUT'])),
    ca_path=dict(type='path', aliases=['ca_cert', 'tls_ca_cert', 'cacert_path']),
    client_cert=dict(type='path', aliases=['tls_client_cert', 'cert_path']),
    client_key=dict(type='path', aliases=['tls_client_key', 'key_path'], no_log=True),
    tls=dict(type='bool', default=False, fallback=(env_fallback, ['DOCKER_TLS'])),
    validate_certs=dict(type='bool', default=False, aliases=['tls_verify'],
                        fallback=(env_fallback, ['DOCKER_TLS_VERIFY'])),
)

CONNECTION_KEYS = frozenset(CONNECTION_ARGS)


class ConnectionOptions(object):
    """The connection options of a task, with DOCKER_CERT_PATH applied."""

    def __init__(self, params, environ=None):
        environ = os.environ if environ is None else environ
        self.docker_host = params.get('docker_host') or DEFAULT_DOCKER_HOST
        self.api_version = params.get('api_version') or 'auto'
        timeout = params.get('timeout')
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self.tls = bool(params.get('tls'))
        self.validate_certs = bool(params.get('validate_certs'))
        self.tls_hostname = params.get('tls_hostname')
        cert_dir = environ.get('DOCKER_CERT_PATH')
        self.ca_path = params.get('ca_path') or _in_dir(cert_dir, 'ca.pem')
        self.client_cert = params.get('client_cert') or _in_dir(cert_dir, 'cert.pem')
        self.client_key = params.get('client_key') or _in_dir(cert_dir, 'key.pem')

    @property
    def uses_tls(self):
        return self.tls or self.validate_certs

    @property
    def socket_path(self):
        """The engine's Unix socket on this host (``unix://`` taken off), or None for a remote engine."""
        if self.docker_host.startswith('unix://'):
            return self.docker_host[len('unix://'):]
        return self.docker_host if self.docker_host.startswith('/') else None

    @property
    def is_local(self):
        """True when the engine is reached through a socket on this host."""
        return self.socket_path is not None

    def problems(self):
        """Combinations that cannot work, as messages (empty when all is well)."""
        found = []
        for option in ('ca_path', 'client_cert', 'client_key'):
            if '-----BEGIN' in (getattr(self, option) or ''):
                found.append('%s must be the path of a file, not its content' % option)
        if found:
            return found
        if bool(self.client_cert) != bool(self.client_key):
            found.append('client_cert and client_key must be given together (got only %s)'
                         % ('client_cert' if self.client_cert else 'client_key'))
        for option in ('ca_path', 'client_cert', 'client_key'):
            path = getattr(self, option)
            if path and self.uses_tls and not os.path.isfile(path):
                found.append('%s: %s is not a readable file' % (option, path))
        if self.timeout <= 0:
            found.append('timeout must be a positive number of seconds, got %s' % self.timeout)
        return found


def _in_dir(directory, name):
    if not directory:
        return None
    path = os.path.join(directory, name)
    return path if os.path.exists(path) else None


class _HostnameCheckingAdapter(requests.adapters.HTTPAdapter if docker else object):
    """HTTPS adapter that checks the engine certificate against ``tls_hostname``."""

    def __init__(self, hostname, **kwargs):
        self._hostname = hostname
        super(_HostnameCheckingAdapter, self).__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs['assert_hostname'] = self._hostname
        super(_HostnameCheckingAdapter, self).init_poolmanager(*args, **kwargs)


def open_client(options):
    """Return a connected ``docker.APIClient``; raises the SDK's exceptions."""
    tls_config = False
    if options.uses_tls:
        client_cert = (options.client_cert, options.client_key) if options.client_cert else None
        tls_config = docker.tls.TLSConfig(
            client_cert=client_cert,
            ca_cert=options.ca_path,
            verify=options.validate_certs,
        )
    auto_version = options.api_version.lower() == 'auto'
    # With TLS the session is set up (CA, hostname) before its first request, so the
    # version is asked for after construction.
    deferred = auto_version and options.uses_tls
    client = docker.APIClient(
        base_url=options.docker_host,
        version=docker.constants.MINIMUM_DOCKER_API_VERSION if deferred else options.api_version,
        timeout=options.timeout,
        tls=tls_config,
    )
    if options.uses_tls or options.is_local:
        # With TLS, the engine's CA (or no verification) must win over REQUESTS_CA_BUNDLE
        # and CURL_CA_BUNDLE, which requests would otherwise apply to every request. A Unix
        # socket never goes through a proxy: without this, requests reads the proxy
        # variables of the environment again for every call.
        client.trust_env = False
    if options.uses_tls and options.tls_hostname:
        client.mount('https://', _HostnameCheckingAdapter(options.tls_hostname))
        if tls_config:
            tls_config.configure_client(client)
    if deferred:
        client._version = client.version(api_version=False)['ApiVersion']  # pylint: disable=protected-access
    return client
