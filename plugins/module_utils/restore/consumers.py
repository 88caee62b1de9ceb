# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consumers of a restored data container: they follow the restore, each by its own pipeline.

Check mode and the real run choose them by one rule (``followers``), from the same observation:
a container wired to the data container (``--volumes-from`` by its name, its ID or an ID prefix:
``ContainerDetail.takes_volumes_from``) that mounts,
at one of the restored paths and through that wiring (not by a bind or mount of its own), another
volume than the one the data container has there once restored. The real run chooses them before the swap, then converges each.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import ConsumerRequest, converge_consumer
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail, inspect_named, names_container


def followers(api, name, container_id, restored):
    """The containers wired to ``name`` (ID ``container_id``) that do not mount, at some path of
    ``restored`` ({path: volume once restored}), that volume: they follow the restore."""
    found = []
    for summary in api.list_containers():
        raw = api.inspect_container(summary['Id'])
        if not raw:
            continue
        consumer = ContainerDetail(raw)
        if consumer.name == name or not consumer.takes_volumes_from(name, container_id):
            continue
        own = consumer.own_destinations
        stale = [path for path, volume in restored.items()
                 if path in consumer.mounts and path not in own and consumer.mounts[path].name != volume]
        if stale:
            found.append(consumer.name)
    return sorted(found)


def old_references(consumer, name, container_id):
    """{reference: name} for the consumer's ``--volumes-from`` entries that name the data container by its
    ID before the restore (whole or a prefix): the swap gives the data container a new ID, and the
    consumer follows it by name."""
    return dict((source, name) for source, dummy in consumer.volumes_from_pairs
                if source != name and names_container(source, name, container_id))


def rewire_consumers(engine, names, data_container=None, container_id=None):
    """Recreate the containers ``names`` (``followers`` of ``data_container``, whose ID was
    ``container_id`` before the restore) so that they mount the restored volumes; return those
    recreated.

    The volumes they mounted before are the data container's previous ones, which the
    restore keeps and reports; letting them go here is what the restore asked for.
    """
    recreated = []
    for consumer in names:
        raw = inspect_named(engine.api, consumer)
        renamed = old_references(ContainerDetail(raw), data_container, container_id) if raw else {}
        request = ConsumerRequest(ConsumerSpec(consumer, release_volumes=True), renamed_sources=renamed)
        if converge_consumer(engine, request).get('changed'):
            recreated.append(consumer)
    return recreated
