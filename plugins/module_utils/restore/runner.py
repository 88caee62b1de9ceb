# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume_restore module's work: an archive into fresh volumes, swapped in crash-safely.

Nothing that was there is destroyed. For a data container, each restored path gets a
fresh volume, filled (restore_fill) on the direct path or through the engine, then the
data container is recreated with it (the crash-safe swap of data_container); the
previous volume is kept and reported. A volume target must be new, empty, or hold the
archive's data already. Everything is observed, checked and planned before the first
write: the target (restore_target), the data already there (content digests), the
archive (checksum and members); check mode stops there and writes nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import check_archive
from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import load_manifest, manifest_path
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import choose_access
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import path_digest
from ansible_collections.persistent.volumes.plugins.module_utils.backup.source import (
    BackupSource,
    SourceItem,
    close_temporary,
    open_temporary,
    source_from_volume,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import ConsumerRequest, converge_consumer
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail, observe_container
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import new_volume_name
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import (
    Filler,
    remove_stale_fillers,
    stale_fill,
)
from ansible_collections.persistent.volumes.plugins.module_utils.restore.swap import plan_swap, rollback_swap
from ansible_collections.persistent.volumes.plugins.module_utils.restore.target import check_target
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name


class Restore(object):
    def __init__(self, engine):
        self.engine = engine
        self.api = engine.api
        params = engine.params
        self.src = params['src']
        if not os.path.isfile(self.src):
            raise InputError('src %s is not a file on the managed host.' % self.src)
        self.manifest = load_manifest(params.get('manifest') or manifest_path(self.src))
        self.scheme = self.manifest.get('content_scheme', 1)
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

    def filler(self, access):
        return Filler(self.engine, self.src, self.manifest, self.digest, access)


def fill_actions(restore, restored, access):
    return ['fill volume %s for %s from %s (%s)' % (volume, path, restore.src, access.method)
            for path, volume in sorted(restored.items())]


def _compare(engine, restore, current, access):
    """(paths still to restore, True when a restore of this archive was done here before)."""
    todo, done_before = [], False
    for entry in restore.entries:
        mounted = current.mounts.get(entry['path'])
        if mounted is not None and mounted.type == 'volume' and entry.get('content_sha256'):
            item = SourceItem(entry['path'], entry['path'], mounted.name, engine.api.inspect_volume(mounted.name))
            source = BackupSource(current.id, [item])
            if path_digest(engine.api, source, access, item, restore.scheme)[0] == entry['content_sha256']:
                labels = item.inspect.get('Labels') or {}
                done_before = done_before or labels.get(pv_labels.RESTORED_FROM) == restore.digest
                continue  # the data there is the archive's already
        todo.append(entry)
    return todo, done_before


def restore_container(engine, restore):
    api = engine.api
    name = check_name(engine.params['container'], 'container name')
    holder, leftovers = observe_container(api, name)
    current = holder or (leftovers[-1] if leftovers else None)
    if current is None:
        raise InputError('Data container %r does not exist; create it first (persistent.volumes.data_container).'
                         % name)
    check_target(current, api.inspect_image(current.image_id))
    mounted = [current.mounts[entry['path']] for entry in restore.entries if entry['path'] in current.mounts]
    access = choose_access(engine, engine.params['method'],
                           [api.inspect_volume(m.name) or {} for m in mounted if m.type == 'volume'])
    todo, done_before = _compare(engine, restore, current, access)
    result = dict(changed=bool(todo), container=name, restored=[e['path'] for e in todo], previous_volumes=[])
    result.update(access.as_result())
    if not todo and not leftovers and current is holder:
        if done_before:
            # A run interrupted after its swap: the consumers may still mount the old data.
            result['consumers'] = rewire_consumers(engine, name)
            result['changed'] = bool(result['consumers'])
        return result
    if todo:
        restore.check_archive()
    restored = dict((entry['path'], new_volume_name()) for entry in todo)
    plan = plan_swap(engine, name, holder, leftovers, current, restored)
    result['previous_volumes'] = plan.released
    result['volumes'] = dict(restored)
    result['actions'] = fill_actions(restore, restored, access) + plan.describe()
    if engine.check_mode:
        result['changed'] = bool(result['actions'])
        result['consumers'] = wired_to(api, name, set(restored)) if restored else []
        return result
    remove_stale_fillers(api, name)
    applied = swap_in(engine, restore, access, (name, current, set(c.id for c in leftovers)), todo, restored, plan)
    result['actions'] = fill_actions(restore, restored, access) + applied['actions']
    result['consumers'] = rewire_consumers(engine, name)
    result['changed'] = bool(todo) or applied['changed'] or bool(result['consumers'])
    return result


def swap_in(engine, restore, access, target, todo, restored, plan):
    """Fill the fresh volumes, then recreate the data container with them; undo on failure.

    ``target`` is (name, the container now, ids of the leftovers found before this run).
    """
    name, current, known = target
    filler = restore.filler(access)
    temporaries = []
    try:
        for entry in todo:
            temporaries.append((filler.fill(restored[entry['path']], entry, name), restored[entry['path']]))
        applied, dummy = engine.apply(plan)
    except BaseException:
        rollback_swap(engine, name, current, known)
        for holder, volume in temporaries:
            filler.discard(holder, volume if _held_only_by(engine.api, volume, holder) else None)
        raise
    for holder, dummy in temporaries:
        engine.api.remove_container(holder)
    for reason in filler.fallbacks:
        engine.warn('A restored volume was filled through the engine: %s.' % reason)
    return applied


def _held_only_by(api, volume, holder):
    """True when no container but ``holder`` uses ``volume`` (the swap did not reach it)."""
    try:
        names = [(c.get('Names') or [''])[0].lstrip('/') for c in api.list_containers(filters={'volume': volume})]
    except Exception:  # pylint: disable=broad-except
        return False
    return set(names) <= set([holder])


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


def volume_state(engine, name, entry, scheme, access):
    """'empty', 'same' (the archive's data), 'other', or 'unknown' (check mode cannot read it)."""
    source = source_from_volume(engine.api, name)
    if source.temporary and not access.direct:
        if engine.check_mode:
            return 'unknown'
        open_temporary(engine.api, source)
    item = source.items[0]
    item = SourceItem(item.read_path, entry['path'], item.volume, item.inspect)  # named as the archive names it
    try:
        digest, stats = path_digest(engine.api, source, access, item, scheme)
    finally:
        close_temporary(engine.api, source)
    if stats.entries <= 1:
        return 'empty'
    return 'same' if entry.get('content_sha256') and digest == entry['content_sha256'] else 'other'


def running_users(api, name):
    return sorted((c.get('Names') or [''])[0].lstrip('/') for c in api.list_containers(filters={'volume': name})
                  if c.get('State') == 'running')


def restore_volume(engine, restore):
    api = engine.api
    name = check_name(engine.params['volume'], 'volume name')
    if len(restore.entries) != 1:
        raise InputError('The archive holds %d paths (%s); choose one with paths to restore into volume %s.'
                         % (len(restore.entries), ', '.join(e['path'] for e in restore.entries), name))
    entry = restore.entries[0]
    stale = stale_fill(api, name)
    if stale and not engine.check_mode:
        remove_stale_fillers(api, name)
    raw = api.inspect_volume(name)
    access = choose_access(engine, engine.params['method'], [raw] if raw is not None else [])
    result = dict(changed=False, volume=name, restored=[], previous_volumes=[])
    result.update(access.as_result())
    state = 'new' if raw is None or (stale and engine.check_mode) else \
        volume_state(engine, name, entry, restore.scheme, access)
    if state == 'same':
        return result
    if state == 'other':
        raise Refusal('Refusing to restore into volume %s: it exists and holds other data than this archive, so it '
                      'would be overwritten. Restore into a new volume name, or into a data container '
                      '(which keeps the previous volume); nothing was changed.' % name)
    users = running_users(api, name) if raw is not None else []
    if users:
        raise Refusal('Refusing to restore into volume %s: it is empty but running containers use it (%s); stop '
                      'them first. Nothing was changed.' % (name, ', '.join(users)))
    if state == 'unknown':
        engine.warn('Check mode cannot read volume %s through the engine without creating a temporary container; '
                    'a real run restores into it only if it is empty or already holds this archive.' % name)
    restore.check_archive()
    result.update(changed=True, restored=[entry['path']],
                  actions=fill_actions(restore, {entry['path']: name}, access))
    if stale and engine.check_mode:
        result['actions'].insert(0, 'remove what an interrupted restore into %s left (its filler, the volume)' % name)
    if engine.check_mode:
        return result
    filler = restore.filler(access)
    api.remove_container(filler.fill(name, entry, name, create=raw is None))
    for reason in filler.fallbacks:
        engine.warn('The volume was filled through the engine: %s.' % reason)
    return result


def converge_restore(engine):
    restore = Restore(engine)
    if engine.params.get('container'):
        return restore_container(engine, restore)
    return restore_volume(engine, restore)
