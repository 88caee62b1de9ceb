# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The declared fake engine: every call of ``EngineInterface``, in memory, each one recorded.

Tests that need an engine answering in a special way subclass ``FakeEngineAPI`` and override
the calls they care about, so that every fake keeps the whole interface (a fake that lacks
a call cannot be instantiated, and tests/unit/plugins/module_utils/engine/test_interface.py
checks them all). ``fail`` makes the next call of a name raise the error given.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.engine.interface import OUTPUT_TAIL, EngineInterface


def container_id(name):
    return hashlib.sha256(name.encode('utf-8')).hexdigest()


def raw_volume(name, driver='local', options=None, labels=None):
    """A volume as ``GET /volumes/{name}`` (and the volume list) shows it."""
    return {'Name': name, 'Driver': driver, 'Options': options, 'Labels': labels,
            'Mountpoint': '/var/lib/docker/volumes/%s/_data' % name, 'Scope': 'local',
            'CreatedAt': '2024-05-01T10:00:00Z'}


def raw_mounts(mounts):
    """``Mounts`` as the engine reports them, from ``(origin, destination)`` or ``(origin, destination, 'ro')``
    tuples (an origin starting with ``/`` is a host directory, a bind; anything else a volume name) or raw dicts."""
    raw = []
    for mount in mounts:
        if isinstance(mount, dict):
            raw.append(mount)
            continue
        origin, destination = mount[0], mount[1]
        read_only = len(mount) > 2 and mount[2] == 'ro'
        if origin.startswith('/'):
            raw.append({'Type': 'bind', 'Source': origin, 'Destination': destination,
                        'Mode': 'ro' if read_only else '', 'RW': not read_only, 'Propagation': 'rprivate'})
        else:
            raw.append({'Type': 'volume', 'Name': origin, 'Driver': 'local',
                        'Source': '/var/lib/docker/volumes/%s/_data' % origin, 'Destination': destination,
                        'Mode': 'ro' if read_only else '', 'RW': not read_only, 'Propagation': ''})
    return raw


def raw_container(name, mounts=(), state='running', labels=None, aliases=()):
    """A container as ``GET /containers/json?all=1`` lists it.

    ``mounts``: as ``raw_mounts`` takes them. ``aliases``: link aliases ``('web', 'db')``
    that the engine adds to ``Names`` as ``/web/db``.
    """
    raw = raw_mounts(mounts)
    names = ['/%s/%s' % alias for alias in aliases] + ['/' + name]
    return {'Id': container_id(name), 'Names': names, 'Image': 'local/busybox:latest',
            'State': state, 'Labels': labels or {}, 'Mounts': raw}


def _matches(summary, filters):
    """Whether the engine lists ``summary`` for ``filters`` (``volume``: a mounted volume's name; ``label``)."""
    filters = filters or {}
    if 'volume' in filters and not any(m.get('Name') == filters['volume'] for m in summary['Mounts']):
        return False
    if 'label' in filters:
        label, has_value, wanted = filters['label'].partition('=')
        labels = summary.get('Labels') or {}
        if label not in labels or (has_value and labels[label] != wanted):
            return False
    return True


class FakeInspect(object):
    """Stands for ``EngineAPI.inspect_container`` (the ``VolumesFrom`` of each container); records every call."""

    def __init__(self, volumes_from_by_name):
        self._by_id = dict((container_id(name), entries) for name, entries in volumes_from_by_name.items())
        self.calls = []

    def __call__(self, name_or_id):
        self.calls.append(name_or_id)
        return {'HostConfig': {'VolumesFrom': self._by_id.get(name_or_id)}}


class FakeEngineAPI(EngineInterface):
    """An in-memory engine with every ``EngineInterface`` call; records each call in ``calls``.

    ``volumes`` and ``containers`` take the compact forms of ``raw_volume`` and ``raw_container``;
    ``inspected``: name -> a whole inspect (``raw_inspect``), answered before ``volumes_from``'s
    minimal one; ``images``: reference -> inspect.
    """

    def __init__(self, volumes=(), containers=(), volumes_from=None, usage=None, inspected=None, images=None):
        raw_volumes = [raw_volume(item) if isinstance(item, str) else raw_volume(**item) for item in volumes]
        self.volumes = dict((item['Name'], item) for item in raw_volumes)
        self.containers = [raw_container(**item) for item in containers]
        self.inspect = FakeInspect(volumes_from or {})
        self.inspected = dict(inspected or {})
        self.images = dict(images or {})
        self.usage = usage or {}
        self.archives = {}
        self.failures = {}
        self.calls = []

    def add_container(self, raw):
        """Put the container ``raw`` (a whole inspect) on the engine: listed, and inspected by name or ID."""
        self.inspected[raw['Name'].lstrip('/')] = raw
        self.inspected[raw['Id']] = raw
        self.containers.append({'Id': raw['Id'], 'Names': [raw['Name']], 'Image': raw['Config'].get('Image'),
                                'State': raw['State']['Status'], 'Labels': raw['Config'].get('Labels') or {},
                                'Mounts': raw.get('Mounts') or []})
        return raw

    def fail_next(self, name, error):
        """Make the next call ``name`` raise ``error`` (after recording it)."""
        self.failures[name] = error

    def _record(self, *call):
        self.calls.append(call)
        if call[0] in self.failures:
            raise self.failures.pop(call[0])

    def names(self):
        """The names of the calls made, in order."""
        return [call[0] for call in self.calls]

    def forget(self):
        self._record('forget')

    @property
    def call_count(self):
        return len(self.calls)

    def list_volumes(self):
        self._record('list_volumes')
        return list(self.volumes.values())

    def inspect_volume(self, name):
        self._record('inspect_volume', name)
        return self.volumes.get(name)

    def create_volume(self, name, driver, driver_options, labels):
        self._record('create_volume', name, driver, driver_options, labels)
        self.volumes[name] = raw_volume(name, driver, driver_options or None, labels or None)
        return self.volumes[name]

    def remove_volume(self, name):
        self._record('remove_volume', name)
        if name not in self.volumes:
            raise EngineError('The Docker engine refused to remove volume %r (HTTP 404): no such volume' % name,
                              status_code=404)
        del self.volumes[name]

    def disk_usage(self):
        self._record('disk_usage')
        return {'Volumes': [{'Name': name, 'UsageData': {'Size': size, 'RefCount': 0}}
                            for name, size in self.usage.items()]}

    def list_containers(self, filters=None):
        self._record('list_containers', filters)
        return [raw for raw in self.containers if _matches(raw, filters)]

    def inspect_container(self, name_or_id):
        self._record('inspect_container', name_or_id)
        if name_or_id in self.inspected:
            return self.inspected[name_or_id]
        return self.inspect(name_or_id)

    def container_changes(self, name_or_id):
        self._record('container_changes', name_or_id)
        return []

    def create_container(self, name, image, binds=None, volumes_from=None, labels=None, **config):
        self._record('create_container', name, image, binds, volumes_from, labels, config)
        volumes = [bind.split(':')[:2] for bind in binds or [] if not bind.startswith('/')]
        self.containers.append(raw_container(name, mounts=volumes, state='created', labels=labels))
        return {'Id': container_id(name)}

    def create_container_raw(self, name, body):
        self._record('create_container_raw', name, body)
        self.containers.append(raw_container(name, state='created'))
        return {'Id': container_id(name)}

    def connect_network(self, network, container, endpoint):
        self._record('connect_network', network, container, endpoint)

    def list_networks(self):
        self._record('list_networks')
        return []

    def remove_container(self, name_or_id):
        self._record('remove_container', name_or_id)
        self.containers = [raw for raw in self.containers
                           if name_or_id != raw['Id'] and '/' + name_or_id not in raw['Names']]

    def rename_container(self, name_or_id, new_name):
        self._record('rename_container', name_or_id, new_name)

    def start_container(self, name_or_id):
        self._record('start_container', name_or_id)

    def stop_container(self, name_or_id, timeout=None):
        self._record('stop_container', name_or_id, timeout)

    def pause_container(self, name_or_id):
        self._record('pause_container', name_or_id)

    def unpause_container(self, name_or_id):
        self._record('unpause_container', name_or_id)

    def exec_command(self, container, command, user=None, keep=OUTPUT_TAIL):
        self._record('exec_command', container, command, user)
        return 0, b''

    def archive_head(self, container, path, limit=16384):
        self._record('archive_head', container, path)
        return b''.join(self.archives.get((container, path), []))[:limit] or None

    def archive_stream(self, container, path):
        self._record('archive_stream', container, path)
        return iter(self.archives.get((container, path), []))

    def put_archive(self, container, path, data):
        self._record('put_archive', container, path, data)
        return True

    def version(self):
        self._record('version')
        return {'Version': '20.10.24', 'ApiVersion': '1.41', 'Components': [{'Name': 'Engine'}]}

    def info(self):
        self._record('info')
        return {}

    def inspect_image(self, reference):
        self._record('inspect_image', reference)
        return self.images.get(reference)

    def import_image(self, data, repository, tag, changes):
        self._record('import_image', repository, tag, changes)

    def pull_image(self, reference, repository, tag):
        self._record('pull_image', reference, repository, tag)
