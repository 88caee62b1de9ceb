# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The only place that calls the Docker SDK.

Every call goes through ``EngineAPI._call``, which counts it (benchmarks print the
counts) and turns SDK and transport exceptions into ``EngineError`` messages that
say what was being done and which engine was asked.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.connection import (
    docker,
    open_client,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors import (
    api_error,
    connection_error,
)

if docker is not None:
    import requests.exceptions
    _TRANSPORT_ERRORS = (requests.exceptions.RequestException, docker.errors.DockerException)
else:  # pragma: no cover - the module reports missing_required_lib before this is used
    _TRANSPORT_ERRORS = ()


class EngineAPI(object):
    """A lazily connected Docker engine, with readable errors and a call counter."""

    def __init__(self, options, client=None):
        self.options = options
        self._client = client
        self.calls = {}

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = open_client(self.options)
            except _TRANSPORT_ERRORS as exc:
                raise connection_error(exc, self.options.docker_host, self.options.timeout)
            self._count('version')
        return self._client

    @property
    def call_count(self):
        return sum(self.calls.values())

    def _count(self, name):
        self.calls[name] = self.calls.get(name, 0) + 1

    def _call(self, counter, action, method, *args, **kwargs):
        """Call ``method`` (an SDK method); ``action`` completes 'refused to ...'."""
        client = self.client
        self._count(counter)
        try:
            return getattr(client, method)(*args, **kwargs)
        except docker.errors.APIError as exc:
            raise api_error(exc, action)
        except _TRANSPORT_ERRORS as exc:
            raise connection_error(exc, self.options.docker_host, self.options.timeout)

    def _maybe(self, counter, action, method, *args, **kwargs):
        """Like ``_call`` but returns None when the engine answers 404."""
        try:
            return self._call(counter, action, method, *args, **kwargs)
        except Exception as exc:  # re-raised below unless it is a 404
            if getattr(exc, 'details', {}).get('status_code') == 404:
                return None
            raise

    # --- volumes -------------------------------------------------------------
    def list_volumes(self):
        answer = self._call('volumes', 'list volumes', 'volumes') or {}
        return answer.get('Volumes') or []

    def inspect_volume(self, name):
        return self._maybe('inspect_volume', 'inspect volume %r' % name, 'inspect_volume', name)

    def create_volume(self, name, driver, driver_options, labels):
        return self._call('create_volume', 'create volume %r' % name, 'create_volume',
                          name=name, driver=driver, driver_opts=driver_options or None,
                          labels=labels or None)

    def remove_volume(self, name):
        # Never force: the engine's own in-use check stays a second safety net.
        return self._call('remove_volume', 'remove volume %r' % name, 'remove_volume', name, force=False)

    def disk_usage(self):
        return self._call('df', 'report disk usage', 'df') or {}

    # --- containers ----------------------------------------------------------
    def list_containers(self, filters=None):
        return self._call('containers', 'list containers', 'containers', all=True, filters=filters) or []

    def inspect_container(self, name_or_id):
        return self._maybe('inspect_container', 'inspect container %r' % name_or_id,
                           'inspect_container', name_or_id)
