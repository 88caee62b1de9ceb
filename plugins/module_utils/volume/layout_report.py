# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A host's current storage in the shape the layout module takes, to adopt existing hosts (volume_info's ``layout``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.model.data_only import shaped_as_data_only
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import volume_entry
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import short_name
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import sensitive_reason
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import PROPAGATIONS, split_bind


def is_data_container(container):
    """A container to list among the data containers: one of the collection's, or one that holds
    volumes and is shaped as a data-only one (``model/data_only.py``: never started, no
    ``--volumes-from``; the layout then keeps it as it is, and data_container refuses to recreate it
    while it has a command of its own)."""
    if container.is_data_container:
        return True
    return bool(container.mounts) and shaped_as_data_only(container)


def named_volume_bind(source):
    """Whether a bind's source is a named volume (not a host directory, not an anonymous volume by its name)."""
    return not source.startswith('/') and not pv_labels.is_anonymous_volume(source, None)


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
    binds = [bind_item(bind, data_root) for bind in container.binds if bind.startswith('/')]
    item = dict(container=container.name, binds=binds)
    item['from'] = ['%s:%s' % pair for pair in container.volumes_from_pairs]
    named = [named_item(bind) for bind in container.binds if named_volume_bind(split_bind(bind)[0])]
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
        elif container.volumes_from or any(source.startswith('/') or named_volume_bind(source)
                                           for source, dummy, dummy_options in container.split_binds):
            consumers.append(consumer_item(container, data_root))
    return dict(volumes=volumes, data_containers=data_containers, consumers=consumers)
