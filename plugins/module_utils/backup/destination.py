# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where a backup goes, what is there already, and whether it may be replaced.

A file at ``dest`` is replaced only when it is an earlier archive of the same source:
its manifest beside it is one of the collection's, describes this very file (its size)
and names the same container or volume. Anything else (a file of the user's, another
source's archive, a symlink) is refused unless ``force: true``, before anything is read
or written. With ``keep`` or a calendar rule (``keep_daily``, ...), ``dest`` names a series of dated archives instead.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import SCHEME
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import (
    RETENTION_RULES,
    free_generation_path,
    future_dated,
    list_generations,
    next_sequence,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import (
    FORMAT,
    describing,
    manifest_path,
    read_manifest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal


def describe_source(label):
    return ' '.join('%s %s' % item for item in sorted((label or {}).items())) or 'an unknown source'


def same_host(manifest, host):
    """True when ``manifest`` is of ``host`` (manifests written before hosts were recorded count as any host's)."""
    return manifest.get('host') is None or host is None or manifest.get('host') == host


def foreign_reason(dest, label, host=None):
    """Why the files at ``dest`` are not an earlier archive of ``label`` on ``host`` (None when they are,
    or are absent)."""
    archive, manifest_file = os.path.lexists(dest), os.path.lexists(manifest_path(dest))
    if not archive and not manifest_file:
        return None
    for path in (dest, manifest_path(dest)):
        if os.path.islink(path):
            return '%s is a symbolic link' % path
        if os.path.lexists(path) and not os.path.isfile(path):
            return '%s is not a regular file' % path
    manifest = read_manifest(manifest_path(dest)) if manifest_file else None
    if manifest is None or manifest.get('format') != FORMAT:
        return ('it has no backup manifest beside it (%s)' % manifest_path(dest) if not manifest_file
                else '%s is not a persistent.volumes backup manifest' % manifest_path(dest))
    if manifest.get('source') != label:
        return 'its manifest says it is an archive of %s' % describe_source(manifest.get('source'))
    if not same_host(manifest, host):
        return 'its manifest says it is an archive of host %s, not of %s' % (manifest.get('host'), host)
    if archive and describing(manifest, dest) is None:
        return 'its manifest describes another file (%s bytes, the file has %d)' % (manifest.get('size'),
                                                                                    os.path.getsize(dest))
    return None


def describe_retention(retention):
    """``keep=7 keep_daily=7``: the rules as the task set them."""
    return ' '.join('%s=%d' % (rule, retention[rule]) for rule in RETENTION_RULES if retention.get(rule))


class Destination(object):
    """The archive to write (``path``), and the earlier archive of the same data, if any."""

    def __init__(self, spec, source, host=None):
        self.dest = spec.dest
        self.host = host
        self.keep = spec.keep
        self.dated = spec.dated
        self.retention = spec.retention
        self.force = spec.force
        self.previous = None
        self.previous_path = None
        self.future = []
        self.encryption = None  # a BackupEncryption (backup/encryption.py) with encrypt_to
        if self.dated:
            series = self.series(source)
            if series:
                self.previous, self.previous_path = series[0].manifest, series[0].path
            self.sequence = next_sequence(series)
            self.future = [generation.path for generation in future_dated(series)]
            self.path = free_generation_path(self.dest)
            return
        self.path = self.dest
        reason = foreign_reason(self.dest, source.label, host)
        if reason and not self.force:
            raise Refusal('Refusing to replace %s: it is not an earlier archive of %s (%s). Choose another dest, '
                          'or set force=true to replace it; nothing was changed.'
                          % (self.dest, describe_source(source.label), reason))
        if reason is None and os.path.isfile(self.dest):
            self.previous = describing(read_manifest(manifest_path(self.dest)), self.dest)
            self.previous_path = self.dest
        sequence = (self.previous or {}).get('sequence')
        self.sequence = sequence + 1 if isinstance(sequence, int) else 1

    def series(self, source):
        return list_generations(self.dest, source.label, FORMAT, self.host)

    def schemes(self):
        """The content digest schemes to compute: the current one, and the earlier archive's."""
        schemes = set([SCHEME])
        if self.previous is not None:
            schemes.add(self.previous.get('content_scheme', 1))
        return schemes

    def describe(self):
        """What writing it does, as the plan says it."""
        what = 'write %s (mode 0600, through a temporary file beside it) and its manifest' % self.path
        if self.dated:
            what += ('; then read it back and remove the archives of the series that no rule (%s) keeps'
                     % describe_retention(self.retention))

        return what


def replace_file(temporary, dest):
    """Rename ``temporary`` (beside ``dest``) over ``dest``, private (mode 0600), durably: the file is
    synced before and its directory after. Raises OSError (never exits the module: every failure of
    a backup's writes is reported with what it changed)."""
    os.chmod(temporary, 0o600)
    os.rename(temporary, dest)
    directory = os.open(os.path.dirname(dest) or '.', os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_manifest(dest, manifest):
    """The manifest of the archive ``dest``, written beside it through a temporary file."""
    directory = os.path.dirname(dest)
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(manifest_path(dest)), dir=directory)
    try:
        with os.fdopen(handle, 'w') as out:
            json.dump(manifest, out, indent=2, sort_keys=True)
            out.write('\n')
            out.flush()
            os.fsync(out.fileno())
        replace_file(temporary, manifest_path(dest))
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
