# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fakes for the unit tests: raw engine answers built from plain dicts, a fake
``EngineAPI`` and a fake ``AnsibleModule``. Nothing here talks to a Docker engine."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.client import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.connection import ConnectionOptions
from ansible_collections.persistent.volumes.plugins.module_utils.observed import EngineState


def container_id(name):
    return hashlib.sha256(name.encode('utf-8')).hexdigest()


def raw_volume(name, driver='local', options=None, labels=None):
    """A volume as ``GET /volumes/{name}`` (and the volume list) shows it."""
    return {'Name': name, 'Driver': driver, 'Options': options, 'Labels': labels,
            'Mountpoint': '/var/lib/docker/volumes/%s/_data' % name, 'Scope': 'local',
            'CreatedAt': '2024-05-01T10:00:00Z'}


def raw_container(name, mounts=(), state='running', labels=None, aliases=()):
    """A container as ``GET /containers/json?all=1`` lists it.

    ``mounts``: ``(volume, destination)`` or ``(volume, destination, 'ro')`` tuples for
    volume mounts, or raw dicts (bind mounts). ``aliases``: link aliases ``('web', 'db')``
    that the engine adds to ``Names`` as ``/web/db``.
    """
    raw_mounts = []
    for mount in mounts:
        if isinstance(mount, dict):
            raw_mounts.append(mount)
            continue
        volume, destination = mount[0], mount[1]
        read_only = len(mount) > 2 and mount[2] == 'ro'
        raw_mounts.append({'Type': 'volume', 'Name': volume, 'Driver': 'local',
                           'Source': '/var/lib/docker/volumes/%s/_data' % volume,
                           'Destination': destination, 'Mode': 'ro' if read_only else '',
                           'RW': not read_only, 'Propagation': ''})
    names = ['/%s/%s' % alias for alias in aliases] + ['/' + name]
    return {'Id': container_id(name), 'Names': names, 'Image': 'local/busybox:latest',
            'State': state, 'Labels': labels or {}, 'Mounts': raw_mounts}


class FakeInspect(object):
    """Stands for ``EngineAPI.inspect_container``; records every call."""

    def __init__(self, volumes_from_by_name):
        self._by_id = dict((container_id(name), entries) for name, entries in volumes_from_by_name.items())
        self.calls = []

    def __call__(self, name_or_id):
        self.calls.append(name_or_id)
        return {'HostConfig': {'VolumesFrom': self._by_id.get(name_or_id)}}


def build_state(volumes=(), containers=(), volumes_from=None, sizes=None):
    """An ``EngineState`` from compact descriptions.

    ``volumes``: names or ``raw_volume`` keyword dicts; ``containers``: ``raw_container``
    keyword dicts; ``volumes_from``: container name -> its ``HostConfig.VolumesFrom``.
    The fake inspect callable is kept as ``state.fake_inspect``.
    """
    raw_volumes = [raw_volume(item) if isinstance(item, str) else raw_volume(**item) for item in volumes]
    raw_containers = [raw_container(**item) for item in containers]
    inspect = FakeInspect(volumes_from or {})
    state = EngineState(raw_volumes, raw_containers, inspect=inspect, sizes=sizes)
    state.fake_inspect = inspect
    return state


@pytest.fixture
def make_state():
    return build_state


class FakeEngineAPI(object):
    """An in-memory engine with the ``EngineAPI`` methods; records each call.

    ``volumes`` and ``containers`` take the compact forms of ``build_state``.
    """

    def __init__(self, volumes=(), containers=(), volumes_from=None, usage=None):
        raw_volumes = [raw_volume(item) if isinstance(item, str) else raw_volume(**item) for item in volumes]
        self.volumes = dict((item['Name'], item) for item in raw_volumes)
        self.containers = [raw_container(**item) for item in containers]
        self.inspect = FakeInspect(volumes_from or {})
        self.usage = usage or {}
        self.calls = []

    def _record(self, *call):
        self.calls.append(call)

    def list_volumes(self):
        self._record('list_volumes')
        return list(self.volumes.values())

    def inspect_volume(self, name):
        self._record('inspect_volume', name)
        return self.volumes.get(name)

    def list_containers(self, filters=None):
        self._record('list_containers', filters)
        if not filters:
            return list(self.containers)
        wanted = filters['volume']
        return [raw for raw in self.containers if any(m.get('Name') == wanted for m in raw['Mounts'])]

    def inspect_container(self, name_or_id):
        self._record('inspect_container', name_or_id)
        return self.inspect(name_or_id)

    def disk_usage(self):
        self._record('disk_usage')
        return {'Volumes': [{'Name': name, 'UsageData': {'Size': size, 'RefCount': 0}}
                            for name, size in self.usage.items()]}

    def create_volume(self, name, driver, driver_options, labels):
        self._record('create_volume', name, driver, driver_options, labels)
        self.volumes[name] = raw_volume(name, driver, driver_options or None, labels or None)
        return self.volumes[name]

    def remove_volume(self, name):
        self._record('remove_volume', name)
        del self.volumes[name]

    @property
    def call_count(self):
        return len(self.calls)


@pytest.fixture
def fake_api():
    return FakeEngineAPI


class ModuleExit(Exception):
    """Raised by the fake module's ``exit_json``/``fail_json``; ``result`` holds the keys."""

    def __init__(self, failed, result):
        super(ModuleExit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


class FakeAnsibleModule(object):
    def __init__(self, params, check_mode=False, diff=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **result):
        raise ModuleExit(False, result)

    def fail_json(self, **result):
        raise ModuleExit(True, result)


def build_engine_module(api, params=None, check_mode=False, diff=False, environ=None):
    """An ``EngineModule`` whose AnsibleModule and EngineAPI are fakes."""
    engine = EngineModule.__new__(EngineModule)
    engine.module = FakeAnsibleModule(dict(params or {}), check_mode=check_mode, diff=diff)
    engine.params = engine.module.params
    engine.options = ConnectionOptions(engine.params, environ=environ or {})
    engine.api = api
    engine.warnings = []
    return engine


@pytest.fixture
def engine_module():
    return build_engine_module


@pytest.fixture
def module_exit():
    return ModuleExit
