# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role against its own work: an idempotent run of the role data_volume_container
(bench/role.yml: argument validation, the preflight, the layout task) against the bare
persistent.volumes.layout task (bench/ours.yml), on the same objects of the main engine,
interleaved in the same run. Target: the role within 1.2x of the bare task.

The floor, measured in the same run: the layout task after one ansible.builtin.ping
(bench/role_floor.yml), the cheapest module task there is. A preflight that asks the host
anything (the role's asks its Python and engine) costs at least that much.

bench.py runs it as the scenario 'role' (make bench; make bench BENCH_ARGS='--scenarios role').
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import statistics

from bench_common import logger
from bench_engine import MAIN_ENGINE, PREFIX, clean, verify
from bench_report import median, ratio, row

log = logger('bench')

ROLE_TARGET = 1.2


def scenario_role(runner, reps):
    """The objects are made once by the layout task; then each rep re-runs both, in turns."""
    runner.vars_files['role'] = runner.vars_files['role-floor'] = runner.vars_files['ours']
    clean(MAIN_ENGINE, PREFIX['ours'])
    runner.play('ours', 'main', True, what='role-setup')
    verify(MAIN_ENGINE, PREFIX['ours'], runner.args.count)
    runs = {'role': [], 'layout': [], 'floor': []}
    playbook = {'role': 'role', 'layout': 'ours', 'floor': 'role-floor'}
    try:
        for rep in range(reps):
            order = ('layout', 'role', 'floor') if rep % 2 == 0 else ('floor', 'role', 'layout')
            for kind in order:
                runs[kind].append(runner.play(playbook[kind], 'main', False, what='role-%s' % kind))
            log('role, rep %d/%d: role re-run %6.2f s, layout re-run %6.2f s, ping + layout %6.2f s'
                % (rep + 1, reps, runs['role'][-1]['seconds'], runs['layout'][-1]['seconds'],
                   runs['floor'][-1]['seconds']))
    finally:
        clean(MAIN_ENGINE, PREFIX['ours'])
    return runs


def role_rows(runs, count):
    role, layout, floor = median(runs['role']), median(runs['layout']), median(runs['floor'])
    title = '1 host, %d+%d, re-run' % (count, count)
    return [row(title + ': role (peer column) / layout task (ours column)', role, layout, ratio(role, layout),
                'role/layout', ('<=', ROLE_TARGET)),
            row(title + ', floor: ping + layout task (peer column) / layout task', floor, layout,
                ratio(floor, layout), 'floor/layout', None)]


def role_text(runs):
    """The runs and the role's tasks (median seconds each), to see where an overhead goes."""
    lines = []
    for kind in ('role', 'layout', 'floor'):
        tasks = {}
        for run in runs[kind]:
            for name, seconds in run['task_seconds'].items():
                tasks.setdefault(name, []).append(seconds)
        lines.append('%-6s re-run: runs %s s; in tasks (median): %s'
                     % (kind, ', '.join('%.2f' % r['seconds'] for r in runs[kind]),
                        '; '.join('%s %.2f s' % (name, statistics.median(v)) for name, v in tasks.items())))
    return lines
