# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consumers of a restored data container: they follow the restore, each by its own pipeline.

Check mode and the real run choose them by one rule (``followers``), from the same observation:
a container wired to the data container (``--volumes-from`` by its name or its ID) that mounts,
at one of the restored paths and through that wiring (not by a bind or mount of its own), another
volume than the one the data container has there once restored. The real run chooses them before the swap, then converges each.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import ConsumerRequest, converge_consumer
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail


def _wired(consumer, name, container_id):
    return any(entry.split(':')[0] in (name, container_id) for entry in consumer.volumes_from)


def _own_destinations(raw):
    """The paths a container mounts by its own binds and mounts (they win over --volumes-from)."""
    host = raw.get('HostConfig') or {}
    own = set(entry.split(':')[1] for entry in host.get('Binds') or [] if ':' in entry)
    return own | set(m.get('Target') for m in host.get('Mounts') or [] if m.get('Target'))


def followers(api, name, container_id, restored):
    """The containers wired to ``name`` (ID ``container_id``) that do not mount, at some path of
    ``restored`` ({path: volume once restored}), that volume: they follow the restore."""
    found = []
    for summary in api.list_containers():
        raw = api.inspect_container(summary['Id'])
        if not raw:
            continue
        consumer = ContainerDetail(raw)
        if consumer.name == name or not _wired(consumer, name, container_id):
            continue
        own = _own_destinations(raw)
        stale = [path for path, volume in restored.items()
                 if path in consumer.mounts and path not in own and consumer.mounts[path].name != volume]
        if stale:
            found.append(consumer.name)
    return sorted(found)


def rewire_consumers(engine, names):
    """Recreate the containers ``names`` (``followers``) so that they mount the restored volumes;
    return those recreated.

    The volumes they mounted before are the data container's previous ones, which the
    restore keeps and reports; letting them go here is what the restore asked for.
    """
    recreated = []
    for consumer in names:
        request = ConsumerRequest(ConsumerSpec(consumer, release_volumes=True))
        if converge_consumer(engine, request).get('changed'):
            recreated.append(consumer)
    return recreated
