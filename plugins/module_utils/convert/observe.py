# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a conversion finds on the engine: the data container, its paths, the containers wired to it
(under the name each is known by, even half-way through a swap), who else holds its volumes, and the
named volumes (made, half-made, or someone else's)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail, inspect_named, names_container

HOLDER = 'convert'


def is_ours(volume, container, path):
    """True when ``volume`` (inspect data) was made by converting ``container``'s ``path``."""
    labels = (volume or {}).get('Labels') or {}
    return labels.get(pv_labels.CONVERTED_FROM) == container and labels.get(pv_labels.CONVERTED_PATH) == path


def recorded_running(volume):
    """The consumers a conversion found running when it made ``volume`` (it stops them for the copy)."""
    value = ((volume or {}).get('Labels') or {}).get(pv_labels.CONVERTED_RUNNING) or ''
    return set(name for name in value.split(',') if name)


def logical_names(containers):
    """id -> the name each container is known by: a swap's old container (renamed aside) and its
    replacement go by the consumer's name."""
    by_previous = dict((c.labels[pv_labels.PREVIOUS], c.replaces) for c in containers
                       if c.labels.get(pv_labels.PREVIOUS) and c.replaces)
    names = {}
    for container in containers:
        name = by_previous.get(container.name) or container.name
        if container.replaces and container.name.startswith(container.replaces + '.pv-'):
            name = container.replaces
        names[container.id] = name
    return names


class Consumer(object):
    """A container wired to the data container (``mode`` ro when any of its entries is :ro)."""

    def __init__(self, detail, name, mode):
        self.detail = detail
        self.name = name
        self.mode = mode


class ConvertState(object):
    """The observed engine, for one data container."""

    def __init__(self, api, spec):
        self.api = api
        raw = inspect_named(api, spec.container)
        self.holder = ContainerDetail(raw) if raw else None
        self.containers = [ContainerDetail(raw) for raw in
                           (api.inspect_container(summary['Id']) for summary in api.list_containers()) if raw]
        self.names = logical_names(self.containers)
        self.consumers = self._consumers() if self.holder else []
        self.paths = dict(self.holder.mounts) if self.holder else {}
        self.image = api.inspect_image(self.holder.image_id) if self.holder else None
        self.targets = {}
        self.stale_holders = [c for c in self.containers
                              if c.labels.get(pv_labels.TEMPORARY) == HOLDER and not c.running]

    def _consumers(self):
        found = []
        for container in self.containers:
            modes = [mode for source, mode in container.volumes_from_pairs
                     if names_container(source, self.holder.name, self.holder.id)]
            if modes and container.id != self.holder.id:
                found.append(Consumer(container, self.names[container.id], 'ro' if 'ro' in modes else 'rw'))
        return sorted(found, key=lambda consumer: (consumer.name, consumer.detail.name))

    def observe_targets(self, names):
        """{path: inspect data or None} of the named volumes wanted."""
        self.targets = dict((path, self.api.inspect_volume(name)) for path, name in names.items())
        return self.targets

    def holders_of(self, volume):
        """The unfinished copies' holders that mount ``volume``."""
        return [c for c in self.stale_holders if any(m.name == volume for m in c.mounts.values())]

    def users_of(self, volume):
        """[(container, path)] of every container but the data container and our holders mounting ``volume``."""
        found = []
        for container in self.containers:
            if container.id == self.holder.id or container.labels.get(pv_labels.TEMPORARY):
                continue
            found.extend((container, path) for path, mounted in sorted(container.mounts.items())
                         if mounted.type == 'volume' and mounted.name == volume)
        return found

    def converted_volumes(self, container):
        """Volumes a conversion of ``container`` made ({path: inspect}), for a data container already removed."""
        found = {}
        for volume in self.api.list_volumes():
            labels = volume.get('Labels') or {}
            if labels.get(pv_labels.CONVERTED_FROM) == container and labels.get(pv_labels.CONVERTED_PATH):
                found[labels[pv_labels.CONVERTED_PATH]] = volume
        return found
