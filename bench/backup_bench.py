# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Backup and restore throughput: volume_backup and volume_restore against the plain recipe and host tar.

bench/backup_run.sh prepares the engine, the image and the .venv and runs this file with the
.venv's python. On the main engine it:

- builds a 1 GiB named volume once (half in one random file, half in 1 MiB random files,
  written on the host through the volume's Mountpoint) and reuses it on later runs, and a
  100 MiB volume of the same shape for this run only;
- times, with the page cache dropped before each run and a sync after it (when running as
  root), a backup without compression three ways: the module (run as Ansible runs it: python
  -c runpy with the JSON ANSIBLE_MODULE_ARGS, the work tree on PYTHONPATH), the recipe
  ``docker run --rm -v VOL:/dbdata -v DIR:/backup IMAGE tar cf /backup/recipe.tar /dbdata``,
  and host ``tar cf`` of the Mountpoint (the disk's limit); then a restore into a new volume
  the same three ways; median of the repetitions, variants interleaved;
- records the module process's peak RSS (wait4's ru_maxrss) for both sizes;
- times the engine's side alone (the archive stream drained; put_archive of the archive) and,
  when a target is missed, runs the module once under cProfile and groups where its time goes.

Results go to stdout and, as JSON, to OUT_DIR/backup.json. The exit code is 0 when targets
are missed; non-zero only when the benchmark itself could not run.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import filecmp
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import docker

from bench_common import BenchError, loadavg, logger

log = logger('backup-bench')

ENGINE = 'unix:///var/run/docker.sock'
IMAGE = 'local/busybox:latest'
BIG = 'pvbench_1g'
SMALL = 'pvbench_100m'
RESTORED = 'pvbench_restored'
RECIPE_VOLUME = 'pvbench_recipe'
PROBE_VOLUME = 'pvbench_put'
PREFIX = 'pvbench_'
MIB = 1024 * 1024
MODULES = 'ansible_collections.persistent.volumes.plugins.modules.'
TARGETS = {'host': 1.3, 'recipe': 1.0}
FLAT_MIB = 8.0      # peak RSS counts as flat when the big volume's exceeds the small one's by at most this
RUNPY = ('import runpy, sys; sys.argv = ["module", sys.argv[1]]; '
         'runpy.run_module("%s%%s", run_name="__main__")' % MODULES)


def drop_caches(enabled):
    """sync, then drop the page cache (root only); False when it could not be dropped."""
    os.sync()
    if not enabled:
        return False
    try:
        with open('/proc/sys/vm/drop_caches', 'w') as handle:
            handle.write('3\n')
        return True
    except OSError:
        return False


def engine_cpu():
    """CPU seconds of the main engine so far (dockerd: own and reaped children, e.g. its archive helpers)."""
    try:
        with open('/var/run/docker.pid') as handle:
            pid = int(handle.read().strip())
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / float(os.sysconf('SC_CLK_TCK'))
    except (OSError, ValueError, IndexError):
        return 0.0


class Run(object):
    def __init__(self, seconds, maxrss_mib, returncode, stdout, stderr):
        self.seconds = seconds
        self.maxrss_mib = maxrss_mib
        self.cpu = 0.0          # user + system seconds of the process
        self.engine_cpu = 0.0   # of dockerd meanwhile
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def timed(argv, env=None, drop=True):
    """Run ``argv`` with a cold page cache; wall time including a final sync, and the child's peak RSS."""
    drop_caches(drop)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        engine_before = engine_cpu()
        started = time.monotonic()
        with subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env) as proc:
            dummy, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        os.sync()
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        run = Run(seconds, usage.ru_maxrss / 1024.0, proc.returncode,
                  out.read().decode('utf-8', 'replace'), err.read().decode('utf-8', 'replace'))
        run.cpu = usage.ru_utime + usage.ru_stime
        run.engine_cpu = engine_cpu() - engine_before
        return run


def checked(run, what):
    if run.returncode != 0:
        raise BenchError('%s exited %d:\n%s\n%s' % (what, run.returncode, run.stdout[-1500:], run.stderr[-1500:]))
    return run


def median(values):
    return statistics.median(values) if values else None


def ratio(ours, other):
    return ours / other if ours and other else None


# -- the volumes ----------------------------------------------------------------------------

def layout(size_mib):
    """(size of the one big file, number of 1 MiB files), in MiB: half and half."""
    big = size_mib // 2
    return big, size_mib - big


def mountpoint(api, name):
    return api.inspect_volume(name)['Mountpoint']


def volume_matches(root, size_mib):
    big, small = layout(size_mib)
    try:
        if sorted(os.listdir(root)) != ['big.bin', 'small'] or os.path.getsize(os.path.join(root, 'big.bin')) != big * MIB:
            return False
        names = os.listdir(os.path.join(root, 'small'))
        return len(names) == small and all(os.path.getsize(os.path.join(root, 'small', n)) == MIB for n in names)
    except OSError:
        return False


def write_random(path, mib):
    with open(path, 'wb') as handle:
        for dummy in range(mib):
            handle.write(os.urandom(MIB))


def ensure_volume(api, name, size_mib):
    """The named volume filled with ``size_mib`` MiB of random data (reused when it already is)."""
    try:
        api.inspect_volume(name)
    except docker.errors.NotFound:
        api.create_volume(name, labels={'pvbench': 'backup'})
    root = mountpoint(api, name)
    if volume_matches(root, size_mib):
        log('reusing volume %s (%d MiB)' % (name, size_mib))
        return root
    log('filling volume %s with %d MiB of random data through %s' % (name, size_mib, root))
    for entry in os.listdir(root):
        path = os.path.join(root, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    big, small = layout(size_mib)
    write_random(os.path.join(root, 'big.bin'), big)
    os.mkdir(os.path.join(root, 'small'))
    for index in range(small):
        write_random(os.path.join(root, 'small', 'f%04d.bin' % index), 1)
    os.sync()
    return root


def tree_summary(root):
    """(regular files, bytes) below ``root``."""
    files = size = 0
    for directory, dummy, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def same_tree(left, right):
    """True when both trees hold the same names and the same bytes."""
    comparison = filecmp.dircmp(left, right)
    todo = [(left, right, comparison)]
    while todo:
        here, there, comparison = todo.pop()
        if comparison.left_only or comparison.right_only or comparison.funny_files:
            return False
        dummy, mismatch, errors = filecmp.cmpfiles(here, there, comparison.common_files, shallow=False)
        if mismatch or errors:
            return False
        for name, sub in comparison.subdirs.items():
            todo.append((os.path.join(here, name), os.path.join(there, name), sub))
    return True


def remove_volume(api, name):
    """Remove the benchmark's volume ``name`` and any container that mounts it."""
    for container in api.containers(all=True, filters={'volume': name}):
        api.remove_container(container['Id'], force=True)
    try:
        api.remove_volume(name, force=True)
    except docker.errors.NotFound:
        pass


# -- the measured commands ------------------------------------------------------------------

class Bench(object):
    def __init__(self, args):
        self.args = args
        self.api = docker.APIClient(base_url=ENGINE, version='auto', timeout=600)
        self.work = os.path.join(args.out_dir, 'backup-work')
        self.env = dict(os.environ)
        self.env['PYTHONPATH'] = os.path.join(args.repo, '.build', 'pkg')
        for name in ('DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'):
            self.env.pop(name, None)
        self.drop = args.drop_caches
        self.docker_cli = shutil.which('docker') or '/usr/bin/docker'

    def path(self, name):
        return os.path.join(self.work, name)

    def module_argv(self, module, params):
        payload = dict(params, docker_host=ENGINE, _ansible_check_mode=False, _ansible_diff=False)
        return [self.args.python, '-c', RUNPY % module, json.dumps({'ANSIBLE_MODULE_ARGS': payload})]

    def run_module(self, module, params, what):
        run = checked(timed(self.module_argv(module, params), env=self.env, drop=self.drop), what)
        out = run.stdout
        try:
            result = json.loads(out[out.index('{'):])
        except ValueError:
            raise BenchError('%s printed no JSON:\n%s\n%s' % (what, out[-1500:], run.stderr[-1500:]))
        if result.get('failed') or not result.get('changed'):
            raise BenchError('%s: %s' % (what, result.get('msg') or 'reported no change'))
        return run

    # backups
    def ours_backup(self, volume, dest):
        for name in (dest, dest + '.manifest.json'):
            if os.path.exists(name):
                os.unlink(name)
        return self.run_module('volume_backup', dict(volume=volume, dest=dest, compression='none', force=True),
                               'volume_backup of %s' % volume)

    def recipe_backup(self, volume):
        target = self.path('recipe.tar')
        if os.path.exists(target):
            os.unlink(target)
        argv = [self.docker_cli, '-H', ENGINE, 'run', '--rm', '-v', '%s:/dbdata' % volume, '-v', '%s:/backup' % self.work,
                IMAGE, 'tar', 'cf', '/backup/recipe.tar', '/dbdata']
        return checked(timed(argv, drop=self.drop), 'the recipe backup')

    def host_backup(self, root):
        target = self.path('host.tar')
        if os.path.exists(target):
            os.unlink(target)
        argv = ['tar', 'cf', target, '-C', os.path.dirname(root), os.path.basename(root)]
        return checked(timed(argv, drop=self.drop), 'host tar cf')

    # restores
    def ours_restore(self, src):
        remove_volume(self.api, RESTORED)
        return self.run_module('volume_restore', dict(src=src, volume=RESTORED), 'volume_restore of %s' % src)

    def recipe_restore(self):
        remove_volume(self.api, RECIPE_VOLUME)
        argv = [self.docker_cli, '-H', ENGINE, 'run', '--rm', '-v', '%s:/dbdata' % RECIPE_VOLUME, '-v', '%s:/backup' % self.work,
                IMAGE, 'tar', 'xf', '/backup/recipe.tar', '-C', '/']
        return checked(timed(argv, drop=self.drop), 'the recipe restore')

    def host_restore(self):
        target = self.path('host-restore')
        if os.path.exists(target):
            shutil.rmtree(target)
        os.mkdir(target)
        argv = ['tar', 'xf', self.path('host.tar'), '-C', target]
        return checked(timed(argv, drop=self.drop), 'host tar xf')

    # the engine's side alone
    def engine_stream(self, volume):
        """Seconds to drain the engine's archive stream of ``volume`` (read, discarded) through the SDK."""
        holder = self.api.create_container(IMAGE, command=['true'], name='pvbench_stream',
                                           host_config=self.api.create_host_config(binds=['%s:/volume:ro' % volume]))
        try:
            drop_caches(self.drop)
            before = engine_cpu()
            started = time.monotonic()
            stream, dummy = self.api.get_archive(holder['Id'], '/volume', chunk_size=MIB)
            size = 0
            for chunk in stream:
                size += len(chunk)
            return time.monotonic() - started, size, engine_cpu() - before
        finally:
            self.api.remove_container(holder['Id'], force=True)

    def engine_put(self, src):
        """Seconds for put_archive of ``src`` (the module's archive) into a new volume, plus a sync."""
        remove_volume(self.api, PROBE_VOLUME)
        self.api.create_volume(PROBE_VOLUME, labels={'pvbench': 'backup'})
        holder = self.api.create_container(IMAGE, command=['true'], name='pvbench_put',
                                           host_config=self.api.create_host_config(binds=['%s:/volume' % PROBE_VOLUME]))
        try:
            drop_caches(self.drop)
            before = engine_cpu()
            started = time.monotonic()
            with open(src, 'rb') as data:
                self.api.put_archive(holder['Id'], '/', data)
            os.sync()
            return time.monotonic() - started, engine_cpu() - before
        finally:
            self.api.remove_container(holder['Id'], force=True)
            remove_volume(self.api, PROBE_VOLUME)

    def profile(self, module, params, name):
        """Run the module once under cProfile; its time grouped by kind, and the top functions."""
        target = self.path('%s.prof' % name)
        payload = dict(params, docker_host=ENGINE, _ansible_check_mode=False, _ansible_diff=False)
        argv = [self.args.python, '-m', 'cProfile', '-o', target, '-m', MODULES + module,
                json.dumps({'ANSIBLE_MODULE_ARGS': payload})]
        run = checked(timed(argv, env=self.env, drop=self.drop), 'cProfile of %s' % module)
        stats = pstats.Stats(target)
        groups = {}
        top = []
        for (filename, line, function), (dummy, calls, own, cumulative, dummy2) in stats.stats.items():
            group = profile_group(filename, function)
            groups[group] = groups.get(group, 0.0) + own
            top.append((own, cumulative, calls, '%s:%d(%s)' % (shorten(filename), line, function)))
        top.sort(reverse=True)
        phases = []
        for suffix, function, label in PHASES:
            for (filename, line, name), (dummy, calls, dummy2, cumulative, dummy3) in sorted(stats.stats.items()):
                if filename.endswith(suffix) and name == function:
                    where = '' if filename == '~' else ' [%s:%d]' % (os.path.basename(filename), line)
                    phases.append({'phase': label + where, 'cumulative_s': round(cumulative, 2), 'calls': calls})
        return {'seconds': round(run.seconds, 2), 'profiled_seconds': round(stats.total_tt, 2), 'phases': phases,
                'groups': dict((k, round(v, 2)) for k, v in sorted(groups.items(), key=lambda item: -item[1])),
                'top': [{'function': f, 'own_s': round(o, 2), 'cumulative_s': round(c, 2), 'calls': n}
                        for o, c, n, f in top[:12]]}


def shorten(filename):
    for marker in ('/site-packages/', '/ansible_collections/'):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return os.path.basename(filename)


# Cumulative time of the steps that matter, when the profile has them: (file, function, what it is).
PHASES = (
    ('volume_backup.py', 'main', 'volume_backup main() (after the imports)'),
    ('backup_runner.py', 'write_archive', '  write_archive: stream, re-write, hash, fsync'),
    ('archive_stream.py', 'copy_path', '    copy_path: tarfile read of the engine stream + tarfile write'),
    ('tarfile.py', 'copyfileobj', '      tarfile.copyfileobj (16 KiB blocks, member content)'),
    ('archive_stream.py', 'read', '      read() of ChunkReader (engine chunks) or _DigestingReader (content)'),
    ('~', '<built-in method posix.fsync>', '  fsync of the archive'),
    ('volume_restore.py', 'main', 'volume_restore main() (after the imports)'),
    ('archive_check.py', 'verify_checksum', '  verify_checksum: sha256 of the whole archive'),
    ('archive_check.py', 'check_members', '  check_members: tarfile pass over the whole archive'),
    ('restore_runner.py', 'fill', '  fill: put_archive of the archive to the engine'),
)

GROUPS = (
    ("<method 'recv_into' of '_socket.socket'", 'engine socket: receive'),
    ("<method 'sendall' of '_socket.socket'", 'engine socket: send'),
    ("<method 'send' of '_socket.socket'", 'engine socket: send'),
    ("<method 'update' of '_hashlib.HASH'", 'sha256 (hashlib update)'),
    ("<built-in method posix.fsync", 'fsync'),
    ("<method 'write' of '_io.", 'file write'),
    ("<method 'read' of '_io.", 'file read (buffered layers)'),
    ("<method 'readinto' of '_io.", 'file read (buffered layers)'),
)


def profile_group(filename, function):
    for prefix, group in GROUPS:
        if function.startswith(prefix):
            return group
    for marker, group in (('tarfile.py', 'tarfile.py (python code)'), ('archive_stream.py', 'archive_stream.py'),
                          ('archive_check.py', 'archive_check.py'), ('/http/client.py', 'http.client'),
                          ('/urllib3/', 'urllib3/requests/docker SDK'), ('/requests/', 'urllib3/requests/docker SDK'),
                          ('/docker/', 'urllib3/requests/docker SDK')):
        if marker in filename:
            return group
    return 'other (python start-up, imports, the rest)'


# -- the scenario ---------------------------------------------------------------------------

def measure(bench, args, results):
    api = bench.api
    big_root = ensure_volume(api, BIG, args.size_mib)
    ensure_volume(api, SMALL, args.small_mib)
    files_big = tree_summary(big_root)
    results['volumes'] = {BIG: {'mib': args.size_mib, 'files': files_big[0], 'bytes': files_big[1]},
                          SMALL: {'mib': args.small_mib}}
    ours_tar = bench.path('backup.tar')
    small_tar = bench.path('backup-small.tar')
    times = dict((op, {'ours': [], 'recipe': [], 'host': []}) for op in ('backup', 'restore'))
    cpu = dict((op, {'module': [], 'engine': []}) for op in ('backup', 'restore'))
    results['ours_cpu_seconds'] = cpu
    rss = {'backup': {SMALL: [], BIG: []}, 'restore': {SMALL: [], BIG: []}}
    results['seconds'] = times
    results['peak_rss_mib'] = rss

    log('%d MiB volume: module backup and restore (peak RSS; also warms the default image)' % args.small_mib)
    for dummy in range(args.reps):
        rss['backup'][SMALL].append(bench.ours_backup(SMALL, small_tar).maxrss_mib)
    for dummy in range(args.reps):
        rss['restore'][SMALL].append(bench.ours_restore(small_tar).maxrss_mib)
    remove_volume(api, RESTORED)

    for rep in range(1, args.reps + 1):
        log('backup of %s, repetition %d/%d' % (BIG, rep, args.reps))
        times['backup']['host'].append(bench.host_backup(big_root).seconds)
        times['backup']['recipe'].append(bench.recipe_backup(BIG).seconds)
        run = bench.ours_backup(BIG, ours_tar)
        times['backup']['ours'].append(run.seconds)
        rss['backup'][BIG].append(run.maxrss_mib)
        cpu['backup']['module'].append(run.cpu)
        cpu['backup']['engine'].append(run.engine_cpu)
        log('  host %.2f s, recipe %.2f s, module %.2f s (peak RSS %.1f MiB)'
            % (times['backup']['host'][-1], times['backup']['recipe'][-1], run.seconds, run.maxrss_mib))

    for rep in range(1, args.reps + 1):
        log('restore into a new volume, repetition %d/%d' % (rep, args.reps))
        times['restore']['host'].append(bench.host_restore().seconds)
        times['restore']['recipe'].append(bench.recipe_restore().seconds)
        run = bench.ours_restore(ours_tar)
        times['restore']['ours'].append(run.seconds)
        rss['restore'][BIG].append(run.maxrss_mib)
        cpu['restore']['module'].append(run.cpu)
        cpu['restore']['engine'].append(run.engine_cpu)
        log('  host %.2f s, recipe %.2f s, module %.2f s (peak RSS %.1f MiB)'
            % (times['restore']['host'][-1], times['restore']['recipe'][-1], run.seconds, run.maxrss_mib))
        for label, root in (('module', mountpoint(api, RESTORED)), ('recipe', mountpoint(api, RECIPE_VOLUME)),
                            ('host tar', bench.path('host-restore/' + os.path.basename(big_root)))):
            if tree_summary(root) != files_big:
                raise BenchError('the %s restore holds %s (files, bytes), the volume %s' % (label, tree_summary(root), files_big))
    if args.verify:
        log('comparing the module-restored volume with %s byte for byte' % BIG)
        results['restore_identical'] = same_tree(big_root, mountpoint(api, RESTORED))
        if not results['restore_identical']:
            raise BenchError('the volume restored by the module differs from %s' % BIG)

    log('the engine alone: archive stream drained, put_archive of the archive')
    engine = results['engine_only'] = {'stream_seconds': [], 'put_seconds': [], 'stream_engine_cpu': [], 'put_engine_cpu': []}
    for dummy in range(args.reps):
        seconds, size, cpu = bench.engine_stream(BIG)
        engine['stream_seconds'].append(seconds)
        engine['stream_engine_cpu'].append(cpu)
        engine['stream_bytes'] = size
        seconds, cpu = bench.engine_put(ours_tar)
        engine['put_seconds'].append(seconds)
        engine['put_engine_cpu'].append(cpu)


def summarize(results, args):
    times = results['seconds']
    med = dict((op, dict((tool, median(values)) for tool, values in per.items())) for op, per in times.items())
    peak = dict((op, dict((vol, max(values) if values else None) for vol, values in per.items()))
                for op, per in results['peak_rss_mib'].items())
    checks = []
    for op in ('backup', 'restore'):
        value = ratio(med[op]['ours'], med[op]['host'])
        checks.append({'name': '%s ours/host-tar' % op, 'value': value, 'target': '<= %.1f' % TARGETS['host'],
                       'pass': value is not None and value <= TARGETS['host']})
        value = ratio(med[op]['ours'], med[op]['recipe'])
        checks.append({'name': '%s ours/recipe' % op, 'value': value, 'target': '< %.1f' % TARGETS['recipe'],
                       'pass': value is not None and value < TARGETS['recipe']})
    for op in ('backup', 'restore'):
        small, big = peak[op][SMALL], peak[op][BIG]
        growth = big - small if small is not None and big is not None else None
        checks.append({'name': '%s peak RSS %d MiB -> %d MiB' % (op, args.small_mib, args.size_mib), 'value': growth,
                       'target': 'growth <= %.0f MiB' % FLAT_MIB, 'pass': growth is not None and growth <= FLAT_MIB,
                       'small_mib': small, 'big_mib': big})
    results['median_seconds'] = med
    results['peak_rss_max_mib'] = peak
    results['checks'] = checks
    return med, peak, checks


def print_table(results, args, med, peak, checks):
    mib = results['volumes'][BIG]['bytes'] / float(MIB)
    engine = results['engine_only']
    lines = ['',
             'Backup and restore of a %d MiB volume (%s: %d files, %.0f MiB), main engine, compression none' % (
                 args.size_mib, BIG, results['volumes'][BIG]['files'], mib),
             'median of %d; page cache %s before each run; each time includes a final sync; module run with python -c runpy'
             % (args.reps, 'dropped' if results['meta']['drop_caches'] else 'NOT dropped'),
             '',
             '%-52s %10s %9s %10s %9s' % ('', 'backup', 'MiB/s', 'restore', 'MiB/s')]

    def line(label, backup, restore):
        cells = []
        for value in (backup, restore):
            cells.append('%9.2fs %9.0f' % (value, mib / value) if value else '%10s %9s' % ('-', '-'))
        lines.append('%-52s %s %s' % (label, cells[0], cells[1]))

    line('persistent.volumes module (volume_backup/restore)', med['backup']['ours'], med['restore']['ours'])
    line('recipe: docker run busybox tar cf / tar xf', med['backup']['recipe'], med['restore']['recipe'])
    line('host tar cf / tar xf of the Mountpoint', med['backup']['host'], med['restore']['host'])
    line('engine alone: archive stream drained / put_archive', median(engine['stream_seconds']),
         median(engine['put_seconds']))
    lines += ['', '%-40s %8s %20s  %s' % ('check', 'value', 'target', 'result')]
    for check in checks:
        verdict = 'PASS' if check['pass'] else 'FAIL'
        if 'RSS' in check['name']:
            value = '%+.1f' % check['value']
            verdict += '   (%.1f MiB -> %.1f MiB)' % (check['small_mib'], check['big_mib'])
        else:
            value = '%.2f' % check['value'] if check['value'] else '-'
        lines.append('%-40s %8s %20s  %s' % (check['name'], value, check['target'], verdict))
    for name, seconds in (('backup', median(engine['stream_seconds'])), ('restore', median(engine['put_seconds']))):
        lines.append('%-40s %8.2f %20s  %s' % ('%s engine-alone/host-tar' % name, seconds / med[name]['host'], '(a floor)', 'info'))
    cpu = results['ours_cpu_seconds']
    lines.append('')
    lines.append('CPU seconds (median), module process + dockerd: backup %.2f + %.2f, restore %.2f + %.2f; '
                 'engine alone, dockerd: stream %.2f, put_archive %.2f (%d CPUs)'
                 % (median(cpu['backup']['module']), median(cpu['backup']['engine']), median(cpu['restore']['module']),
                    median(cpu['restore']['engine']), median(engine['stream_engine_cpu']), median(engine['put_engine_cpu']),
                    results['meta']['cpus']))
    lines.append('peak RSS of the module process (MiB): backup %d MiB %.1f, %d MiB %.1f; restore %d MiB %.1f, %d MiB %.1f'
                 % (args.small_mib, peak['backup'][SMALL], args.size_mib, peak['backup'][BIG],
                    args.small_mib, peak['restore'][SMALL], args.size_mib, peak['restore'][BIG]))
    for name, prof in sorted((results.get('profile') or {}).items()):
        lines += ['', 'where %s spends its time (cProfile, one run: %.1f s wall, %.1f s profiled):'
                  % (name, prof['seconds'], prof['profiled_seconds'])]
        for phase in prof['phases']:
            lines.append('  %-96s %7.2f s (%d calls)' % (phase['phase'], phase['cumulative_s'], phase['calls']))
        lines.append('  own time per group:')
        for group, seconds in prof['groups'].items():
            if seconds >= 0.05:
                lines.append('    %-44s %7.2f s' % (group, seconds))
        lines.append('  top functions by own time:')
        for entry in prof['top'][:8]:
            numbers = (entry['own_s'], entry['cumulative_s'], entry['calls'], entry['function'])
            lines.append('    %7.2f s own %7.2f s cum %8d calls  %s' % numbers)
    print('\n'.join(lines))
    sys.stdout.flush()


def clean(api, work, everything):
    for name in (RESTORED, RECIPE_VOLUME, PROBE_VOLUME, SMALL) + ((BIG,) if everything else ()):
        remove_volume(api, name)
    for name in ('pvbench_stream', 'pvbench_put'):
        try:
            api.remove_container(name, force=True)
        except docker.errors.NotFound:
            pass
    if os.path.isdir(work):
        shutil.rmtree(work)


def versions(api, args):
    meta = {'python': platform.python_version(), 'kernel': platform.release(), 'cpus': os.cpu_count(),
            'docker_sdk': docker.__version__}
    try:
        version = api.version()
        meta.update(engine=version.get('Version'), engine_api=version.get('ApiVersion'))
    except docker.errors.APIError:
        pass
    try:
        meta['commit'] = subprocess.run(['git', '-C', args.repo, 'rev-parse', '--short', 'HEAD'], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, universal_newlines=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        meta['commit'] = None
    return meta


def main(argv=None):
    parser = argparse.ArgumentParser(description='volume_backup / volume_restore throughput against the recipe and host tar')
    parser.add_argument('--repo', required=True, help='the collection root (its .build/pkg goes on PYTHONPATH)')
    parser.add_argument('--python', required=True, help='the python that runs the modules (the .venv one: Docker SDK)')
    parser.add_argument('--out-dir', required=True, help='where backup.json and the scratch directory go')
    parser.add_argument('--reps', type=int, default=3, help='repetitions of each timed run (median)')
    parser.add_argument('--size-mib', type=int, default=1024, help='size of the reusable volume %s' % BIG)
    parser.add_argument('--small-mib', type=int, default=100, help='size of the small volume (peak RSS comparison)')
    parser.add_argument('--no-drop-caches', dest='drop_caches', action='store_false',
                        help='do not drop the page cache before each run')
    parser.add_argument('--profile', choices=['auto', 'yes', 'no'], default='auto',
                        help='cProfile the module once per operation (auto: when a time target is missed)')
    parser.add_argument('--no-verify', dest='verify', action='store_false',
                        help='skip the byte-for-byte comparison of the restored volume')
    parser.add_argument('--clean', action='store_true', help='only remove everything, the %s volume too, and exit' % BIG)
    args = parser.parse_args(argv)
    args.repo = os.path.abspath(args.repo)
    args.out_dir = os.path.abspath(args.out_dir)
    bench = Bench(args)
    if args.clean:
        clean(bench.api, bench.work, everything=True)
        log('removed the volumes %s*, the containers mounting them and %s' % (PREFIX, bench.work))
        return 0
    if args.drop_caches and not drop_caches(True):
        log('WARNING: cannot drop the page cache (not root?); timings are with a warm cache')
        args.drop_caches = False
    bench.drop = args.drop_caches
    os.makedirs(bench.work, exist_ok=True)
    started = time.monotonic()
    results = {'meta': versions(bench.api, args), 'errors': []}
    results['meta'].update(reps=args.reps, drop_caches=args.drop_caches, loadavg_start=loadavg(),
                           started=time.strftime('%Y-%m-%dT%H:%M:%S%z'), module_runner='python -c runpy, PYTHONPATH=.build/pkg')
    status = 0
    try:
        measure(bench, args, results)
        med, peak, checks = summarize(results, args)
        missed = not all(check['pass'] for check in checks if 'RSS' not in check['name'])
        if args.profile == 'yes' or (args.profile == 'auto' and missed):
            log('a time target is missed: profiling the module once per operation')
            results['profile'] = {
                'volume_backup': bench.profile('volume_backup', dict(volume=BIG, dest=bench.path('backup.tar'),
                                                                     compression='none', force=True), 'backup'),
            }
            remove_volume(bench.api, RESTORED)
            results['profile']['volume_restore'] = bench.profile('volume_restore', dict(src=bench.path('backup.tar'),
                                                                                        volume=RESTORED), 'restore')
        results['meta'].update(loadavg_end=loadavg(), seconds=round(time.monotonic() - started, 1))
        print_table(results, args, med, peak, checks)
    except (BenchError, docker.errors.APIError, OSError) as exc:
        results['errors'].append(str(exc))
        log('ERROR: %s' % exc)
        status = 1
    finally:
        clean(bench.api, bench.work, everything=False)
        with open(os.path.join(args.out_dir, 'backup.json'), 'w') as handle:
            json.dump(results, handle, indent=2, sort_keys=True, default=str)
            handle.write('\n')
        log('results in %s; kept the volume %s for the next run (--clean removes it); took %.0f s'
            % (os.path.join(args.out_dir, 'backup.json'), BIG, time.monotonic() - started))
    return status


if __name__ == '__main__':
    sys.exit(main())
