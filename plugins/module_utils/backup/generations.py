# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Dated generations of a backup: ``dest`` names the series, each archive carries its time.

``/var/backups/app.tar.gz`` with ``keep`` gives ``/var/backups/app.20240102T030405Z.tar.gz``
and so on (UTC, to the second). A file of that shape is one of the series only when its
manifest says it is an archive of the same source; anything else is never counted, and
never removed. The series is ordered by what the manifests record (``order``), not by names:
a clock that was once ahead named an archive in the future, and it is still the older one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import time

from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import describing, manifest_path, read_manifest

STAMP = '%Y%m%dT%H%M%SZ'
STAMP_PATTERN = r'\d{8}T\d{6}Z'
SUFFIXES = ('.tar.gz', '.tar.xz', '.tar.bz2', '.tgz', '.tar')


def split_dest(dest):
    """(stem, suffix) of a series name: ``/b/app.tar.gz`` -> (``/b/app``, ``.tar.gz``)."""
    base = os.path.basename(dest)
    for suffix in SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            return dest[:-len(suffix)], suffix
    return dest, ''


def generation_path(dest, when):
    stem, suffix = split_dest(dest)
    return '%s.%s%s' % (stem, time.strftime(STAMP, time.gmtime(when)), suffix)


class Generation(object):
    def __init__(self, path, stamp, manifest):
        self.path = path
        self.stamp = stamp
        self.manifest = manifest

    def as_dict(self):
        manifest = self.manifest or {}
        return dict(path=self.path, stamp=self.stamp, sha256=manifest.get('sha256'),
                    content_sha256=manifest.get('content_sha256'), created_at=manifest.get('created_at'))


def list_generations(dest, source, fmt, host=None):
    """The series' archives whose manifest says they are of ``source`` on ``host``, newest first
    (a manifest that names no host is of any: it was written before hosts were recorded)."""
    stem, suffix = split_dest(dest)
    directory, base = os.path.split(stem)
    pattern = re.compile(r'^%s\.(%s)%s\Z' % (re.escape(base), STAMP_PATTERN, re.escape(suffix)))
    found = []
    try:
        names = os.listdir(directory)
    except OSError:
        return found
    for name in names:
        match = pattern.match(name)
        path = os.path.join(directory, name)
        if not match or not os.path.isfile(path) or os.path.islink(path):
            continue
        manifest = describing(read_manifest(manifest_path(path)), path)
        if manifest and manifest.get('format') == fmt and manifest.get('source') == source \
                and manifest.get('host') in (None, host if host is not None else manifest.get('host')):
            found.append(Generation(path, match.group(1), manifest))
    found.sort(key=order, reverse=True)
    return found


def order(generation):
    """What orders a series, as its manifests record it: the sequence number each backup gives its
    archive (one more than the newest it found), then the time it was written; the name's stamp only
    between archives of the same second. A clock that was once ahead dates a generation in the
    future; the next one still comes after it."""
    manifest = generation.manifest or {}
    sequence = manifest.get('sequence')
    return (sequence if isinstance(sequence, int) else 0, str(manifest.get('created_at') or ''), generation.stamp)


RETENTION_RULES = ('keep',)


def expired(series, retention):
    """The generations of ``series`` (newest first) that no rule of ``retention`` (a dict of
    RETENTION_RULES; no rule at all keeps everything) keeps: beyond the newest ``keep``.
    Both sides of a backup use it: the Docker host's series and the backup host's copies."""
    keep = retention.get('keep')
    return list(series[keep:]) if keep else []


def next_sequence(series):
    """The sequence number of the next archive of ``series`` (its generations, newest first)."""
    return max([order(generation)[0] for generation in series] + [0]) + 1


def future_dated(series, now=None, slack=300):
    """The generations whose manifest or name dates them later than ``now`` (the clock was ahead)."""
    limit = time.strftime(STAMP, time.gmtime((time.time() if now is None else now) + slack))
    found = []
    for generation in series:
        created = str((generation.manifest or {}).get('created_at') or '').replace('-', '').replace(':', '')
        if generation.stamp > limit or created > limit:
            found.append(generation)
    return found


def free_generation_path(dest, now=None, sleep=time.sleep):
    """A generation name not taken yet (waits for the next second when this one is)."""
    now = time.time() if now is None else now
    for dummy in range(3):
        path = generation_path(dest, now)
        if not os.path.lexists(path) and not os.path.lexists(manifest_path(path)):
            return path
        sleep(1)
        now += 1
    raise OSError('no free generation name for %s' % dest)


def remove_generation(generation):
    """Remove an archive of the series and its manifest (the archive first)."""
    os.unlink(generation.path)
    try:
        os.unlink(manifest_path(generation.path))
    except OSError:
        pass
