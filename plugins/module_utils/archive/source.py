# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a backup (or a restore looking at a volume) reads: which volumes, recorded under which paths,
and how to reach them.

On the direct path each volume's directory is read. Through the engine, a data
container's paths are read through the container itself; a volume through a container
that already mounts it whole, or else through a temporary container that is created
(never started) and removed: writes, so actions of the plan, never done in check mode.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import temporary_name
from ansible_collections.persistent.volumes.plugins.module_utils.archive.direct_source import directory_members
from ansible_collections.persistent.volumes.plugins.module_utils.archive.prefetch import prefetched
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import engine_members, member_root
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail, inspect_named, never_started
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import check_container_path
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    BUILD_DATA_IMAGE,
    CREATE_CONTAINER,
    REMOVE_CONTAINER,
)

VOLUME_PATH = '/volume'


class SourceItem(object):
    """One volume: read at ``read_path`` in the reading container, recorded as ``path``."""

    def __init__(self, read_path, path, volume, inspect):
        self.read_path = read_path
        self.path = path
        self.volume = volume
        self.inspect = inspect or {}

    @property
    def member(self):
        return member_root(self.path)


class BackupSource(object):
    """Which container to read which volumes through: ``temporary`` when the engine path needs one
    made for it (see TemporaryReader); ``label`` names the source in the manifest."""

    def __init__(self, container, items, temporary=False, label=None):
        self.container = container
        self.items = items
        self.temporary = temporary
        self.label = label

    def read_through(self, container):
        """This source, read through ``container``."""
        return BackupSource(container, self.items, self.temporary, self.label)

    @property
    def volumes(self):
        return [item.inspect for item in self.items]

    def members(self, api, item, access, changed=None):
        """The (TarInfo, content) pairs of one item, on the chosen path."""
        if access.direct:
            return prefetched(directory_members(item.inspect['Mountpoint'], item.member, changed))
        # The engine reads and tars in a process of its own already: a thread here only adds work.
        return engine_members(api.archive_stream(self.container, item.read_path), item.read_path, item.member)


def source_from_container(api, name, paths):
    raw = inspect_named(api, check_name(name, 'container name'))
    if raw is None:
        raise InputError('Container %r does not exist.' % name)
    container = ContainerDetail(raw)
    volumes = dict((path, m) for path, m in container.mounts.items() if m.type == 'volume')
    if paths:
        wanted = [check_container_path(path, 'paths[%d]' % index) for index, path in enumerate(paths)]
        missing = [path for path in wanted if path not in volumes]
        if missing:
            raise InputError('Container %s has no volume at %s; it has volumes at %s.'
                             % (name, ', '.join(missing), ', '.join(sorted(volumes)) or 'no path'))
    else:
        wanted = sorted(volumes)
        if not wanted:
            raise InputError('Container %s holds no volume to back up.' % name)
    items = [SourceItem(path, path, volumes[path].name, api.inspect_volume(volumes[path].name))
             for path in sorted(set(wanted))]
    return BackupSource(container.name, items, label=dict(container=container.name))


def _whole_holder(api, name):
    """(container id, path) of a container mounting volume ``name`` with nothing mounted below it."""
    for summary in api.list_containers(filters={'volume': name}):
        mounts = summary.get('Mounts') or []
        if (summary.get('Labels') or {}).get(pv_labels.TEMPORARY):
            continue
        for mount in mounts:
            if mount.get('Name') != name:
                continue
            inside = mount['Destination'].rstrip('/') + '/'
            if any((other.get('Destination') or '').startswith(inside) for other in mounts):
                continue  # another mount below it would be read too
            return summary['Id'], mount['Destination']
    return None, None


def source_from_volume(api, name):
    """The volume, read through a container holding it, or through a temporary one (made later)."""
    inspect = api.inspect_volume(check_name(name, 'volume name'))
    if inspect is None:
        raise InputError('Volume %r does not exist.' % name)
    container, path = _whole_holder(api, name)
    if container is not None:
        return BackupSource(container, [SourceItem(path, VOLUME_PATH, name, inspect)], label=dict(volume=name))
    return BackupSource(None, [SourceItem(VOLUME_PATH, VOLUME_PATH, name, inspect)], temporary=True,
                        label=dict(volume=name))


def stale_readers(api, volume):
    """Temporary readers of ``volume`` a killed backup left (never started, ours): their IDs."""
    return [summary['Id'] for summary in api.list_containers(filters={'label': pv_labels.TEMPORARY + '=backup', 'volume': volume})
            if never_started(summary.get('State'))]


class TemporaryReader(object):
    """Reading a volume no container holds through the engine: a temporary container, never started.

    Observed here (``stale`` readers a killed run left, whether the default image is there);
    ``add_open`` and ``add_close`` put the writes into a plan.
    """

    def __init__(self, api, source):
        self.source = source.read_through(temporary_name('backup'))
        self.volume = source.items[0].volume
        self.stale = stale_readers(api, self.volume)
        self.image_present = api.inspect_image(DEFAULT_IMAGE) is not None

    def add_open(self, plan):
        for container in self.stale:
            plan.add(REMOVE_CONTAINER, container, 'left by an interrupted backup', id=container)
        if not self.image_present:
            plan.add(BUILD_DATA_IMAGE, DEFAULT_IMAGE, 'missing',
                     text='build image %s (empty, from no registry)' % DEFAULT_IMAGE)
        plan.add(CREATE_CONTAINER, self.source.container, 'read volume %s' % self.volume,
                 text='create a temporary container (never started) mounting volume %s read-only' % self.volume,
                 image=DEFAULT_IMAGE, binds=['%s:%s:ro' % (self.volume, VOLUME_PATH)],
                 labels={pv_labels.TEMPORARY: 'backup'})

    def add_close(self, plan):
        plan.add(REMOVE_CONTAINER, self.source.container, 'the temporary reader of volume %s' % self.volume)


def read_through_temporary(engine, source, read):
    """``read(source)`` in a real run, through a temporary reader created and removed through execute
    (a restore looking at a volume no container holds)."""
    reader = TemporaryReader(engine.api, source)
    opening, closing = Plan(), Plan()
    reader.add_open(opening)
    reader.add_close(closing)
    engine.apply(opening)
    try:
        return read(reader.source)
    finally:
        engine.apply(closing)
