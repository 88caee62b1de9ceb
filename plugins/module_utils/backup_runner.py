# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume_backup module's work: stream volumes through the archive endpoint into a file.

No container is ever started. A volume that no container holds is read through a
temporary, never-started container that is always removed. The archive is written
to a temporary file beside ``dest`` (mode 0600) and moved into place atomically,
then its manifest; an interrupted backup leaves ``dest`` as it was.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import tarfile
import tempfile
import time

from ansible_collections.persistent.volumes.plugins.module_utils import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.archive_stream import (
    COMPRESSIONS,
    HashingWriter,
    PathStats,
    content_digest,
    copy_path,
    member_root,
)
from ansible_collections.persistent.volumes.plugins.module_utils.container_state import ContainerDetail, inspect_named
from ansible_collections.persistent.volumes.plugins.module_utils.data_image import DEFAULT_IMAGE, build_default_image
from ansible_collections.persistent.volumes.plugins.module_utils.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.mount_spec import check_container_path
from ansible_collections.persistent.volumes.plugins.module_utils.validation import check_name

FORMAT = 'persistent.volumes/backup/1'
VOLUME_PATH = '/volume'
TEMPORARY_LABEL = pv_labels.PREFIX + 'temporary'

BACKUP_ARGS = dict(
    container=dict(type='str'),
    paths=dict(type='list', elements='str'),
    volume=dict(type='str'),
    dest=dict(type='path', required=True),
    compression=dict(type='str', default='gzip', choices=sorted(COMPRESSIONS)),
    force=dict(type='bool', default=False),
)
BACKUP_EXCLUSIVE = [('container', 'volume')]
BACKUP_ONE_OF = [('container', 'volume')]


def manifest_path(dest):
    return dest + '.manifest.json'


def read_manifest(dest):
    """The manifest beside ``dest`` (None when it or the archive is missing or unreadable)."""
    try:
        with open(manifest_path(dest)) as handle:
            manifest = json.load(handle)
    except (IOError, OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT or not os.path.isfile(dest):
        return None
    if os.path.getsize(dest) != manifest.get('size'):
        return None
    return manifest


class BackupSource(object):
    """Which container to read which paths through (and a temporary one to remove after)."""

    def __init__(self, container, items, temporary=False, label=None):
        self.container = container
        self.items = items          # [(path in that container, path to record, volume name)]
        self.temporary = temporary
        self.label = label


def check_dest(dest):
    if not os.path.isabs(dest):
        raise InputError('dest must be an absolute path on the managed host, got %r.' % dest)
    if os.path.isdir(dest):
        raise InputError('dest %s is a directory; give the archive file name.' % dest)
    parent = os.path.dirname(dest)
    if not os.path.isdir(parent):
        raise InputError('The directory of dest, %s, does not exist; create it first.' % parent)


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
    return BackupSource(container.name, [(path, path, volumes[path].name) for path in sorted(set(wanted))],
                        label=dict(container=container.name))


def source_from_volume(api, name, check_mode):
    """A container holding the volume, or a temporary never-started one (None in check mode)."""
    if api.inspect_volume(check_name(name, 'volume name')) is None:
        raise InputError('Volume %r does not exist.' % name)
    for summary in api.list_containers(filters={'volume': name}):
        mounts = summary.get('Mounts') or []
        for mount in mounts:
            if mount.get('Name') != name:
                continue
            inside = mount['Destination'].rstrip('/') + '/'
            if any((other.get('Destination') or '').startswith(inside) for other in mounts):
                continue  # another mount below it would be read too
            if (summary.get('Labels') or {}).get(TEMPORARY_LABEL):
                continue
            return BackupSource(summary['Id'], [(mount['Destination'], VOLUME_PATH, name)],
                                label=dict(volume=name))
    return BackupSource(None, [(VOLUME_PATH, VOLUME_PATH, name)], temporary=True, label=dict(volume=name))


def remove_stale_temporaries(api, volume):
    """Temporary readers a killed run left holding ``volume`` (never started, ours)."""
    for summary in api.list_containers(filters={'label': TEMPORARY_LABEL, 'volume': volume}):
        if summary.get('State') == 'created':
            api.remove_container(summary['Id'])


def open_temporary(api, source, check_mode):
    """Create the temporary never-started container that reads a volume nobody holds.

    Returns False when check mode cannot read the volume (the default image would have
    to be built first).
    """
    if not source.temporary:
        return True
    if not check_mode:
        remove_stale_temporaries(api, source.items[0][2])
    if api.inspect_image(DEFAULT_IMAGE) is None:
        if check_mode:
            return False
        build_default_image(api)
    name = 'pv-backup-%s' % hashlib.sha256(os.urandom(16)).hexdigest()[:12]
    api.create_container(name, DEFAULT_IMAGE, binds=['%s:%s:ro' % (source.items[0][2], VOLUME_PATH)],
                         labels={TEMPORARY_LABEL: 'backup'})
    source.container = name
    return True


def stream_all(api, source, out):
    """Copy every path of ``source`` into the tarfile ``out`` (or only digest when None)."""
    stats = []
    for read_path, record_path, volume in source.items:
        item = PathStats(record_path, volume, member_root(record_path))
        chunks = api.archive_stream(source.container, read_path)
        copy_path(chunks, read_path, item, out, record_root=member_root(record_path))
        stats.append(item)
    return content_digest(stats), stats


def write_archive(engine, source, dest, compression):
    """Write the archive beside dest, atomically; return (content digest, stats, sha256, size)."""
    directory = os.path.dirname(dest)
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), suffix='.partial', dir=directory)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, 'wb') as raw:
            writer = HashingWriter(raw)
            with tarfile.open(fileobj=writer, mode='w|' + COMPRESSIONS[compression],
                              format=tarfile.PAX_FORMAT) as out:
                content, stats = stream_all(engine.api, source, out)
            raw.flush()
            os.fsync(raw.fileno())
        return temporary, content, stats, writer.sha256.hexdigest(), writer.size
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def move_into_place(engine, temporary, dest):
    """atomic_move with a umask that keeps the file private (mode 0600)."""
    previous = os.umask(0o077)
    try:
        engine.module.atomic_move(temporary, dest)
    finally:
        os.umask(previous)
    os.chmod(dest, 0o600)


def write_manifest(engine, dest, manifest):
    directory = os.path.dirname(dest)
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(manifest_path(dest)), dir=directory)
    try:
        with os.fdopen(handle, 'w') as out:
            json.dump(manifest, out, indent=2, sort_keys=True)
            out.write('\n')
        move_into_place(engine, temporary, manifest_path(dest))
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def converge_backup(engine):
    params = engine.params
    dest = params['dest']
    check_dest(dest)
    api = engine.api
    if params.get('container'):
        source = source_from_container(api, params['container'], params.get('paths'))
    else:
        if params.get('paths'):
            raise InputError('paths goes with container; a volume is backed up whole.')
        source = source_from_volume(api, params['volume'], engine.check_mode)
    previous = read_manifest(dest)
    result = dict(changed=False, dest=dest, manifest_path=manifest_path(dest))
    if not open_temporary(api, source, engine.check_mode):
        result.update(changed=True, paths=[], manifest=None)
        return result
    try:
        if engine.check_mode:
            content, stats = stream_all(api, source, None)
            unchanged = previous is not None and not params.get('force') and \
                previous.get('content_sha256') == content and previous.get('compression') == params['compression']
            result.update(changed=not unchanged, paths=[item.as_dict() for item in stats],
                          manifest=previous if unchanged else None)
            return result
        temporary, content, stats, sha256, size = write_archive(engine, source, dest, params['compression'])
    finally:
        if source.temporary and source.container:
            api.remove_container(source.container)
    unchanged = previous is not None and not params.get('force') and \
        previous.get('content_sha256') == content and previous.get('compression') == params['compression']
    if unchanged:
        os.unlink(temporary)
        result.update(manifest=previous, paths=previous.get('paths'), sha256=previous.get('sha256'))
        return result
    manifest = dict(format=FORMAT, created_at=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
                    source=source.label, compression=params['compression'], archive=os.path.basename(dest),
                    sha256=sha256, size=size, content_sha256=content,
                    paths=[item.as_dict() for item in stats],
                    files=sum(item.files for item in stats), bytes=sum(item.bytes for item in stats))
    move_into_place(engine, temporary, dest)
    write_manifest(engine, dest, manifest)
    result.update(changed=True, manifest=manifest, paths=manifest['paths'], sha256=sha256)
    if engine.diff_mode:
        result['diff'] = dict(before=dict(dest=dest, sha256=(previous or {}).get('sha256')),
                              after=dict(dest=dest, sha256=sha256))
    return result
