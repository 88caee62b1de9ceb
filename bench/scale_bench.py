# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Scale: volume_info and layout on an engine holding many volumes and containers.

bench/scale_run.sh starts an engine of the benchmark's own, imports local/busybox:latest
into it and runs this file with the .venv's python (the work tree on PYTHONPATH). It:

- fills the engine through the Docker SDK, one size after the other, each building on the
  last: named volumes ``pvscale_vNNNN``; data containers ``pvscale_dNNNN`` (created, never
  started, two of the volumes each) for a third of the containers; consumers
  ``pvscale_cNNNN`` (created, not started, command ``true``, ``--volumes-from`` one data
  container) for the other two thirds;
- at each size runs, as Ansible runs a module (python -c runpy, the JSON arguments in a
  file, the work tree on PYTHONPATH): volume_info on all volumes, with include_usage and
  with include_layout; layout fed with the layout key (adoption); layout declaring every
  data container and consumer explicitly. Wall time and the module's ``api_calls``, median
  of the repetitions (one only when a run takes longer than ``--cheap`` seconds);
- runs the same work again in this process, on an ``EngineAPI`` of its own and a small
  stand-in for the module, to get the calls by kind (``EngineAPI.calls``) and the time of
  the work alone (no interpreter start, no imports), median of the repetitions;
- prints a table, the growth of calls and of time from the smallest to the largest size
  against the growth of objects, and a verdict: LINEAR when calls per object stay within
  ``--tolerance`` across sizes, else SUPERLINEAR with the kinds of calls that grow faster
  than the objects. When the work time per object rises beyond the tolerance, the work is
  profiled once at the largest size and the functions with the most own time are shown.

Results go to stdout and, as JSON, to OUT_DIR/scale.json. The exit code is 0 when the calls
grow superlinearly (it is a measurement); non-zero only when the benchmark could not run,
a module failed, or the adoption run reported a change.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import docker

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.interface import ModuleEngine
from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import CONNECTION_ARGS, ConnectionOptions
from ansible_collections.persistent.volumes.plugins.module_utils.engine.api import EngineAPI
from ansible_collections.persistent.volumes.plugins.module_utils.layout.runner import LayoutRun
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LAYOUT_ARGS, LayoutSpec
from ansible_collections.persistent.volumes.plugins.module_utils.volume.info import report_volumes
from ansible_collections.persistent.volumes.plugins.modules.volume_info import ARGUMENT_SPEC as VOLUME_INFO_ARGS

from bench_common import BenchError, loadavg, logger

log = logger('scale-bench')

IMAGE = 'local/busybox:latest'
PREFIX = 'pvscale_'
MODULES = 'ansible_collections.persistent.volumes.plugins.modules.'
RUNPY = ('import runpy, sys; sys.argv = ["module", sys.argv[1]]; '
         'runpy.run_module("%s%%s", run_name="__main__")' % MODULES)
DEFAULT_SIZES = '100:30,300:90,1000:300'
VARIANTS = ('info', 'info_usage', 'info_layout', 'layout_adopt', 'layout_explicit')
DESCRIPTIONS = {
    'info': 'volume_info (all volumes)',
    'info_usage': 'volume_info include_usage',
    'info_layout': 'volume_info include_layout',
    'layout_adopt': 'layout <- volume_info.layout',
    'layout_explicit': 'layout, containers listed',
}


def stop(signum, dummy):
    """SIGTERM (bench/scale_run.sh stopping): unwind, so that the module run in progress is killed."""
    raise BenchError('stopped by signal %d' % signum)


def parse_sizes(text):
    sizes = []
    for part in text.split(','):
        try:
            volumes, containers = (int(value) for value in part.split(':'))
        except ValueError:
            raise argparse.ArgumentTypeError('sizes are VOLUMES:CONTAINERS[,...], got %r' % part)
        if containers < 3 or volumes < 2 * (containers // 3):
            raise argparse.ArgumentTypeError('%s: at least 3 containers and 2 volumes per data container' % part)
        sizes.append((volumes, containers))
    if sorted(sizes) != sizes or len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError('sizes must grow: the state is built incrementally')
    return sizes


def volume_name(index):
    return '%sv%04d' % (PREFIX, index)


def data_name(index):
    return '%sd%04d' % (PREFIX, index)


def consumer_name(index):
    return '%sc%04d' % (PREFIX, index)


def split_containers(containers):
    """(data containers, consumers): a third of them data containers, the rest consumers."""
    data = max(1, containers // 3)
    return data, containers - data


def consumer_source(index, data_count):
    """The data container consumer ``index`` takes its volumes from (two consumers each)."""
    return data_name(min(index // 2, data_count - 1))


def data_mounts(index):
    return ['%s:/data/a' % volume_name(2 * index), '%s:/data/b' % volume_name(2 * index + 1)]


def shorten(filename):
    """A profiled file's name from ``plugins/`` on (or its last two parts): no machine paths in the output."""
    parts = filename.replace(os.sep, '/').split('/')
    if 'plugins' in parts:
        return '/'.join(parts[parts.index('plugins'):])
    return '/'.join(parts[-2:])


def median(values):
    return statistics.median(values)


class Filler(object):
    """Builds the state of a size on top of what the engine already has."""

    def __init__(self, api):
        self.api = api

    def existing(self):
        volumes = set(v['Name'] for v in self.api.volumes().get('Volumes') or [] if v['Name'].startswith(PREFIX))
        containers = set()
        for summary in self.api.containers(all=True):
            for name in summary.get('Names') or []:
                if name.lstrip('/').startswith(PREFIX):
                    containers.add(name.lstrip('/'))
        return volumes, containers

    def fill(self, volumes, containers):
        started = time.monotonic()
        have_volumes, have_containers = self.existing()
        made = dict(volumes=0, data_containers=0, consumers=0)
        for index in range(volumes):
            if volume_name(index) not in have_volumes:
                self.api.create_volume(volume_name(index), driver='local')
                made['volumes'] += 1
        data_count, consumer_count = split_containers(containers)
        for index in range(data_count):
            name = data_name(index)
            if name not in have_containers:
                host_config = self.api.create_host_config(binds=data_mounts(index))
                self.api.create_container(IMAGE, command=['true'], name=name, volumes=['/data/a', '/data/b'],
                                          host_config=host_config)
                made['data_containers'] += 1
        for index in range(consumer_count):
            name = consumer_name(index)
            if name not in have_containers:
                host_config = self.api.create_host_config(volumes_from=[consumer_source(index, data_count)])
                self.api.create_container(IMAGE, command=['true'], name=name, host_config=host_config)
                made['consumers'] += 1
        have_volumes, have_containers = self.existing()
        if len(have_volumes) != volumes or len(have_containers) != containers:
            raise BenchError('the engine holds %d volumes and %d containers of the benchmark, %d and %d wanted '
                             '(is it the benchmark\'s own, empty engine?)'
                             % (len(have_volumes), len(have_containers), volumes, containers))
        made['seconds'] = round(time.monotonic() - started, 2)
        return made

    def totals(self):
        """Everything the engine holds (the modules see it all, not only the benchmark's objects)."""
        return len(self.api.volumes().get('Volumes') or []), len(self.api.containers(all=True))


def explicit_layout(containers):
    data_count, consumer_count = split_containers(containers)
    return dict(
        data_containers=[dict(name=data_name(index), volumes=data_mounts(index), image=IMAGE)
                         for index in range(data_count)],
        consumers=[dict(container=consumer_name(index), **{'from': ['%s:rw' % consumer_source(index, data_count)]})
                   for index in range(consumer_count)],
    )


class InProcessEngine(ModuleEngine):
    """The ModuleEngine the work functions get, without an AnsibleModule: the parameters, the
    connection and ``apply`` (a real run, no diff); the EngineAPI counts the calls by kind."""

    def __init__(self, params):
        self.params = params
        self.options = ConnectionOptions(params)
        self.api = EngineAPI(self.options)
        self.warnings = []

    @property
    def check_mode(self):
        return False

    @property
    def diff_mode(self):
        return False

    def warn(self, message):
        self.warnings.append(message)


def with_defaults(spec, params):
    """``params`` with the argument spec's defaults filled in (what AnsibleModule would pass)."""
    merged = dict((key, option.get('default')) for key, option in spec.items())
    merged.update(params)
    return merged


class Bench(object):
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix='pvscale-args-', dir=args.tmp_dir)
        self.env = dict(os.environ)
        self.env['PYTHONPATH'] = args.pkg + (':' + self.env['PYTHONPATH'] if self.env.get('PYTHONPATH') else '')
        self.params = {}  # variant -> the module arguments of the last size

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def module_params(self, params):
        merged = dict(params)
        merged['docker_host'] = self.args.docker_host
        merged['timeout'] = self.args.timeout
        return merged

    def run_module(self, module, params, what):
        """Run the module as Ansible does; (seconds, result)."""
        payload = self.module_params(params)
        payload['_ansible_check_mode'] = False
        payload['_ansible_diff'] = False
        path = os.path.join(self.tmp, 'args.json')
        with open(path, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': payload}, handle)
        started = time.monotonic()
        proc = subprocess.run([self.args.python, '-c', RUNPY % module, path], env=self.env, check=False,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=self.args.module_timeout)
        seconds = time.monotonic() - started
        out = proc.stdout.decode('utf-8', 'replace')
        try:
            result = json.loads(out[out.index('{'):])
        except ValueError:
            raise BenchError('%s printed no JSON (rc=%s)\nstdout: %s\nstderr: %s'
                             % (what, proc.returncode, out[-2000:], proc.stderr.decode('utf-8', 'replace')[-2000:]))
        if proc.returncode != 0 or result.get('failed'):
            raise BenchError('%s failed (rc=%s): %s' % (what, proc.returncode, result.get('msg')))
        return seconds, result

    def measure(self, module, params, what):
        """Median wall time of the repetitions (one when a run is not cheap), api_calls and the last result."""
        times, calls, result = [], [], None
        for rep in range(self.args.reps):
            seconds, result = self.run_module(module, params, what)
            times.append(seconds)
            calls.append(result.get('api_calls'))
            if rep == 0 and seconds > self.args.cheap:
                break
        if len(set(calls)) > 1:
            log('%s: api_calls differ between repetitions: %s' % (what, calls))
        return dict(seconds=median(times), times=[round(t, 3) for t in times], api_calls=max(calls)), result

    def in_process(self, variant, params, profiler=None):
        """The variant's work in this process, connection included: (calls by kind, seconds)."""
        spec = VOLUME_INFO_ARGS if variant.startswith('info') else LAYOUT_ARGS
        full = with_defaults(CONNECTION_ARGS, with_defaults(spec, self.module_params(params)))
        engine = InProcessEngine(full)
        # The benchmark's own objects (results of earlier runs) are kept out of the garbage
        # collector's way, so the work meets a heap like a module process's.
        gc.collect()
        gc.freeze()
        started = time.monotonic()
        if profiler:
            profiler.enable()
        try:
            if spec is VOLUME_INFO_ARGS:
                result = report_volumes(engine)
            else:
                result = LayoutRun(engine).run(LayoutSpec(full))
        finally:
            if profiler:
                profiler.disable()
            seconds = time.monotonic() - started
            gc.unfreeze()
        engine.api.client.close()
        if result.get('changed') and variant == 'layout_adopt':
            raise BenchError('%s changed something when run in-process: %s' % (variant, result.get('summary')))
        return dict(engine.api.calls), seconds

    def work(self, variant, params, what):
        """Calls by kind, and the times of the work alone (no interpreter start, no imports)."""
        kinds, times = None, []
        for dummy in range(self.args.reps):
            calls, seconds = self.in_process(variant, params)
            if kinds is not None and calls != kinds:
                log('%s: in-process calls differ between repetitions: %s, %s' % (what, kinds, calls))
            kinds = calls
            times.append(seconds)
        return kinds, times

    def profile(self, variant, params, top):
        """Where the work's time goes: the functions with the most own time."""
        profiler = cProfile.Profile()
        self.in_process(variant, params, profiler=profiler)
        stats = pstats.Stats(profiler)
        rows = []
        for (filename, line, function), (dummy, ncalls, tottime, cumtime, dummy2) in stats.stats.items():  # pylint: disable=no-member
            rows.append(dict(function='%s:%d(%s)' % (shorten(filename), line, function), calls=ncalls,
                             own_seconds=round(tottime, 3), cumulative_seconds=round(cumtime, 3)))
        rows.sort(key=lambda row: row['own_seconds'], reverse=True)
        return rows[:top]

    def size(self, volumes, containers):
        variants = {}
        info_params = {'info': {}, 'info_usage': dict(include_usage=True), 'info_layout': dict(include_layout=True)}
        layout_key = None
        for variant in VARIANTS:
            module = 'volume_info' if variant.startswith('info') else 'layout'
            if variant == 'layout_adopt':
                params = layout_key
            elif variant == 'layout_explicit':
                params = explicit_layout(containers)
            else:
                params = info_params[variant]
            what = '%s at %d volumes/%d containers' % (variant, volumes, containers)
            entry, result = self.measure(module, params, what)
            if variant == 'info':
                entry['volumes_reported'] = len(result.get('volumes') or [])
            if variant == 'info_layout':
                layout_key = result.get('layout')
                entry['layout_items'] = dict((key, len(value)) for key, value in (layout_key or {}).items())
            if module == 'layout':
                entry['changed'] = bool(result.get('changed'))
                entry['summary'] = result.get('summary')
                if variant == 'layout_adopt' and entry['changed']:
                    raise BenchError('%s reported a change: %s' % (what, result.get('summary')))
                if entry['changed']:
                    log('%s changed something: %s' % (what, result.get('summary')))
            if not self.args.no_kinds:
                kinds, times = self.work(variant, params, what)
                entry['calls_by_kind'] = kinds
                entry['work_seconds'] = median(times)
                entry['work_times'] = [round(t, 3) for t in times]
                if sum(kinds.values()) != entry['api_calls']:
                    log('%s: in-process run made %d calls, the module %d' % (what, sum(kinds.values()), entry['api_calls']))
            work = '' if self.args.no_kinds else ' (work alone %.2f s)' % entry['work_seconds']
            log('%-16s %8.2f s %6d calls%s' % (variant, entry['seconds'], entry['api_calls'], work))
            variants[variant] = entry
            self.params[variant] = params
        return variants


def growth(first, last):
    if not first:
        return None
    return last / float(first)


def spread(values):
    """max/min of positive values (None when there is nothing to compare)."""
    values = [value for value in values if value is not None]
    if not values or min(values) <= 0:
        return None
    return max(values) / min(values)


def analyse(rows, tolerance):
    """Per variant: growth of calls, of time and of objects, and the verdicts."""
    first, last = rows[0], rows[-1]
    objects = growth(first['objects'], last['objects'])
    verdicts = {}
    for variant in VARIANTS:
        entries = [row['variants'][variant] for row in rows]
        per_object = [entry['api_calls'] / float(row['objects']) for entry, row in zip(entries, rows)]
        calls_spread = spread(per_object)
        verdict = dict(
            objects_growth=objects,
            calls_growth=growth(entries[0]['api_calls'], entries[-1]['api_calls']),
            time_growth=growth(entries[0]['seconds'], entries[-1]['seconds']),
            calls_per_object=[round(value, 3) for value in per_object],
            calls_per_object_spread=calls_spread,
            time_per_object_ms=[round(entry['seconds'] / row['objects'] * 1000, 3) for entry, row in zip(entries, rows)],
            verdict='LINEAR' if calls_spread is not None and calls_spread <= tolerance else 'SUPERLINEAR',
        )
        if all('work_seconds' in entry for entry in entries):
            # Time has a fixed part (connection, first listings) that weighs most at the smallest
            # size, so only a rise of the time per object counts, not its spread.
            work_per_object = [entry['work_seconds'] / row['objects'] for entry, row in zip(entries, rows)]
            work_rise = growth(work_per_object[0], work_per_object[-1])
            verdict.update(
                work_growth=growth(entries[0]['work_seconds'], entries[-1]['work_seconds']),
                work_per_object_ms=[round(value * 1000, 3) for value in work_per_object],
                work_per_object_rise=work_rise,
                time_verdict='LINEAR' if work_rise is not None and work_rise <= tolerance else 'SUPERLINEAR',
            )
        if 'calls_by_kind' in entries[0] and 'calls_by_kind' in entries[-1]:
            kinds_first, kinds_last = entries[0]['calls_by_kind'], entries[-1]['calls_by_kind']
            growing = {}
            for kind in sorted(set(kinds_first) | set(kinds_last)):
                before, after = kinds_first.get(kind, 0), kinds_last.get(kind, 0)
                if after > before * objects * tolerance:
                    growing[kind] = dict(smallest=before, largest=after)
            verdict['kinds_growing_faster'] = growing
        verdicts[variant] = verdict
    return verdicts


def fmt(value, pattern='%.2f'):
    return '-' if value is None else pattern % value


def print_report(rows, verdicts, tolerance, profiles):
    print('')
    print('Scale: engine API calls and wall time per module run (median of the repetitions); work = the same')
    print('work in-process, without interpreter start and imports')
    print('%-11s %-30s %8s %8s %9s %12s' % ('size (v/c)', 'module / variant', 'seconds', 'work s', 'api_calls', 'calls/object'))
    for row in rows:
        label = '%d/%d' % (row['volumes'], row['containers'])
        for variant in VARIANTS:
            entry = row['variants'][variant]
            note = ''
            if 'changed' in entry:
                note = '  changed' if entry['changed'] else '  no change'
            print('%-11s %-30s %8.2f %8s %9d %12.3f%s'
                  % (label, DESCRIPTIONS[variant], entry['seconds'], fmt(entry.get('work_seconds')), entry['api_calls'],
                     entry['api_calls'] / float(row['objects']), note))
    first, last = rows[0], rows[-1]
    print('')
    print('Load average (1 min) at each size: %s (the machine is shared: times vary between runs)'
          % ', '.join(fmt((row.get('loadavg') or [None])[0]) for row in rows))
    print('')
    print('Growth from %d to %d objects (x%.1f). Calls: LINEAR when calls per object stay within x%.1f (max/min)'
          % (first['objects'], last['objects'], growth(first['objects'], last['objects']), tolerance))
    print('across sizes. Work time: LINEAR when the work time per object rises by at most x%.1f.' % tolerance)
    print('%-30s %8s %8s %8s %13s %-11s %13s %s'
          % ('module / variant', 'calls x', 'time x', 'work x', 'calls/obj spr', 'calls', 'work/obj rise', 'work time'))
    for variant in VARIANTS:
        verdict = verdicts[variant]
        print('%-30s %8s %8s %8s %13s %-11s %13s %s'
              % (DESCRIPTIONS[variant], fmt(verdict['calls_growth']), fmt(verdict['time_growth']),
                 fmt(verdict.get('work_growth')), fmt(verdict['calls_per_object_spread']), verdict['verdict'],
                 fmt(verdict.get('work_per_object_rise')), verdict.get('time_verdict', '-')))
    if any('calls_by_kind' in first['variants'][variant] for variant in VARIANTS):
        print('')
        print('Calls by kind (EngineAPI.calls of the in-process run), per size')
        for variant in VARIANTS:
            kinds = sorted(set().union(*(row['variants'][variant].get('calls_by_kind', {}) for row in rows)))
            cells = []
            for kind in kinds:
                counts = '/'.join(str(row['variants'][variant].get('calls_by_kind', {}).get(kind, 0)) for row in rows)
                cells.append('%s %s' % (kind, counts))
            print('  %-30s %s' % (DESCRIPTIONS[variant], ', '.join(cells)))
    for variant, top in profiles.items():
        print('')
        print('Where the work time of "%s" goes at %d/%d (cProfile, own time):'
              % (DESCRIPTIONS[variant], last['volumes'], last['containers']))
        for row in top:
            print('  %7.3f s own %7.3f s cumulative %9s calls  %s'
                  % (row['own_seconds'], row['cumulative_seconds'], row['calls'], row['function']))
    superlinear = [variant for variant in VARIANTS if verdicts[variant]['verdict'] != 'LINEAR']
    print('')
    if not superlinear:
        print('Verdict: LINEAR - the calls per object of every variant stay within x%.1f across sizes.' % tolerance)
    else:
        print('Verdict: SUPERLINEAR for %s' % ', '.join(DESCRIPTIONS[variant] for variant in superlinear))
        for variant in superlinear:
            growing = verdicts[variant].get('kinds_growing_faster') or {}
            parts = ['%s %d -> %d' % (kind, counts['smallest'], counts['largest']) for kind, counts in growing.items()]
            print('  %s: calls growing faster than the objects: %s'
                  % (DESCRIPTIONS[variant], ', '.join(parts) or 'none by kind (the constant calls weigh more at the smallest size)'))
    slow = [variant for variant in VARIANTS if verdicts[variant].get('time_verdict') == 'SUPERLINEAR']
    if slow:
        print('Work time per object rises more than x%.1f for: %s (see the profiles above)'
              % (tolerance, ', '.join(DESCRIPTIONS[variant] for variant in slow)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--docker-host', required=True, help='the benchmark\'s own engine (it is filled, not emptied)')
    parser.add_argument('--python', default=sys.executable, help='python that runs the modules (with the Docker SDK)')
    parser.add_argument('--pkg', required=True, help='directory holding ansible_collections/persistent/volumes')
    parser.add_argument('--out-dir', default='.build/bench')
    parser.add_argument('--tmp-dir', help='where the modules\' argument files are written (default: the system\'s)')
    parser.add_argument('--sizes', type=parse_sizes, default=parse_sizes(DEFAULT_SIZES),
                        help='VOLUMES:CONTAINERS,... growing (default %s)' % DEFAULT_SIZES)
    parser.add_argument('--reps', type=int, default=3, help='repetitions of each run (median)')
    parser.add_argument('--cheap', type=float, default=10.0, help='a module run longer than this many seconds is not repeated')
    parser.add_argument('--tolerance', type=float, default=1.5, help='largest spread of calls per object still LINEAR')
    parser.add_argument('--timeout', type=int, default=120, help='the modules\' engine timeout')
    parser.add_argument('--module-timeout', type=int, default=600, help='seconds before a module run is killed')
    parser.add_argument('--no-kinds', action='store_true', help='skip the in-process runs (calls by kind, work time, profiles)')
    parser.add_argument('--top', type=int, default=8, help='functions shown for a variant whose work time grows superlinearly')
    args = parser.parse_args()
    if args.reps < 1:
        parser.error('--reps must be at least 1')

    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    api = docker.APIClient(base_url=args.docker_host, version='auto', timeout=args.timeout)
    try:
        api.inspect_image(IMAGE)
    except docker.errors.APIError as exc:
        raise BenchError('%s is missing on %s (bench/scale_run.sh imports it): %s' % (IMAGE, args.docker_host, exc))
    engine_version = api.version()
    filler = Filler(api)
    bench = Bench(args)
    rows = []
    try:
        for volumes, containers in args.sizes:
            log('filling the engine to %d volumes and %d containers' % (volumes, containers))
            made = filler.fill(volumes, containers)
            total_volumes, total_containers = filler.totals()
            log('made %(volumes)d volumes, %(data_containers)d data containers, %(consumers)d consumers in %(seconds).1f s'
                % made)
            row = dict(volumes=total_volumes, containers=total_containers, objects=total_volumes + total_containers,
                       fill=made, loadavg=loadavg())
            row['variants'] = bench.size(volumes, containers)
            rows.append(row)
        verdicts = analyse(rows, args.tolerance)
        profiles = {}
        if not args.no_kinds and len(rows) > 1:
            for variant in VARIANTS:
                if verdicts[variant].get('time_verdict') == 'SUPERLINEAR':
                    log('profiling %s at the largest size' % variant)
                    profiles[variant] = bench.profile(variant, bench.params[variant], args.top)
    finally:
        bench.close()
    elapsed = time.monotonic() - started
    print_report(rows, verdicts, args.tolerance, profiles)
    print('')
    print('Took %.0f s: filling the engine, up to %d module runs per variant and size%s.'
          % (elapsed, args.reps, '' if args.no_kinds else ', as many in-process runs'))
    report = dict(
        sizes=[dict(volumes=volumes, containers=containers) for volumes, containers in args.sizes],
        rows=rows, verdicts=verdicts, profiles=profiles, tolerance=args.tolerance, reps=args.reps,
        cheap_seconds=args.cheap, seconds=round(elapsed, 1), cpus=os.cpu_count(), python=platform.python_version(),
        engine=dict(version=engine_version.get('Version'), api_version=engine_version.get('ApiVersion')),
        docker_sdk=docker.__version__, loadavg_end=loadavg(),
    )
    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, 'scale.json')
    with open(out, 'w') as handle:
        json.dump(report, handle, indent=2, sort_keys=True)
    log('results written to %s' % out)
    api.close()
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except BenchError as exc:
        log('ERROR: %s' % exc)
        sys.exit(1)
