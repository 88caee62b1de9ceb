# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What uses what on one Docker host, read from volume_info's result.

Nodes are containers, data containers, volumes and host paths; edges are mounts (a
container's own mount of a volume or a host path, labelled with the container path) and
``--volumes-from`` wiring (a consumer to the container it takes the volumes of). The same
facts give the rows of the storage map's table and the host's summary.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

CONTAINER, DATA_CONTAINER, VOLUME, HOST_PATH = 'container', 'data_container', 'volume', 'host_path'
MOUNT, BIND, VOLUMES_FROM = 'mount', 'bind', 'volumes_from'
HEX64 = re.compile(r'^[0-9a-f]{64}$')
UNITS = ('B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB')


class StorageInputError(ValueError):
    """The input is not volume_info's result."""


def human_size(size):
    """``size`` bytes as '12.3 MiB'; None (unknown) as '?'."""
    if size is None:
        return '?'
    value, unit = float(size), 0
    while value >= 1024 and unit < len(UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return '%d B' % size if unit == 0 else '%.1f %s' % (value, UNITS[unit])


def short_name(name):
    """An anonymous volume's 64 hex digits shortened the way docker shortens IDs."""
    return name[:12] + '\u2026' if HEX64.match(name or '') else name


class Node(object):
    def __init__(self, key, kind, name):
        self.key = key
        self.kind = kind
        self.name = name
        self.size = None
        self.anonymous = False
        self.dangling = False

    def as_dict(self):
        return dict(key=self.key, kind=self.kind, name=self.name, size_bytes=self.size,
                    anonymous=self.anonymous, dangling=self.dangling)


class Edge(object):
    def __init__(self, source, target, kind, path=None, read_only=False):
        self.source = source
        self.target = target
        self.kind = kind
        self.path = path
        self.read_only = bool(read_only)

    @property
    def label(self):
        text = 'volumes-from' if self.kind == VOLUMES_FROM else self.path
        return text + ' (ro)' if self.read_only else text

    def as_dict(self):
        return dict(source=self.source, target=self.target, kind=self.kind, path=self.path,
                    read_only=self.read_only, label=self.label)


class StorageModel(object):
    """The nodes and edges of one host, in the order they were met (deterministic)."""

    def __init__(self):
        self.nodes = {}
        self.edges = []
        self.sizes_known = False

    def node(self, kind, name):
        key = ('h:' if kind == HOST_PATH else 'v:' if kind == VOLUME else 'c:') + name
        if key not in self.nodes:
            self.nodes[key] = Node(key, kind, name)
        elif kind == DATA_CONTAINER:
            self.nodes[key].kind = DATA_CONTAINER
        return self.nodes[key]

    def edge(self, source, target, kind, path=None, read_only=False):
        for known in self.edges:
            if (known.source, known.target, known.kind, known.path) == (source.key, target.key, kind, path):
                known.read_only = known.read_only and bool(read_only)
                return known
        self.edges.append(Edge(source.key, target.key, kind, path, read_only))
        return self.edges[-1]

    def of_kind(self, *kinds):
        return [node for node in self.nodes.values() if node.kind in kinds]

    def edges_of(self, key):
        return [edge for edge in self.edges if key in (edge.source, edge.target)]


def _check_input(result):
    if isinstance(result, list):
        result = dict(volumes=result)
    if not isinstance(result, dict) or not isinstance(result.get('volumes'), list):
        raise StorageInputError("expects the result of persistent.volumes.volume_info (a dict with 'volumes', "
                                "or the list of volumes), got %s" % type(result).__name__)
    layout = result.get('layout') or {}
    if not isinstance(layout, dict):
        raise StorageInputError("'layout' must be the dict volume_info returns with include_layout=true, got %s"
                                % type(layout).__name__)
    for index, volume in enumerate(result['volumes']):
        if not isinstance(volume, dict) or not volume.get('name'):
            raise StorageInputError('volumes[%d] is not a volume of volume_info (a dict with a name)' % index)
    return result['volumes'], layout


def _split_bind(entry):
    """('/host', '/path', read_only) of a data container's volumes entry, or None for a volume."""
    if not isinstance(entry, str) or not entry.startswith('/') or ':' not in entry:
        return None
    parts = entry.split(':')
    return parts[0], parts[1], len(parts) > 2 and 'ro' in parts[2].split(',')


def _add_volumes(model, volumes):
    """Volume nodes and the containers' own mounts; the --volumes-from uses, for later."""
    borrowed = []
    for volume in volumes:
        node = model.node(VOLUME, volume['name'])
        node.size = volume.get('size_bytes')
        model.sizes_known = model.sizes_known or 'size_bytes' in volume
        node.anonymous = bool(volume.get('anonymous'))
        node.dangling = bool(volume.get('dangling', not volume.get('used_by')))
        for use in volume.get('used_by') or []:
            if use.get('via') == VOLUMES_FROM:
                borrowed.append((volume, use))
            else:
                model.edge(model.node(CONTAINER, use['container']), node, MOUNT, use.get('destination'),
                           use.get('read_only'))
    return borrowed


def _add_layout(model, layout):
    for item in layout.get('data_containers') or []:
        holder = model.node(DATA_CONTAINER, item['name'])
        for entry in item.get('volumes') or []:
            bind = _split_bind(entry)
            if bind:
                model.edge(holder, model.node(HOST_PATH, bind[0]), BIND, bind[1], bind[2])
    for item in layout.get('consumers') or []:
        consumer = model.node(CONTAINER, item['container'])
        for entry in item.get('from') or []:
            name, dummy, mode = entry.partition(':')
            model.edge(consumer, model.node(CONTAINER, name), VOLUMES_FROM, read_only=mode == 'ro')
        for bind in item.get('binds') or []:
            model.edge(consumer, model.node(HOST_PATH, bind['source']), BIND, bind['target'],
                       bind.get('read_only'))


def _add_borrowed(model, borrowed):
    """--volumes-from uses of consumers whose wiring the layout did not give: the source is the
    volume's data container, else the container that mounts the volume itself."""
    wired = set(edge.source for edge in model.edges if edge.kind == VOLUMES_FROM)
    for volume, use in borrowed:
        sources = [volume.get('data_container')] + [other['container'] for other in volume.get('used_by') or []
                                                    if other.get('via') != VOLUMES_FROM]
        consumer = model.node(CONTAINER, use['container'])
        source_key = ['c:' + name for name in sources if name][:1]
        if source_key and consumer.key not in wired:
            model.edge(consumer, model.nodes[source_key[0]], VOLUMES_FROM, read_only=use.get('read_only'))


def build_model(result):
    """The StorageModel of volume_info's ``result`` (``include_layout`` adds host paths and
    the --volumes-from modes; ``include_usage`` adds sizes)."""
    volumes, layout = _check_input(result)
    model = StorageModel()
    data_containers = set(item['name'] for item in layout.get('data_containers') or [])
    data_containers.update(v['data_container'] for v in volumes if v.get('data_container'))
    for name in sorted(data_containers):
        model.node(DATA_CONTAINER, name)
    borrowed = _add_volumes(model, volumes)
    _add_layout(model, layout)
    _add_borrowed(model, borrowed)
    return model
