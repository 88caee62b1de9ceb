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

from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import (
    docker,
    open_client,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import (
    api_error,
    connection_error,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.interface import OUTPUT_TAIL, EngineInterface
from ansible_collections.persistent.volumes.plugins.module_utils.engine.kind import EngineKind, as_docker_reports, from_names, may_differ

if docker is not None:
    import requests.exceptions
    from docker.utils.socket import frames_iter as socket_frames
    _TRANSPORT_ERRORS = (requests.exceptions.RequestException, docker.errors.DockerException)
else:  # pragma: no cover - the module reports missing_required_lib before this is used
    _TRANSPORT_ERRORS = ()


class EngineAPI(EngineInterface):
    """A lazily connected Docker engine, with readable errors and a call counter (the calls: interface.py)."""

    def __init__(self, options, client=None):
        self.options = options
        self._client = client
        self.calls = {}
        self._kind = None

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = open_client(self.options)
            except _TRANSPORT_ERRORS as exc:
                raise connection_error(exc, self.options.docker_host, self.options.timeout,
                                       client_cert=self.options.client_cert)
            self._count('version')
        return self._client

    @property
    def call_count(self):
        return sum(self.calls.values())

    def forget(self):
        """Nothing is kept between calls here (CachedAPI forgets its listing)."""

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
            raise connection_error(exc, self.options.docker_host, self.options.timeout,
                                   client_cert=self.options.client_cert)

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
        raw = self._maybe('inspect_container', 'inspect container %r' % name_or_id, 'inspect_container', name_or_id)
        if raw and may_differ(raw) and self.kind.podman:
            destinations = set()
            for name in from_names(raw):
                source = self._maybe('inspect_container', 'inspect container %r' % name, 'inspect_container', name)
                destinations.update(m.get('Destination') for m in (source or {}).get('Mounts') or [])
            raw = as_docker_reports(raw, destinations)
        return raw

    @property
    def kind(self):
        """The EngineKind (Docker or Podman), asked once."""
        if self._kind is None:
            self._kind = EngineKind(self.version())
        return self._kind

    def container_changes(self, name_or_id):
        """What changed in the container's own layer (``docker diff``): [{Path, Kind}]."""
        return self._call('changes', 'list the changes in container %r' % name_or_id, 'diff', name_or_id) or []

    def create_container(self, name, image, binds=None, volumes_from=None, labels=None, **config):
        """Create (never start) a container; ``config`` holds further create options."""
        host_options = config.pop('host_config', {}) or {}
        host_config = self.client.create_host_config(binds=binds or [], volumes_from=volumes_from or None,
                                                     **host_options)
        return self._call('create_container', 'create container %r' % name, 'create_container',
                          image, name=name, labels=labels or None, host_config=host_config, **config)

    def create_container_raw(self, name, body):
        """Create a container from a whole create request (Config keys, HostConfig, NetworkingConfig),
        as the engine's API takes it: a consumer's replacement is built from the old one's inspect."""
        return self._call('create_container', 'create container %r' % name, 'create_container_from_config',
                          body, name=name)

    def connect_network(self, network, container, endpoint):
        """Attach ``container`` to ``network`` with the endpoint settings ``endpoint`` (as the API takes them)."""
        client = self.client
        self._count('connect_network')
        action = 'connect container %r to network %r' % (container, network)
        try:
            # The SDK's connect_container_to_network knows a fixed set of endpoint settings;
            # the endpoint is given as the engine reported it, so settings it does not know survive.
            answer = client._post_json(client._url('/networks/{0}/connect', network),  # pylint: disable=protected-access
                                       data={'Container': container, 'EndpointConfig': endpoint or {}})
            client._raise_for_status(answer)  # pylint: disable=protected-access
        except docker.errors.APIError as exc:
            raise api_error(exc, action)
        except _TRANSPORT_ERRORS as exc:
            raise connection_error(exc, self.options.docker_host, self.options.timeout,
                                   client_cert=self.options.client_cert)

    def list_networks(self):
        return self._call('networks', 'list networks', 'networks') or []

    def remove_container(self, name_or_id):
        # Never v=True: volumes are only ever deleted one by one, by name, after checks.
        return self._call('remove_container', 'remove container %r' % name_or_id, 'remove_container',
                          name_or_id, v=False, force=False)

    def rename_container(self, name_or_id, new_name):
        return self._call('rename', 'rename container %r to %r' % (name_or_id, new_name), 'rename',
                          name_or_id, new_name)

    def start_container(self, name_or_id):
        return self._call('start', 'start container %r' % name_or_id, 'start', name_or_id)

    def stop_container(self, name_or_id, timeout=None):
        """Stop; ``timeout`` None waits as long as the container's own stop timeout (--stop-timeout) says."""
        return self._call('stop', 'stop container %r' % name_or_id, 'stop', name_or_id, timeout=timeout)

    def pause_container(self, name_or_id):
        return self._call('pause', 'pause container %r' % name_or_id, 'pause', name_or_id)

    def unpause_container(self, name_or_id):
        return self._call('unpause', 'unpause container %r' % name_or_id, 'unpause', name_or_id)

    def exec_command(self, container, command, user=None, keep=OUTPUT_TAIL):
        """Run ``command`` (a list) in the running ``container`` as ``docker exec`` does, for as long as it
        takes (no read timeout: a database dump may be silent for hours); (exit code, the last ``keep``
        bytes of its output, stdout and stderr interleaved). Only the tail is ever held."""
        action = 'run a command in container %r' % container
        answer = self._call('exec_create', action, 'exec_create', container, command, user=user or '')
        sock = self._call('exec_start', action, 'exec_start', answer['Id'], socket=True)
        tail = b''
        try:
            self.client._disable_socket_timeout(sock)  # pylint: disable=protected-access
            for dummy, data in socket_frames(sock, False):
                tail = (tail + data)[-keep:]
        except (OSError, ValueError) as exc:
            raise connection_error(exc, self.options.docker_host)
        finally:
            sock.close()
        state = self._call('exec_inspect', action, 'exec_inspect', answer['Id']) or {}
        return state.get('ExitCode'), tail

    def archive_head(self, container, path, limit=16384):
        """The beginning of the tar stream of ``path``: enough for the headers of ``path`` itself."""
        stream, dummy = self._call('get_archive', 'read %s in container %r' % (path, container),
                                   'get_archive', container, path, chunk_size=4096)
        data = b''
        try:
            for chunk in stream:
                data += chunk
                if len(data) >= limit:
                    break
        finally:
            close = getattr(stream, 'close', None)
            if close:
                close()
        return data or None

    def archive_stream(self, container, path):
        """The engine's tar stream of ``path`` in the container, as an iterator of chunks."""
        stream, dummy = self._call('get_archive', 'read %s in container %r' % (path, container),
                                   'get_archive', container, path, chunk_size=1024 * 1024)
        return stream

    def put_archive(self, container, path, data):
        return self._call('put_archive', 'write into %s of container %r' % (path, container),
                          'put_archive', container, path, data)

    def version(self):
        return self._call('version', 'report its version', 'version') or {}

    def info(self):
        return self._call('info', 'report engine information', 'info') or {}

    # --- images --------------------------------------------------------------
    def inspect_image(self, reference):
        return self._maybe('inspect_image', 'inspect image %r' % reference, 'inspect_image', reference)

    def import_image(self, data, repository, tag, changes):
        return self._call('import_image', 'import image %s' % ':'.join(filter(None, (repository, tag))),
                          'import_image_from_data',
                          data, repository=repository, tag=tag, changes=changes)

    def pull_image(self, reference, repository, tag):
        return self._call('pull', 'pull image %r' % reference, 'pull', repository, tag=tag)
