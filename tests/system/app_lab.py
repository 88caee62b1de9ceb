# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Application containers as users have them (two user networks with aliases and a static
address, a hostname, ports, limits, ...), their peers, and the comparison of two inspects.

A recreated consumer must be the same container in every setting; ``inspect_differences``
says where two inspects differ, and ``MAY_DIFFER`` is the short written list of what a
recreation may change, with the reason."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import fnmatch
import random
import re

import docker
import pytest

from conftest import RUN_ID, remove_lab_objects

# Where two inspects of a recreated consumer may differ, and why. Everything else must be equal.
MAY_DIFFER = {
    'Id': 'a new container',
    'Created': 'a new container',
    'State.*': 'a new container: its own start time, process, health',
    'ResolvConfPath': 'holds the container ID',
    'HostnamePath': 'holds the container ID',
    'HostsPath': 'holds the container ID',
    'LogPath': 'holds the container ID',
    'GraphDriver.*': "the new container's own writable layer",
    'ExecIDs': 'commands run in the old container',
    'Mounts': 'the wiring the task asked for (checked: every old mount is kept)',
    'HostConfig.VolumesFrom': 'the wiring the task asked for',
    'HostConfig.Binds': 'the wiring the task asked for; the own volumes re-attached by name (checked)',
    'Config.Labels.persistent.volumes.*': "the collection's own labels",
    'NetworkSettings.SandboxID': 'a new network namespace',
    'NetworkSettings.SandboxKey': 'a new network namespace',
    'NetworkSettings.Networks.*.EndpointID': 'a new endpoint',
    'NetworkSettings.Networks.*.Aliases': "the engine's own alias, the short container ID (checked: the rest is kept)",
    'NetworkSettings.Networks.*.IPAddress': 'an address the engine chose (checked: a static one is kept)',
    'NetworkSettings.Networks.*.MacAddress': 'follows the address the engine chose',
    'NetworkSettings.Networks.*.DNSNames': "Docker 26 (API 1.44+): the name, the aliases and the short container ID "
                                           "(checked: only the ID differs)",
}


def dns_names_differences(before, after):
    """Networks whose DNSNames (Docker 26) differ by more than the short container ID."""
    def names(inspect, network):
        found = (inspect['NetworkSettings']['Networks'].get(network) or {}).get('DNSNames') or []
        return sorted(name for name in found if name != inspect['Id'][:12])
    return [network for network in sorted(before['NetworkSettings']['Networks'])
            if names(before, network) != names(after, network)]


def flatten(value, path=''):
    """path -> value for every leaf of an inspect (lists are leaves)."""
    if isinstance(value, dict) and value:
        found = {}
        for key, item in value.items():
            found.update(flatten(item, '%s.%s' % (path, key) if path else key))
        return found
    return {path: value}


def inspect_differences(before, after):
    """Dotted paths where two inspects differ and MAY_DIFFER does not allow it."""
    old, new = flatten(before), flatten(after)
    differ = sorted(path for path in set(old) | set(new) if old.get(path, '<absent>') != new.get(path, '<absent>'))
    return [path for path in differ if not any(fnmatch.fnmatchcase(path, allowed) for allowed in MAY_DIFFER)]


def user_aliases(inspect, network):
    """A network's aliases less the engine's own (the short container ID)."""
    aliases = inspect['NetworkSettings']['Networks'][network]['Aliases'] or []
    return sorted(alias for alias in aliases if alias != inspect['Id'][:12])


def make_network(api, name, subnet=False):
    """A user network (with a /24 of its own when ``subnet``); returns (name, subnet prefix or None)."""
    for dummy in range(20):
        prefix = '10.%d.%d' % (random.randint(64, 250), random.randint(1, 250)) if subnet else None
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=prefix + '.0/24')]) if subnet else None
        try:
            api.create_network(name, driver='bridge', ipam=ipam, labels={'pvtest': RUN_ID})
            return name, prefix
        except docker.errors.APIError as exc:
            if 'overlap' not in str(exc):
                raise
    raise AssertionError('no free /24 for %s' % name)


@contextlib.contextmanager
def lab_network(api, lab, suffix, subnet=False):
    """A user network for one test; afterwards the test's containers and the network are removed."""
    network = make_network(api, lab.name(suffix), subnet=subnet)
    try:
        yield network
    finally:
        remove_lab_objects(api, lab.prefix, set())
        remove_networks(api, [network[0]])


def remove_networks(api, names):
    for name in names:
        try:
            api.remove_network(name)
        except docker.errors.APIError:
            pass


def run_as_root(api, container, script):
    """``sh -c script`` as root inside a running container: (exit code, output)."""
    exec_id = api.exec_create(container, ['sh', '-c', script], user='0')
    output = api.exec_start(exec_id).decode().strip()
    return api.exec_inspect(exec_id)['ExitCode'], output


def resolve(api, peer, name):
    """The addresses ``peer`` resolves ``name`` to, through the engine's DNS."""
    code, output = run_as_root(api, peer, 'busybox nslookup %s 127.0.0.11' % name)
    answer = output.split('Name:', 1)[1] if 'Name:' in output else ''
    return sorted(re.findall(r'Address:\s*([0-9.]+)', answer)) if code == 0 else []


def address(inspect, network):
    return inspect['NetworkSettings']['Networks'][network]['IPAddress']


# Fixtures of the modules that rewire application containers; a module takes them by importing them.

@pytest.fixture
def front(lab, api):
    """A user network with a subnet of its own: (its name, its address prefix)."""
    with lab_network(api, lab, 'front', subnet=True) as network:
        yield network
