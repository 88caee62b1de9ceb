# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The benchmark's table: medians, ratios, rows against the targets."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import statistics

TARGETS = {'first': 5.0, 'rerun': 10.0, 'fleet': 1.5}


def median(results):
    return round(statistics.median(r['seconds'] for r in results), 3)


def ratio(numerator, denominator):
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)


def row(scenario, peer, ours, value, means, target, unit='s'):
    if target is None or value is None:
        result = 'info' if value is not None else 'n/a'
    elif target[0] == '>=':
        result = 'PASS' if value >= target[1] else 'FAIL'
    else:
        result = 'PASS' if value <= target[1] else 'FAIL'
    return {'scenario': scenario, 'peer': peer, 'ours': ours, 'unit': unit, 'ratio': value, 'ratio_means': means,
            'target': '%s %s' % target if target else None, 'result': result}


def fmt(value, unit):
    if value is None:
        return '-'
    if unit == 's':
        return '%.2f s' % value
    if unit == 'x':
        return '%.2fx' % value
    return '%s %s' % (value, unit)


def print_table(rows):
    header = ('scenario', 'peer', 'ours', 'ratio', 'ratio means', 'target', 'result')
    lines = [(r['scenario'], fmt(r['peer'], r['unit']), fmt(r['ours'], r['unit']),
              '-' if r['ratio'] is None else '%.2f' % r['ratio'], r['ratio_means'], r['target'] or '-', r['result'])
             for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines)]
    rule = '-+-'.join('-' * w for w in widths)
    out = [' | '.join(str(h).ljust(w) for h, w in zip(header, widths)), rule]
    out += [' | '.join(str(v).ljust(w) for v, w in zip(line, widths)) for line in lines]
    print('\n'.join(out))


def cpu_text(runs):
    cpus = os.cpu_count() or 1
    client = statistics.median(r['cpu_seconds']['ansible'] for r in runs)
    engines = statistics.median(r['cpu_seconds']['engines'] for r in runs)
    return ('ansible+modules %.2f s, engines %.2f s (median; / %d cpus = %.2f s)'
            % (client, engines, cpus, (client + engines) / cpus))
