# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The create request of a consumer's replacement, built from the whole inspect of the old one.

Every key of ``Config`` and ``HostConfig`` is given back as the engine reported it, so a
setting this code never heard of is kept too. Only what the engine reports but a client
must not (or cannot) give back is left out or translated:

* ``Hostname``: the engine's default (the short container ID; with ``network_mode: host``
  the host's name; with ``container:<id>`` the other container's, with its
  ``Domainname``) is left to the engine, so the replacement gets its own default.
* When the task changes the image, what the old image provided (its ``Env`` entries,
  ``Labels``, ``ExposedPorts``, ``Volumes``, ``Cmd`` with ``Entrypoint``, ...) is left
  to the new image.
* ``HostConfig.Links`` of the default bridge read ``/other:/me/alias``; create wants
  ``other:alias``.
* Network endpoints: what the engine reports about a running endpoint (addresses it
  chose, IDs, gateway) is left out, and so are the aliases it makes itself (the short
  container ID and the hostname). Create takes one endpoint on API 1.41: the primary
  network's goes into the create request, the others are connected before the start.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import bind_destination

# What the engine reports about an endpoint it set up (API 1.41 and later), not what a client asks for.
ENDPOINT_STATE = ('NetworkID', 'EndpointID', 'Gateway', 'IPAddress', 'IPPrefixLen', 'IPv6Gateway',
                  'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'MacAddress', 'DNSNames')

# Network modes whose container has no endpoint of its own to give.
NO_ENDPOINTS = ('host', 'none')


def short_id(raw):
    return (raw.get('Id') or '')[:12]


def network_mode_of(raw):
    return ((raw.get('HostConfig') or {}).get('NetworkMode')) or 'default'


def primary_network(mode):
    """The network name a network mode stands for, or None when the container has no endpoint of its own."""
    if mode in NO_ENDPOINTS or mode.startswith('container:'):
        return None
    return 'bridge' if mode == 'default' else mode


def network_key(networks, mode):
    """The name under which ``networks`` (inspect's NetworkSettings.Networks) lists the network of ``mode``
    (a network mode may name its network by ID)."""
    primary = primary_network(mode)
    if primary is None or primary in networks:
        return primary
    for name, settings in sorted(networks.items()):
        if ((settings or {}).get('NetworkID') or '').startswith(primary):
            return name
    return primary


def engine_made_hostname(raw, host_name=None):
    """True when the old container's hostname is the engine's default, not one set by the user."""
    config = raw.get('Config') or {}
    hostname = config.get('Hostname') or ''
    mode = network_mode_of(raw)
    if mode.startswith('container:'):
        return True
    if mode == 'host':
        return host_name is not None and hostname == host_name
    return hostname == short_id(raw)


def without_image_defaults(config, image_config):
    """``config`` less what ``image_config`` (the old image's) gave it: the new image gives its own."""
    config = dict(config)
    image_config = image_config or {}
    if config.get('Cmd') == image_config.get('Cmd') and config.get('Entrypoint') == image_config.get('Entrypoint'):
        config.pop('Cmd', None)
        config.pop('Entrypoint', None)
    for key, provided in image_config.items():
        if key in ('Cmd', 'Entrypoint', 'Image', 'Hostname') or key not in config:
            continue
        have = config[key]
        if key == 'Env':
            config[key] = [item for item in have or [] if item not in (provided or [])] or None
        elif isinstance(have, dict) and isinstance(provided, dict):
            config[key] = dict((k, v) for k, v in have.items() if provided.get(k, object()) != v) or None
        elif have == provided:
            del config[key]
    return config


def legacy_link(link):
    """``/other:/me/alias`` (as inspect shows a default-bridge link) -> ``other:alias``."""
    name, dummy, alias = link.partition(':')
    return '%s:%s' % (name.lstrip('/'), alias.rsplit('/', 1)[-1] or name.lstrip('/'))


def endpoint_request(settings, made_aliases):
    """What to ask of an endpoint so that it is the one ``settings`` (from inspect) describe."""
    request = {}
    for key, value in (settings or {}).items():
        # empty settings are kept as they are ({} stays {}), so that inspect shows them the same
        if key in ENDPOINT_STATE or value is None:
            continue
        if key == 'Aliases':
            value = [alias for alias in value if alias not in made_aliases] or None
            if value is None:
                continue
        request[key] = copy.deepcopy(value)
    return request


def made_aliases(raw):
    """Aliases the engine adds itself on user networks: the short ID, and the hostname."""
    made = set([short_id(raw)])
    hostname = (raw.get('Config') or {}).get('Hostname')
    if hostname:
        made.add(hostname)
    return made


def endpoints(raw, mode):
    """(primary network name or None, its endpoint request, [(other network, endpoint request)]).

    ``raw`` is the old container's inspect (or None for a new one); ``mode`` the new network mode.
    """
    if raw is None or primary_network(mode) is None:
        return primary_network(mode), {}, []
    networks = (raw.get('NetworkSettings') or {}).get('Networks') or {}
    primary = network_key(networks, mode)
    made = made_aliases(raw)
    first = endpoint_request(networks.get(primary), made)
    # A network_mode the task changes replaces the old primary network; the other networks stay.
    replaced = network_key(networks, network_mode_of(raw))
    others = [(name, endpoint_request(settings, made)) for name, settings in sorted(networks.items())
              if name not in (primary, replaced) and name not in NO_ENDPOINTS]
    return primary, first, others


def replica_config(raw, image_ref, changes, old_image=None):
    """The ``Config`` part of the create request: the old one, less the engine's defaults.

    ``old_image``: the old image's ``Config`` when the task changes the image (its defaults are
    then left to the new image), else None. ``changes``: ConsumerSpec values (None keeps); the caller puts
    them in with ``options.apply_options``, the labels too.
    """
    config = copy.deepcopy(raw.get('Config') or {})
    if engine_made_hostname(raw, changes.get('host_name')):
        config.pop('Hostname', None)
        if network_mode_of(raw).startswith('container:'):
            config.pop('Domainname', None)
    if old_image is not None:
        config = without_image_defaults(config, old_image)
    config['Image'] = image_ref
    return config


def kept_mounts(raw, binds):
    """The old container's own ``HostConfig.Mounts`` entries (``--mount``), for its replacement.

    Each entry is given back as the engine reported it (volume subpath, nocopy, driver options
    and labels; tmpfs size and mode; bind propagation and read-only recursion; consistency),
    so nothing the mount API carries is lost. An anonymous volume (``type=volume`` without a
    source) is pinned to the volume the old container holds there, else the replacement would
    get a fresh, empty one. A path a bind of ``binds`` takes is left to that bind.
    """
    taken = set(bind_destination(bind) for bind in binds)
    mounted = dict((entry.get('Destination'), entry) for entry in (raw or {}).get('Mounts') or [])
    kept = []
    for mount in ((raw or {}).get('HostConfig') or {}).get('Mounts') or []:
        if mount.get('Target') in taken:
            continue
        mount = copy.deepcopy(mount)
        if (mount.get('Type') or 'volume') == 'volume' and not mount.get('Source'):
            name = (mounted.get(mount.get('Target')) or {}).get('Name')
            if name:
                mount['Source'] = name
        kept.append(mount)
    return kept


def replica_host_config(raw, binds, volumes_from):
    """The ``HostConfig`` part: the old one with the wanted wiring (the task's changes are put in
    with ``options.apply_options``)."""
    host = copy.deepcopy(raw.get('HostConfig') or {}) if raw is not None else {}
    host['Binds'] = list(binds) or None
    host['VolumesFrom'] = list(volumes_from) or None
    if host.get('Mounts'):
        host['Mounts'] = kept_mounts(raw, binds) or None
    if host.get('Links'):
        host['Links'] = [legacy_link(link) for link in host['Links']]
    return host
