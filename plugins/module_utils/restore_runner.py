# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume_restore module's work: an archive into fresh volumes, swapped in crash-safely.

Nothing that was there is destroyed. For a data container, each restored path gets a
fresh volume, filled through a temporary never-started container, then the data
container is recreated with it (the crash-safe swap of data_container); the previous
volume is kept and reported. A volume target must be new or empty. The new volumes
carry the archive's content digest, so restoring the same archive again changes nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import os
import tarfile
import tempfile

from ansible_collections.persistent.volumes.plugins.module_utils import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.archive_stream import PathStats, copy_path
from ansible_collections.persistent.volumes.plugins.module_utils.backup_runner import open_temporary, source_from_volume
from ansible_collections.persistent.volumes.plugins.module_utils.archive_check import check_archive, load_manifest
from ansible_collections.persistent.volumes.plugins.module_utils.consumer_runner import ConsumerRequest, converge_consumer
from ansible_collections.persistent.volumes.plugins.module_utils.consumer_spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.container_state import (
    ContainerDetail,
    observe_container,
)
from ansible_collections.persistent.volumes.plugins.module_utils.data_container_plan import DataContainerPlanner
from ansible_collections.persistent.volumes.plugins.module_utils.data_container_spec import DataContainerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.data_image import DEFAULT_IMAGE, ImageChoice, build_default_image
from ansible_collections.persistent.volumes.plugins.module_utils.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.layout_report import volume_entry
from ansible_collections.persistent.volumes.plugins.module_utils.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.root_attributes import read_root
from ansible_collections.persistent.volumes.plugins.module_utils.validation import check_name

RESTORED_FROM = pv_labels.PREFIX + 'restored-from'
RESTORED_PATH = pv_labels.PREFIX + 'restored-path'

RESTORE_ARGS = dict(
    src=dict(type='path', required=True),
    manifest=dict(type='path'),
    container=dict(type='str'),
    volume=dict(type='str'),
    paths=dict(type='list', elements='str'),
)
RESTORE_EXCLUSIVE = [('container', 'volume')]
RESTORE_ONE_OF = [('container', 'volume')]


def random_hex(size):
    return binascii.hexlify(os.urandom(size)).decode('ascii')


class Restore(object):
    def __init__(self, engine):
        self.engine = engine
        self.api = engine.api
        params = engine.params
        self.src = params['src']
        if not os.path.isfile(self.src):
            raise InputError('src %s is not a file on the managed host.' % self.src)
        self.manifest = load_manifest(params.get('manifest') or self.src + '.manifest.json')
        entries = self.manifest['paths']
        wanted = params.get('paths')
        if wanted:
            known = dict((entry['path'], entry) for entry in entries)
            unknown = [path for path in wanted if path not in known]
            if unknown:
                raise InputError('paths %s are not in the archive; it holds %s.'
                                 % (', '.join(unknown), ', '.join(sorted(known))))
            entries = [known[path] for path in wanted]
        self.entries = entries
        self.digest = self.manifest.get('content_sha256') or self.manifest.get('sha256')

    def check_archive(self):
        roots = [entry['member'] for entry in self.manifest['paths']]
        sizes = check_archive(self.src, self.manifest, roots)
        needed = sum(sizes[entry['member']] for entry in self.entries)
        self.check_space(needed)
        return needed

    def check_space(self, needed):
        if not self.engine.options.is_local:
            self.engine.warn('The engine is remote: free space on it cannot be checked before restoring.')
            return
        root = self.api.info().get('DockerRootDir')
        if not root or not os.path.isdir(root):
            return
        stat = os.statvfs(root)
        free = stat.f_bavail * stat.f_frsize
        if needed > free:
            raise Refusal('Refusing to restore %s: it needs %d bytes and the engine\'s data root %s has %d free. '
                          'Nothing was restored.' % (self.src, needed, root, free))

    # --- filling a fresh volume -------------------------------------------------
    def stream_for(self, entry):
        """A file holding only the members of ``entry`` (the archive itself when it has one path)."""
        if len(self.manifest['paths']) == 1:
            return open(self.src, 'rb'), None
        handle, temporary = tempfile.mkstemp(prefix='.pv-restore-', suffix='.tar', dir=os.path.dirname(self.src))
        os.close(handle)
        root = entry['member']
        with tarfile.open(self.src, mode='r|*') as source, tarfile.open(temporary, mode='w') as out:
            for info in source:
                if info.name == root or info.name.startswith(root + '/'):
                    out.addfile(info, source.extractfile(info) if info.isreg() else None)
        return open(temporary, 'rb'), temporary

    def fill(self, volume, entry, owner):
        """Create ``volume`` and extract the entry's members into it; return the temporary container."""
        if self.api.inspect_image(DEFAULT_IMAGE) is None:
            build_default_image(self.api)
        self.api.create_volume(volume, 'local', {}, {RESTORED_FROM: self.digest, RESTORED_PATH: entry['path'],
                                                     pv_labels.ANONYMOUS_FOR: owner})
        holder = 'pv-restore-%s' % random_hex(6)
        try:
            self.api.create_container(holder, DEFAULT_IMAGE, binds=['%s:/%s:rw' % (volume, entry['member'])],
                                      labels={pv_labels.PREFIX + 'temporary': 'restore'})
            data, temporary = self.stream_for(entry)
            try:
                self.api.put_archive(holder, '/', data)
            finally:
                data.close()
                if temporary:
                    os.unlink(temporary)
        except Exception:
            # Nothing of the target was touched yet: take back the half-filled volume.
            self._discard(holder, volume)
            raise
        return holder

    def _discard(self, holder, volume):
        for action in (lambda: self.api.remove_container(holder), lambda: self.api.remove_volume(volume)):
            try:
                action()
            except Exception:  # pylint: disable=broad-except
                pass


def _entry_spec(path, mounted, restored):
    if path in restored:
        return dict(path=path, source=restored[path], read_only=mounted.read_only if mounted else False)
    return volume_entry(path, mounted)


def restore_container(engine, restore):
    api = engine.api
    name = check_name(engine.params['container'], 'container name')
    remove_stale_fillers(api, name, engine.check_mode)
    holder, leftovers = observe_container(api, name)
    current = holder or (leftovers[-1] if leftovers else None)
    if current is None:
        raise InputError('Data container %r does not exist; create it first (persistent.volumes.data_container).'
                         % name)
    volumes = dict((m.name, m) for m in current.mounts.values() if m.type == 'volume')
    todo, done_before = [], False
    for entry in restore.entries:
        mounted = current.mounts.get(entry['path'])
        if mounted is not None and mounted.name in volumes and entry.get('content_sha256'):
            data = PathStats(entry['path'], mounted.name, entry['member'])
            copy_path(api.archive_stream(current.id, entry['path']), entry['path'], data, record_root=entry['member'])
            if data.content_sha256 == entry['content_sha256']:
                labels = (api.inspect_volume(mounted.name) or {}).get('Labels') or {}
                done_before = done_before or labels.get(RESTORED_FROM) == restore.digest
                continue  # the data there is the archive's already
        todo.append(entry)
    result = dict(changed=bool(todo), container=name, restored=[e['path'] for e in todo], previous_volumes=[])
    if not todo and not leftovers and current is holder:
        if done_before:
            # A run interrupted after its swap: the consumers may still mount the old data.
            result['consumers'] = rewire_consumers(engine, name)
            result['changed'] = bool(result['consumers'])
        return result
    if todo:
        restore.check_archive()
    restored = dict((entry['path'], random_hex(32)) for entry in todo)
    spec = DataContainerSpec(name, volumes=[_entry_spec(path, current.mounts.get(path), restored)
                                            for path in sorted(set(current.mounts) | set(restored))],
                             image=current.image_ref, pull='never', labels=pv_labels.user_labels(current.labels))
    image = ImageChoice(current.image_ref, api.inspect_image(current.image_id))
    planner = DataContainerPlanner(spec, holder, leftovers, image, EngineState([], []),
                                   read_root=lambda container, path: read_root(api, container, path),
                                   new_volume_name=lambda: random_hex(32),
                                   replacement_name=engine.replacement_name(name),
                                   extra_owned=restored.values())
    plan = planner.plan()
    result['previous_volumes'] = plan.released
    result['volumes'] = dict((path, volume) for path, volume in restored.items())
    if engine.check_mode:
        result['actions'] = ['fill volume %s for %s from %s' % (v, p, restore.src) for p, v in restored.items()] \
            + plan.describe()
        result['changed'] = bool(result['actions'])
        result['consumers'] = wired_to(engine.api, name, set(restored)) if restored else []
        return result
    temporaries = []
    try:
        for entry in todo:
            temporaries.append(restore.fill(restored[entry['path']], entry, name))
        applied, dummy = engine.apply(plan)
    finally:
        for temporary in temporaries:
            api.remove_container(temporary)
    result['actions'] = ['fill volume %s for %s from %s' % (v, p, restore.src) for p, v in restored.items()] \
        + applied['actions']
    result['consumers'] = rewire_consumers(engine, name)
    result['changed'] = bool(todo) or applied['changed'] or bool(result['consumers'])
    return result


def remove_stale_fillers(api, name, check_mode):
    """Temporary fillers a killed run left for ``name``, and their volumes when nothing else holds them."""
    if check_mode:
        return
    for summary in api.list_containers(filters={'label': pv_labels.PREFIX + 'temporary=restore'}):
        if summary.get('State') != 'created':
            continue
        mine = [m.get('Name') for m in summary.get('Mounts') or []
                if m.get('Name') and ((api.inspect_volume(m['Name']) or {}).get('Labels') or {}).get(
                    pv_labels.ANONYMOUS_FOR) == name]
        if not mine:
            continue
        api.remove_container(summary['Id'])
        for volume in mine:
            if not api.list_containers(filters={'volume': volume}):
                api.remove_volume(volume)


def wired_to(api, name, paths):
    """Containers wired to ``name`` that mount one of ``paths`` (they follow a restore)."""
    found = []
    for summary in api.list_containers():
        raw = api.inspect_container(summary['Id'])
        if not raw:
            continue
        consumer = ContainerDetail(raw)
        if consumer.name != name and any(entry.split(':')[0] in (name,) for entry in consumer.volumes_from) \
                and paths & set(consumer.mounts):
            found.append(consumer.name)
    return sorted(found)


def rewire_consumers(engine, name):
    """Recreate the containers wired to ``name`` so that they mount the restored volumes.

    The volumes they mounted before are the data container's previous ones, which the
    restore keeps and reports; letting them go here is what the restore asked for.
    """
    recreated = []
    for summary in engine.api.list_containers():
        raw = engine.api.inspect_container(summary['Id'])
        if not raw:
            continue
        consumer = ContainerDetail(raw)
        if consumer.name == name or not any(entry.split(':')[0] in (name, raw.get('Id')) for entry in consumer.volumes_from):
            continue
        request = ConsumerRequest(ConsumerSpec(consumer.name, release_volumes=True))
        if converge_consumer(engine, request).get('changed'):
            recreated.append(consumer.name)
    return recreated


def restore_volume(engine, restore):
    api = engine.api
    name = check_name(engine.params['volume'], 'volume name')
    if len(restore.entries) != 1:
        raise InputError('The archive holds %d paths (%s); choose one with paths to restore into volume %s.'
                         % (len(restore.entries), ', '.join(e['path'] for e in restore.entries), name))
    entry = restore.entries[0]
    raw = api.inspect_volume(name)
    result = dict(changed=False, volume=name, restored=[], previous_volumes=[])
    if raw is not None:
        if entry.get('content_sha256') and volume_digest(engine, name, entry) == entry['content_sha256']:
            return result
        raise Refusal('Refusing to restore into volume %s: it exists and holds other data than this archive, so it '
                      'would be overwritten. Restore into a new volume name, or into a data container '
                      '(which keeps the previous volume); nothing was changed.' % name)
    restore.check_archive()
    result.update(changed=True, restored=[entry['path']])
    if engine.check_mode:
        return result
    temporary = restore.fill(name, entry, name)
    api.remove_container(temporary)
    return result


def volume_digest(engine, name, entry):
    """The content digest of volume ``name`` as the archive's ``entry`` would record it."""
    source = source_from_volume(engine.api, name, engine.check_mode)
    if not open_temporary(engine.api, source, engine.check_mode):
        return None
    try:
        read_path = source.items[0][0]
        current = PathStats(entry['path'], name, entry['member'])
        copy_path(engine.api.archive_stream(source.container, read_path), read_path, current,
                  record_root=entry['member'])
        return current.content_sha256
    finally:
        if source.temporary and source.container:
            engine.api.remove_container(source.container)


def converge_restore(engine):
    restore = Restore(engine)
    if engine.params.get('container'):
        return restore_container(engine, restore)
    return restore_volume(engine, restore)
