# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options; mirrors CONNECTION_ARGS in module_utils/engine/connection.py."""

    DOCUMENTATION = r'''
options:
  docker_host:
    description:
      - The URL or Unix socket path of the Docker engine API, for example V(unix:///var/run/docker.sock)
        or V(tcp://192.0.2.23:2376). With O(tls) or O(validate_certs), V(tcp://) is spoken as HTTPS.
      - If not set in the task, the environment variable E(DOCKER_HOST) is used, then the default.
      - Modules that prepare the host side (host directories) need a local socket.
    type: str
    default: unix:///var/run/docker.sock
    aliases: [docker_url]
  tls_hostname:
    description:
      - The name the engine's TLS certificate must carry, when it differs from the host in O(docker_host).
      - If not set in the task, the environment variable E(DOCKER_TLS_HOSTNAME) is used.
    type: str
  api_version:
    description:
      - The engine API version to speak. V(auto) asks the engine which version it has.
      - If not set in the task, the environment variable E(DOCKER_API_VERSION) is used, then the default.
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for an answer to one engine API request.
      - If not set in the task, the environment variable E(DOCKER_TIMEOUT) is used, then the default.
    type: int
    default: 60
  ca_path:
    description:
      - The CA certificate that signed the engine's certificate, used with O(validate_certs).
      - If not set and the environment variable E(DOCKER_CERT_PATH) is, its C(ca.pem) is used.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description:
      - The client certificate presented to the engine. Needs O(client_key).
      - If not set and the environment variable E(DOCKER_CERT_PATH) is, its C(cert.pem) is used.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - The path of the private key of O(client_cert). It is treated as secret and masked in output.
      - If not set and the environment variable E(DOCKER_CERT_PATH) is, its C(key.pem) is used.
    type: path
    aliases: [tls_client_key, key_path]
  tls:
    description:
      - Speak TLS to the engine without verifying its certificate. O(validate_certs=true) also verifies it.
      - With TLS, the environment variables E(REQUESTS_CA_BUNDLE), E(CURL_CA_BUNDLE) and proxy settings are
        not used for the engine connection; O(ca_path) decides what is trusted.
      - If not set in the task, the environment variable E(DOCKER_TLS) is used, then the default.
    type: bool
    default: false
  validate_certs:
    description:
      - Speak TLS to the engine and verify its certificate (against O(ca_path) when given).
      - If not set in the task, the environment variable E(DOCKER_TLS_VERIFY) is used, then the default.
    type: bool
    default: false
    aliases: [tls_verify]
requirements:
  - Docker SDK for Python (C(docker)) 7.1.0 or newer, on the managed node (older releases cannot reach the engine
    with the C(requests) that pip installs today; a module meeting one fails naming the SDK)
  - A Docker engine with API version 1.41 or newer
notes:
  - Modules run on the Docker host and talk to the engine through the Docker SDK for Python.
  - Connection problems fail with a message naming the O(docker_host) that was tried.
'''
