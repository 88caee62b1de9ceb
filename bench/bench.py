# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The benchmark: persistent.volumes.layout against community.docker.docker_container.

bench/run.sh prepares the venv and the collections and runs this file with the venv's
python. It builds the same state with both tools (N data containers with an anonymous
volume at /data, N consumers wired to them with --volumes-from, all created, none
started) and measures the wall time of ansible-playbook:

- one host (the main engine): first run (empty state) and idempotent re-run, each
  repeated and reduced to the median; ratios peer/ours;
- engine API calls per object, counted by a proxy (count_proxy.py) in front of the
  engine, for one first run and one re-run of each tool;
- fleet: ours on 1 engine host against N engine hosts (scripts/fleet-up.sh), with
  forks; ratio time(N hosts)/time(1 host) (and the peer's, when cheap enough), next
  to two floors of this machine: one ping per host, and the same objects made by a
  bare client (raw_client.py: only the writes, standard library only) through one
  command task per host and alone (fleet.py).

Only the benchmark's own objects are touched: containers whose names start with its
prefixes, and the volumes those containers mount. The results go to stdout and, as
JSON, to the output directory (results.json).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import docker
import yaml

from bench_common import BenchError, loadavg, logger
from bench_engine import MAIN_ENGINE, PREFIX, clean, client_cpu, engine, engine_pid, layout_vars, tree_cpu, verify
from bench_report import TARGETS, cpu_text, median, print_table, ratio, row
from count_proxy import CountingProxy
from fleet import fleet_down, fleet_intact, fleet_section, floor_text
from role_bench import role_rows, role_text, scenario_role

log = logger('bench')

PLAYBOOK = {'peer': 'peer.yml', 'ours': 'ours.yml', 'baseline': 'baseline.yml',
            'floor-make': 'floor.yml', 'floor-read': 'floor.yml', 'role': 'role.yml',
            'role-floor': 'role_floor.yml', 'ours-started': 'ours.yml', 'peer-started': 'peer_started.yml',
            'noop': 'noop.yml'}
LABEL = {'peer': 'community.docker (per item)', 'ours': 'persistent.volumes.layout'}


# -- running ansible-playbook -------------------------------------------------------------

class Runner(object):
    def __init__(self, args):
        self.args = args
        self.out = args.out_dir
        self.venv = args.venv
        self.here = os.path.dirname(os.path.abspath(__file__))
        self.inventory = os.path.join(self.out, 'inventory.yml')
        self.config = os.path.join(self.out, 'ansible.cfg')
        self.hosts = {'main': MAIN_ENGINE}
        self.fleet = []
        self.fleet_pids = {}
        site_packages = subprocess.check_output(
            [os.path.join(self.venv, 'bin', 'python'), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
            universal_newlines=True).strip()
        self.collections_path = '%s:%s' % (args.collections, site_packages)
        self.vars_files = {}
        for tool in PREFIX:
            path = os.path.join(self.out, 'vars-%s.json' % tool)
            with open(path, 'w') as handle:
                json.dump(layout_vars(PREFIX[tool], args.count), handle, indent=1)
            self.vars_files[tool] = path
        self.write_config()
        self.write_inventory()

    def write_config(self):
        with open(self.config, 'w') as handle:
            handle.write('# Written by bench/bench.py: the settings of every measured ansible-playbook run.\n'
                         '[defaults]\n'
                         'collections_path = %s\n'
                         'stdout_callback = ansible.posix.json\n'
                         'retry_files_enabled = false\n'
                         'host_key_checking = false\n'
                         'nocolor = true\n'
                         'forks = %d\n'
                         '\n[connection]\npipelining = %s\n'
                         % (self.collections_path, self.args.forks, 'true' if self.args.pipelining else 'false'))

    def write_inventory(self):
        hosts = dict((name, {'bench_docker_host': url}) for name, url in self.hosts.items())
        inventory = {'bench': {'hosts': hosts, 'children': {'fleet': {'hosts': dict((h, None) for h in self.fleet)}},
                               'vars': {'ansible_connection': 'local',
                                        'ansible_python_interpreter': os.path.join(self.venv, 'bin', 'python')}}}
        with open(self.inventory, 'w') as handle:
            handle.write('# Written by bench/bench.py.\n')
            yaml.safe_dump(inventory, handle, default_flow_style=False)

    def command(self, tool, limit, docker_host=None):
        cmd = [os.path.join(self.venv, 'bin', 'ansible-playbook'), '-i', self.inventory, '--limit', limit,
               '-f', str(self.args.forks)]
        if tool in self.vars_files:
            cmd += ['-e', '@' + self.vars_files[tool]]
        if docker_host:
            cmd += ['-e', 'bench_docker_host=%s' % docker_host]
        return cmd + [os.path.join(self.here, PLAYBOOK[tool])]

    def env(self):
        env = dict(os.environ)
        env.update(ANSIBLE_CONFIG=self.config, ANSIBLE_COLLECTIONS_PATH=self.collections_path,
                   ANSIBLE_STDOUT_CALLBACK='ansible.posix.json', ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
                   PATH=os.path.join(self.venv, 'bin') + os.pathsep + env.get('PATH', ''))
        for name in ('ANSIBLE_INVENTORY', 'DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'):
            env.pop(name, None)
        return env

    def play(self, tool, limit, expect_changed, docker_host=None, what=''):
        """One timed ansible-playbook run; its stats, task durations and the api_calls ours report."""
        cmd = self.command(tool, limit, docker_host)
        engines = [engine_pid(self.hosts[host]) for host in limit.split(',')]
        cpu_before, engine_before = client_cpu(), tree_cpu(engines)
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=self.out, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, stdin=subprocess.DEVNULL, check=False)
        seconds = time.monotonic() - started
        cpu = {'ansible': round(client_cpu() - cpu_before, 2), 'engines': round(tree_cpu(engines) - engine_before, 2)}
        log_name = os.path.join(self.out, 'last-%s-%s.json' % (tool, what or 'run'))
        with open(log_name, 'w') as handle:
            handle.write(proc.stdout)
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            raise BenchError('%s %s on %s: ansible-playbook exited %d without a JSON report:\n%s\n%s'
                             % (tool, what, limit, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
        stats = report.get('stats') or {}
        failures = self.failures(report)
        if proc.returncode != 0 or failures or any(s.get('failures') or s.get('unreachable') for s in stats.values()):
            unique = sorted(set(failures))
            raise BenchError('%s %s on %s failed (exit %d): %s%s\n%s'
                             % (tool, what, limit, proc.returncode, '; '.join(unique[:3]) or '?',
                                ' (and %d more)' % (len(unique) - 3) if len(unique) > 3 else '', proc.stderr[-1500:]))
        changed = dict((host, s.get('changed', 0)) for host, s in stats.items())
        if expect_changed and not all(changed.values()):
            raise BenchError('%s %s on %s: a first run reported no change (%s); the clean-up did not work'
                             % (tool, what, limit, changed))
        if not expect_changed and any(changed.values()):
            raise BenchError('%s %s on %s: the idempotent re-run reported changes: %s (details in %s)'
                             % (tool, what, limit, changed, log_name))
        api_calls = {}
        task_seconds = {}
        for play in report.get('plays') or []:
            for task in play.get('tasks') or []:
                name = task['task']['name']
                task_seconds[name] = round(self.duration(task['task'].get('duration')), 3)
                for host, result in (task.get('hosts') or {}).items():
                    if 'api_calls' in result:
                        api_calls[host] = result['api_calls']
        return {'seconds': round(seconds, 3), 'changed': changed, 'api_calls': api_calls, 'task_seconds': task_seconds,
                'cpu_seconds': cpu}

    @staticmethod
    def failures(report):
        found = []
        for play in report.get('plays') or []:
            for task in play.get('tasks') or []:
                for host, result in (task.get('hosts') or {}).items():
                    items = result.get('results') if isinstance(result.get('results'), list) else [result]
                    for item in items:
                        if isinstance(item, dict) and (item.get('failed') or item.get('unreachable')):
                            found.append('%s: %s: %s' % (host, task['task']['name'], item.get('msg')))
        return found

    @staticmethod
    def duration(value):
        if not value or not value.get('end'):
            return 0.0

        def parse(text):
            return datetime.datetime.strptime(text.rstrip('Z'), '%Y-%m-%dT%H:%M:%S.%f')

        return (parse(value['end']) - parse(value['start'])).total_seconds()

    def first_and_rerun(self, tool, hosts, what, docker_host=None, count_check=True):
        """Fresh state on `hosts`, then a first run and a re-run; returns both results."""
        for host in hosts:
            clean(self.hosts[host], PREFIX[tool])
        limit = ','.join(hosts)
        first = self.play(tool, limit, True, docker_host, what + '-first')
        if count_check:
            for host in hosts:
                verify(self.hosts[host], PREFIX[tool], self.args.count)
        rerun = self.play(tool, limit, False, docker_host, what + '-rerun')
        return first, rerun


# -- the scenarios ------------------------------------------------------------------------

def scenario_one_host(runner, reps):
    runs = {'peer': {'first': [], 'rerun': []}, 'ours': {'first': [], 'rerun': []}, 'baseline': []}
    for rep in range(reps):
        runs['baseline'].append(runner.play('baseline', 'main', False, what='baseline'))
    log('baseline (ansible-playbook with one ping task): %s s' % ', '.join('%.2f' % r['seconds'] for r in runs['baseline']))
    for rep in range(reps):
        order = ('peer', 'ours') if rep % 2 == 0 else ('ours', 'peer')
        for tool in order:
            first, rerun = runner.first_and_rerun(tool, ['main'], 'one-host')
            runs[tool]['first'].append(first)
            runs[tool]['rerun'].append(rerun)
            log('one host, rep %d/%d, %-4s: first run %6.2f s, re-run %6.2f s'
                % (rep + 1, reps, tool, first['seconds'], rerun['seconds']))
    for tool in PREFIX:
        clean(MAIN_ENGINE, PREFIX[tool])
    return runs


def scenario_api_calls(runner, count):
    objects = 2 * count
    listen_dir = tempfile.mkdtemp(prefix='pvbench-')
    listen = os.path.join(listen_dir, 'engine.sock')
    upstream = MAIN_ENGINE[len('unix://'):]
    result = {}
    try:
        with CountingProxy(listen, upstream) as proxy:
            for tool in ('peer', 'ours'):
                clean(MAIN_ENGINE, PREFIX[tool])
                entry = {}
                for phase, expect in (('first', True), ('rerun', False)):
                    proxy.reset()
                    run = runner.play(tool, 'main', expect, 'unix://' + listen, 'calls-' + phase)
                    proxy.wait_idle(0.5, 10)
                    counts = proxy.snapshot()
                    entry[phase] = {'total': counts['total'], 'per_object': round(counts['total'] / objects, 2),
                                    'connections': counts['connections'], 'by_pattern': counts['by_pattern'],
                                    'module_api_calls': run['api_calls'].get('main'), 'seconds_via_proxy': run['seconds']}
                    if phase == 'first':
                        verify(MAIN_ENGINE, PREFIX[tool], count)
                    log('API calls, %-4s %-5s: %d requests (%.2f per object) on %d connections'
                        % (tool, phase, counts['total'], counts['total'] / objects, counts['connections']))
                result[tool] = entry
                clean(MAIN_ENGINE, PREFIX[tool])
    finally:
        shutil.rmtree(listen_dir, ignore_errors=True)
    return result


# -- the report ---------------------------------------------------------------------------

def versions():
    found = {'python': platform.python_version(), 'docker_sdk': docker.__version__, 'cpus': os.cpu_count()}
    try:
        from importlib.metadata import version
        found['ansible'] = version('ansible')
        found['ansible_core'] = version('ansible-core')
    except Exception:
        pass
    try:
        import ansible_collections.community.docker as community_docker
        manifest = os.path.join(list(community_docker.__path__)[0], 'MANIFEST.json')
        with open(manifest) as handle:
            found['community_docker'] = json.load(handle)['collection_info']['version']
    except Exception:
        pass
    api = engine(MAIN_ENGINE)
    try:
        server = api.version()
        found['engine'] = server.get('Version')
        found['engine_api'] = server.get('ApiVersion')
    finally:
        api.close()
    return found


def commit(repo):
    try:
        head = subprocess.check_output(['git', '-C', repo, 'rev-parse', '--short', 'HEAD'], universal_newlines=True).strip()
        dirty = subprocess.check_output(['git', '-C', repo, 'status', '--porcelain', '--', 'plugins'],
                                        universal_newlines=True).strip()
        return head + ('+modified plugins' if dirty else '')
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(description='persistent.volumes.layout against community.docker')
    parser.add_argument('--repo', required=True, help='the collection root (for scripts/fleet-*.sh)')
    parser.add_argument('--venv', required=True, help="the benchmark's venv (ansible, docker, requests)")
    parser.add_argument('--collections', required=True, help='where this collection is installed (searched first)')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--count', type=int, default=20, help='data containers (and as many consumers) per host')
    parser.add_argument('--reps', type=int, default=3, help='repetitions of each timed measurement (median)')
    parser.add_argument('--fleet-hosts', type=int, default=4, help='engine hosts of the fleet scenario (0: skip)')
    parser.add_argument('--forks', type=int, default=4)
    parser.add_argument('--peer-fleet', choices=['auto', 'yes', 'no'], default='auto',
                        help="the peer's fleet scenario too (auto: once, when it fits the budget)")
    parser.add_argument('--budget', type=float, default=540.0, help='seconds the whole benchmark should take at most')
    parser.add_argument('--pipelining', choices=['true', 'false'], default='true')
    parser.add_argument('--scenarios', default='one-host,calls,role,fleet',
                        help='comma-separated subset of one-host,calls,role,fleet (the fleet needs one-host for the peer '
                             'estimate)')
    args = parser.parse_args(argv)
    args.pipelining = args.pipelining == 'true'
    for name in ('repo', 'venv', 'collections', 'out_dir'):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    os.makedirs(args.out_dir, exist_ok=True)

    started = time.monotonic()
    meta = versions()
    meta['commit'] = commit(args.repo)
    meta.update(count=args.count, objects_per_host=2 * args.count, reps=args.reps, forks=args.forks,
                pipelining=args.pipelining, fleet_hosts=args.fleet_hosts, started=time.strftime('%Y-%m-%dT%H:%M:%S%z'),
                loadavg_start=loadavg())
    log('ansible %s (ansible-core %s), community.docker %s, Docker SDK %s, engine %s (API %s), python %s, %s cpus'
        % (meta.get('ansible'), meta.get('ansible_core'), meta.get('community_docker'), meta['docker_sdk'],
           meta.get('engine'), meta.get('engine_api'), meta['python'], meta['cpus']))
    runner = Runner(args)
    results = {'meta': meta, 'rows': [], 'one_host': None, 'api_calls': None, 'role': None, 'fleet': {}, 'errors': []}
    rows = results['rows']
    status = 0
    try:
        for tool in PREFIX:
            clean(MAIN_ENGINE, PREFIX[tool])

        scenarios = set(args.scenarios.split(','))
        med = {'peer': {'first': 0.0, 'rerun': 0.0}}

        # 1. one host
        if 'one-host' in scenarios:
            log('scenario one host: %d data containers + %d consumers, %d repetitions' % (args.count, args.count, args.reps))
            one = scenario_one_host(runner, args.reps)
            results['one_host'] = one
            med = dict((tool, dict((phase, median(one[tool][phase])) for phase in one[tool])) for tool in PREFIX)
            med['baseline'] = median(one['baseline'])
            title = '1 host, %d+%d' % (args.count, args.count)
            rows.append(row(title + ', first run', med['peer']['first'], med['ours']['first'],
                            ratio(med['peer']['first'], med['ours']['first']), 'peer/ours', ('>=', TARGETS['first'])))
            rows.append(row(title + ', re-run', med['peer']['rerun'], med['ours']['rerun'],
                            ratio(med['peer']['rerun'], med['ours']['rerun']), 'peer/ours', ('>=', TARGETS['rerun'])))

        # 2. API calls per object
        if 'calls' in scenarios:
            log('engine API calls per object, through a counting proxy')
            calls = scenario_api_calls(runner, args.count)
            results['api_calls'] = calls
            for phase, name in (('first', 'first run'), ('rerun', 're-run')):
                peer, ours = calls['peer'][phase]['per_object'], calls['ours'][phase]['per_object']
                rows.append(row('API calls per object, %s' % name, peer, ours, ratio(peer, ours), 'peer/ours', None,
                                unit='calls'))

        # 3. the role against its layout task
        if 'role' in scenarios:
            log('scenario role: the role data_volume_container against the bare layout task, idempotent re-runs')
            results['role'] = scenario_role(runner, args.reps)
            rows.extend(role_rows(results['role'], args.count))

        # 4. fleet
        if 'fleet' in scenarios and args.fleet_hosts > 1:
            log('scenario fleet: %d engine hosts (scripts/fleet-up.sh %d), -f %d'
                % (args.fleet_hosts, args.fleet_hosts, args.forks))
            try:
                fleet_section(runner, results, med, started)
            except BenchError as exc:
                if runner.fleet_pids and not fleet_intact(runner):
                    exc = BenchError('%s\n(the lab engines were replaced during the run: another scripts/fleet-up.sh or '
                                     'fleet-down.sh; run the benchmark when nothing else uses the lab)' % exc)
                raise exc
            finally:
                fleet_down(runner)
    except BenchError as exc:
        results['errors'].append(str(exc))
        log('ERROR: %s' % exc)
        status = 1
    except KeyboardInterrupt:
        results['errors'].append('interrupted')
        status = 130
    except Exception as exc:  # a bug or an engine error: still clean up and report what was measured
        results['errors'].append('%s: %s' % (type(exc).__name__, exc))
        log('ERROR: %s: %s' % (type(exc).__name__, exc))
        status = 1
    finally:
        for tool in PREFIX:
            try:
                clean(MAIN_ENGINE, PREFIX[tool])
            except Exception as exc:  # the report still matters more than a failed clean-up
                log('WARNING: clean-up on the main engine: %s' % exc)

    rows.extend(results.pop('fleet_rows', []))
    meta.update(seconds=round(time.monotonic() - started, 1), loadavg_end=loadavg())
    path = os.path.join(args.out_dir, 'results.json')
    with open(path, 'w') as handle:
        json.dump(results, handle, indent=2)
        handle.write('\n')

    print()
    print('persistent.volumes benchmark (commit %s): %d data containers + %d consumers per host, median of %d, %s'
          % (meta['commit'], args.count, args.count, args.reps, 'pipelining on' if args.pipelining else 'pipelining off'))
    print('peer = %s (ansible %s, community.docker %s); ours = %s; engine %s (API %s); %s cpus; load %s -> %s'
          % (LABEL['peer'], meta.get('ansible'), meta.get('community_docker'), LABEL['ours'], meta.get('engine'),
             meta.get('engine_api'), meta['cpus'], meta['loadavg_start'], meta['loadavg_end']))
    print()
    print_table(rows)
    if results['api_calls']:
        print()
        for tool in ('peer', 'ours'):
            for phase in ('first', 'rerun'):
                entry = results['api_calls'][tool][phase]
                top = ', '.join('%s x%d' % (k, v) for k, v in list(entry['by_pattern'].items())[:6])
                said = '' if entry['module_api_calls'] is None else '; the module reports api_calls=%s' % entry['module_api_calls']
                print('API calls %-4s %-5s: %4d (%.2f/object%s): %s'
                      % (tool, phase, entry['total'], entry['per_object'], said, top))
    if results['one_host']:
        print()
        print('baseline: ansible-playbook with one ansible.builtin.ping task takes %.2f s (median) here'
              % median(results['one_host']['baseline']))
        for tool in ('peer', 'ours'):
            for phase in ('first', 'rerun'):
                runs = results['one_host'][tool][phase]
                tasks = {}
                for run in runs:
                    for name, seconds in run['task_seconds'].items():
                        tasks.setdefault(name, []).append(seconds)
                print('1 host %-4s %-5s: runs %s s; CPU %s; in tasks (median): %s'
                      % (tool, phase, ', '.join('%.2f' % r['seconds'] for r in runs), cpu_text(runs),
                         '; '.join('%s %.2f s' % (name, statistics.median(v)) for name, v in tasks.items())))
    if results['role']:
        print()
        print('\n'.join(role_text(results['role'])))
    for tool, fleet in sorted(results['fleet'].items()):
        print()
        n = len(runner.fleet)
        for key, hosts in (('1', '1 host'), ('n', '%d hosts' % n)):
            if tool == 'ours' and fleet.get('baseline'):
                runs = fleet['baseline'][key]
                print('fleet baseline %-7s: runs %s s; CPU %s'
                      % (hosts, ', '.join('%.2f' % r['seconds'] for r in runs), cpu_text(runs)))
            for phase in ('first', 'rerun'):
                runs = fleet[key][phase]
                print('fleet %-4s %-7s %-5s: runs %s s; CPU %s'
                      % (tool, hosts, phase, ', '.join('%.2f' % r['seconds'] for r in runs), cpu_text(runs)))
    if results.get('fleet_floor'):
        print()
        print('\n'.join(floor_text(results['fleet_floor'], len(runner.fleet))))
    print('(CPU: ansible-playbook with its forks and module processes; engines: dockerd and its containerd, which'
          " on a shared engine includes any other client's work)")
    if results.get('peer_fleet_skipped'):
        print('peer fleet not measured: %s' % results['peer_fleet_skipped'])
    for error in results['errors']:
        print('ERROR: %s' % error)
    failed = [r['scenario'] for r in rows if r['result'] == 'FAIL']
    print()
    print('targets missed: %s' % (', '.join(failed) if failed else 'none'))
    print('results: %s; took %.0f s' % (os.path.relpath(path, args.repo), meta['seconds']))
    return status


if __name__ == '__main__':
    sys.exit(main())
