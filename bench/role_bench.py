# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role against its own work and against community.docker: idempotent re-runs of the role
data_volume_container (bench/role.yml: argument validation, the layout task) and of the bare
persistent.volumes.layout task (bench/ours.yml), on the same objects of the main engine (20 data
containers and 20 started consumers by default), interleaved in the same run, with a play that
does nothing (bench/noop.yml) taken off both. Target: the role within 1.2x of the bare task.

The floor, measured in the same run: the layout task after one ansible.builtin.ping
(bench/role_floor.yml), the cheapest module task there is: what a second task that asks the host
anything would cost.

The peer: community.docker's per-item loop on the same lists with the consumers started
(bench/peer_started.yml), re-run; target: the role's re-run at least 10x faster.

bench.py runs it as the scenario 'role' (make bench; make bench BENCH_ARGS='--scenarios role').
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import statistics

from bench_common import logger
from bench_engine import MAIN_ENGINE, PREFIX, clean, started_vars, verify
from bench_report import median, ratio, row

log = logger('bench')

ROLE_TARGET = 1.2
PEER_TARGET = 10
KINDS = ('layout', 'role', 'floor', 'noop', 'peer')
PLAYBOOK = {'role': 'role', 'layout': 'ours-started', 'floor': 'role-floor', 'noop': 'noop', 'peer': 'peer-started'}


def started_lists(runner):
    """Vars files with every consumer started, for ours (the role, its floor, the layout task) and the peer."""
    for tool, kinds in (('ours', ('role', 'role-floor', 'ours-started')), ('peer', ('peer-started',))):
        path = os.path.join(runner.out, 'vars-%s-started.json' % tool)
        with open(path, 'w') as handle:
            json.dump(started_vars(PREFIX[tool], runner.args.count), handle, indent=1)
        for kind in kinds:
            runner.vars_files[kind] = path


def scenario_role(runner, reps):
    """The objects are made once by the layout task and by the peer; then each rep re-runs all, in turns."""
    started_lists(runner)
    for tool in ('ours', 'peer'):
        clean(MAIN_ENGINE, PREFIX[tool])
        runner.play('%s-started' % tool, 'main', True, what='role-setup')
        verify(MAIN_ENGINE, PREFIX[tool], runner.args.count, started=True)
    runs = dict((kind, []) for kind in KINDS)
    try:
        for rep in range(reps):
            order = KINDS if rep % 2 == 0 else tuple(reversed(KINDS))
            for kind in order:
                runs[kind].append(runner.play(PLAYBOOK[kind], 'main', False, what='role-%s' % kind))
            log('role, rep %d/%d: %s' % (rep + 1, reps, ', '.join('%s %.2f s' % (kind, runs[kind][-1]['seconds'])
                                                                  for kind in KINDS)))
    finally:
        for tool in ('ours', 'peer'):
            clean(MAIN_ENGINE, PREFIX[tool])
    return runs


def role_rows(runs, count):
    role, layout, floor, noop, peer = [median(runs[kind]) for kind in KINDS[1:2] + KINDS[:1] + KINDS[2:]]
    title = '1 host, %d+%d started, re-run' % (count, count)
    return [row(title + ': role (peer column) / layout task (ours column)', role, layout, ratio(role, layout),
                'role/layout', None),
            row(title + ', a no-op play (%.2f s) taken off both: role / layout task' % noop, role - noop,
                layout - noop, ratio(role - noop, layout - noop), 'role/layout', ('<=', ROLE_TARGET)),
            row(title + ', floor: ping + layout task (peer column) / layout task', floor, layout,
                ratio(floor, layout), 'floor/layout', None),
            row(title + ': community.docker / the role', peer, role, ratio(peer, role), 'peer/role',
                ('>=', PEER_TARGET))]


def role_text(runs):
    """The runs and the role's tasks (median seconds each), to see where an overhead goes."""
    lines = []
    for kind in KINDS:
        tasks = {}
        for run in runs[kind]:
            for name, seconds in run['task_seconds'].items():
                tasks.setdefault(name, []).append(seconds)
        lines.append('%-6s re-run: runs %s s; in tasks (median): %s'
                     % (kind, ', '.join('%.2f' % r['seconds'] for r in runs[kind]),
                        '; '.join('%s %.2f s' % (name, statistics.median(v)) for name, v in tasks.items())))
    return lines
