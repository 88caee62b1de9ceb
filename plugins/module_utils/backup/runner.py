# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume_backup module's work: spec, observed source and destination, plan, then one pass.

The data is read once, on the direct path (the volume's directory) or through the
engine's archive endpoint, and written as the canonical archive (archive_canonical) to
a temporary file beside ``dest`` (mode 0600) while its checksums and sizes are computed;
then it is moved into place atomically, then its manifest. An interrupted backup leaves
``dest`` as it was. A file at ``dest`` that is not an earlier archive of the same source
is never replaced without ``force``. With ``keep``, ``dest`` names a series of dated
archives (archive_generations); the oldest go only after the new one is written and
read back. Check mode plans and reads, and writes nothing, not even a temporary container.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import manifest_path, new_manifest
from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import check_archive
from ansible_collections.persistent.volumes.plugins.module_utils.backup.destination import (
    Destination,
    check_dest,
    write_manifest,
    move_into_place,
)
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import remove_generation
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import choose_access
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import read_digests, write_archive
from ansible_collections.persistent.volumes.plugins.module_utils.backup.source import (
    close_temporary,
    open_temporary,
    source_from_container,
    source_from_volume,
    temporary_actions,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError


def observe_source(engine):
    params = engine.params
    if params.get('container'):
        return source_from_container(engine.api, params['container'], params.get('paths'))
    if params.get('paths'):
        raise InputError('paths goes with container; a volume is backed up whole.')
    return source_from_volume(engine.api, params['volume'])


def unchanged(previous, digests, params):
    """True when the archive ``previous`` (a manifest) already holds this data, compressed alike."""
    if previous is None or params.get('force') or previous.get('compression') != params['compression']:
        return False
    return digests.get(previous.get('content_scheme', 1)) == previous.get('content_sha256')


def predict(engine, source, access, target, result):
    """Check mode: read the data when that writes nothing, and say what a real run would do."""
    params = engine.params
    if not access.direct and source.temporary:
        engine.warn('Check mode cannot read volume %s through the engine without creating a temporary container; '
                    'a real run reads it and may find the archive up to date.' % source.items[0].volume)
        result.update(changed=True, paths=[], manifest=None)
        return result
    digests, stats = read_digests(engine.api, source, access, target.schemes())
    same = unchanged(target.previous, digests, params)
    result.update(changed=not same, paths=[item.as_dict() for item in stats],
                  manifest=target.previous if same else None)
    if same:
        result['actions'] = []
        result['dest'] = target.previous_path
    return result


def run_backup(engine, source, access, target, result):
    params = engine.params
    if source.temporary and not access.direct:
        open_temporary(engine.api, source)
    try:
        written, stats = write_archive(engine.api, source, access, target.path, params['compression'],
                                       target.schemes())
    finally:
        close_temporary(engine.api, source)
    if unchanged(target.previous, written['content'], params):
        os.unlink(written['path'])
        result.update(manifest=target.previous, paths=target.previous.get('paths'), sha256=target.previous.get('sha256'),
                      dest=target.previous_path, actions=[])
        return result
    manifest = new_manifest(source.label, params['compression'], target.path, written, stats)
    move_into_place(engine, written['path'], target.path)
    write_manifest(engine, target.path, manifest)
    result.update(changed=True, manifest=manifest, paths=manifest['paths'], sha256=manifest['sha256'],
                  dest=target.path)
    if written['changed_while_read']:
        engine.warn('These files changed while they were read (the archive holds them as they were when their '
                    'size was taken): %s.' % ', '.join(written['changed_while_read'][:20]))
    if params.get('keep'):
        verify_and_prune(engine, source, target, result)
    return result


def verify_and_prune(engine, source, target, result):
    """Read the new generation back, then remove the oldest beyond ``keep`` (never before)."""
    manifest = result['manifest']
    check_archive(target.path, manifest, [entry['member'] for entry in manifest['paths']])
    removed = []
    for old in target.series(source)[engine.params['keep']:]:
        remove_generation(old)
        removed.append(old.path)
    result['removed_generations'] = removed
    result['generations'] = [generation.path for generation in target.series(source)]


def converge_backup(engine):
    params = engine.params
    check_dest(params['dest'])
    if params.get('keep') is not None and params['keep'] < 1:
        raise InputError('keep must be 1 or more (the number of dated archives to keep), got %d.' % params['keep'])
    source = observe_source(engine)
    access = choose_access(engine, params['method'], source.volumes)
    target = Destination(params, source)
    result = dict(changed=False, dest=target.path, manifest_path=manifest_path(target.path))
    result.update(access.as_result())
    result['actions'] = ([] if access.direct else temporary_actions(engine.api, source)) + target.actions()
    if params.get('keep'):
        result['generations'] = [generation.path for generation in target.series(source)]
    if engine.check_mode:
        return predict(engine, source, access, target, result)
    result = run_backup(engine, source, access, target, result)
    result['manifest_path'] = manifest_path(result['dest'])
    if engine.diff_mode and result['changed']:
        result['diff'] = dict(before=dict(dest=target.path, sha256=(target.previous or {}).get('sha256')),
                              after=dict(dest=target.path, sha256=result['sha256']))
    return result
