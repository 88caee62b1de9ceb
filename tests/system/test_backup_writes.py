# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A backup's writes fail or die at each step, with and without ``keep``: at every moment the
destination holds a complete, matching (archive, manifest) pair, the earlier or the new one, that
restores; the failure says what was changed (DESIGN promise 9).

Failures come from the file system where it can make them (an immutable manifest or archive, a
full disk); the steps it cannot fail on its own (the manifest written again, a process killed
between two renames) are made to fail inside the module run, against the real engine and disk."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess

import pytest

from conftest import run_module
from test_backup_restore import data_container
from test_restore_hostile import mounts, mountpoint, ok

COMMIT = 'ansible_collections.persistent.volumes.plugins.module_utils.backup.commit'


# The one clean-up (conftest's lab) takes every volume this file's containers mounted.
TIDY_ALL_HELD = True


def fail_on_call(function, call, exit_code=None):
    """A preamble making ``commit.<function>`` fail (OSError, or the process dies) on its ``call``-th call."""
    action = 'os._exit(%d)' % exit_code if exit_code is not None else 'raise OSError(28, "No space left (injected)")'
    return ('import os\nimport %s as _c\n_real = _c.%s\n_n = [0]\n'
            'def _fake(*a, **k):\n    _n[0] += 1\n    if _n[0] == %d:\n        %s\n    return _real(*a, **k)\n'
            '_c.%s = _fake\n' % (COMMIT, function, call, action, function))


class Source(object):
    def __init__(self, lab, api):
        self.lab, self.api = lab, api
        self.name = data_container(lab, 'src', paths=['/data'])
        self.root = mountpoint(api, mounts(api, self.name)['/data'])

    def put(self, text):
        with open(os.path.join(self.root, 'f'), 'w') as handle:
            handle.write(text)

    def restored_from(self, dest, suffix):
        volume = self.lab.name(suffix)
        ok(run_module('volume_restore', dict(src=dest, volume=volume)))
        with open(os.path.join(mountpoint(self.api, volume), 'f')) as handle:
            return handle.read()


def temporaries(directory):
    return sorted(name for name in os.listdir(directory) if name.startswith('.'))


def chattr(flag, *paths):
    subprocess.check_call(['chattr', flag] + list(paths))


FAULTS = {  # how the write fails, whether the new archive ends in place
    'manifest-immutable': 'old',
    'archive-immutable': 'old',
    'manifest-write-injected': 'old',
    'archive-rename-injected': 'old',
    'final-manifest-injected': 'new',
}


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_a_failed_write_leaves_a_matching_pair_and_says_what_changed(lab, api, tmp_path, fault):
    source = Source(lab, api)
    dest = str(tmp_path / 'app.tar.gz')
    source.put('old')
    ok(run_module('volume_backup', dict(container=source.name, dest=dest, compression='gzip')))
    source.put('new data')
    preamble = {'manifest-write-injected': fail_on_call('write_manifest', 1),
                'archive-rename-injected': fail_on_call('replace_file', 1),
                'final-manifest-injected': fail_on_call('write_manifest', 2)}.get(fault, '')
    locked = {'manifest-immutable': dest + '.manifest.json', 'archive-immutable': dest}.get(fault)
    if locked:
        chattr('+i', locked)
    try:
        result = run_module('volume_backup', dict(container=source.name, dest=dest, compression='gzip'),
                            preamble=preamble)
    finally:
        if locked:
            chattr('-i', locked)
    assert result.get('failed') and 'Unexpected' not in result['msg'], result
    assert result['changed'] is (FAULTS[fault] == 'new'), result['msg']
    assert ('nothing was changed' in result['msg']) is (FAULTS[fault] == 'old'), result['msg']
    assert temporaries(str(tmp_path)) == []
    assert source.restored_from(dest, 'r1') == ('new data' if FAULTS[fault] == 'new' else 'old')
    again = ok(run_module('volume_backup', dict(container=source.name, dest=dest, compression='gzip')))
    assert again['changed'] is (FAULTS[fault] == 'old')
    assert source.restored_from(dest, 'r2') == 'new data'


@pytest.mark.parametrize('step, expected', [(1, 'old'), (2, 'new')])
def test_a_backup_killed_between_its_renames_leaves_a_matching_pair(lab, api, tmp_path, step, expected):
    """Killed after the manifest that describes both (1) or after the archive's rename (2)."""
    source = Source(lab, api)
    dest = str(tmp_path / 'app.tar')
    source.put('old')
    ok(run_module('volume_backup', dict(container=source.name, dest=dest, compression='none')))
    source.put('new data')
    preamble = fail_on_call('write_manifest', 2, exit_code=9) if step == 2 else \
        fail_on_call('replace_file', 1, exit_code=9)  # the archive's rename (the manifest's is in destination)
    result = run_module_killed(dict(container=source.name, dest=dest, compression='none'), preamble)
    assert result == 9
    assert source.restored_from(dest, 'r1') == ('new data' if expected == 'new' else 'old')
    again = ok(run_module('volume_backup', dict(container=source.name, dest=dest, compression='none')))
    assert again['changed'] is (expected == 'old')
    assert source.restored_from(dest, 'r2') == 'new data'


def run_module_killed(args, preamble):
    import json
    import sys
    import tempfile
    code = (preamble + 'import runpy, sys; sys.argv = ["module", sys.argv[1]]; runpy.run_module('
            '"ansible_collections.persistent.volumes.plugins.modules.volume_backup", run_name="__main__")')
    with tempfile.NamedTemporaryFile('w', suffix='.json', prefix='pvt-args-') as args_file:
        json.dump({'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=False, _ansible_diff=False)}, args_file)
        args_file.flush()
        return subprocess.call([sys.executable, '-c', code, args_file.name], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=300)


@pytest.mark.parametrize('fault', ['manifest-write-injected', 'archive-rename-injected', 'disk-full'])
def test_a_failed_generation_leaves_the_series_as_it_was(lab, api, tmp_path, fault):
    source = Source(lab, api)
    directory = tmp_path / 'series'
    directory.mkdir()
    if fault == 'disk-full':
        subprocess.check_call(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'pvt-full', str(directory)])
    try:
        dest = str(directory / 'app.tar')
        source.put('old')
        first = ok(run_module('volume_backup', dict(container=source.name, dest=dest, compression='none', keep=2)))
        with open(os.path.join(source.root, 'big'), 'wb') as handle:
            handle.write(os.urandom(2 << 20))
        source.put('new data')
        preamble = {'manifest-write-injected': fail_on_call('write_manifest', 1),
                    'archive-rename-injected': fail_on_call('replace_file', 1)}.get(fault, '')
        before = sorted(os.listdir(str(directory)))
        result = run_module('volume_backup', dict(container=source.name, dest=dest, compression='none', keep=2),
                            preamble=preamble)
        assert result.get('failed') and result['changed'] is False, result
        assert 'Unexpected' not in result['msg'] and 'nothing was changed' in result['msg'], result['msg']
        assert sorted(os.listdir(str(directory))) == before, result['msg']
        assert source.restored_from(first['dest'], 'r1') == 'old'
    finally:
        if fault == 'disk-full':
            subprocess.check_call(['umount', str(directory)])


def clock_ahead(seconds):
    """A preamble: the module's clock is ``seconds`` ahead (time.time and time.gmtime)."""
    return ('import time\n_t = time.time\n_g = time.gmtime\ntime.time = lambda: _t() + %d\n'
            'time.gmtime = lambda s=None: _g(time.time() if s is None else s)\n' % seconds)


YEAR = 366 * 24 * 3600


@pytest.mark.parametrize('ahead, keep', [([4], 1), ([4, 5], 1), ([4, 5], 2), ([4], 3)],
                         ids=['one-future-keep-1', 'two-future-keep-1', 'two-future-keep-2', 'one-future-keep-3'])
def test_a_clock_that_was_once_ahead_never_costs_the_new_archive(lab, api, tmp_path, ahead, keep):
    source = Source(lab, api)
    dest = str(tmp_path / 'app.tar.gz')
    args = dict(container=source.name, dest=dest, compression='gzip', keep=keep)
    source.put('from before')
    first = ok(run_module('volume_backup', args))['dest']
    future = []
    for years in ahead:  # the host booted with a wrong clock, more than once
        source.put('written while the clock was %d years ahead' % years)
        future.append(ok(run_module('volume_backup', args, preamble=clock_ahead(years * YEAR)))['dest'])
    assert all(os.path.basename(path) > 'app.2030' for path in future)
    source.put('now')  # NTP fixed the clock
    result = ok(run_module('volume_backup', args))
    assert result['changed'] is True and os.path.isfile(result['dest'])
    assert any('dated in the future' in w and future[-1] in w for w in result['warning_texts']), result['warning_texts']
    assert result['generations'][0] == result['dest'] and len(result['generations']) == keep
    assert result['dest'] not in result['removed_generations']
    assert result['generations'] == ([result['dest']] + future[::-1] + [first])[:keep]
    assert source.restored_from(result['dest'], 'r1') == 'now'
    again = ok(run_module('volume_backup', args))
    assert again['changed'] is False and again['dest'] == result['dest']


# --- hosts sharing one backup directory ------------------------------------------------------
def test_hosts_sharing_a_directory_never_touch_each_others_archives(lab, api, tmp_path):
    """Two hosts (as the role names them) with a data container of the same name write one flat
    directory: each prunes only its own generations, and never replaces the other's archive."""
    source = Source(lab, api)
    series = str(tmp_path / 'app.tar')
    made = {}
    for round_ in range(3):
        for host in ('host1', 'host2'):
            source.put('%s round %d' % (host, round_))
            result = ok(run_module('volume_backup', dict(container=source.name, dest=series, compression='none',
                                                         keep=2, host=host)))
            assert result['changed'] is True and result['manifest']['host'] == host
            assert all(path in made.get(host, []) for path in result['removed_generations'])
            made.setdefault(host, []).append(result['dest'])
            assert result['generations'] == made[host][::-1][:2]
    for host in ('host1', 'host2'):
        assert all(os.path.isfile(path) for path in made[host][-2:])
        assert source.restored_from(made[host][-1], 'r-' + host) == '%s round 2' % host
    single = str(tmp_path / 'one.tar')
    source.put('host1 data')
    ok(run_module('volume_backup', dict(container=source.name, dest=single, compression='none', host='host1')))
    source.put('host2 data')
    refused = run_module('volume_backup', dict(container=source.name, dest=single, compression='none', host='host2'))
    assert refused.get('failed') and 'archive of host host1, not of host2' in refused['msg'], refused
    assert source.restored_from(single, 'r-single') == 'host1 data'
    default = ok(run_module('volume_backup', dict(container=source.name, dest=str(tmp_path / 'd.tar'),
                                                  compression='none')))
    assert default['manifest']['host'] == api.info()['ID']
