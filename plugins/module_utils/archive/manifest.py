# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The manifest beside every archive: its format, where it lies, what it records, and reading it.

``<archive>.manifest.json`` names the format, the host and the source (``{container: name}`` or
``{volume: name}``), the sequence number of the archive in its series, the compression, the archive's file name, sha256 and size, the content digest of the
data (``content_sha256`` in ``content_scheme``, see canonical.py) and, per path, its volume,
member root, sizes and digest.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import time

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import SCHEME
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError

FORMAT = 'persistent.volumes/backup/1'
SUFFIX = '.manifest.json'


def manifest_path(archive):
    return archive + SUFFIX


def read_manifest(path):
    """The manifest at ``path`` when it can be read as a JSON object, else None (no judgement)."""
    try:
        with open(path) as handle:
            manifest = json.load(handle)
    except (IOError, OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def load_manifest(path):
    """The manifest at ``path``, which must be one of the collection's and list its paths."""
    try:
        with open(path) as handle:
            manifest = json.load(handle)
    except (IOError, OSError) as exc:
        raise InputError('Cannot read the manifest %s: %s.' % (path, exc))
    except ValueError as exc:
        raise InputError('The manifest %s is not JSON: %s.' % (path, exc))
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT:
        raise InputError('%s is not a persistent.volumes backup manifest (format %s expected).' % (path, FORMAT))
    paths = manifest.get('paths')
    complete = isinstance(paths, list) and all(isinstance(p, dict) and p.get('path') and p.get('member') for p in paths)
    if not paths or not complete:
        raise InputError('The manifest %s lists no paths.' % path)
    return manifest


def new_manifest(label, compression, archive, written, stats, sequence=1, host=None):
    """The manifest of the archive ``archive`` just written: ``written`` holds its ``sha256``,
    ``size`` and ``content`` digests; ``stats`` the PathStats of its paths; ``sequence`` orders it
    in its series (one more than the newest archive of the same source there); ``host`` names the
    host whose data it is."""
    return dict(format=FORMAT, sequence=sequence, host=host, created_at=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
                source=label, compression=compression, archive=os.path.basename(archive),
                sha256=written['sha256'], size=written['size'], content_sha256=written['content'][SCHEME],
                content_scheme=SCHEME, paths=[item.as_dict() for item in stats],
                files=sum(item.files for item in stats), bytes=sum(item.bytes for item in stats))


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def describing(manifest, archive):
    """The manifest of the file ``archive`` as ``manifest`` records it (None when it records another).

    While a backup replaces an archive, its manifest describes both the new archive and, under
    ``previous``, the one it replaces (backup/commit.py): whichever of the two is in place, the
    pair matches. Sizes tell them apart; when both have the same size, the file's sha256 does.
    """
    if not isinstance(manifest, dict):
        return None
    previous = manifest.get('previous')
    current = dict((key, value) for key, value in manifest.items() if key != 'previous')
    candidates = [current] + ([previous] if isinstance(previous, dict) else [])
    try:
        size = os.path.getsize(archive)
    except OSError:
        return None
    sized = [candidate for candidate in candidates if candidate.get('size') == size]
    if len(sized) <= 1 or sized[0].get('sha256') == sized[1].get('sha256'):
        return sized[0] if sized else None
    actual = file_sha256(archive)
    return next((candidate for candidate in sized if candidate.get('sha256') == actual), None)
