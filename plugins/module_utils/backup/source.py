# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a backup reads: which volumes, recorded under which paths, and how to reach them.

On the direct path each volume's directory is read. Through the engine, a data
container's paths are read through the container itself; a volume through a container
that already mounts it whole, or else through a temporary container that is created
(never started) and removed: a write, so not in check mode.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import temporary_name
from ansible_collections.persistent.volumes.plugins.module_utils.archive.direct_source import directory_members
from ansible_collections.persistent.volumes.plugins.module_utils.archive.prefetch import prefetched
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import engine_members, member_root
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail, inspect_named
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE, build_default_image
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import check_container_path
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name

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
    """Which container to read which volumes through (a temporary one is created when needed)."""

    def __init__(self, container, items, temporary=False, label=None):
        self.container = container
        self.items = items
        self.temporary = temporary
        self.label = label
        self.created = None   # the temporary container, once created

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


def temporary_actions(api, source):
    """What reading through the engine needs written first (empty when nothing)."""
    if not source.temporary:
        return []
    actions = []
    if api.inspect_image(DEFAULT_IMAGE) is None:
        actions.append('build image %s (empty, from no registry)' % DEFAULT_IMAGE)
    actions.append('create a temporary container (never started) mounting volume %s read-only, and remove it after'
                   % source.items[0].volume)
    return actions


def remove_stale_temporaries(api, volume):
    """Temporary readers a killed run left holding ``volume`` (never started, ours)."""
    for summary in api.list_containers(filters={'label': pv_labels.TEMPORARY, 'volume': volume}):
        if summary.get('State') == 'created':
            api.remove_container(summary['Id'])


def open_temporary(api, source):
    """Create the temporary never-started container that reads a volume nobody holds (real runs only)."""
    volume = source.items[0].volume
    remove_stale_temporaries(api, volume)
    if api.inspect_image(DEFAULT_IMAGE) is None:
        build_default_image(api)
    name = temporary_name('backup')
    api.create_container(name, DEFAULT_IMAGE, binds=['%s:%s:ro' % (volume, VOLUME_PATH)],
                         labels={pv_labels.TEMPORARY: 'backup'})
    source.container = source.created = name


def close_temporary(api, source):
    if source.created:
        api.remove_container(source.created)
        source.created = None
