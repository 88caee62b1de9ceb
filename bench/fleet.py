# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet scenario: ours on 1 engine host against N (scripts/fleet-up.sh), and the floor
of this machine: the same objects made by a bare client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import time

import yaml

from bench_common import BenchError, logger
from bench_engine import PREFIX, clean, engine_pid, verify
from bench_report import TARGETS, median, ratio, row

log = logger('bench')

FLOOR_PREFIX = 'bench_raw_'


def fleet_up(runner, count):
    """scripts/fleet-up.sh COUNT; the hosts and sockets from the inventory it writes (the benchmark
    talks to each lab host's engine directly, through its socket as this machine sees it)."""
    busy = [host for host, pid in lab_engines().items() if pid and os.path.exists('/proc/%d' % pid)]
    if busy:
        log('WARNING: lab engines %s are running; scripts/fleet-up.sh replaces them' % ', '.join(busy))
    script = os.path.join(runner.args.repo, 'scripts', 'fleet-up.sh')
    with open(os.path.join(runner.out, 'fleet.log'), 'w') as handle:
        proc = subprocess.run([script, str(count)], cwd=runner.args.repo, stdout=handle, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        raise BenchError('scripts/fleet-up.sh %d failed (exit %d); see %s'
                         % (count, proc.returncode, os.path.join(runner.out, 'fleet.log')))
    with open(os.path.join(runner.args.repo, '.build', 'lab', 'fleet.yml')) as handle:
        lab = yaml.safe_load(handle)
    hosts = lab['docker_hosts']['hosts']
    for name in sorted(hosts):
        runner.hosts[name] = hosts[name]['lab_engine_socket']
        runner.fleet.append(name)
    runner.fleet_pids = dict((name, engine_pid(runner.hosts[name])) for name in runner.fleet)
    runner.write_inventory()


def lab_engines(lab='/tmp/pvlab'):
    """The lab's engines as scripts/fleet-up.sh leaves them: {hostI: pid}."""
    found = {}
    if os.path.isdir(lab):
        for name in sorted(os.listdir(lab)):
            found[name] = engine_pid('unix://' + os.path.join(lab, name, 'run', 'docker.sock'))
    return found


def fleet_intact(runner):
    """Still the engines this benchmark started? (Another fleet-up.sh or fleet-down.sh replaces them.)"""
    return all(pid and engine_pid(runner.hosts[name]) == pid for name, pid in runner.fleet_pids.items())


def fleet_down(runner):
    if runner.fleet_pids and not fleet_intact(runner):
        log('WARNING: the lab engines were replaced by someone else during the run; left alone (no fleet-down.sh)')
        return
    script = os.path.join(runner.args.repo, 'scripts', 'fleet-down.sh')
    with open(os.path.join(runner.out, 'fleet.log'), 'a') as handle:
        subprocess.run([script], cwd=runner.args.repo, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       check=False)


def scenario_fleet(runner, tool, reps):
    one, many = runner.fleet[:1], runner.fleet
    runs = {'1': {'first': [], 'rerun': []}, 'n': {'first': [], 'rerun': []}}
    if tool == 'ours':
        runs['baseline'] = {'1': [], 'n': []}
        for rep in range(reps):
            runs['baseline']['1'].append(runner.play('baseline', ','.join(one), False, what='baseline-1'))
            runs['baseline']['n'].append(runner.play('baseline', ','.join(many), False, what='baseline-n'))
        log('fleet baseline (one ping per host): 1 host %s s; %d hosts %s s'
            % (', '.join('%.2f' % r['seconds'] for r in runs['baseline']['1']), len(many),
               ', '.join('%.2f' % r['seconds'] for r in runs['baseline']['n'])))
    for rep in range(reps):
        order = (('1', one), ('n', many)) if rep % 2 == 0 else (('n', many), ('1', one))
        for key, hosts in order:
            first, rerun = runner.first_and_rerun(tool, hosts, 'fleet-%s' % len(hosts))
            runs[key]['first'].append(first)
            runs[key]['rerun'].append(rerun)
            log('fleet, rep %d/%d, %-4s on %d host(s), -f %d: first run %6.2f s, re-run %6.2f s'
                % (rep + 1, reps, tool, len(hosts), runner.args.forks, first['seconds'], rerun['seconds']))
    for host in many:
        clean(runner.hosts[host], PREFIX[tool])
    return runs


def scenario_floor(runner, reps):
    """The floor: bench/raw_client.py does the same engine work with bare API calls, through
    ansible-playbook (floor.yml, one command per host: make, then read as the re-run) and
    alone (make, all hosts at once)."""
    one, many = runner.fleet[:1], runner.fleet
    client = os.path.join(runner.here, 'raw_client.py')
    for mode in ('make', 'read'):
        path = os.path.join(runner.out, 'vars-floor-%s.json' % mode)
        with open(path, 'w') as handle:
            json.dump({'bench_raw_client': client, 'bench_raw_mode': mode, 'bench_raw_prefix': FLOOR_PREFIX,
                       'bench_count': runner.args.count}, handle)
        runner.vars_files['floor-' + mode] = path
    runs = {'1': {'first': [], 'rerun': []}, 'n': {'first': [], 'rerun': []}, 'alone': {'1': [], 'n': []}}
    try:
        for rep in range(reps):
            order = (('1', one), ('n', many)) if rep % 2 == 0 else (('n', many), ('1', one))
            for key, hosts in order:
                limit = ','.join(hosts)
                for host in hosts:
                    clean(runner.hosts[host], FLOOR_PREFIX)
                runs[key]['first'].append(runner.play('floor-make', limit, True, what='floor-%d-first' % len(hosts)))
                for host in hosts:
                    verify(runner.hosts[host], FLOOR_PREFIX, runner.args.count)
                runs[key]['rerun'].append(runner.play('floor-read', limit, False, what='floor-%d-rerun' % len(hosts)))
                for host in hosts:
                    clean(runner.hosts[host], FLOOR_PREFIX)
                runs['alone'][key].append({'seconds': bare_clients(runner, client, hosts)})
            log('fleet floor, rep %d/%d: 1 host %.2f s (re-run %.2f s), %d hosts %.2f s (re-run %.2f s); '
                'the bare clients alone: 1 host %.2f s, %d hosts %.2f s'
                % (rep + 1, reps, runs['1']['first'][-1]['seconds'], runs['1']['rerun'][-1]['seconds'], len(many),
                   runs['n']['first'][-1]['seconds'], runs['n']['rerun'][-1]['seconds'],
                   runs['alone']['1'][-1]['seconds'], len(many), runs['alone']['n'][-1]['seconds']))
    finally:
        for host in many:
            clean(runner.hosts[host], FLOOR_PREFIX)
    return runs


def bare_clients(runner, client, hosts):
    """raw_client.py make on each host at once, without ansible; the wall time until all are done."""
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, client, 'make', runner.hosts[host], FLOOR_PREFIX, str(runner.args.count)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              universal_newlines=True) for host in hosts]
    outputs = [proc.communicate() for proc in procs]
    seconds = time.monotonic() - started
    for host, proc, (dummy, err) in zip(hosts, procs, outputs):
        if proc.returncode != 0:
            raise BenchError('raw_client.py on %s exited %d: %s' % (host, proc.returncode, err.strip()[-500:]))
    return round(seconds, 3)


def floor_rows(floor, n, phase, name):
    many, one = median(floor['n'][phase]), median(floor['1'][phase])
    rows = [row('fleet floor, %s, bare client by 1 command/host: %d hosts / 1 host' % (name, n), None,
                ratio(many, one), ratio(many, one), 'machine floor', None, unit='x')]
    if phase == 'first':
        many, one = median(floor['alone']['n']), median(floor['alone']['1'])
        rows.append(row('engines alone (bare clients, no ansible): %d hosts / 1 host' % n, None,
                        ratio(many, one), ratio(many, one), 'engine floor', None, unit='x'))
    return rows


def floor_text(floor, n):
    """The floor's runs, for the end of the report."""
    lines = []
    for key, hosts in (('1', '1 host'), ('n', '%d hosts' % n)):
        lines.append('fleet floor %-7s: first runs %s s, re-runs %s s; the bare clients alone %s s'
                     % (hosts, ', '.join('%.2f' % r['seconds'] for r in floor[key]['first']),
                        ', '.join('%.2f' % r['seconds'] for r in floor[key]['rerun']),
                        ', '.join('%.2f' % r['seconds'] for r in floor['alone'][key])))
    return lines


def fleet_rows(results, n, forks):
    fleet = results['fleet']
    rows = []
    one, many = fleet['ours'].get('baseline', {}).get('1'), fleet['ours'].get('baseline', {}).get('n')
    if one and many:
        rows.append(row('fleet baseline (1 ping/host): %d hosts / 1 host' % n, None, ratio(median(many), median(one)),
                        ratio(median(many), median(one)), 'ansible floor', None, unit='x'))
    for phase, name in (('first', 'first run'), ('rerun', 're-run')):
        values = {}
        for tool in ('peer', 'ours'):
            if tool in fleet:
                values[tool] = (median(fleet[tool]['1'][phase]), median(fleet[tool]['n'][phase]))
        peer1, peern = values.get('peer', (None, None))
        ours1, oursn = values['ours']
        rows.append(row('fleet, 1 host, %s' % name, peer1, ours1, ratio(peer1, ours1), 'peer/ours', None))
        rows.append(row('fleet, %d hosts -f %d, %s' % (n, forks, name), peern, oursn, ratio(peern, oursn), 'peer/ours', None))
        rows.append(row('fleet, %s: %d hosts / 1 host' % (name, n), ratio(peern, peer1), ratio(oursn, ours1),
                        ratio(oursn, ours1), 'ours %dh/1h' % n, ('<=', TARGETS['fleet']), unit='x'))
        if results.get('fleet_floor'):
            rows.extend(floor_rows(results['fleet_floor'], n, phase, name))
    return rows


def fleet_section(runner, results, med, started):
    args = runner.args
    fleet_up(runner, args.fleet_hosts)
    n = len(runner.fleet)
    results['fleet'] = {'ours': scenario_fleet(runner, 'ours', args.reps)}
    results['fleet_floor'] = scenario_floor(runner, args.reps)
    results['fleet_rows'] = fleet_rows(results, n, args.forks)
    # The peer's fleet: once, when it fits the budget (about 1 + 1.3 n/cpus times its one-host time here).
    cpus = max(1, os.cpu_count() or 1)
    cost = (med['peer']['first'] + med['peer']['rerun'] + 8) * (1 + 1.3 * n / cpus) if med['peer']['first'] else None
    left = args.budget - (time.monotonic() - started) - 20
    if args.peer_fleet == 'yes' or (args.peer_fleet == 'auto' and cost and cost < left):
        try:
            results['fleet']['peer'] = scenario_fleet(runner, 'peer', 1)
            results['fleet_rows'] = fleet_rows(results, n, args.forks)
        except BenchError as exc:
            results['errors'].append('peer fleet: %s' % exc)
            log('ERROR: peer fleet: %s' % exc)
    elif args.peer_fleet == 'no':
        results['peer_fleet_skipped'] = '--peer-fleet no'
    else:
        results['peer_fleet_skipped'] = ('estimated %s s, %.0f s left of the %.0f s budget; --peer-fleet yes runs it'
                                         % ('%.0f' % cost if cost else '?', left, args.budget))
    if results.get('peer_fleet_skipped'):
        log('peer fleet skipped: %s' % results['peer_fleet_skipped'])
