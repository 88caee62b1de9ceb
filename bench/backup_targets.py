# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The targets of issue 21, measured first by backup_bench.py (``--targets-only``: nothing else).

At 256 MiB and 1 GiB (half one file, half 1 MiB files), no compression, medians of the
repetitions, interleaved, page cache dropped before and a ``sync`` included in every run:

- backup: the module on the direct path minus a no-op module run (``ansible.builtin.ping``, run
  the same way: python -c runpy, cold cache) against host ``tar -cf`` of the Mountpoint;
- restore: the module into a new volume minus the same no-op against host ``tar -xf``.

Targets: 1.3x at 256 MiB, 1.15x at 1 GiB. The floor measured in the same run is host tar plus the
one hash pass the module cannot skip (openssl sha256 of the tar stream, beside the tar, as the
module hashes beside its I/O; a restore checks what it writes), plus what a bare client of the
engine costs beyond the no-op module (the same no-op after importing the Docker SDK for Python,
negotiating the API version and inspecting the volume: what any module of the collection does before
its first byte), against host tar: a target below that floor is printed with it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import statistics

TARGETS = ((256, 1.3), (1024, 1.15))
WAYS = ('ping', 'client', 'direct', 'host', 'host_sha')
PING = 'ansible.modules.ping'
# The no-op module after a bare client's work: the SDK's import, the version negotiation, one inspect.
CLIENT = ('import runpy, sys; import docker; '
          'docker.APIClient(base_url=sys.argv[2], version="auto").inspect_volume(sys.argv[3]); '
          'sys.argv = ["module", sys.argv[1]]; runpy.run_module("%s", run_name="__main__")' % PING)


def target_volume(size_mib):
    return 'pvbench_1g' if size_mib == 1024 else 'pvbench_%dm' % size_mib


def ping(bench):
    """A no-op module task, run as the benchmark runs the collection's modules."""
    from backup_bench import checked, timed  # pylint: disable=import-outside-toplevel
    argv = [bench.args.python, '-c', 'import runpy, sys; sys.argv = ["module", sys.argv[1]]; '
            'runpy.run_module("%s", run_name="__main__")' % PING, '{"ANSIBLE_MODULE_ARGS": {}}']
    return checked(timed(argv, env=bench.env, drop=bench.drop), 'ansible.builtin.ping')


def client(bench, volume):
    """The no-op module task after a bare client of the engine found the volume."""
    from backup_bench import ENGINE, checked, timed  # pylint: disable=import-outside-toplevel
    argv = [bench.args.python, '-c', CLIENT, '{"ANSIBLE_MODULE_ARGS": {}}', ENGINE, volume]
    return checked(timed(argv, env=bench.env, drop=bench.drop), 'a bare client and ansible.builtin.ping')


def one_run(bench, op, way, volume):
    if way == 'ping':
        return ping(bench)
    if way == 'client':
        return client(bench, volume)
    if op == 'backup':
        return bench.backup(way, volume, 'none')
    return bench.restore(way, 'none', bench.path(('direct' if way == 'direct' else 'host') + '.tar'))


def one_size(bench, args, size_mib, log):
    """{op: {way: [seconds]}} at ``size_mib``."""
    from backup_bench import ensure_volume  # pylint: disable=import-outside-toplevel
    volume = target_volume(size_mib)
    ensure_volume(bench.api, volume, size_mib)
    ops = [op for op in ('backup', 'restore') if op in getattr(args, 'ops', ('backup', 'restore'))]
    if 'backup' not in ops:  # the archives a restore reads, made once, untimed
        for way in ('direct', 'host'):
            bench.backup(way, volume, 'none')
    times = dict((op, dict((way, []) for way in WAYS)) for op in ops)
    for rep in range(1, args.reps + 1):
        for op in ops:
            for way in WAYS:
                times[op][way].append(one_run(bench, op, way, volume).seconds)
        log('targets %d MiB, repetition %d/%d: %s' % (size_mib, rep, args.reps, '; '.join(
            '%s %s' % (op, ', '.join('%s %.2f s' % (way, times[op][way][-1]) for way in WAYS)) for op in times)))
    return times


def measure_targets(bench, args, results, log):
    per_size = results.setdefault('targets', {})
    for size_mib, dummy in TARGETS:
        per_size[str(size_mib)] = one_size(bench, args, size_mib, log)


def target_rows(results):
    """[(size, op, medians {way: s}, ratio, floor ratio, target)] of the measured targets."""
    rows = []
    for size_mib, target in TARGETS:
        times = results.get('targets', {}).get(str(size_mib))
        if not times:
            continue
        for op in [op for op in ('backup', 'restore') if op in times]:
            med = dict((way, statistics.median(values)) for way, values in times[op].items())
            module = med['direct'] - med['ping']
            floor = (med['host_sha'] + max(0.0, med['client'] - med['ping'])) / med['host']
            rows.append((size_mib, op, med, module / med['host'], floor, target))
    return rows


def target_lines(results):
    rows = target_rows(results)
    if not rows:
        return []
    lines = ['', 'Targets (issue 21): no compression, median of %d; module = direct path minus a no-op module '
             '(ansible.builtin.ping); client = the no-op after the SDK import, the API version and one inspect'
             % len(results['targets'][str(rows[0][0])][rows[0][1]]['ping']),
             '%-8s %-8s %7s %7s %7s %8s %8s %9s %7s %7s %7s  %s' % (
                 'size', 'op', 'module', 'ping', 'client', 'module-', 'host tar', 'tar+hash', 'ratio', 'floor',
                 'target', 'result')]
    for size_mib, op, med, value, floor, target in rows:
        verdict = 'PASS' if value <= target else 'MISS'
        if floor > target:
            verdict += ' (target below the floor %.2f: host tar + the hash pass + a bare client / host tar)' % floor
        lines.append('%-8s %-8s %6.2fs %6.2fs %6.2fs %7.2fs %7.2fs %8.2fs %7.2f %7.2f %7.2f  %s' % (
            '%d MiB' % size_mib, op, med['direct'], med['ping'], med['client'], med['direct'] - med['ping'], med['host'],
            med['host_sha'], value, floor, target, verdict))
    return lines
