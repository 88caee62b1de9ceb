# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The appliers of a backup's own actions: writing the archive, removing an old generation.

The data is read once, on the direct path or through the engine's archive endpoint, and
written as the canonical archive to a temporary file beside the destination (mode 0600)
while its checksums and sizes are computed; then it and its manifest are put in place
(commit.py): at every moment the destination holds a matching pair, the earlier or the new.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import new_manifest
from ansible_collections.persistent.volumes.plugins.module_utils.archive.one_pass import write_archive
from ansible_collections.persistent.volumes.plugins.module_utils.backup.commit import BackupWriteError, put_in_place
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import remove_generation
from ansible_collections.persistent.volumes.plugins.module_utils.backup.planner import unchanged
from ansible_collections.persistent.volumes.plugins.module_utils.plan.appliers import APPLIERS
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import REMOVE_GENERATION, WRITE_ARCHIVE


def write_backup(api, action, access):
    """``write_archive``: the archive, kept when it holds other data than the earlier one.

    Answers ``written`` (False: the earlier archive holds this data already; the new file is
    gone), and when written the ``manifest`` and the files that ``changed_while_read``.
    """
    source, target, spec = action.args['source'], action.args['destination'], action.args['spec']
    try:
        encryption = target.encryption
        written, stats = write_archive(api, source, access, target.path, spec.compression, target.schemes(),
                                       encryption.sink if encryption else None)
    except OSError as exc:
        raise BackupWriteError('The new archive beside %s could not be written whole (%s); nothing was changed: no partial file '
                               'is left, and what %s held is as it was.' % (target.path, exc, os.path.dirname(target.path)))
    if unchanged(target.previous, written['content'], spec):
        os.unlink(written['path'])
        return dict(written=False)
    if encryption:
        written = encryption.seal(written)
    manifest = new_manifest(source.label, spec.compression, target.path, written, stats, target.sequence,
                            target.host)
    if encryption:
        manifest['encryption'] = written['encryption']
    put_in_place(written['path'], target.path, manifest, target.previous if target.previous_path == target.path else None)
    return dict(written=True, manifest=manifest, changed_while_read=written['changed_while_read'])


def backup_appliers(access):
    """The engine's appliers and the backup's, reading on ``access``."""
    appliers = dict(APPLIERS)
    appliers[WRITE_ARCHIVE] = lambda api, action: write_backup(api, action, access)
    appliers[REMOVE_GENERATION] = lambda api, action: remove_generation(action.args['generation'])
    return appliers
