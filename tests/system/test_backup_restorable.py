# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every archive the collection writes restores, whatever the data holds (DESIGN promise 9):
hard links across many directories (a pnpm store, a Maildir, rsnapshot trees), trees deeper than
Python's recursion limit, on the direct path and through the engine, into a data container and
into a new volume; a restore that fails leaves no new volume behind."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import json
import os
import stat
import tarfile

import pytest

from conftest import LOOP, failed, run_module
from test_backup_restore import data_container
from test_restore_hostile import mounts, mountpoint, ok

FORMAT = 'persistent.volumes/backup/1'


# The one clean-up (conftest's lab) takes every volume this file's containers mounted.
TIDY_ALL_HELD = True


def store_of_links(root, count):
    """``count`` files, each hard-linked from a package directory of its own (a pnpm store's shape)."""
    for i in range(1, count + 1):
        os.makedirs(os.path.join(root, 'a', str(i)))
        os.makedirs(os.path.join(root, 'p', 'nm', 'pkg%d' % i, 'lib'))
        with open(os.path.join(root, 'a', str(i), 'f'), 'w') as handle:
            handle.write('%d\n' % i)
        os.link(os.path.join(root, 'a', str(i), 'f'), os.path.join(root, 'p', 'nm', 'pkg%d' % i, 'lib', 'f'))


def deep_tree(root, depth):
    """A chain of ``depth`` directories, a file and a hard link to it at every 100th level."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    first = None
    for level in range(depth):
        os.mkdir('d', dir_fd=fd)
        child = os.open('d', os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = child
        if level % 100 == 99:
            with open(os.open('f', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), 'w') as handle:
                handle.write('level %d\n' % level)
            if first is None:
                first = os.open('.', os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            else:
                os.link('f', 'g', src_dir_fd=first, dst_dir_fd=fd)
    os.close(fd)
    if first is not None:
        os.close(first)


def deep_snapshot(root):
    """(relative path, kind, size, inode group) of every entry, walked without path-length limits."""
    found, inodes = [], {}
    stack = [('', os.open(root, os.O_RDONLY | os.O_DIRECTORY))]
    while stack:
        prefix, fd = stack.pop()
        for name in sorted(os.listdir(fd)):
            st = os.lstat(name, dir_fd=fd)
            found.append((prefix + name, st.st_mode, st.st_size if stat.S_ISREG(st.st_mode) else None, st.st_nlink))
            inodes.setdefault(st.st_ino, []).append(prefix + name)
            if os.path.isdir('/proc/self/fd/%d/%s' % (fd, name)) and not os.path.islink('/proc/self/fd/%d/%s' % (fd, name)):
                stack.append((prefix + name + '/', os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)))
        os.close(fd)
    groups = sorted(tuple(sorted(names)) for names in inodes.values() if len(names) > 1)
    return sorted(found), groups


SHAPES = {
    'pnpm-100': lambda root: store_of_links(root, 100),
    'links-3000-dirs': lambda root: store_of_links(root, 1500),
    'deep-1200': lambda root: deep_tree(root, 1200),
}


@pytest.mark.parametrize('shape', sorted(SHAPES))
@pytest.mark.parametrize('backup_method, restore_method', [('direct', 'direct'), ('engine', 'engine'),
                                                           ('direct', 'engine')])
def test_hard_links_and_deep_trees_restore(lab, api, tmp_path, shape, backup_method, restore_method):
    source = data_container(lab, 'src', paths=['/d'])
    root = mountpoint(api, mounts(api, source)['/d'])
    SHAPES[shape](root)
    expected = deep_snapshot(root)
    dest = str(tmp_path / 'links.tar.gz')
    made = ok(run_module('volume_backup', dict(container=source, dest=dest, compression='gzip',
                                               method=backup_method)))
    assert made['method'] == backup_method

    target = data_container(lab, 'dst', paths=['/d'])
    restored = ok(run_module('volume_restore', dict(src=dest, container=target, method=restore_method)))
    assert restored['changed'] is True and restored['method'] == restore_method
    assert deep_snapshot(mountpoint(api, mounts(api, target)['/d'])) == expected

    volume = lab.name('vol')
    into_volume = ok(run_module('volume_restore', dict(src=dest, volume=volume, method=restore_method)))
    assert into_volume['changed'] is True
    assert deep_snapshot(mountpoint(api, volume)) == expected
    again = ok(run_module('volume_restore', dict(src=dest, volume=volume, method=restore_method)))
    assert again['changed'] is False


def archive_with(tmp_path, members, source):
    """An archive of ``members`` (TarInfo, bytes) under ``d``, with a manifest whose sha256 matches."""
    dest = str(tmp_path / 'crafted.tar')
    with tarfile.open(dest, 'w', format=tarfile.PAX_FORMAT) as out:
        root = tarfile.TarInfo('d')
        root.type, root.mode = tarfile.DIRTYPE, 0o755
        out.addfile(root)
        for info, data in members:
            out.addfile(info, io.BytesIO(data) if data is not None else None)
    with open(dest, 'rb') as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    manifest = dict(format=FORMAT, source=dict(container=source), compression='none', archive='crafted.tar',
                    sha256=digest, size=os.path.getsize(dest), content_sha256='0' * 64, content_scheme=2,
                    paths=[dict(path='/d', member='d', volume='x', files=1, bytes=1, content_sha256='0' * 64)])
    with open(dest + '.manifest.json', 'w') as handle:
        json.dump(manifest, handle)
    return dest


@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_a_restore_that_fails_while_writing_leaves_no_new_volume(lab, api, tmp_path, method):
    """A member name longer than the file system allows passes every check and fails while writing."""
    long_name = tarfile.TarInfo('d/' + 'n' * 300)
    long_name.size = 2
    dest = archive_with(tmp_path, [(long_name, b'x\n')], lab.name('src'))
    volume = lab.name('vol')
    result = run_module('volume_restore', dict(src=dest, volume=volume, method=method))
    assert result.get('failed'), result
    assert not lab.volume_exists(volume)
    target = data_container(lab, 'dst', paths=['/d'])
    before = mounts(api, target)
    result = run_module('volume_restore', dict(src=dest, container=target, method=method))
    assert result.get('failed'), result
    assert mounts(api, target) == before
    assert not [v for v in api.volumes()['Volumes'] if v['Name'] not in before.values() and
                (v.get('Labels') or {}).get('persistent.volumes.anonymous-for') == target]


# --- files that change type while the direct path reads them ---------------------------------
def swapper(root, kind, stop):
    """Replace ``root/f`` (a regular file) by a ``kind`` and back, as fast as it goes, until ``stop``."""
    import socket
    path, temporary = os.path.join(root, 'f'), os.path.join(root, '.f.tmp')
    make = {'fifo': os.mkfifo,
            'device': lambda p: os.mknod(p, 0o600 | stat.S_IFCHR, os.makedev(1, 9)),  # /dev/urandom's numbers
            'socket': lambda p: socket.socket(socket.AF_UNIX).bind(p),
            'symlink': lambda p: os.symlink('/etc/shadow', p)}[kind]
    while not stop.is_set():
        for special in (True, False):
            if special:
                make(temporary)
            else:
                with open(temporary, 'wb') as handle:
                    handle.write(b'regular content\n' * 4096)
            os.rename(temporary, path)


@pytest.mark.parametrize('kind', ['fifo', 'device', 'socket', 'symlink'])
def test_a_file_swapped_while_read_never_blocks_and_is_archived_as_what_it_is(lab, api, tmp_path, kind):
    import threading
    source = data_container(lab, 'src', paths=['/d'])
    root = mountpoint(api, mounts(api, source)['/d'])
    with open(os.path.join(root, 'f'), 'wb') as handle:
        handle.write(b'regular content\n' * 4096)
    stop = threading.Event()
    thread = threading.Thread(target=swapper, args=(root, kind, stop))
    thread.start()
    try:
        for attempt in range(6):
            dest = str(tmp_path / ('swap%d.tar' % attempt))
            made = ok(run_module('volume_backup', dict(container=source, dest=dest, compression='none',
                                                       method='direct')))  # run_module times out after 300 s
            with tarfile.open(dest) as archive:
                for info in archive:
                    if posixpath_base(info.name) != 'f':
                        continue
                    assert info.type in (tarfile.REGTYPE, tarfile.FIFOTYPE, tarfile.CHRTYPE, tarfile.SYMTYPE), info.type
                    if info.isreg():
                        assert archive.extractfile(info).read() == b'regular content\n' * 4096
                    assert info.size == 0 or info.isreg()
            assert made['changed'] is True
    finally:
        stop.set()
        thread.join()


def posixpath_base(name):
    return name.rstrip('/').split('/')[-1]


# --- check mode and the real run choose the same consumers -------------------------------------
def test_check_mode_and_the_real_run_rewire_the_same_consumers(lab, api, tmp_path):
    from conftest import IMAGE
    source = data_container(lab, 'src', paths=['/data', '/other'])
    root = mountpoint(api, mounts(api, source)['/data'])
    with open(os.path.join(root, 'f'), 'w') as handle:
        handle.write('archived')
    dest = str(tmp_path / 'b.tar')
    ok(run_module('volume_backup', dict(container=source, dest=dest, compression='none', paths=['/data'])))
    target = data_container(lab, 'dst', paths=['/data', '/other'])
    by_name = lab.name('by-name')
    ok(run_module('volumes_from', {'container': by_name, 'from': [target], 'image': IMAGE, 'command': LOOP,
                                   'running': True}))
    own = lab.name('own-data')  # its /data is a volume of its own, which the restore does not touch
    own_volume = lab.name('own-vol')
    api.create_container(IMAGE, command=LOOP, name=own, host_config=api.create_host_config(
        volumes_from=[target], binds=['%s:/data' % own_volume]))
    args = dict(src=dest, container=target, paths=['/data'])
    predicted = ok(run_module('volume_restore', args, check=True))
    done = ok(run_module('volume_restore', args))
    assert predicted['consumers'] == done['consumers'] == [by_name]
    assert mounts(api, by_name)['/data'] == mounts(api, target)['/data']
    assert mounts(api, own)['/data'] == own_volume
    again = ok(run_module('volume_restore', args, check=True))
    assert again['changed'] is False and again.get('consumers', []) == []


@pytest.mark.parametrize('reference', ['id', 'short-id'])
def test_consumers_wired_by_id_follow_the_restore_the_same_in_check_mode(lab, api, tmp_path, reference):
    """A consumer wired to the data container by its ID (whole or a 12-hex prefix, as docker run
    --volumes-from takes it) follows a restore like one wired by name, in check mode and in the real run,
    and reads the restored data afterwards."""
    from conftest import IMAGE
    source = data_container(lab, 'src', paths=['/data'])
    with open(os.path.join(mountpoint(api, mounts(api, source)['/data']), 'f'), 'w') as handle:
        handle.write('archived')
    dest = str(tmp_path / 'b.tar')
    ok(run_module('volume_backup', dict(container=source, dest=dest, compression='none')))
    target = data_container(lab, 'dst', paths=['/data'])
    target_id = api.inspect_container(target)['Id']
    by_id = lab.name('by-id')
    api.create_container(IMAGE, command=LOOP, name=by_id, host_config=api.create_host_config(
        volumes_from=[target_id if reference == 'id' else target_id[:12]]))
    api.start(by_id)
    args = dict(src=dest, container=target)
    predicted = ok(run_module('volume_restore', args, check=True))
    done = ok(run_module('volume_restore', args))
    assert predicted['consumers'] == done['consumers'] == [by_id]
    assert mounts(api, by_id)['/data'] == mounts(api, target)['/data']
    assert api.inspect_container(by_id)['State']['Running'] is True
    seen = api.exec_start(api.exec_create(by_id, ['cat', '/data/f']))
    assert seen == b'archived'
    again = ok(run_module('volume_restore', args, check=True))
    assert again['changed'] is False and again.get('consumers', []) == []


# --- trusting the manifest: it must describe its archive, and never add a mount path ----------
TAMPER = {  # field of the manifest -> how it is changed (the archive and its sha256 stay as they are)
    'path': lambda m: m['paths'][0].update(path='/usr/local/bin'),
    'path-and-member': lambda m: m['paths'][0].update(path='/usr/local/bin', member='usr/local/bin'),
    'files': lambda m: m['paths'][0].update(files=m['paths'][0]['files'] + 1),
    'bytes': lambda m: m['paths'][0].update(bytes=m['paths'][0]['bytes'] - 1),
    'entries': lambda m: m['paths'][0].update(entries=m['paths'][0]['entries'] + 1),
    'path-digest': lambda m: m['paths'][0].update(content_sha256='0' * 64),
    'whole-digest': lambda m: m.update(content_sha256='0' * 64),
}


@pytest.mark.parametrize('field', sorted(TAMPER))
def test_a_manifest_that_disagrees_with_its_archive_is_refused(lab, api, tmp_path, field):
    source = data_container(lab, 'src', paths=['/data'])
    with open(os.path.join(mountpoint(api, mounts(api, source)['/data']), 'f'), 'w') as handle:
        handle.write('payload')
    dest = str(tmp_path / 'b.tar')
    ok(run_module('volume_backup', dict(container=source, dest=dest, compression='none')))
    with open(dest + '.manifest.json') as handle:
        manifest = json.load(handle)
    TAMPER[field](manifest)
    with open(dest + '.manifest.json', 'w') as handle:
        json.dump(manifest, handle)
    target = data_container(lab, 'dst', paths=['/data', '/usr/local/bin'])
    before = mounts(api, target)
    for args in (dict(container=target, add_paths=True), dict(volume=lab.name('vol'))):
        for check in (True, False):
            result = run_module('volume_restore', dict(args, src=dest), check=check)
            failed(result, 'does not describe its archive' if field != 'path-and-member' else 'not below any path')
    assert mounts(api, target) == before and not lab.volume_exists(lab.name('vol'))


def crafted_archive(tmp_path, path, source):
    """A consistent archive and manifest (the collection's own format) whose one path is ``path``."""
    import hashlib as _hashlib
    member = path.strip('/')
    dest = str(tmp_path / 'crafted.tar')
    with tarfile.open(dest, 'w', format=tarfile.PAX_FORMAT) as out:
        root = tarfile.TarInfo(member)
        root.type, root.mode = tarfile.DIRTYPE, 0o755
        out.addfile(root)
        tool = tarfile.TarInfo(member + '/ls')
        tool.size, tool.mode = 3, 0o755
        out.addfile(tool, io.BytesIO(b'hi\n'))
    with open(dest, 'rb') as handle:
        digest = _hashlib.sha256(handle.read()).hexdigest()
    manifest = dict(format=FORMAT, source=dict(container=source), compression='none', archive='crafted.tar',
                    sha256=digest, size=os.path.getsize(dest), paths=[dict(path=path, member=member)])
    with open(dest + '.manifest.json', 'w') as handle:
        json.dump(manifest, handle)
    return dest


@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_a_restore_never_adds_a_mount_path_unless_asked(lab, api, tmp_path, method):
    from conftest import IMAGE
    target = data_container(lab, 'dst', paths=['/data'])
    app = lab.name('app')
    ok(run_module('volumes_from', {'container': app, 'from': [target], 'image': IMAGE, 'command': LOOP,
                                   'running': True}))
    dest = crafted_archive(tmp_path, '/usr/local/bin', lab.name('elsewhere'))
    before = (mounts(api, target), mounts(api, app), api.inspect_container(app)['Id'])
    for check in (True, False):
        failed(run_module('volume_restore', dict(src=dest, container=target, method=method), check=check),
               '/usr/local/bin', 'add_paths=true', 'nothing was changed')
    assert (mounts(api, target), mounts(api, app), api.inspect_container(app)['Id']) == before
    asked = ok(run_module('volume_restore', dict(src=dest, container=target, method=method, add_paths=True)))
    assert asked['restored'] == ['/usr/local/bin'] and asked['consumers'] == []
    assert '/usr/local/bin' in mounts(api, target)
