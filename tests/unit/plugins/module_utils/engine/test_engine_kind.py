# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which engine answers, what it cannot do faithfully, and Podman's inspect read as Docker reports it
(engine/kind.py), as tables of measured answers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.engine.kind import (
    EngineKind,
    as_docker_reports,
    docker_bind,
    may_differ,
    refuse_archive_endpoint,
)

PODMAN_43 = {'Version': '4.3.1', 'ApiVersion': '1.41',
             'Components': [{'Name': 'Podman Engine', 'Version': '4.3.1'}, {'Name': 'Conmon'}]}
DOCKER_20 = {'Version': '20.10.24+dfsg1', 'ApiVersion': '1.41',
             'Components': [{'Name': 'Engine', 'Version': '20.10.24+dfsg1'}, {'Name': 'containerd'}]}


@pytest.mark.parametrize('version, podman, label', [
    (PODMAN_43, True, 'Podman 4.3.1 (API 1.41)'),
    (DOCKER_20, False, 'Docker 20.10.24+dfsg1 (API 1.41)'),
    ({'Version': '26.1.5', 'ApiVersion': '1.45'}, False, 'Docker 26.1.5 (API 1.45)'),
    ({}, False, 'Docker unknown (API unknown)'),
    (None, False, 'Docker unknown (API unknown)'),
    ({'Components': ['odd', None]}, False, 'Docker unknown (API unknown)'),
])
def test_engine_kind(version, podman, label):
    kind = EngineKind(version)
    assert (kind.podman, kind.label) == (podman, label)
    assert (kind.archive_endpoint_problem is not None) == podman


def test_the_archive_endpoint_is_refused_on_podman_only():
    refuse_archive_endpoint(EngineKind(DOCKER_20), 'back up', 'Do this instead')  # no refusal
    with pytest.raises(Refusal) as caught:
        refuse_archive_endpoint(EngineKind(PODMAN_43), 'back up', 'Do this instead')
    assert caught.value.msg == (
        'Refusing to back up through the engine on Podman 4.3.1 (API 1.41): its archive endpoint reads every owner '
        'and group of a volume\'s files as 0, and through a container that is not running it names a volume\'s '
        'members "" and "/..." and writes into the container\'s own layer instead of the volume. Do this instead; '
        'nothing was changed.')


def podman_consumer(binds, volumes_from=('dc:rw',), ulimits=None, networks=('podman',), mode='bridge'):
    """A consumer as Podman 4.3 inspects it (measured): inherited mounts among the Binds."""
    return {'HostConfig': {'Binds': list(binds), 'VolumesFrom': list(volumes_from), 'NetworkMode': mode,
                           'Ulimits': ulimits or []},
            'NetworkSettings': {'Networks': dict((n, {'Aliases': ['876968870de2']}) for n in networks)}}


INHERITED = 'old:/datastore:rw,rprivate,nosuid,nodev,rbind'
OWN = '/srv/conf:/conf:ro,rprivate,rbind'
OWN_AS_DOCKER = '/srv/conf:/conf:ro'


@pytest.mark.parametrize('podman, docker', [     # measured on Podman 4.3.1
    ('v:/own:rw,rprivate,nosuid,nodev,rbind', 'v:/own:rw'),
    ('/www/html:/srv:ro,rprivate,rbind', '/www/html:/srv:ro'),
    ('/shared:/m:rw,rslave,z,rbind', '/shared:/m:rw,rslave,z'),
    ('/h:/m:rw,nosuid,rbind', '/h:/m:rw,nosuid'),      # asked for on a host directory: kept
    ('/h:/m:rprivate,rbind', '/h:/m'),
    ('v:/d', 'v:/d'),
    ('v:/d:ro', 'v:/d:ro'),
])
def test_docker_bind(podman, docker):
    assert docker_bind(podman) == docker
    assert docker_bind(docker) == docker


@pytest.mark.parametrize('raw, destinations, binds', [
    (podman_consumer([INHERITED]), {'/datastore'}, []),
    (podman_consumer([INHERITED, OWN]), {'/datastore'}, [OWN_AS_DOCKER]),
    (podman_consumer([OWN]), {'/datastore'}, [OWN_AS_DOCKER]),
    (podman_consumer([INHERITED]), set(), ['old:/datastore:rw']),      # the data container is gone: kept
])
def test_inherited_binds_are_dropped(raw, destinations, binds):
    assert may_differ(raw)
    after = as_docker_reports(raw, destinations)
    assert after['HostConfig']['Binds'] == binds
    assert raw['HostConfig']['Binds'] != [] or not binds  # the engine's answer itself is not changed


@pytest.mark.parametrize('ulimits, names', [
    ([{'Name': 'RLIMIT_NOFILE', 'Soft': 20000, 'Hard': 20000}], ['nofile']),
    ([{'Name': 'RLIMIT_NPROC', 'Soft': 1, 'Hard': 2}, {'Name': 'RLIMIT_MEMLOCK', 'Soft': 3, 'Hard': 4}],
     ['nproc', 'memlock']),
    ([{'Name': 'nofile', 'Soft': 1, 'Hard': 1}], ['nofile']),
])
def test_ulimits_are_named_as_create_takes_them(ulimits, names):
    after = as_docker_reports(podman_consumer([], volumes_from=(), ulimits=ulimits), set())
    assert [u['Name'] for u in after['HostConfig']['Ulimits']] == names


@pytest.mark.parametrize('networks, mode, after', [
    (('podman',), 'bridge', ['bridge']),
    (('podman', 'front'), 'bridge', ['bridge', 'front']),
    (('front',), 'front', ['front']),
    (('podman',), 'podman', ['podman']),            # named so by the user: as it is
])
def test_the_default_network_is_named_as_the_listing_names_it(networks, mode, after):
    raw = as_docker_reports(podman_consumer([], volumes_from=(), networks=networks, mode=mode), set())
    assert sorted(raw['NetworkSettings']['Networks']) == after


@pytest.mark.parametrize('raw', [
    {},
    {'HostConfig': {'Binds': ['v:/d'], 'VolumesFrom': None}},
    {'HostConfig': {'Binds': [], 'VolumesFrom': ['dc']}},
    {'HostConfig': {'Ulimits': [{'Name': 'nofile'}]}, 'NetworkSettings': {'Networks': {'bridge': {}}}},
])
def test_docker_answers_need_no_second_look(raw):
    assert not may_differ(raw)
