# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A restore into a named volume, in place: the volume keeps its name, its earlier content a volume of its own.

The engine cannot rename a volume, so data declared under a name (``pgdata:/data``) is only
restored when it is in that very volume: a fresh volume swapped in would be undone by the next
converge of the declared layout. The steps, each an action of the plan, in a crash-safe order
(the archive was checked whole before the first one):

1. the journal: a never-started container holding the volume, labelled with the volume, the
   name of the volume that will keep the earlier content, the archive and the containers stopped;
2. that volume (``<name>.previous-<UTC time>-<hex>``, labelled ``previous-of``), held by a helper;
3. the running containers that use the volume stopped (a database is never written under);
4. the volume's content copied into the previous volume, read back and compared;
5. the journal renamed ``...-copied``: from here on the earlier content is complete elsewhere;
6. the volume emptied, filled from the archive, read back and compared with the manifest;
7. the stopped containers started again; the helper and the journal removed.

A later run that finds a journal before step 5 takes the partial copy back (the volume was not
touched); after it, a restore of the same archive finishes the restore, and any other restore
first puts the earlier content back (then removes the duplicate). Other modules that meet a
journal say so (``model.restore_journal.journal_warning``). A volume that is empty keeps nothing: no previous volume.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import os
import posixpath
import stat
import tarfile
import tempfile
import time

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import SCHEME
from ansible_collections.persistent.volumes.plugins.module_utils.archive.extract import DIR_FLAGS, extract_path
from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import volume_problem
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import path_digest, write_archive
from ansible_collections.persistent.volumes.plugins.module_utils.archive.source import BackupSource, SourceItem
from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import member_root
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, PersistentVolumesError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import random_hex, temporary_name
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import container_name
from ansible_collections.persistent.volumes.plugins.module_utils.model.restore_journal import (
    COPIED,
    JOURNAL,
    Journal,
)
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    BUILD_DATA_IMAGE,
    COPY_PREVIOUS,
    CREATE_CONTAINER,
    CREATE_VOLUME,
    EMPTY_VOLUME,
    FILL_VOLUME,
    PUT_PREVIOUS,
    REMOVE_CONTAINER,
    REMOVE_VOLUME,
    RENAME_CONTAINER,
    REPLACE_CONTENT,
    START_CONTAINER,
    STOP_CONTAINER,
)

HELPER = 'restore-previous'


def previous_name(volume):
    """The name of the volume keeping ``volume``'s content from before a restore."""
    return '%s.previous-%s-%s' % (volume, time.strftime('%Y%m%dT%H%M%SZ', time.gmtime()), random_hex(2))


def find_journal(api, volume):
    """The journal an interrupted restore into ``volume`` left, or None."""
    for summary in api.list_containers(filters={'label': '%s=%s' % (pv_labels.TEMPORARY, JOURNAL)}):
        if (summary.get('Labels') or {}).get(pv_labels.RESTORE_TARGET) != volume:
            continue
        name = container_name(summary)
        base = name[:-len(COPIED)] if name.endswith(COPIED) else name
        helpers = [s['Id'] for s in api.list_containers(filters={'label': '%s=%s' % (pv_labels.JOURNAL, base)})]
        return Journal(summary, helpers)
    return None


def users_of(api, volume):
    """The containers using ``volume`` that a restore into it stops: running ones, not its own helpers."""
    users = []
    for summary in api.list_containers(filters={'volume': volume}):
        if summary.get('State') == 'running' and not (summary.get('Labels') or {}).get(pv_labels.TEMPORARY):
            raw = api.inspect_container(summary['Id']) or {}
            if (raw.get('HostConfig') or {}).get('AutoRemove'):
                raise Refusal('Refusing to restore into volume %s: container %s uses it and runs with --rm, so '
                              'stopping it for the restore would remove it. Stop it yourself first; nothing was '
                              'changed.' % (volume, container_name(summary)))
            users.append((summary['Id'], container_name(summary)))
    return users


def work_directory(src):
    """Where the copy of a volume's content is written for a moment: beside the archive, or in the temporary
    directory when that is not writable."""
    directory = os.path.dirname(os.path.abspath(src))
    return directory if os.access(directory, os.W_OK) else tempfile.gettempdir()


def _remove_below(dir_fd):
    """Remove everything in the directory ``dir_fd``, never following a symlink."""
    for name in os.listdir(dir_fd):
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            child = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
            try:
                _remove_below(child)
            finally:
                os.close(child)
            os.rmdir(name, dir_fd=dir_fd)
        else:
            os.unlink(name, dir_fd=dir_fd)


class VolumeCopy(object):
    """Reading, emptying and writing the volumes of one in-place restore, on the chosen path."""

    def __init__(self, api, access, path, workdir):
        self.api, self.access, self.path, self.workdir = api, access, path, workdir
        self.member = member_root(path)

    def source(self, holder, volume):
        inspect = self.api.inspect_volume(volume) or {}
        item = SourceItem('/' + self.member, self.path, volume, inspect)
        return BackupSource(holder, [item]), item

    def digest(self, holder, volume, scheme=SCHEME):
        """(content digest of ``volume`` read through ``holder``, its PathStats)."""
        source, item = self.source(holder, volume)
        return path_digest(self.api, source, self.access, item, scheme)

    def directory(self, volume):
        """The volume's directory when the direct path may write it, else None."""
        if not self.access.direct:
            return None
        inspect = self.api.inspect_volume(volume) or {}
        return inspect['Mountpoint'] if volume_problem(self.access, inspect) is None else None

    def empty(self, holder, volume):
        """Remove the volume's content; the engine removes what is below its mount point when asked to put a
        file there (and then cannot remove the mount point itself). Checked by reading it back."""
        directory = self.directory(volume)
        if directory is not None:
            fd = os.open(directory, DIR_FLAGS)
            try:
                _remove_below(fd)
            finally:
                os.close(fd)
        else:
            parent, base = posixpath.split('/' + self.member)
            data = io.BytesIO()
            with tarfile.open(fileobj=data, mode='w') as out:
                out.addfile(tarfile.TarInfo(base), io.BytesIO(b''))
            try:
                self.api.put_archive(holder, parent, data.getvalue())
            except PersistentVolumesError:
                pass  # "device or resource busy": the mount point itself stays, as it must
            else:  # the engine replaced the mount point, not what the volume holds: nothing can be proved
                raise EngineError('The engine replaced the mount point of volume %s in %s instead of emptying the '
                                  'volume, so the restore cannot go through it; the volume was not changed. Restore '
                                  'with method=direct on the engine\'s host.' % (volume, holder))
        if self.digest(holder, volume)[1].entries > 1:
            raise EngineError('Volume %s could not be emptied through the engine for the restore; its earlier '
                              'content is kept (run the task again, or restore with method=direct).' % volume)

    def fill(self, holder, volume, archive, scheme):
        """Write ``archive`` (a file holding this path) into ``volume``; its content digest afterwards."""
        directory = self.directory(volume)
        if directory is not None:
            extract_path(archive, self.member, [self.member], directory)
        else:
            with open(archive, 'rb') as data:
                self.api.put_archive(holder, '/', data)
        return self.digest(holder, volume, scheme)[0]

    def copy(self, source_holder, source, target_holder, target, empty_first):
        """``source``'s content into ``target`` through a temporary archive; compared when written."""
        handle, dest = tempfile.mkstemp(prefix='.pv-copy-', dir=self.workdir)
        os.close(handle)
        os.unlink(dest)
        source_of, dummy = self.source(source_holder, source)
        facts, stats = write_archive(self.api, source_of, self.access, dest, 'none', set([SCHEME]))
        try:
            if empty_first:
                self.empty(target_holder, target)
            written = self.fill(target_holder, target, facts['path'], SCHEME)
        finally:
            os.unlink(facts['path'])
        if written != stats[0].content_sha256:
            raise EngineError('The copy of volume %s into volume %s does not match it after writing (%s, not %s); '
                              'nothing is removed.' % (source, target, written, stats[0].content_sha256))


class InPlace(object):
    """The archive's path ``entry`` restored into the named volume ``volume``, in place.

    ``state``: what the volume holds now ('empty', 'same' (the archive's data), 'other', 'unknown');
    ``was_in``: the data container the volume is restored for (None for a volume alone).
    """

    def __init__(self, engine, spec, volume, entry, state, access, was_in=None):
        self.engine, self.spec, self.volume, self.entry = engine, spec, volume, entry
        self.access, self.was_in = access, was_in
        api = engine.api
        self.journal = find_journal(api, volume)
        self.state = state
        running = users_of(api, volume)
        known = set(summary_id for summary_id, dummy in running)
        stopped = [(cid, name) for cid, name in self._journal_stopped(api) if cid not in known]
        self.running, self.users = running, running + stopped
        self.previous = None
        self.archive = None
        self.copy = VolumeCopy(api, access, entry['path'], work_directory(spec.src))

    def _journal_stopped(self, api):
        found = []
        for cid in (self.journal.stopped if self.journal else []):
            raw = api.inspect_container(cid)
            if raw:
                found.append((raw['Id'], (raw.get('Name') or '').lstrip('/')))
        return found

    @property
    def finishes(self):
        """True when the journal is of this very restore, past its copy: it is finished, not undone."""
        journal = self.journal
        return (journal is not None and journal.copied and journal.digest == self.spec.digest
                and journal.path == self.entry['path'])

    @property
    def needed(self):
        return self.journal is not None or self.state != 'same'

    @property
    def restores(self):
        """True when the volume's content is written by this run."""
        return self.state != 'same'

    def previous_report(self):
        if self.previous is None:
            return []
        return [dict(path=self.entry['path'], volume=self.previous, was_in=self.was_in or self.volume)]

    # --- the plan ---------------------------------------------------------------------------
    def add(self, plan, archive):
        """The actions of this restore (taking back or finishing what an interrupted one left first);
        ``archive``: the restore's ArchiveFill."""
        self.archive = archive
        journal = self.journal
        if journal is not None and self.finishes:
            self.previous = journal.previous
            if self.restores:
                for cid, user in self.running:  # started again since the interruption
                    plan.add(STOP_CONTAINER, user, 'it uses volume %s, which is restored' % self.volume, id=cid)
                self._add_fill(plan, journal.name)
            self._add_close(plan, journal.name, journal.helpers)
            return
        if journal is not None:
            self._add_undo(plan, journal)
        if self.restores:
            self._add_fresh(plan)
        elif self.users:
            for dummy, name in self.users:
                plan.add(START_CONTAINER, name, 'stopped by an interrupted restore into volume %s' % self.volume)

    def _add_undo(self, plan, journal):
        """Take back an interrupted restore that this run does not finish."""
        if journal.copied and journal.previous:
            helper = journal.helpers[0] if journal.helpers else temporary_name(HELPER)
            if not journal.helpers:
                plan.add(CREATE_CONTAINER, helper, 'hold volume %s to put it back' % journal.previous,
                         image=DEFAULT_IMAGE, binds=['%s:/%s:rw' % (journal.previous, member_root(journal.path or '/'))],
                         labels={pv_labels.TEMPORARY: HELPER, pv_labels.JOURNAL: journal.name})
                journal.helpers = [helper]
            plan.add(PUT_PREVIOUS, self.volume, 'undo an interrupted restore', holder=journal.name, helper=helper,
                     run=self, path=journal.path, previous=journal.previous,
                     text='put the earlier content of volume %s back from volume %s (an interrupted restore from %s)'
                     % (self.volume, journal.previous, journal.src))
        elif journal.copied:
            plan.add(EMPTY_VOLUME, self.volume, 'undo an interrupted restore (it was empty)', holder=journal.name,
                     run=self, path=journal.path)
        for helper in journal.helpers:
            plan.add(REMOVE_CONTAINER, helper, 'left by an interrupted restore', id=helper)
        plan.add(REMOVE_CONTAINER, journal.name, 'left by an interrupted restore', id=journal.id)
        if journal.previous:
            plan.add(REMOVE_VOLUME, journal.previous, 'a copy left by an interrupted restore (volume %s holds it)'
                     % self.volume, only_if_unused=True)
        if journal.copied:
            self.state = 'other' if journal.previous else 'empty'

    def _add_fresh(self, plan):
        name = temporary_name(JOURNAL)
        member = member_root(self.entry['path'])
        keep = self.state != 'empty'
        self.previous = previous_name(self.volume) if keep else None
        helper = temporary_name(HELPER)
        if self.engine.api.inspect_image(DEFAULT_IMAGE) is None:
            plan.add(BUILD_DATA_IMAGE, DEFAULT_IMAGE, 'the journal of the restore needs it')
        plan.add(CREATE_CONTAINER, name, 'journal of the restore into volume %s' % self.volume,
                 image=DEFAULT_IMAGE, binds=['%s:/%s:rw' % (self.volume, member)], labels=self._journal_labels())
        if keep:
            plan.add(CREATE_VOLUME, self.previous, 'keeps the content of volume %s from before the restore'
                     % self.volume, driver='local', driver_options={}, labels=self._previous_labels())
            plan.add(CREATE_CONTAINER, helper, 'hold volume %s while it is written' % self.previous,
                     image=DEFAULT_IMAGE, binds=['%s:/%s:rw' % (self.previous, member)],
                     labels={pv_labels.TEMPORARY: HELPER, pv_labels.JOURNAL: name})
        for cid, user in self.running:
            plan.add(STOP_CONTAINER, user, 'it uses volume %s, which is restored' % self.volume, id=cid)
        if keep:
            plan.add(COPY_PREVIOUS, self.previous, 'the earlier content', holder=name, helper=helper, run=self,
                     text='copy the content of volume %s into volume %s and compare' % (self.volume, self.previous))
        plan.add(RENAME_CONTAINER, name, 'the earlier content is kept', new_name=name + COPIED)
        self._add_fill(plan, name + COPIED)
        self._add_close(plan, name + COPIED, [helper] if keep else [])

    def _add_fill(self, plan, journal_name):
        plan.add(REPLACE_CONTENT, self.volume, 'restore', holder=journal_name, run=self,
                 text='empty volume %s, fill it with %s from %s (%s) and compare'
                 % (self.volume, self.entry['path'], self.spec.src, self.access.method))

    def _add_close(self, plan, journal_name, helpers):
        for dummy, name in self.users:
            plan.add(START_CONTAINER, name, 'it was running before the restore into volume %s' % self.volume)
        for helper in helpers:
            plan.add(REMOVE_CONTAINER, helper, 'volume %s is written' % self.previous)
        plan.add(REMOVE_CONTAINER, journal_name, 'the restore into volume %s is complete' % self.volume)

    def _journal_labels(self):
        return {pv_labels.TEMPORARY: JOURNAL, pv_labels.RESTORE_TARGET: self.volume,
                pv_labels.RESTORE_PREVIOUS: self.previous or '', pv_labels.RESTORED_FROM: self.spec.digest,
                pv_labels.RESTORED_PATH: self.entry['path'], pv_labels.RESTORE_SRC: self.spec.src,
                pv_labels.RESTORE_STOPPED: json.dumps([cid for cid, dummy in self.users])}

    def _previous_labels(self):
        labels = {pv_labels.PREVIOUS_OF: self.volume, pv_labels.REPLACED_BY: self.spec.digest,
                  pv_labels.REPLACED_AT: time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
                  pv_labels.RESTORED_PATH: self.entry['path']}
        if self.was_in:
            labels[pv_labels.WAS_IN] = self.was_in
        return labels

    # --- the appliers (through ``APPLIERS``: each action names its run) ------------------------
    def apply_copy_previous(self, action):
        return self.copy.copy(action.args['holder'], self.volume, action.args['helper'], action.target, False)

    def _copy_for(self, action):
        return VolumeCopy(self.engine.api, self.access, action.args['path'] or self.entry['path'], self.copy.workdir)

    def apply_put_previous(self, action):
        args = action.args
        return self._copy_for(action).copy(args['helper'], args['previous'], args['holder'], action.target, True)

    def apply_empty_volume(self, action):
        return self._copy_for(action).empty(action.args['holder'], action.target)

    def apply_replace_content(self, action):
        holder = action.args['holder']
        self.copy.empty(holder, action.target)
        self.archive.write(self.engine.api, Action(FILL_VOLUME, action.target, 'restore', holder=holder,
                                                   entry=self.entry))
        self.check_restored(holder)

    def check_restored(self, holder):
        """A restore that did not restore never reports success."""
        wanted = self.entry.get('content_sha256')
        if not wanted:
            return
        found = self.copy.digest(holder, self.volume, self.spec.scheme)[0]
        if found != wanted:
            raise EngineError('Volume %s does not hold the archive\'s data after the restore (content %s, the '
                              'manifest says %s). Run the task again; the earlier content is in volume %s.'
                              % (self.volume, found, wanted, self.previous or '(none: it was empty)'))


def explain_interruption(exc, restores):
    """Say in ``exc`` (a failed restore) what its journal lets the next run do."""
    started = [restore for restore in restores if restore.restores or restore.journal is not None]
    if started and isinstance(exc, PersistentVolumesError):
        exc.msg = '%s %s' % (exc.msg.rstrip(), ' '.join(
            'The restore into volume %s is recorded by its journal: run this task again to finish it%s.'
            % (restore.volume, ' (what the volume held before is kept in volume %s)' % restore.previous
               if restore.previous else '') for restore in started))
    return exc


def _dispatch(kind):
    def apply(api, action):
        return getattr(action.args['run'], 'apply_' + kind)(action)
    return apply


APPLIERS = dict((kind, _dispatch(kind)) for kind in (COPY_PREVIOUS, PUT_PREVIOUS, EMPTY_VOLUME, REPLACE_CONTENT))
