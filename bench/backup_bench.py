# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Backup and restore throughput: volume_backup and volume_restore on both paths, against their floors.

bench/backup_run.sh prepares the engine, the image and the .venv and runs this file with the
.venv's python. On the main engine it:

- builds a 1 GiB named volume once (half in one random file, half in 1 MiB random files,
  written on the host through the volume's Mountpoint) and reuses it on later runs, and a
  100 MiB volume of the same shape for this run only;
- for each compression (none, gzip), times a backup and a restore five ways, interleaved,
  median of the repetitions, with the page cache dropped before each run and a sync after it:
  the module on the direct path (method=direct), the module through the engine
  (method=engine), the engine's archive endpoint alone (curl, no Python: GET into a file,
  through ``gzip -6`` for gzip; PUT of the module's archive), host ``tar`` of the Mountpoint
  (the disk's limit), and the recipe ``docker run --rm -v VOL:/dbdata -v DIR:/backup busybox
  tar ...``; the module is run as Ansible runs it (python -c runpy, JSON ANSIBLE_MODULE_ARGS);
- records the module process's peak RSS (wait4's ru_maxrss) at 100 MiB and 1 GiB, both paths;
- measures sha256 against blake2b on this machine (hashlib, 1 MiB blocks).

Results go to stdout and, as JSON, to OUT_DIR/backup.json. The exit code is 0 when targets are
missed; non-zero only when the benchmark itself could not run.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import docker

from backup_report import print_report, summarize
from backup_targets import measure_targets, target_lines, target_volume
from bench_common import BenchError, loadavg, logger

log = logger('backup-bench')

ENGINE = 'unix:///var/run/docker.sock'
SOCKET = '/var/run/docker.sock'
IMAGE = 'local/busybox:latest'
BIG = 'pvbench_1g'
SMALL = 'pvbench_100m'
RESTORED = 'pvbench_restored'
RECIPE_VOLUME = 'pvbench_recipe'
PROBE_VOLUME = 'pvbench_put'
HOLDER = 'pvbench_holder'
PREFIX = 'pvbench_'
MIB = 1024 * 1024
MODULES = 'ansible_collections.persistent.volumes.plugins.modules.'
RUNPY = ('import runpy, sys; sys.argv = ["module", sys.argv[1]]; '
         'runpy.run_module("%s%%s", run_name="__main__")' % MODULES)
SUFFIX = {'none': '.tar', 'gzip': '.tar.gz'}
TAR_FLAG = {'none': '', 'gzip': 'z'}
WAYS = ('direct', 'engine', 'floor', 'host', 'recipe')
# Floors that also do the integrity work the module must do (openssl, SHA extensions): a backup hashes
# the tar stream and, when compressed, the archive file too; a restore checks both before it writes.
HASHED = ('floor_sha', 'host_sha')
SHA = 'openssl dgst -sha256 >/dev/null'


def hashed_stream(compression, target):
    """The tail of a pipeline that writes a tar stream to ``target`` and hashes what the manifest needs."""
    if compression == 'gzip':
        return 'tee >(%s) | gzip -6 | tee %s | %s' % (SHA, target, SHA)
    return 'tee %s | %s' % (target, SHA)


def archive_check(compression, archive):
    """What a restore reads before it writes: the archive's sha256 and, when compressed, the tar's."""
    check = '%s < %s' % (SHA, archive)
    if compression == 'gzip':
        check += ' && gzip -dc %s | %s' % (archive, SHA)
    return check


# The recipe's commands in the image (busybox: its tar finds no gzip applet link, so gzip is piped).
RECIPE = {
    'none': (['tar', 'cf', '/backup/%(archive)s', '/dbdata'], ['tar', 'xf', '/backup/%(archive)s', '-C', '/']),
    'gzip': (['sh', '-c', 'tar cf - /dbdata | busybox gzip -6 > /backup/%(archive)s'],
             ['sh', '-c', 'busybox gzip -dc /backup/%(archive)s | tar xf - -C /']),
}


def recipe(compression, step, archive):
    """The recipe's command in the container: step 0 backs up, 1 restores."""
    return [part % dict(archive=archive) for part in RECIPE[compression][step]]


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


class Run(object):
    def __init__(self, seconds, maxrss_mib, returncode, stdout, stderr):
        self.seconds = seconds
        self.maxrss_mib = maxrss_mib
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def timed(argv, env=None, drop=True):
    """Run ``argv`` with a cold page cache; wall time including a final sync, and the child's peak RSS."""
    drop_caches(drop)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        with subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env) as proc:
            dummy, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        os.sync()
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024.0, proc.returncode,
                   out.read().decode('utf-8', 'replace'), err.read().decode('utf-8', 'replace'))


def checked(run, what):
    if run.returncode != 0:
        raise BenchError('%s exited %d:\n%s\n%s' % (what, run.returncode, run.stdout[-1500:], run.stderr[-1500:]))
    return run


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


def remove_volume(api, name):
    """Remove the benchmark's volume ``name`` and any container that mounts it."""
    for container in api.containers(all=True, filters={'volume': name}):
        api.remove_container(container['Id'], force=True)
    try:
        api.remove_volume(name, force=True)
    except docker.errors.NotFound:
        pass


def digest_speeds(mib=256):
    """MiB/s of hashlib's sha256 and blake2b on this machine (best of 3, 1 MiB blocks)."""
    block = os.urandom(MIB)
    speeds = {}
    for name in ('sha256', 'blake2b'):
        best = 0.0
        for dummy in range(3):
            digest = hashlib.new(name)
            started = time.perf_counter()
            for dummy in range(mib):
                digest.update(block)
            best = max(best, mib / (time.perf_counter() - started))
        speeds[name] = round(best)
    return speeds


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
        self.api_version = self.api.version().get('ApiVersion', '1.41')

    def path(self, name):
        return os.path.join(self.work, name)

    def run_module(self, module, params, what):
        payload = dict(params, docker_host=ENGINE, _ansible_check_mode=False, _ansible_diff=False)
        argv = [self.args.python, '-c', RUNPY % module, json.dumps({'ANSIBLE_MODULE_ARGS': payload})]
        run = checked(timed(argv, env=self.env, drop=self.drop), what)
        out = run.stdout
        try:
            result = json.loads(out[out.index('{'):])
        except ValueError:
            raise BenchError('%s printed no JSON:\n%s\n%s' % (what, out[-1500:], run.stderr[-1500:]))
        if result.get('failed') or not result.get('changed'):
            raise BenchError('%s: %s' % (what, result.get('msg') or 'reported no change'))
        if result.get('method') != params.get('method'):
            raise BenchError('%s took the %s path: %s' % (what, result.get('method'), result.get('method_reason')))
        return run

    def holder(self, volume, read_only):
        """A never-started container mounting ``volume`` at /volume, for the endpoint alone."""
        try:
            self.api.remove_container(HOLDER, force=True)
        except docker.errors.NotFound:
            pass
        binds = ['%s:/volume%s' % (volume, ':ro' if read_only else '')]
        return self.api.create_container(IMAGE, command=['true'], name=HOLDER,
                                         host_config=self.api.create_host_config(binds=binds))['Id']

    def url(self, container, path):
        return 'http://engine/v%s/containers/%s/archive?path=%s' % (self.api_version, container, path)

    # backups: each writes self.path('<way><suffix>')
    def backup(self, way, volume, compression):
        target = self.path(way + SUFFIX[compression])
        for name in (target, target + '.manifest.json'):
            if os.path.exists(name):
                os.unlink(name)
        if way in ('direct', 'engine'):
            return self.run_module('volume_backup', dict(volume=volume, dest=target, compression=compression,
                                                         method=way), 'volume_backup (%s) of %s' % (way, volume))
        if way == 'host':
            root = mountpoint(self.api, volume)
            argv = ['tar', 'c%sf' % TAR_FLAG[compression], target, '-C', os.path.dirname(root), os.path.basename(root)]
            return checked(timed(argv, drop=self.drop), 'host tar')
        if way == 'host_sha':
            root = mountpoint(self.api, volume)
            script = 'tar cf - -C %s %s | %s' % (os.path.dirname(root), os.path.basename(root),
                                                 hashed_stream(compression, target))
            return checked(timed(['bash', '-c', 'set -o pipefail; ' + script], drop=self.drop), 'host tar + sha256')
        if way == 'recipe':
            argv = [self.docker_cli, '-H', ENGINE, 'run', '--rm', '-v', '%s:/dbdata' % volume, '-v',
                    '%s:/backup' % self.work, IMAGE] + recipe(compression, 0, os.path.basename(target))
            return checked(timed(argv, drop=self.drop), 'the recipe backup')
        container = self.holder(volume, True)
        curl = "curl -sS --fail --unix-socket %s '%s'" % (SOCKET, self.url(container, '/volume'))
        script = '%s | gzip -6 > %s' % (curl, target) if compression == 'gzip' else '%s -o %s' % (curl, target)
        if way == 'floor_sha':
            script = '%s | %s' % (curl, hashed_stream(compression, target))
        return checked(timed(['bash', '-c', 'set -o pipefail; ' + script], drop=self.drop),
                       'the endpoint alone (GET)')

    # restores: each from its own kind of archive, into a new volume
    def restore(self, way, compression, module_archive):
        if way in ('direct', 'engine'):
            remove_volume(self.api, RESTORED)
            return self.run_module('volume_restore', dict(src=module_archive, volume=RESTORED, method=way),
                                   'volume_restore (%s) of %s' % (way, module_archive))
        if way in ('host', 'host_sha'):
            target = self.path('host-restore')
            if os.path.exists(target):
                shutil.rmtree(target)
            os.mkdir(target)
            archive = self.path('host' + SUFFIX[compression])
            script = '%s && tar x%sf %s -C %s' % (archive_check(compression, archive) if way == 'host_sha' else 'true',
                                                  TAR_FLAG[compression], archive, target)
            return checked(timed(['bash', '-c', script], drop=self.drop), 'host tar x')
        if way == 'recipe':
            remove_volume(self.api, RECIPE_VOLUME)
            argv = [self.docker_cli, '-H', ENGINE, 'run', '--rm', '-v', '%s:/dbdata' % RECIPE_VOLUME, '-v',
                    '%s:/backup' % self.work, IMAGE] + recipe(compression, 1, 'recipe' + SUFFIX[compression])
            return checked(timed(argv, drop=self.drop), 'the recipe restore')
        remove_volume(self.api, PROBE_VOLUME)
        self.api.create_volume(PROBE_VOLUME, labels={'pvbench': 'backup'})
        container = self.holder(PROBE_VOLUME, False)
        script = "%s && curl -sS --fail --unix-socket %s -X PUT -T %s '%s'" % (
            archive_check(compression, module_archive) if way == 'floor_sha' else 'true', SOCKET, module_archive,
            self.url(container, '/'))
        return checked(timed(['bash', '-c', script], drop=self.drop), 'the endpoint alone (PUT)')


# -- the scenario ---------------------------------------------------------------------------

def measure_rss(bench, args, results, compression='none'):
    """Peak RSS of the module on both paths at the small and the big size (one run each)."""
    rss = results.setdefault('peak_rss_mib', {})
    for size_name, volume in (('small', SMALL), ('big', BIG)):
        for way in ('direct', 'engine'):
            log('peak RSS: %s path, %s volume' % (way, volume))
            backup = bench.backup(way, volume, compression)
            archive = bench.path(way + SUFFIX[compression])
            restore = bench.restore(way, compression, archive)
            rss.setdefault('backup', {}).setdefault(way, {})[size_name] = backup.maxrss_mib
            rss.setdefault('restore', {}).setdefault(way, {})[size_name] = restore.maxrss_mib
    remove_volume(bench.api, RESTORED)


def measure_compression(bench, args, results, compression):
    times = results.setdefault('seconds', {}).setdefault(compression, {})
    ways = WAYS + HASHED
    for op in ('backup', 'restore'):
        times[op] = dict((way, []) for way in ways)
    for rep in range(1, args.reps + 1):
        log('%s backups of %s, repetition %d/%d' % (compression, BIG, rep, args.reps))
        for way in ways:
            times['backup'][way].append(bench.backup(way, BIG, compression).seconds)
        log('  ' + ', '.join('%s %.2f s' % (way, times['backup'][way][-1]) for way in ways))
    expected = tree_summary(mountpoint(bench.api, BIG))
    for rep in range(1, args.reps + 1):
        log('%s restores into a new volume, repetition %d/%d' % (compression, rep, args.reps))
        for way in ways:
            archive = bench.path(('direct' if way in ('direct', 'engine', 'floor', 'floor_sha') else way)
                                 + SUFFIX[compression])
            times['restore'][way].append(bench.restore(way, compression, archive).seconds)
        log('  ' + ', '.join('%s %.2f s' % (way, times['restore'][way][-1]) for way in ways))
        for label, root in (('module', mountpoint(bench.api, RESTORED)), ('recipe', mountpoint(bench.api, RECIPE_VOLUME)),
                            ('endpoint', mountpoint(bench.api, PROBE_VOLUME))):
            if tree_summary(root) != expected:
                raise BenchError('the %s restore holds %s (files, bytes), the volume %s' % (label, tree_summary(root),
                                                                                            expected))


def measure(bench, args, results):
    big_root = ensure_volume(bench.api, BIG, args.size_mib)
    ensure_volume(bench.api, SMALL, args.small_mib)
    files, size = tree_summary(big_root)
    results['volumes'] = {BIG: {'mib': args.size_mib, 'files': files, 'bytes': size}, SMALL: {'mib': args.small_mib}}
    log('sha256 against blake2b (hashlib, 1 MiB blocks)')
    results['digest_mib_per_s'] = digest_speeds()
    measure_rss(bench, args, results)
    for compression in args.compressions:
        measure_compression(bench, args, results, compression)


def clean(api, work, everything):
    for name in (RESTORED, RECIPE_VOLUME, PROBE_VOLUME, SMALL, target_volume(256)) + ((BIG,) if everything else ()):
        remove_volume(api, name)
    try:
        api.remove_container(HOLDER, force=True)
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


def parse(argv):
    parser = argparse.ArgumentParser(description='volume_backup / volume_restore on both paths against their floors')
    parser.add_argument('--repo', required=True, help='the collection root (its .build/pkg goes on PYTHONPATH)')
    parser.add_argument('--python', required=True, help='the python that runs the modules (the .venv one: Docker SDK)')
    parser.add_argument('--out-dir', required=True, help='where backup.json and the scratch directory go')
    parser.add_argument('--reps', type=int, default=3, help='repetitions of each timed run (median)')
    parser.add_argument('--size-mib', type=int, default=1024, help='size of the reusable volume %s' % BIG)
    parser.add_argument('--small-mib', type=int, default=100, help='size of the small volume (peak RSS comparison)')
    parser.add_argument('--compressions', nargs='+', default=['none', 'gzip'], choices=['none', 'gzip'],
                        help='the compressions to time (default: both)')
    parser.add_argument('--no-drop-caches', dest='drop_caches', action='store_false',
                        help='do not drop the page cache before each run')
    parser.add_argument('--targets-only', action='store_true',
                        help='only the targets of issue 21 (backup and restore at 256 MiB and 1 GiB against host tar)')
    parser.add_argument('--ops', nargs='+', default=['backup', 'restore'], choices=['backup', 'restore'],
                        help='with --targets-only: the operations to time (restore alone still makes its archives '
                             'once per size, untimed)')
    parser.add_argument('--clean', action='store_true', help='only remove everything, the %s volume too, and exit' % BIG)
    parser.add_argument('--activated', action='store_true',
                        help='on an engine of its own started as systemd starts Docker on stock hosts: a listener '
                             'holds the socket and hands it to dockerd -H fd:// (results: backup-activated.json)')
    args = parser.parse_args(argv)
    args.repo = os.path.abspath(args.repo)
    args.out_dir = os.path.abspath(args.out_dir)
    return args


def results_file(args):
    return 'backup-activated.json' if args.activated else 'backup.json'


def activated_engine(args):
    """An extra engine (own network namespace, data root under /tmp) behind a socket-activation listener,
    with local/busybox:latest; ENGINE and SOCKET name it from here on. Returns it (stop() it)."""
    global ENGINE, SOCKET
    sys.path.insert(0, os.path.join(args.repo, 'tests', 'system'))
    from lab import ExtraEngine  # the lab's engines, shared with the system tests
    engine = ExtraEngine('pvbench%d' % os.getpid(), activated=True)
    engine.start()
    main = docker.APIClient(base_url=ENGINE, version='auto', timeout=600)
    client = docker.APIClient(base_url=engine.docker_host, version='auto', timeout=600)
    client.load_image(main.get_image(IMAGE))
    ENGINE, SOCKET = engine.docker_host, engine.socket
    log('engine behind socket activation: listener pid %d, dockerd pid %d, %s'
        % (engine.listener_pid, engine.engine_pid, engine.docker_host))
    return engine


def main(argv=None):
    args = parse(argv)
    engine = activated_engine(args) if args.activated else None
    try:
        return run(args)
    finally:
        if engine is not None:
            engine.stop()


def run(args):
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
        if not args.activated:
            measure_targets(bench, args, results, log)
        if not args.targets_only:
            measure(bench, args, results)
        results['meta'].update(loadavg_end=loadavg(), seconds=round(time.monotonic() - started, 1))
        if not args.targets_only:
            print_report(results, args, summarize(results, args))
        print('\n'.join(target_lines(results) + ['load average %s -> %s, commit %s' % (
            results['meta'].get('loadavg_start'), results['meta'].get('loadavg_end'), results['meta'].get('commit'))]))
        sys.stdout.flush()
    except (BenchError, docker.errors.APIError, OSError) as exc:
        results['errors'].append(str(exc))
        log('ERROR: %s' % exc)
        status = 1
    finally:
        clean(bench.api, bench.work, everything=False)
        with open(os.path.join(args.out_dir, results_file(args)), 'w') as handle:
            json.dump(results, handle, indent=2, sort_keys=True, default=str)
            handle.write('\n')
        kept = ('the engine and its volumes go' if args.activated
                else 'kept the volume %s for the next run (--clean removes it)' % BIG)
        log('results in %s; %s; took %.0f s' % (os.path.join(args.out_dir, results_file(args)), kept,
                                                time.monotonic() - started))
    return status


if __name__ == '__main__':
    sys.exit(main())
