# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume_backup module's work: spec, observed source and destination, plan, execute.

A file at ``dest`` that is not an earlier archive of the same source is never replaced
without ``force``. With ``keep``, ``dest`` names a series of dated archives (generations.py);
the oldest go only after the new one is written and read back. Check mode plans and reads,
and writes nothing, not even a temporary container.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import choose_access
from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import manifest_path
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import read_digests
from ansible_collections.persistent.volumes.plugins.module_utils.backup.consistency import Consistency
from ansible_collections.persistent.volumes.plugins.module_utils.backup.destination import Destination
from ansible_collections.persistent.volumes.plugins.module_utils.backup.encryption import BackupEncryption
from ansible_collections.persistent.volumes.plugins.module_utils.backup.planner import (
    plan_backup,
    plan_prune,
    unchanged,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.source import (
    TemporaryReader,
    source_from_container,
    source_from_volume,
)
from ansible_collections.persistent.volumes.plugins.module_utils.backup.spec import BackupSpec
from ansible_collections.persistent.volumes.plugins.module_utils.backup.write import backup_appliers
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import WRITE_ARCHIVE


def engine_host(api):
    """The name of the host by default: the engine's ID (its name when it has none)."""
    info = api.info() or {}
    return info.get('ID') or info.get('Name') or None


class Backup(object):
    """One backup: the spec, the source, the path that reads it, the destination."""

    def __init__(self, engine):
        self.engine = engine
        self.spec = BackupSpec(engine.params)
        api = engine.api
        if self.spec.container:
            self.source = source_from_container(api, self.spec.container, self.spec.paths)
        else:
            self.source = source_from_volume(api, self.spec.volume)
        self.access = choose_access(engine, self.spec.method, self.source.volumes)
        self.target = Destination(self.spec, self.source, self.spec.host or engine_host(api))
        if self.spec.encrypt_to:
            self.target.encryption = BackupEncryption(engine.module, self.spec.encrypt_to)
        needs_reader = self.source.temporary and not self.access.direct
        self.reader = TemporaryReader(api, self.source) if needs_reader else None
        self.consistency = Consistency(api, self.spec, self.source)

    def result(self):
        """The result keys every run has."""
        result = dict(changed=False, dest=self.target.path, manifest_path=manifest_path(self.target.path))
        result.update(self.access.as_result())
        if self.spec.dated:
            result['generations'] = [generation.path for generation in self.target.series(self.source)]
        if self.target.future:
            self.engine.warn('These archives of the series are dated in the future (this host\'s clock was ahead when '
                             'they were written): %s. The series is ordered by the sequence its manifests record, so '
                             'a new archive still counts as the newest.' % ', '.join(self.target.future))
        return result

    def up_to_date(self, result):
        """The earlier archive, kept: this data is in it already."""
        previous = self.target.previous
        result.update(changed=False, manifest=previous, paths=previous.get('paths'), sha256=previous.get('sha256'),
                      dest=self.target.previous_path, actions=[])
        return result


def predict(backup, result):
    """Check mode: the plan, with the data read first when that writes nothing."""
    plan = plan_backup(backup.spec, backup.source, backup.target, backup.reader)
    if backup.reader is not None:
        backup.engine.warn('Check mode cannot read volume %s through the engine without creating a temporary '
                           'container; a real run reads it and may find the archive up to date.' % backup.reader.volume)
        result.update(changed=True, paths=[], manifest=None)
        result.update(backup.consistency.result(True), actions=backup.consistency.describe(plan.describe()))
        return result
    digests, stats = read_digests(backup.engine.api, backup.source, backup.access, backup.target.schemes())
    if unchanged(backup.target.previous, digests, backup.spec):
        result = backup.up_to_date(result)
        result.update(paths=[item.as_dict() for item in stats], manifest_path=manifest_path(result['dest']))
        result.update(backup.consistency.result(True), quiesced=[], actions=backup.consistency.describe([], False))
        return result
    result.update(changed=True, paths=[item.as_dict() for item in stats], manifest=None)
    result.update(backup.consistency.result(True), actions=backup.consistency.describe(plan.describe()))
    return result


def carry_out(backup, plan, appliers):
    """Execute ``plan`` and return the answer of its ``write_archive``; when it fails, the temporary
    reader it made goes (the next run would remove it)."""
    try:
        dummy, answers = backup.engine.apply(plan, appliers)
    except PersistentVolumesError:
        if backup.reader is not None and backup.reader.source.container:
            try:
                backup.engine.api.remove_container(backup.reader.source.container)
            except PersistentVolumesError:
                pass
        raise
    return answers[[action.kind for action in plan.actions].index(WRITE_ARCHIVE)]


def written(backup, result, answer, appliers):
    """The result of a backup that wrote a new archive; the series pruned when it is one."""
    engine, target, manifest = backup.engine, backup.target, answer['manifest']
    result.update(changed=True, manifest=manifest, paths=manifest['paths'], sha256=manifest['sha256'], dest=target.path)
    if answer['changed_while_read']:
        engine.warn('These files changed while they were read (the archive holds them as they were when their '
                    'size was taken): %s. quiesce=stop, or an exec_before command that dumps the data, makes a '
                    'consistent backup of a volume that is written.' % ', '.join(answer['changed_while_read'][:20]))
    if target.dated:
        prune = plan_prune(target, backup.source, manifest)
        engine.apply(prune, appliers)
        result['removed_generations'] = [action.target for action in prune.actions]
        result['generations'] = [generation.path for generation in target.series(backup.source)]
    if engine.diff_mode:
        result['diff'] = dict(before=dict(dest=target.path, sha256=(target.previous or {}).get('sha256')),
                              after=dict(dest=target.path, sha256=manifest['sha256']))
    return result


def still_held(backup):
    """True when the earlier archive holds the data as it is now, read live (no temporary container):
    then nothing is quiesced for a backup that would write nothing."""
    if backup.target.previous is None or backup.spec.force or backup.reader is not None:
        return False
    digests, dummy = read_digests(backup.engine.api, backup.source, backup.access, backup.target.schemes())
    return unchanged(backup.target.previous, digests, backup.spec)


def back_up(backup, result):
    """The read and the write (the containers that write the data quiesced first, when asked)."""
    if backup.consistency.writers:
        if still_held(backup):
            result = backup.up_to_date(result)
            result.update(manifest_path=manifest_path(result['dest']), actions=backup.consistency.describe([], False))
            return result
        backup.consistency.quiesce_now(backup.engine)
    plan = plan_backup(backup.spec, backup.source, backup.target, backup.reader)
    appliers = backup_appliers(backup.access)
    answer = carry_out(backup, plan, appliers)
    backup.consistency.resume_now()  # the data is read: the applications run again before the read-back and prune
    if not answer['written']:
        result = backup.up_to_date(result)
    else:
        result = written(backup, result, answer, appliers)
        result['actions'] = backup.consistency.describe(plan.describe(), bool(backup.consistency.quiesced))
    result['manifest_path'] = manifest_path(result['dest'])
    return result


def converge_backup(engine):
    backup = Backup(engine)
    result = backup.result()
    if engine.check_mode:
        return predict(backup, result)
    if not backup.consistency.active:
        result = back_up(backup, result)
        result.update(backup.consistency.result(False))
        return result
    return backup.consistency.around(lambda: back_up(backup, result))
