# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One container as its inspect data shows it, reduced to what the planners compare."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.persistent.volumes.plugins.module_utils.engine.binds import split_volumes_from  # noqa: F401 (offered here)
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import MountedAt, split_bind


# States of a container the engine is removing, or failed to remove ("dead"): it can
# never be started again, only removed.
MARKED_FOR_REMOVAL = ('removing', 'dead')

# StartedAt of a container that never ran (the engine's zero time; empty on some engines).
ZERO_TIME_PREFIX = '0001-'


def never_started(status, started_at=None):
    """The one test of "this container never ran": the engine reports it ``created`` and, where the
    inspect data says when it started (``started_at``; a listing does not), that time is the zero time."""
    if status != 'created':
        return False
    return not started_at or started_at.startswith(ZERO_TIME_PREFIX)


def names_container(reference, name, container_id):
    """Whether ``reference`` (a ``--volumes-from`` source as written) is the container ``name`` with ID
    ``container_id``: its name, its ID, or an unambiguous ID prefix (12 hex or more), as the engine
    resolves it when the consumer is created."""
    if not reference:
        return False
    if reference == name or reference == container_id:
        return True
    return bool(container_id) and len(reference) >= 12 and container_id.startswith(reference)


class ContainerDetail(object):
    """A container's inspect data, with the collection's labels decoded."""

    def __init__(self, raw):
        self.raw = raw
        config = raw.get('Config') or {}
        host = raw.get('HostConfig') or {}
        state = raw.get('State') or {}
        self.id = raw.get('Id')
        self.name = (raw.get('Name') or '').lstrip('/')
        self.image_id = raw.get('Image')
        self.image_ref = config.get('Image')
        self.labels = dict(config.get('Labels') or {})
        self.running = bool(state.get('Running'))
        self.status = state.get('Status')
        self.volumes_from = list(host.get('VolumesFrom') or [])
        self.binds = list(host.get('Binds') or [])
        self.started_at = state.get('StartedAt')
        self.mounts = dict((m.destination, m) for m in
                           (MountedAt.from_inspect(raw_mount) for raw_mount in raw.get('Mounts') or []))

    @property
    def never_started(self):
        return never_started(self.status, self.started_at or '')

    @property
    def volumes_from_pairs(self):
        """[(source as written, mode)] of its ``--volumes-from`` entries."""
        return [split_volumes_from(entry) for entry in self.volumes_from]

    def takes_volumes_from(self, name, container_id=None):
        """Whether it is wired (``--volumes-from``) to the container ``name`` (ID ``container_id``),
        by name, by ID or by ID prefix."""
        return any(names_container(source, name, container_id) for source, dummy in self.volumes_from_pairs)

    @property
    def split_binds(self):
        """[(source, destination, options)] of its ``HostConfig.Binds``, split by ``split_bind``."""
        return [split_bind(bind) for bind in self.binds]

    @property
    def own_destinations(self):
        """Paths it mounts by its own binds and ``--mount`` entries (they win over ``--volumes-from``)."""
        own = set(destination for dummy, destination, dummy_options in self.split_binds)
        host = self.raw.get('HostConfig') or {}
        return own | set(m.get('Target') for m in host.get('Mounts') or [] if m.get('Target'))

    @property
    def marked_for_removal(self):
        return self.status in MARKED_FOR_REMOVAL

    @property
    def is_data_container(self):
        return pv_labels.is_data_container(self.labels)

    @property
    def replaces(self):
        """The name this container was made to replace (a leftover of an interrupted swap)."""
        return self.labels.get(pv_labels.REPLACES)

    @property
    def owned_volumes(self):
        """Volumes this container owns: recorded by the collection, or anonymous ones the engine made."""
        recorded = self.labels.get(pv_labels.OWNED)
        if recorded:
            try:
                owned = json.loads(recorded)
                if isinstance(owned, list):
                    return set(str(name) for name in owned)
            except ValueError:
                pass
        return set(m.name for m in self.mounts.values()
                   if m.type == 'volume' and pv_labels.is_anonymous_volume(m.name, None))

    def volume_map(self):
        """path -> volume name (or host path for a bind), as data_container returns it."""
        return dict((path, m.name if m.type == 'volume' else m.source) for path, m in self.mounts.items())

    def summary(self):
        return dict(name=self.name, id=self.id, image=self.image_ref, image_id=self.image_id,
                    labels=dict(self.labels), status=self.status)


def find_leftovers(api, name, holder, summaries=None):
    """Replacements of ``name`` left by an interrupted swap, oldest first.

    ``summaries``: the whole container listing when the caller has it already; else the engine
    is asked for the containers carrying the label.
    """
    if summaries is None:
        summaries = api.list_containers(filters={'label': '%s=%s' % (pv_labels.REPLACES, name)})
    found = []
    for summary in summaries:
        if (summary.get('Labels') or {}).get(pv_labels.REPLACES) != name:
            continue
        if holder is not None and summary.get('Id') == holder.id:
            continue  # a finished replacement keeps its label, but has the name
        raw = api.inspect_container(summary['Id'])
        if raw:
            found.append(ContainerDetail(raw))
    found.sort(key=lambda container: container.raw.get('Created') or '')
    return found


def inspect_named(api, name):
    """The container whose name is exactly ``name``, or None.

    The engine answers an inspection by name *or* by ID prefix: a task naming ``cafe``
    must never get the container whose ID starts with cafe.
    """
    raw = api.inspect_container(name)
    if raw and (raw.get('Name') or '').lstrip('/') == name:
        return raw
    return None


def observe_container(api, name):
    """The container called ``name`` (or None) and its leftover replacements."""
    raw = inspect_named(api, name)
    holder = ContainerDetail(raw) if raw else None
    return holder, find_leftovers(api, name, holder)
