# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The table backup_bench.py prints: medians, the ratios against the floors, the targets, RSS."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import statistics
import sys

TARGETS = {'direct': ('host', 1.15), 'engine': ('floor', 1.15)}
# The same targets against the floors that also make the one hash pass the manifest needs (a backup
# hashes what it writes; a restore checks the archive before its first write), which no module can skip.
HASHED_TARGETS = {'direct': ('host_sha', 1.15), 'engine': ('floor_sha', 1.15)}
FLAT_MIB = 8.0      # peak RSS counts as flat when the big volume's exceeds the small one's by at most this
LABELS = (
    ('direct', 'module, direct path (method=direct)'),
    ('engine', 'module, through the engine (method=engine)'),
    ('floor', 'engine endpoint alone (curl GET / PUT, no Python)'),
    ('host', 'host tar c / x of the Mountpoint'),
    ('recipe', 'recipe: docker run busybox tar c / x'),
    ('floor_sha', 'endpoint + the hash pass (curl, openssl)'),
    ('host_sha', 'host tar + the hash pass (tar, openssl)'),
)


def median(values):
    return statistics.median(values) if values else None


def ratio(ours, other):
    return ours / other if ours and other else None


def summarize(results, args):
    """Medians per compression, operation and way; the checks against the targets."""
    med = {}
    checks = []
    for compression, per_op in results.get('seconds', {}).items():
        med[compression] = dict((op, dict((way, median(values)) for way, values in per_way.items()))
                                for op, per_way in per_op.items())
        for op in ('backup', 'restore'):
            for targets in (TARGETS, HASHED_TARGETS):
                for way, (floor, target) in sorted(targets.items()):
                    if floor not in med[compression][op]:
                        continue
                    value = ratio(med[compression][op][way], med[compression][op][floor])
                    checks.append(dict(name='%s %s %s/%s' % (compression, op, way, floor), value=value,
                                       target='<= %.2f' % target, passed=value is not None and value <= target))
    rss = results.get('peak_rss_mib', {})
    for op in ('backup', 'restore'):
        for way in ('direct', 'engine'):
            small, big = rss[op][way]['small'], rss[op][way]['big']
            checks.append(dict(name='%s %s peak RSS %d -> %d MiB' % (op, way, args.small_mib, args.size_mib),
                               value=big - small, target='growth <= %.0f MiB' % FLAT_MIB,
                               passed=big - small <= FLAT_MIB, small=small, big=big))
    results['median_seconds'] = med
    results['checks'] = checks
    return med, checks


def _table(results, compression, med):
    mib = results['volumes']['pvbench_1g']['bytes'] / float(1 << 20)
    lines = ['', 'compression %s' % compression,
             '%-52s %10s %9s %10s %9s' % ('', 'backup', 'MiB/s', 'restore', 'MiB/s')]
    for way, label in LABELS:
        if way not in med[compression]['backup']:
            continue
        cells = []
        for op in ('backup', 'restore'):
            value = med[compression][op][way]
            cells.append('%9.2fs %9.0f' % (value, mib / value) if value else '%10s %9s' % ('-', '-'))
        lines.append('%-52s %s %s' % (label, cells[0], cells[1]))
    for op in ('backup', 'restore'):
        per = med[compression][op]
        lines.append('  %s ratios: direct/host-tar %.2f, engine/endpoint %.2f, direct/recipe %.2f, engine/recipe %.2f, '
                     'endpoint/host-tar %.2f' % (op, ratio(per['direct'], per['host']), ratio(per['engine'], per['floor']),
                                                 ratio(per['direct'], per['recipe']), ratio(per['engine'], per['recipe']),
                                                 ratio(per['floor'], per['host'])))
        if 'floor_sha' in per:
            hashed = (op, ratio(per['direct'], per['host_sha']), ratio(per['engine'], per['floor_sha']))
            lines.append('  %s against the floors with the hash pass: direct/(host tar + hash) %.2f, '
                         'engine/(endpoint + hash) %.2f' % hashed)
    return lines


def print_report(results, args, summary):
    med, checks = summary
    meta = results['meta']
    volume = results['volumes']['pvbench_1g']
    where = ('an engine behind an activated socket (a listener hands it to dockerd -H fd://)'
             if getattr(args, 'activated', False) else 'main engine')
    lines = ['', 'Backup and restore of a %d MiB volume (pvbench_1g: %d files), %s %s, %d CPUs, load %s -> %s'
             % (args.size_mib, volume['files'], where, meta.get('engine'), meta['cpus'], meta.get('loadavg_start'),
                meta.get('loadavg_end')),
             'median of %d; page cache %s before each run; each time includes a final sync; module run with python -c '
             'runpy' % (args.reps, 'dropped' if meta['drop_caches'] else 'NOT dropped')]
    for compression in args.compressions:
        lines += _table(results, compression, med)
    lines += ['', '%-44s %8s %20s  %s' % ('check', 'value', 'target', 'result')]
    for check in checks:
        verdict = 'PASS' if check['passed'] else 'MISS'
        if 'RSS' in check['name']:
            value = '%+.1f' % check['value']
            verdict += '   (%.1f MiB -> %.1f MiB)' % (check['small'], check['big'])
        else:
            value = '%.2f' % check['value'] if check['value'] else '-'
        lines.append('%-44s %8s %20s  %s' % (check['name'], value, check['target'], verdict))
    speeds = results['digest_mib_per_s']
    lines += ['', 'digests on this machine (hashlib, 1 MiB blocks): sha256 %d MiB/s, blake2b %d MiB/s'
              % (speeds['sha256'], speeds['blake2b'])]
    print('\n'.join(lines))
    sys.stdout.flush()
