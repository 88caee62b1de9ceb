# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A backup host's copies of one Docker host's archives, in ``<backup_host_dir>/<docker host>/``.

Copies arrive in ``.incoming/`` below that directory (Ansible's copy writes each file there through
a temporary file and a rename, so a partial copy never has an archive's name, and never lies among
the copies). Taking one in: its manifest must be one of the collection's, name the Docker host and
this file, and the file's sha256 must be the one the manifest and the Docker host record; then it
is put in place as a backup puts its archive (commit.py: the manifest first, then the archive
renamed over any earlier copy of the same name), mode 0600. A file of that name that is not an
earlier copy of the same source is never replaced.

The copies are kept by the same rules as the Docker host's series (generations.expired), and a
copy is only removed once the newest copy of its series has been checked in this run (it arrived
and was hashed, or it is hashed again now). A copy the Docker host still offers is never removed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import (
    FORMAT,
    describing,
    file_sha256,
    manifest_path,
    read_manifest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.backup.commit import put_in_place
from ansible_collections.persistent.volumes.plugins.module_utils.backup.destination import foreign_reason
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import (
    RETENTION_RULES,
    STAMP_PATTERN,
    SUFFIXES,
    expired,
    list_generations,
    remove_generation,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal

INCOMING = '.incoming'
ARCHIVE_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*\Z')
SHA256 = re.compile(r'^[0-9a-f]{64}\Z')


def check_directory(path):
    """``path``: absolute, normal, and its parent (the backup host's directory) must exist."""
    if not path or not os.path.isabs(path) or os.path.normpath(path) != path.rstrip('/') or path == '/':
        raise InputError('path must be an absolute directory path without .. (the backup host\'s directory and '
                         'the Docker host\'s name below it), got %r.' % path)
    parent = os.path.dirname(path.rstrip('/'))
    if not os.path.isdir(parent):
        raise Refusal('The backup host\'s directory %s does not exist; create it (or mount its disk) first. '
                      'Nothing was copied.' % parent)
    if os.path.islink(path) or (os.path.lexists(path) and not os.path.isdir(path)):
        raise Refusal('%s is not a directory (or is a symbolic link); nothing was copied.' % path)


def check_offer(offer):
    name, sha256 = offer.get('name'), offer.get('sha256')
    if not isinstance(name, str) or not ARCHIVE_NAME.match(name) or name.endswith('.manifest.json') \
            or not name.endswith(SUFFIXES):
        raise InputError('offered: %r is not an archive file name (no directory, ending in %s).'
                         % (name, ', '.join(SUFFIXES)))
    if not isinstance(sha256, str) or not SHA256.match(sha256):
        raise InputError('offered: the sha256 of %s must be 64 lowercase hex digits, got %r.' % (name, sha256))
    return dict(name=name, sha256=sha256)


def check_retention(retention):
    rules = {}
    for rule, count in (retention or {}).items():
        if rule not in RETENTION_RULES:
            raise InputError('retention: unknown rule %r; the rules are %s.' % (rule, ', '.join(RETENTION_RULES)))
        if count in (None, '', 0):
            continue
        try:
            count = int(count)
        except (TypeError, ValueError):
            raise InputError('retention: %s must be a whole number, got %r.' % (rule, count))
        if count < 0:
            raise InputError('retention: %s must be 0 (unused) or more, got %d.' % (rule, count))
        rules[rule] = count
    return rules


class StoreSpec(object):
    """The directory of one Docker host's copies, that host's name, what it offers, the keep rules."""

    def __init__(self, params):
        self.path = (params['path'] or '').rstrip('/') or params['path']
        check_directory(self.path)
        self.host = params['host']
        if not self.host or not self.host.strip() or '/' in self.host:
            raise InputError('host must be the Docker host\'s name, as the inventory names it, got %r.' % self.host)
        self.offered = [check_offer(offer) for offer in params.get('offered') or []]
        self.retention = check_retention(params.get('retention'))
        self.incoming = os.path.join(self.path, INCOMING)

    def copy_path(self, name):
        return os.path.join(self.path, name)

    def incoming_path(self, name):
        return os.path.join(self.incoming, name)


def arrival_problem(spec, offer, manifest, archive):
    """Why the arrived ``archive`` (with its ``manifest``) is not the copy offered (None when it is)."""
    if manifest is None or manifest.get('format') != FORMAT:
        return 'its manifest did not arrive, or is not a persistent.volumes backup manifest'
    if manifest.get('host') not in (None, spec.host):
        return 'its manifest says it is an archive of host %s, not of %s' % (manifest.get('host'), spec.host)
    if manifest.get('archive') not in (None, offer['name']):
        return 'its manifest describes %s' % manifest.get('archive')
    if manifest.get('sha256') != offer['sha256']:
        return 'its manifest records sha256 %s, the Docker host offered %s' % (manifest.get('sha256'), offer['sha256'])
    if manifest.get('size') != os.path.getsize(archive):
        size = os.path.getsize(archive)
        return 'it has %d bytes, its manifest records %s (a partial copy)' % (size, manifest.get('size'))
    actual = file_sha256(archive)
    if actual != offer['sha256']:
        return 'its sha256 on arrival is %s, the Docker host recorded %s' % (actual, offer['sha256'])
    return None


def discard(*paths):
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass


def take_in(spec, offer, check_mode):
    """The arrived copy of ``offer``, checked and put in place: 'arrived', or a reason it was refused
    (the arrived files are then discarded), or None when no copy of it is in ``.incoming``."""
    archive = spec.incoming_path(offer['name'])
    if not os.path.isfile(archive) or os.path.islink(archive):
        return None
    manifest = read_manifest(manifest_path(archive))
    problem = arrival_problem(spec, offer, manifest, archive)
    if problem is None:
        problem = foreign_reason(spec.copy_path(offer['name']), manifest.get('source'), spec.host)
        problem = problem and 'the copy it would replace is not an earlier copy of the same source: %s' % problem
    if problem is not None:
        if not check_mode:
            discard(archive, manifest_path(archive))
        return problem
    if not check_mode:
        dest = spec.copy_path(offer['name'])
        previous = describing(read_manifest(manifest_path(dest)), dest) if os.path.isfile(dest) else None
        put_in_place(archive, dest, dict((key, value) for key, value in manifest.items() if key != 'previous'),
                     previous)
        discard(manifest_path(archive))
    return 'arrived'


def is_present(spec, offer):
    """True when the directory holds a copy of ``offer`` whose manifest describes it and records its sha256."""
    dest = spec.copy_path(offer['name'])
    if not os.path.isfile(dest) or os.path.islink(dest):
        return False
    manifest = describing(read_manifest(manifest_path(dest)), dest)
    return bool(manifest) and manifest.get('sha256') == offer['sha256'] and manifest.get('host') in (None, spec.host)


def leftovers(spec):
    """Files in ``.incoming`` that are no offered archive or its manifest (an interrupted copy's)."""
    wanted = set()
    for offer in spec.offered:
        wanted.update([offer['name'], manifest_path(offer['name'])])
    try:
        names = os.listdir(spec.incoming)
    except OSError:
        return []
    return sorted(os.path.join(spec.incoming, name) for name in names if name not in wanted
                  and os.path.isfile(os.path.join(spec.incoming, name)))


def series_in(spec):
    """The dated series among the copies: each a list of generations of one source, newest first."""
    pattern = re.compile(r'^(.+)\.%s(%s)\Z' % (STAMP_PATTERN, '|'.join(re.escape(suffix) for suffix in SUFFIXES)))
    found = {}
    for name in sorted(os.listdir(spec.path)):
        match = pattern.match(name)
        manifest = read_manifest(manifest_path(os.path.join(spec.path, name))) if match else None
        if manifest and manifest.get('format') == FORMAT:
            dest = os.path.join(spec.path, match.group(1) + match.group(2))
            found[(dest, json.dumps(manifest.get('source'), sort_keys=True))] = (dest, manifest.get('source'))
    return [list_generations(dest, source, FORMAT, spec.host) for dest, source in sorted(found.values())]


def newest_checked(series, checked):
    """True when the newest copy of ``series`` was checked in this run, or matches its manifest now."""
    newest = series[0]
    if newest.path in checked:
        return True
    return file_sha256(newest.path) == (newest.manifest or {}).get('sha256')


def prune(spec, checked, check_mode, warn):
    """The copies no keep rule keeps (never one the Docker host still offers), removed once the newest
    copy of their series is checked; the paths removed (or that would be)."""
    if not spec.retention:
        return []
    offered = set(spec.copy_path(offer['name']) for offer in spec.offered)
    removed = []
    for series in series_in(spec):
        old = [generation for generation in expired(series, spec.retention) if generation.path not in offered]
        if not old:
            continue
        if not newest_checked(series, checked):
            warn('The newest copy %s does not match its manifest\'s sha256: no older copy of its series was '
                 'removed (%s).' % (series[0].path, ', '.join(generation.path for generation in old)))
            continue
        for generation in old:
            if not check_mode:
                remove_generation(generation)
            removed.append(generation.path)
    return removed


def make_directories(spec, check_mode):
    """The Docker host's directory and its ``.incoming``, made private when missing; True when made."""
    made = False
    for path in (spec.path, spec.incoming):
        if not os.path.isdir(path):
            made = True
            if not check_mode:
                os.mkdir(path, 0o700)
                os.chmod(path, 0o700)
    return made


def receive(spec, check_mode):
    """Take in every offered copy that arrived; (copies, missing, rejected, checked paths)."""
    copies, missing, rejected, checked = [], [], [], set()
    for offer in spec.offered:
        outcome = take_in(spec, offer, check_mode) if os.path.isdir(spec.incoming) else None
        if outcome == 'arrived':
            checked.add(spec.copy_path(offer['name']))
            copies.append(dict(offer, state='arrived', path=spec.copy_path(offer['name'])))
        elif outcome is None and is_present(spec, offer):
            copies.append(dict(offer, state='present', path=spec.copy_path(offer['name'])))
        else:
            if outcome is not None:
                rejected.append(dict(name=offer['name'], reason=outcome))
            missing.append(offer['name'])
    return copies, missing, rejected, checked


def converge_store(spec, check_mode, warn):
    made = make_directories(spec, check_mode)
    stale = leftovers(spec)
    if not check_mode:
        discard(*stale)
    copies, missing, rejected, checked = receive(spec, check_mode)
    removed = prune(spec, checked, check_mode, warn) if os.path.isdir(spec.path) else []
    arrived = [copy['name'] for copy in copies if copy['state'] == 'arrived']
    return dict(changed=bool(made or stale or arrived or removed or rejected), path=spec.path, copies=copies,
                missing=missing, rejected=rejected, removed=removed, discarded=stale,
                diff=dict(before=dict(copies=sorted(copy['name'] for copy in copies if copy['state'] == 'present')
                                      + sorted(os.path.basename(path) for path in removed)),
                          after=dict(copies=sorted(copy['name'] for copy in copies))))
