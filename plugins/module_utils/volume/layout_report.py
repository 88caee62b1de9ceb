# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A host's current storage in the shape the layout module takes, to adopt existing hosts (volume_info's ``layout``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import volume_entry
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import short_name
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import sensitive_reason
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import PROPAGATIONS, split_bind


def is_data_container(container):
    """A container to list among the data containers: one of the collection's, or one that was never
    started, takes no volumes from others and holds volumes (the layout then leaves it as it is;
    data_container refuses to recreate it when it is not data-only, see data_only.py)."""
    if container.is_data_container:
        return True
    return container.status == 'created' and not container.volumes_from and bool(container.mounts)


def data_container_item(container):
    item = dict(name=container.name,
                volumes=[volume_entry(path, mounted) for path, mounted in sorted(container.mounts.items())],
                labels=pv_labels.user_labels(container.labels))
    if short_name(container.image_ref) != DEFAULT_IMAGE:
        item['image'] = container.image_ref
    return item


def bind_item(bind, data_root):
    source, target, options = split_bind(bind)
    item = dict(source=source, target=target, read_only='ro' in options, create_source=False)
    for option in sorted(options):
        if option in PROPAGATIONS:
            item['propagation'] = option
        elif option in ('z', 'Z'):
            item['selinux_relabel'] = option
    if sensitive_reason(source, data_root):
        item['allow_sensitive'] = True
    return item


def consumer_item(container, data_root):
    host = container.raw.get('HostConfig') or {}
    binds = [bind_item(bind, data_root) for bind in host.get('Binds') or [] if bind.startswith('/')]
    item = dict(container=container.name, binds=binds)
    item['from'] = [entry if ':' in entry else entry + ':rw' for entry in container.volumes_from]
    named = [named_item(bind) for bind in host.get('Binds') or []
             if not bind.startswith('/') and not pv_labels.is_anonymous_volume(bind.split(':')[0], None)]
    if named:
        item['volumes'] = named  # a converted consumer, or one made with -v name:/path
    return item


def named_item(bind):
    """A named-volume bind in the consumer item's shape: ``name:/path`` or ``name:/path:ro``."""
    source, destination, options = split_bind(bind)
    return '%s:%s%s' % (source, destination, ':ro' if 'ro' in options else '')


def current_layout(api, state, data_root=None):
    """volumes, data_containers and consumers as they are on the engine now."""
    volumes = []
    for name in sorted(state.volumes):
        raw = state.volumes[name]
        if state.is_anonymous(name):
            continue
        volumes.append(dict(name=name, driver=raw.get('Driver'), driver_options=dict(raw.get('Options') or {}),
                            labels=dict(raw.get('Labels') or {})))
    data_containers, consumers = [], []
    for summary in sorted(state.containers, key=lambda container: container.name):
        raw = api.inspect_container(summary.id)
        if not raw:
            continue
        container = ContainerDetail(raw)
        if container.replaces and container.name != container.replaces:
            continue  # a leftover of an interrupted swap: the next run on its owner settles it
        if is_data_container(container):
            data_containers.append(data_container_item(container))
        elif container.volumes_from or any(b.startswith('/') or not pv_labels.is_anonymous_volume(b.split(':')[0], None)
                                           for b in (raw.get('HostConfig') or {}).get('Binds') or []):
            consumers.append(consumer_item(container, data_root))
    return dict(volumes=volumes, data_containers=data_containers, consumers=consumers)
