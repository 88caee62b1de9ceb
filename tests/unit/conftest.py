# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fakes for the unit tests: raw engine answers built from plain dicts, a fake
``EngineAPI`` and a fake ``AnsibleModule``. Nothing here talks to a Docker engine."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import itertools

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import ConnectionOptions
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.planner import DataContainerPlanner
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE, ImageChoice
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.model.root_attributes import RootAttributes
from ansible_collections.persistent.volumes.tests.unit.fake_engine import (  # noqa: F401 (imported by the tests from here)
    FakeEngineAPI,
    FakeInspect,
    container_id,
    raw_container,
    raw_mounts,
    raw_volume,
)


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


def raw_inspect(name, mounts=(), labels=None, image_id='sha256:' + '1' * 64, image_ref='persistent-volumes/data-only:1',
                volumes_from=None, status='created', created='2024-05-01T10:00:00Z'):
    """A container as ``GET /containers/{id}/json`` shows it.

    ``mounts``: ``(origin, destination)`` or ``(origin, destination, 'ro')`` tuples, where an
    origin starting with ``/`` is a host directory (bind) and anything else a volume name,
    or raw dicts.
    """
    raw = raw_mounts(mounts)
    return {'Id': container_id(name), 'Name': '/' + name, 'Created': created, 'Image': image_id,
            'Config': {'Image': image_ref, 'Labels': labels or {}},
            'HostConfig': {'VolumesFrom': volumes_from},
            'State': {'Status': status, 'Running': status == 'running'},
            'Mounts': raw}


def summary_of_inspect(raw):
    """The list-endpoint entry (``GET /containers/json?all=1``) of a ``raw_inspect`` dict."""
    return {'Id': raw['Id'], 'Names': [raw['Name']], 'Image': raw['Config']['Image'],
            'State': raw['State']['Status'], 'Labels': raw['Config']['Labels'], 'Mounts': raw['Mounts']}


@pytest.fixture
def make_inspect():
    return raw_inspect


def new_volume_names():
    """A deterministic ``new_volume_name``: 64-hex names 00..01, 00..02, ..."""
    counter = itertools.count(1)
    return lambda: '%064x' % next(counter)


class FakeReadRoot(object):
    """Stands for ``read_root``: ``roots`` maps a path (or ``(container, path)``) to ``(uid, gid, mode)``."""

    def __init__(self, roots=None, default=(0, 0, 0o755)):
        self.roots = roots or {}
        self.default = default
        self.calls = []

    def __call__(self, container, path):
        self.calls.append((container, path))
        found = self.roots.get((container, path), self.roots.get(path, self.default))
        return None if found is None else RootAttributes(*found)


def build_data_planner(spec, holder=None, leftovers=(), image=None, others=(), volumes_from=None, roots=None,
                       replacement_name=None, empty=None, volume_labels=None):
    """A ``DataContainerPlanner`` for the data container ``spec`` (a ``DataContainerSpec``).

    ``holder``: ``raw_inspect`` keyword dict of the container that has the name (``name``
    defaults to the spec's); ``leftovers``: ``raw_inspect`` keyword dicts (oldest first, as
    ``observe`` sorts them); ``others``: ``raw_container`` keyword dicts of the other
    containers on the engine; ``volumes_from``: container name -> ``HostConfig.VolumesFrom``;
    ``image``: an ``ImageChoice`` (default: the default image, present, no VOLUME);
    ``replacement_name`` defaults to ``<name>.pv-000001``; ``empty``: the set of (container ID,
    path) whose volume is empty (default: the planner cannot tell, as restore's); ``volume_labels``:
    volume name -> its labels (the others have none).
    """
    holder_raw = raw_inspect(**dict(dict(name=spec.name), **holder)) if holder is not None else None
    leftover_raws = [raw_inspect(**item) for item in leftovers]
    summaries = [summary_of_inspect(raw) for raw in leftover_raws + ([holder_raw] if holder_raw else [])]
    summaries += [raw_container(**item) for item in others]
    usage = EngineState([], summaries, inspect=FakeInspect(volumes_from or {}))
    if image is None:
        image = ImageChoice(DEFAULT_IMAGE, {'Id': 'sha256:' + '1' * 64, 'Config': {'Volumes': None}})
    planner = DataContainerPlanner(spec, ContainerDetail(holder_raw) if holder_raw else None,
                                   [ContainerDetail(raw) for raw in leftover_raws], image, usage,
                                   FakeReadRoot(roots), new_volume_names(),
                                   replacement_name or '%s.pv-000001' % spec.name,
                                   is_empty=None if empty is None else lambda container, path: (container, path) in empty,
                                   inspect_volume=lambda name: {'Name': name, 'Labels': (volume_labels or {}).get(name)})
    planner.raws = dict((raw['Name'].lstrip('/'), raw) for raw in leftover_raws + ([holder_raw] if holder_raw else []))
    return planner


@pytest.fixture
def data_planner():
    return build_data_planner
