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

import datetime
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


CALENDAR_RULES = ('keep_daily', 'keep_weekly', 'keep_monthly')
RETENTION_RULES = ('keep',) + CALENDAR_RULES


def _day(created_at):
    """The UTC date a manifest's ``created_at`` (``2024-01-02T03:04:05Z``, or the name's stamp) falls on."""
    digits = re.sub(r'[^0-9]', '', str(created_at or ''))
    if len(digits) < 8:
        return None
    try:
        return datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _period(rule, day):
    if rule == 'keep_daily':
        return day.isoformat()
    if rule == 'keep_weekly':
        year, week = day.isocalendar()[0:2]
        return '%04d-W%02d' % (year, week)
    return '%04d-%02d' % (day.year, day.month)


def kept_positions(dates, keep=None, keep_daily=None, keep_weekly=None, keep_monthly=None):
    """The positions in ``dates`` (one per archive of a series, newest first as the manifests order
    them; each a ``created_at`` text ``YYYY-MM-DDTHH:MM:SSZ`` or a ``YYYYMMDDTHHMMSSZ`` stamp, UTC)
    that a retention policy keeps: the first ``keep``, and the newest archive of each of the last
    ``keep_daily`` days, ``keep_weekly`` ISO weeks and ``keep_monthly`` months that have one. An
    archive kept by any rule stays; a date that cannot be read is kept (never removed on a guess).
    No rule at all keeps everything. Pure: the backup host's side uses it too."""
    rules = dict(keep_daily=keep_daily, keep_weekly=keep_weekly, keep_monthly=keep_monthly)
    if not keep and not any(rules.values()):
        return set(range(len(dates)))
    kept = set(range(min(keep or 0, len(dates))))
    days = [_day(text) for text in dates]
    kept.update(position for position, day in enumerate(days) if day is None)
    for rule, count in rules.items():
        seen = []
        for position, day in enumerate(days):
            if not count or day is None:
                continue
            period = _period(rule, day)
            if period not in seen:
                if len(seen) == count:
                    break
                seen.append(period)
                kept.add(position)
    return kept


def generation_date(generation):
    """When a generation was written, as its manifest records it (its name's stamp otherwise)."""
    return (generation.manifest or {}).get('created_at') or generation.stamp


def expired(series, retention):
    """The generations of ``series`` (newest first) that no rule of ``retention`` (a dict of
    RETENTION_RULES; no rule at all keeps everything) keeps.
    Both sides of a backup use it: the Docker host's series and the backup host's copies."""
    kept = kept_positions([generation_date(generation) for generation in series],
                          **dict((rule, retention.get(rule)) for rule in RETENTION_RULES))
    return [generation for position, generation in enumerate(series) if position not in kept]


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
