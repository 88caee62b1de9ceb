# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Putting a new archive and its manifest in place so that, at every moment, the destination
holds a complete, matching pair: the earlier one or the new one.

Two files cannot be renamed at once. So the manifest goes first, and while the archive is
replaced it describes both: the new archive, and under ``previous`` the earlier one
(archive/manifest.py ``describing`` picks the one in place). Then the archive is renamed over
the earlier one, then the manifest is written again without ``previous``. Where there is no
earlier pair (a new file, a new generation), a manifest alone describes no archive and is
written first all the same. A failure at any step says what was changed: a failed manifest
write changes nothing; a failed rename puts the earlier manifest back; a failed final manifest
leaves a matching pair (``changed``: the new archive is in place).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import manifest_path
from ansible_collections.persistent.volumes.plugins.module_utils.backup.destination import replace_file, write_manifest
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError


class BackupWriteError(PersistentVolumesError):
    """A write of a backup failed; ``changed`` says whether the destination is another than before."""


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _take_back_manifest(dest, previous):
    """Put the earlier manifest back (or remove the new one when there was none); True when done."""
    try:
        if previous is None:
            os.unlink(manifest_path(dest))
        else:
            write_manifest(dest, previous)
        return True
    except OSError:
        return False


def _forced_over(temporary, dest, manifest):
    """``dest`` is a file that is no archive of this source (force): the archive, then its manifest."""
    try:
        replace_file(temporary, dest)
    except OSError as exc:
        _unlink(temporary)
        raise BackupWriteError('Could not move the new archive to %s (%s); nothing was changed.' % (dest, exc))
    try:
        write_manifest(dest, manifest)
    except OSError as exc:
        raise BackupWriteError('The new archive is at %s, but its manifest %s could not be written (%s); run the '
                               'backup again.' % (dest, manifest_path(dest), exc), changed=True)


def put_in_place(temporary, dest, manifest, previous):
    """Move the archive ``temporary`` to ``dest`` with its ``manifest``; ``previous``: the manifest of
    the matching pair at ``dest`` now (None when there is no archive of this source there)."""
    if previous is None and os.path.lexists(dest):
        return _forced_over(temporary, dest, manifest)
    try:
        write_manifest(dest, dict(manifest, previous=previous) if previous else manifest)
    except OSError as exc:
        _unlink(temporary)
        raise BackupWriteError('Could not write the manifest %s (%s); nothing was changed: %s.' % (
            manifest_path(dest), exc, 'the earlier archive and its manifest are as they were' if previous
            else 'no archive was written'))
    try:
        replace_file(temporary, dest)
    except OSError as exc:
        _unlink(temporary)
        if _take_back_manifest(dest, previous):
            raise BackupWriteError('Could not move the new archive to %s (%s); nothing was changed.' % (dest, exc))
        raise BackupWriteError('Could not move the new archive to %s (%s). The earlier archive is in place; its '
                               'manifest %s now also describes an archive that was not written, and still matches '
                               'it.' % (dest, exc, manifest_path(dest)), changed=True)
    if previous:
        try:
            write_manifest(dest, manifest)
        except OSError as exc:
            raise BackupWriteError('The new archive is at %s; its manifest %s could not be written again without the '
                                   'earlier archive\'s description (%s). The pair matches: a restore and the next '
                                   'backup read it.' % (dest, manifest_path(dest), exc), changed=True)
    return None
