# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.volume_backup and volume_restore against the real engine: trees written on
the host into a volume's directory come back byte for byte, with owners, modes, mtimes and links,
and a restore never loses what was there (DESIGN.md, the one promise)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import tarfile
import time

import pytest

from conftest import failed, run_module
from test_restore_hostile import TEMPORARY, mountpoint, mounts, ok, sha256_of, snapshot

DEFAULT_IMAGE = 'persistent-volumes/data-only:1'
PATHS = ['/data', '/srv/logs']
SUFFIX = {'none': '.tar', 'gzip': '.tar.gz', 'xz': '.tar.xz'}
MAGIC = {'none': b'', 'gzip': b'\x1f\x8b', 'xz': b'\xfd7zXZ\x00'}
READ_MODE = {'none': 'r:', 'gzip': 'r:gz', 'xz': 'r:xz'}
BASE_MTIME = 1500000000


# --- helpers --------------------------------------------------------------------------------
def module_argv(module, args):
    """The command line run_module uses, for a module run as a subprocess we can kill."""
    payload = dict(args, _ansible_check_mode=False, _ansible_diff=False)
    code = ('import runpy, sys; sys.argv = ["module", sys.argv[1]]; runpy.run_module('
            '"ansible_collections.persistent.volumes.plugins.modules.%s", run_name="__main__")' % module)
    return [sys.executable, '-c', code, json.dumps({'ANSIBLE_MODULE_ARGS': payload})]


def data_container(lab, suffix, paths=tuple(PATHS)):
    name = lab.name(suffix)
    ok(run_module('data_container', dict(name=name, volumes=list(paths))))
    return name


def partials(directory):
    return sorted(name for name in os.listdir(str(directory)) if name.endswith('.partial'))


def body(content, path):
    return content.replace(b'%s', path.encode())


# --- the tree written into each volume, on the host --------------------------------------
DIRS = [('empty', 0o700, 1000, 1000), ('sub', 0o755, 0, 0), ('sub/deeper', 0o2775, 1000, 1000)]
FILES = [  # name, content, mode, uid, gid
    ('plain.txt', b'plain in %s\n', 0o644, 1000, 1000),
    ('secret', b'top secret of %s\n', 0o600, 1000, 1000),
    ('run.sh', b'#!/bin/sh\necho %s\n', 0o755, 0, 0),
    ('suid', b'#!/bin/sh\n# %s\n', 0o4755, 0, 0),
    ('with space.txt', b'a space in the name in %s\n', 0o640, 1000, 0),
    ('empty-file', b'', 0o644, 0, 1000),
    ('sub/deeper/file', b'deep in %s\n', 0o444, 1000, 1000),
]
SYMLINKS = [('rel', 'plain.txt'), ('sub/up', '../plain.txt'), ('abs', '%s/plain.txt'), ('sub/deeper/to-dir', '%s/sub')]
HARDLINKS = [('hard', 'plain.txt'), ('sub/hard-secret', 'secret')]
ROOT = (0o751, 1000, 1000)


def populate(root, path, big_mb=0):
    """Fill the volume directory ``root`` (mounted at ``path`` in containers)."""
    mtime = iter(range(BASE_MTIME, BASE_MTIME + 10 ** 6, 1000))
    for name, mode, uid, gid in DIRS:
        os.makedirs(os.path.join(root, name))
    for name, content, mode, uid, gid in FILES:
        full = os.path.join(root, name)
        with open(full, 'wb') as handle:
            handle.write(body(content, path))
        os.chown(full, uid, gid)
        os.chmod(full, mode)  # after chown, which clears the setuid bit
        os.utime(full, (BASE_MTIME, next(mtime)))
    if big_mb:
        block = os.urandom(1 << 20)
        with open(os.path.join(root, 'big.bin'), 'wb') as handle:
            for index in range(big_mb):
                handle.write(index.to_bytes(8, 'big') + block[8:])
        os.utime(os.path.join(root, 'big.bin'), (BASE_MTIME, next(mtime)))
    for name, target in HARDLINKS:
        os.link(os.path.join(root, target), os.path.join(root, name))
    for name, target in SYMLINKS:
        full = os.path.join(root, name)
        os.symlink(target.replace('%s', path), full)
        os.lchown(full, 1000, 1000)
        os.utime(full, (BASE_MTIME, next(mtime)), follow_symlinks=False)
    for name, mode, uid, gid in reversed(DIRS):
        full = os.path.join(root, name)
        os.chown(full, uid, gid)
        os.chmod(full, mode)
        os.utime(full, (BASE_MTIME, next(mtime)))
    os.chown(root, ROOT[1], ROOT[2])
    os.chmod(root, ROOT[0])
    os.utime(root, (BASE_MTIME, BASE_MTIME + 7))


def assert_attributes(tree, path):
    """Ownership, modes, mtimes and links as populate() made them, said explicitly."""
    assert tree['.'][1:5] == (0o751, 1000, 1000, BASE_MTIME + 7)
    for name, content, mode, uid, gid in FILES:
        assert tree[name][1:4] == (mode, uid, gid), name
        assert tree[name][5] == hashlib.sha256(body(content, path)).hexdigest()
    assert tree['plain.txt'][4] == BASE_MTIME and tree['secret'][4] == BASE_MTIME + 1000
    assert tree['suid'][1] & stat.S_ISUID and tree['sub/deeper'][1] & stat.S_ISGID
    for name, mode, uid, gid in DIRS:
        assert tree[name][0] == stat.S_IFDIR and tree[name][1:4] == (mode, uid, gid), name
    assert tree['rel'][5] == 'plain.txt' and tree['abs'][5] == path + '/plain.txt'
    assert tree['rel'][2:4] == (1000, 1000) and tree['rel'][0] == stat.S_IFLNK
    assert tree['hard'][6] == ('hard', 'plain.txt') and tree['sub/hard-secret'][6] == ('secret', 'sub/hard-secret')


# The one clean-up (conftest's lab) takes every volume this file's containers mounted.
TIDY_ALL_HELD = True


# --- 1 and 5: the round trip, byte for byte ------------------------------------------------
@pytest.mark.parametrize('compression', ['none', 'gzip', 'xz'])
def test_round_trip_byte_for_byte(lab, api, tmp_path, compression):
    source = data_container(lab, 'src')
    volumes = mounts(api, source)
    for path in PATHS:
        populate(mountpoint(api, volumes[path]), path, big_mb=200 if compression == 'none' and path == '/data' else 0)
    expected = dict((path, snapshot(mountpoint(api, volumes[path]))) for path in PATHS)
    dest = str(tmp_path / ('backup' + SUFFIX[compression]))

    made = ok(run_module('volume_backup', dict(container=source, dest=dest, compression=compression)))
    assert made['changed'] is True and made['sha256'] == sha256_of(dest)
    with open(dest, 'rb') as handle:
        assert handle.read(6).startswith(MAGIC[compression])
    with tarfile.open(dest, READ_MODE[compression]) as archive:
        names = archive.getnames()
    assert 'data/plain.txt' in names and 'srv/logs/sub/deeper/file' in names and 'srv/logs' in names
    assert ('data/big.bin' in names) is (compression == 'none')
    assert dict((path, snapshot(mountpoint(api, volumes[path]))) for path in PATHS) == expected  # read only

    target = data_container(lab, 'dst')
    before = mounts(api, target)
    restored = ok(run_module('volume_restore', dict(src=dest, container=target)))
    assert restored['changed'] is True and sorted(restored['restored']) == sorted(PATHS)
    after = mounts(api, target)
    for path in PATHS:
        assert after[path] == restored['volumes'][path] != before[path]
        tree = snapshot(mountpoint(api, after[path]))
        assert tree == expected[path], path
        assert_attributes(tree, path)
    assert api.inspect_container(target)['State']['Status'] == 'created'
    assert lab.read('/data/plain.txt', volumes_from=[target]) == 'plain in /data'
    assert lab.read('/srv/logs/abs', volumes_from=[target]) == 'plain in /srv/logs'  # the absolute link works

    volume = lab.name('vol')
    into_volume = ok(run_module('volume_restore', dict(src=dest, volume=volume, paths=['/data'])))
    assert into_volume['changed'] is True and into_volume['restored'] == ['/data']
    assert snapshot(mountpoint(api, volume)) == expected['/data']
    assert lab.read('/data/sub/hard-secret', binds=['%s:/data:ro' % volume]) == 'top secret of /data'
    if compression == 'none':
        os.unlink(dest)  # 200 MB less in the kept tmp_path


LONG_DIR = 'long-' + 'd' * 70
PAX_NAMES = [(u'caf\u00e9 \u00fc.txt', b'unicode'), (LONG_DIR + '/' + 'f' * 60, b'long')]


@pytest.mark.parametrize('path, via', [
    ('/data', 'container'),
    ('/srv/logs', 'container'),
    ('/d', 'volume'),  # read through a holder mounting it at /d, recorded as /volume
])
def test_names_that_need_pax_headers_survive(lab, api, tmp_path, path, via):
    name = data_container(lab, 'dc', [path])
    root = mountpoint(api, mounts(api, name)[path])
    os.mkdir(os.path.join(root, LONG_DIR))
    for relative, content in PAX_NAMES:
        with open(os.path.join(root, relative), 'wb') as handle:
            handle.write(content)
    os.link(os.path.join(root, PAX_NAMES[0][0]), os.path.join(root, 'hard-' + 'h' * 100))
    os.link(os.path.join(root, PAX_NAMES[1][0]), os.path.join(root, u'hard-\u00e9'))
    expected = snapshot(root)
    dest = str(tmp_path / 'b.tar')
    source = dict(container=name) if via == 'container' else dict(volume=mounts(api, name)[path])
    ok(run_module('volume_backup', dict(source, dest=dest, compression='none')))
    restored = ok(run_module('volume_restore', dict(src=dest, volume=lab.name('vol'))))
    assert restored['changed'] is True
    assert snapshot(mountpoint(api, lab.name('vol'))) == expected


# --- 2: the backup ------------------------------------------------------------------------------
def test_backup_manifest_check_mode_idempotence_force_and_change(lab, api, tmp_path):
    name = data_container(lab, 'dc', ['/data'])
    volume = mounts(api, name)['/data']
    populate(mountpoint(api, volume), '/data')
    dest = str(tmp_path / 'b.tar.gz')
    args = dict(container=name, dest=dest)

    predicted = ok(run_module('volume_backup', args, check=True))
    assert predicted['changed'] is True and os.listdir(str(tmp_path)) == []

    made = ok(run_module('volume_backup', args, diff=True))
    assert made['changed'] is True and sorted(os.listdir(str(tmp_path))) == ['b.tar.gz', 'b.tar.gz.manifest.json']
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    with open(made['manifest_path']) as handle:
        manifest = json.load(handle)
    assert manifest == made['manifest'] and made['manifest_path'] == dest + '.manifest.json'
    assert manifest['sha256'] == sha256_of(dest) == made['sha256'] and manifest['size'] == os.path.getsize(dest)
    files = len(FILES)  # the hard links are links, not files
    size = sum(len(body(row[1], '/data')) for row in FILES)
    entry = manifest['paths'][0]
    assert len(manifest['paths']) == 1 and (entry['path'], entry['volume'], entry['member']) == ('/data', volume, 'data')
    assert (entry['files'], entry['bytes']) == (files, size) and (manifest['files'], manifest['bytes']) == (files, size)
    assert entry['entries'] == 1 + len(DIRS) + len(FILES) + len(SYMLINKS) + len(HARDLINKS)
    assert manifest['compression'] == 'gzip' and manifest['source'] == {'container': name}
    assert made['diff'] == {'before': {'dest': dest, 'sha256': None}, 'after': {'dest': dest, 'sha256': made['sha256']}}
    assert predicted['paths'] == made['paths']
    with tarfile.open(dest, 'r:gz') as archive:
        assert archive.getmember('data/suid').mode == 0o4755
        pair = [archive.getmember(n) for n in ('data/hard', 'data/plain.txt')]  # the second one seen is the link
        assert sorted((m.type, m.linkname) for m in pair) == [(tarfile.REGTYPE, ''), (tarfile.LNKTYPE, 'data/hard')]

    written = os.stat(dest)
    for check in (True, False):
        again = ok(run_module('volume_backup', args, check=check))
        assert again['changed'] is False and again['manifest'] == manifest
    assert (os.stat(dest).st_ino, os.stat(dest).st_mtime) == (written.st_ino, written.st_mtime)
    other = ok(run_module('volume_backup', dict(args, compression='xz'), check=True))
    assert other['changed'] is True and sha256_of(dest) == manifest['sha256']

    forced = ok(run_module('volume_backup', dict(args, force=True)))
    assert forced['changed'] is True and forced['sha256'] == sha256_of(dest)
    assert forced['manifest']['content_sha256'] == manifest['content_sha256']

    lab.write('/data/new', 'new-data', volumes_from=[name])
    current = sha256_of(dest)
    predicted = ok(run_module('volume_backup', args, check=True))
    assert predicted['changed'] is True and sha256_of(dest) == current and len(os.listdir(str(tmp_path))) == 2
    changed = ok(run_module('volume_backup', args))
    assert changed['changed'] is True and changed['manifest']['files'] == files + 1
    assert changed['manifest']['sha256'] == sha256_of(dest) and changed['manifest']['content_sha256'] != \
        manifest['content_sha256']
    with tarfile.open(dest, 'r:gz') as archive:
        assert archive.extractfile('data/new').read() == b'new-data\n'
    assert partials(tmp_path) == [] and api.inspect_container(name)['State']['Status'] == 'created'


def backup_events(api, since):
    """The container events of temporary backup containers since ``since``."""
    return list(api.events(since=since, until=int(time.time()) + 1, decode=True,
                           filters={'type': 'container', 'label': '%s=backup' % TEMPORARY}))


def test_volume_nobody_holds_goes_through_a_temporary_container(lab, api, tmp_path):
    volume = lab.name('vol')
    api.create_volume(volume)
    populate(mountpoint(api, volume), '/volume')
    dest = str(tmp_path / 'v.tar')
    since = int(time.time()) - 1
    made = ok(run_module('volume_backup', dict(volume=volume, dest=dest, compression='none', method='engine')))
    assert made['changed'] is True and made['manifest']['source'] == {'volume': volume}
    assert made['method'] == 'engine' and made['method_reason'] == 'method=engine was asked'
    assert [(p['path'], p['volume'], p['member']) for p in made['paths']] == [('/volume', volume, 'volume')]
    with tarfile.open(dest) as archive:
        assert archive.extractfile('volume/secret').read() == b'top secret of /volume\n'
    events = backup_events(api, since)
    created = [e for e in events if e['Action'] == 'create']
    assert len(created) == 1, events
    temporary = created[0]['Actor']
    assert temporary['Attributes']['image'] == DEFAULT_IMAGE and temporary['Attributes']['name'].startswith('pv-backup-')
    actions = [e['Action'] for e in events if e['Actor']['ID'] == temporary['ID']]
    assert 'destroy' in actions and 'start' not in actions
    assert api.containers(all=True, filters={'volume': volume}) == []

    # the direct path reads the directory: no container at all, the same archive
    since = int(time.time()) - 1
    direct = ok(run_module('volume_backup', dict(volume=volume, dest=dest, compression='none', force=True)))
    assert direct['method'] == 'direct' and direct['method_reason'].startswith('auto: local engine (pid ')
    assert direct['sha256'] == made['sha256'] and direct['manifest']['content_sha256'] == made['manifest']['content_sha256']
    assert [e for e in backup_events(api, since) if e['Actor']['ID'] != temporary['ID']] == []

    # a consumer now holds it: read through the consumer, no temporary, the same data
    since = int(time.time()) - 1
    holder = lab.container(lab.name('holder'), binds=['%s:/srv/app:ro' % volume], start=True)
    for check in (True, False):
        again = ok(run_module('volume_backup', dict(volume=volume, dest=dest, compression='none', method='engine'),
                              check=check))
        assert again['changed'] is False, again
    assert [e for e in backup_events(api, since) if e['Action'] == 'create' and e['Actor']['ID'] != temporary['ID']] == []
    assert api.inspect_container(holder)['State']['Running'] is True
    assert [c['Id'] for c in api.containers(all=True, filters={'volume': volume})] == [api.inspect_container(holder)['Id']]


def test_volume_backup_holds_only_that_volume(lab, api, tmp_path):
    volume, inner = lab.name('vol'), lab.name('inner')
    for name in (volume, inner):
        api.create_volume(name)
        with open(os.path.join(mountpoint(api, name), 'in-' + name), 'w') as handle:
            handle.write(name)
    lab.container(lab.name('holder'), binds=['%s:/d' % volume, '%s:/d/inner' % inner])
    dest = str(tmp_path / 'v.tar')
    ok(run_module('volume_backup', dict(volume=volume, dest=dest, compression='none')))
    with tarfile.open(dest) as archive:
        names = archive.getnames()
    assert 'volume/in-' + volume in names
    assert not [n for n in names if n.startswith('volume/inner/')], names


BAD = [
    (dict(dest='{tmp}/missing/b.tar'), 'The directory of dest, {tmp}/missing, does not exist; create it first.'),
    (dict(dest='{tmp}'), 'dest {tmp} is a directory; give the archive file name.'),
    (dict(dest='relative/b.tar'), "dest must be an absolute path on the managed host, got 'relative/b.tar'."),
    (dict(volume='{vol}'), 'parameters are mutually exclusive: container|volume'),
    (dict(container=None), 'one of the following is required: container, volume'),
    (dict(paths=['/data', '/nope']), 'Container {dc} has no volume at /nope; it has volumes at /data.'),
    (dict(paths=['data']), "paths[0]: container path 'data' is relative; it must be absolute, like /data."),
    (dict(container='{dc}-nope'), "Container '{dc}-nope' does not exist."),
    (dict(container=None, volume='{vol}-nope'), "Volume '{vol}-nope' does not exist."),
    (dict(container=None, volume='{vol}', paths=['/data']), 'paths goes with container; a volume is backed up whole.'),
    (dict(compression='zip'), 'value of compression must be one of: gzip, none, xz, got: zip'),
]


@pytest.mark.parametrize('bad, message', BAD, ids=[str(i) for i in range(len(BAD))])
def test_backup_bad_input(lab, api, tmp_path, bad, message):
    dc, vol = data_container(lab, 'dc', ['/data']), lab.name('vol')
    api.create_volume(vol)
    words = dict(tmp=str(tmp_path), dc=dc, vol=vol)
    args = dict(container=dc, dest=str(tmp_path / 'b.tar'))
    args.update(dict((k, v.format(**words) if isinstance(v, str) else v) for k, v in bad.items()))
    args = dict((k, v) for k, v in args.items() if v is not None)
    for check in (True, False):
        failed(run_module('volume_backup', args, check=check), message.format(**words))
    assert os.listdir(str(tmp_path)) == []
    assert api.containers(all=True, filters={'volume': vol}) == []


# --- 3: an interrupted backup ----------------------------------------------------------------
def kill_mid_way(args, directory, timeout=60):
    """Start the backup, SIGKILL it once its temporary file beside dest has data; True if caught."""
    proc = subprocess.Popen(module_argv('volume_backup', args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, caught = time.time() + timeout, False
    try:
        while time.time() < deadline and proc.poll() is None:
            found = partials(directory)
            if found and os.path.getsize(os.path.join(str(directory), found[0])) > (1 << 20):
                caught = True
                break
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return caught


@pytest.mark.parametrize('previous', [False, True], ids=['no-archive-yet', 'previous-archive'])
def test_interrupted_backup_leaves_no_partial_archive_at_dest(lab, api, tmp_path, previous):
    name = data_container(lab, 'dc', ['/data'])
    root = mountpoint(api, mounts(api, name)['/data'])
    dest = str(tmp_path / 'b.tar.gz')
    args = dict(container=name, dest=dest, compression='gzip')
    if previous:
        lab.write('/data/small', 'small', volumes_from=[name])
        first = ok(run_module('volume_backup', args))
    populate(root, '/data', big_mb=96)
    assert kill_mid_way(args, tmp_path), 'the backup finished before it could be interrupted'
    for leftover in partials(tmp_path):  # beside dest, never at dest; the next run does not need them
        os.unlink(str(tmp_path / leftover))
    if not previous:
        assert not os.path.exists(dest) and not os.path.exists(dest + '.manifest.json')
        return
    with open(dest + '.manifest.json') as handle:
        assert json.load(handle) == first['manifest']
    assert sha256_of(dest) == first['sha256'] and os.path.getsize(dest) == first['manifest']['size']
    with tarfile.open(dest, 'r:gz') as archive:
        assert archive.getnames() == ['data', 'data/small']
    again = ok(run_module('volume_backup', args))
    assert again['changed'] is True and again['sha256'] == sha256_of(dest)
    with tarfile.open(dest, 'r:gz') as archive:
        assert archive.getmember('data/big.bin').size == 96 << 20
    os.unlink(dest)


def test_killed_volume_backup_leaves_no_temporary_container_after_the_next_run(lab, api, tmp_path):
    volume = lab.name('vol')
    api.create_volume(volume)
    populate(mountpoint(api, volume), '/volume', big_mb=96)
    args = dict(volume=volume, dest=str(tmp_path / 'v.tar.gz'), method='engine')
    assert kill_mid_way(args, tmp_path), 'the backup finished before it could be interrupted'
    ok(run_module('volume_backup', args))
    os.unlink(args['dest'])
    assert api.containers(all=True, filters={'volume': volume}) == []
