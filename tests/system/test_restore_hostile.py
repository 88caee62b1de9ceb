# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.volume_restore against the real engine: a restore never destroys what was
there. The previous volume is kept and reported, consumers are rewired to the restored data, and
hostile archives (crafted with tarfile, with a manifest whose sha256 matches, so that the member
checks are what refuses) are refused with a message naming the member while nothing changes: no new
volume, no leftover container, the target data container keeps its volumes and their content.

The free-space refusal is covered by the unit tests (test_archive_check.py): an engine with too
little room cannot be made here without filling the disk."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import json
import os
import stat
import tarfile

import pytest

from conftest import IMAGE, LOOP, RUN_ID, failed, remove_test_objects, run_module

FORMAT = 'persistent.volumes/backup/1'
NOTHING = 'Nothing was restored.'
TEMPORARY = 'persistent.volumes.temporary'
ANONYMOUS_FOR = 'persistent.volumes.anonymous-for'


# --- helpers (test_backup_restore uses them too) --------------------------------------------
def ok(result):
    assert result['rc'] == 0 and not result.get('failed'), result.get('msg') or result
    return result


def mounts(api, name):
    return dict((m['Destination'], m.get('Name') or m['Source']) for m in api.inspect_container(name)['Mounts'])


def mountpoint(api, volume):
    return api.inspect_volume(volume)['Mountpoint']


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def snapshot(root):
    """relative path -> (kind, mode, uid, gid, mtime, content sha256 / link target, hard-link peers)."""
    found, inodes = {}, {}
    names = ['.']
    for directory, dirs, files in os.walk(root):
        names += [os.path.relpath(os.path.join(directory, n), root) for n in dirs + files]
    for name in names:
        full = os.path.join(root, name)
        st = os.lstat(full)
        kind = stat.S_IFMT(st.st_mode)
        what = sha256_of(full) if stat.S_ISREG(kind) else os.readlink(full) if stat.S_ISLNK(kind) else None
        found[name] = [kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, int(st.st_mtime), what]
        if stat.S_ISREG(kind):
            inodes.setdefault(st.st_ino, []).append(name)
    for peers in inodes.values():
        for name in peers:
            found[name].append(tuple(sorted(peers)))
    return dict((name, tuple(values)) for name, values in found.items())


# --- 4: a restore keeps what was there ----------------------------------------------------------
def test_restore_keeps_the_old_volume_and_rewires_consumers(lab, api, tmp_path):
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    lab.write('/data/f', 'from-the-archive', volumes_from=[source])
    dest = str(tmp_path / 'b.tar.xz')
    ok(run_module('volume_backup', dict(container=source, dest=dest, compression='xz')))

    target = lab.name('dst')
    ok(run_module('data_container', dict(name=target, volumes=['/data', '/other'])))
    lab.write('/data/f', 'old-data', volumes_from=[target])
    lab.write('/other/g', 'other-path', volumes_from=[target])
    old = mounts(api, target)
    app = lab.name('app')
    ok(run_module('volumes_from', {'container': app, 'from': [target], 'image': IMAGE, 'command': LOOP,
                                   'running': True}))
    idle = lab.name('idle')
    ok(run_module('volumes_from', {'container': idle, 'from': [target], 'image': IMAGE, 'command': LOOP,
                                   'running': False}))
    app_id, target_id = api.inspect_container(app)['Id'], api.inspect_container(target)['Id']
    assert lab.read('/data/f', volumes_from=[app]) == 'old-data'
    args = dict(src=dest, container=target)
    expected_previous = [dict(path='/data', volume=old['/data'], was_in=target)]

    volumes_before = set(v['Name'] for v in api.volumes()['Volumes'])
    predicted = ok(run_module('volume_restore', args, check=True))
    assert predicted['changed'] is True and predicted['restored'] == ['/data']
    assert predicted['previous_volumes'] == expected_previous
    assert (api.inspect_container(target)['Id'], mounts(api, target)) == (target_id, old)
    assert api.inspect_container(app)['Id'] == app_id and lab.read('/data/f', volumes_from=[app]) == 'old-data'
    assert not [v for v in api.volumes()['Volumes'] if v['Name'] not in volumes_before and
                (v.get('Labels') or {}).get(ANONYMOUS_FOR) == target]

    result = ok(run_module('volume_restore', args))
    assert result['changed'] is True and result['restored'] == ['/data']
    assert result['previous_volumes'] == expected_previous and sorted(result['consumers']) == sorted([app, idle])
    now = mounts(api, target)
    assert now['/data'] == result['volumes']['/data'] != old['/data'] and now['/other'] == old['/other']
    info = api.inspect_container(target)
    assert info['State']['Status'] == 'created' and info['Id'] != target_id
    assert lab.read('/data/f', volumes_from=[target]) == 'from-the-archive'
    assert lab.read('/other/g', volumes_from=[target]) == 'other-path'
    assert lab.volume_exists(old['/data'])  # the previous volume is kept, with its data
    assert lab.read('/old/f', binds=['%s:/old:ro' % old['/data']]) == 'old-data'
    consumer = api.inspect_container(app)
    assert consumer['Id'] != app_id and consumer['State']['Running'] is True
    assert consumer['HostConfig']['VolumesFrom'] == ['%s:rw' % target] or \
        consumer['HostConfig']['VolumesFrom'] == [target]
    assert lab.read('/data/f /other/g', volumes_from=[app]) == 'from-the-archive\nother-path'
    assert api.inspect_container(idle)['State']['Running'] is False and mounts(api, idle)['/data'] == now['/data']

    for check in (True, False):
        again = ok(run_module('volume_restore', args, check=check))
        assert again['changed'] is False and again['restored'] == [] and again['previous_volumes'] == []
    assert mounts(api, target) == now and api.inspect_container(app)['Id'] == consumer['Id']
    same = ok(run_module('data_container', dict(name=target, volumes=['/data', '/other'])))  # keeps the restored data
    assert same['changed'] is False and mounts(api, target) == now

    # a volume that holds other data keeps it in a volume of its own; one that holds the archive's is left alone
    stranger = lab.name('stranger')
    api.create_volume(stranger)
    lab.write('/v/f', 'stranger-data', binds=['%s:/v' % stranger])
    replaced = ok(run_module('volume_restore', dict(src=dest, volume=stranger)))
    [kept] = replaced['previous_volumes']
    assert lab.read('/v/f', binds=['%s:/v' % kept['volume']]) == 'stranger-data'
    assert lab.read('/v/f', binds=['%s:/v' % stranger]) == 'from-the-archive'
    fresh = lab.name('fresh')
    assert ok(run_module('volume_restore', dict(src=dest, volume=fresh)))['changed'] is True
    for check in (True, False):
        assert ok(run_module('volume_restore', dict(src=dest, volume=fresh), check=check))['changed'] is False
    assert lab.read('/v/f', binds=['%s:/v' % fresh]) == 'from-the-archive'


# --- hostile archives -----------------------------------------------------------------------


def member(name, kind=tarfile.REGTYPE, data=b'', linkname='', mode=0o644, device=(0, 0)):
    made = tarfile.TarInfo(name)
    made.type, made.linkname, made.mode, made.mtime = kind, linkname, mode, 1500000000
    made.size = len(data) if kind == tarfile.REGTYPE else 0
    made.devmajor, made.devminor = device
    return made, data


GOOD = [member('data', tarfile.DIRTYPE, mode=0o755), member('data/good', data=b'good\n'),
        member('data/sub', tarfile.DIRTYPE, mode=0o755), member('data/sub/rel', tarfile.SYMTYPE, linkname='../good')]
LAST = [member('data/after', data=b'after\n')]


def craft(directory, members, compression='none', roots=('data',), sha256=None, name='a.tar'):
    """Write the archive and a manifest beside it (the right sha256 unless ``sha256`` is given)."""
    path = os.path.join(str(directory), name)
    with tarfile.open(path, 'w:' + {'none': '', 'gzip': 'gz', 'xz': 'xz'}[compression],
                      format=tarfile.PAX_FORMAT) as out:
        for info, data in members:
            out.addfile(info, io.BytesIO(data) if info.isreg() else None)
    with open(path, 'rb') as handle:
        real = hashlib.sha256(handle.read()).hexdigest()
    manifest = dict(format=FORMAT, compression=compression, archive=name, sha256=sha256 or real,
                    size=os.path.getsize(path), source={'container': 'elsewhere'},
                    paths=[dict(path='/' + root, member=root, volume='v' * 64) for root in roots])
    with open(path + '.manifest.json', 'w') as handle:
        json.dump(manifest, handle)
    return path


def make_target(api, prefix):
    """A data container with data in each of its volumes."""
    name = prefix + 'target'
    ok(run_module('data_container', dict(name=name, volumes=['/data', '/logs'])))
    for path, volume in mounts(api, name).items():
        with open(os.path.join(mountpoint(api, volume), 'good'), 'w') as handle:
            handle.write('the-old-data of %s\n' % path)
    return name


@pytest.fixture(scope='module')
def target(api):
    """One target for the refusals (none of which may change it: each test checks)."""
    prefix = 'pvt-%s-hostile-' % RUN_ID
    yield make_target(api, prefix)
    remove_test_objects(api, [prefix], all_held=True)


# The one clean-up (conftest's lab) takes every volume this file's containers mounted.
TIDY_ALL_HELD = True


def state(lab, api, name):
    """The data container, its volumes' content, our volumes and temporaries holding them."""
    info = api.inspect_container(name)
    held = mounts(api, name)
    ours = 'pvt-%s-' % RUN_ID
    volumes = sorted(v['Name'] for v in api.volumes()['Volumes']
                     if v['Name'].startswith(ours) or (v.get('Labels') or {}).get(ANONYMOUS_FOR, '').startswith(ours))
    temporaries = sorted(c['Id'] for c in api.containers(all=True) if (c.get('Labels') or {}).get(TEMPORARY) and
                         set(m.get('Name') for m in c.get('Mounts') or []) & set(volumes))
    return dict(id=info['Id'], status=info['State']['Status'], mounts=held, volumes=volumes, temporaries=temporaries,
                content=dict((path, snapshot(mountpoint(api, volume))) for path, volume in held.items()))


def refused_everywhere(lab, api, target, src, *fragments):
    """Refused into the data container and into a new volume, on both paths, in check mode too."""
    before = state(lab, api, target)
    for method in ('direct', 'engine'):
        for check in (True, False):
            failed(run_module('volume_restore', dict(src=src, container=target, method=method), check=check),
                   *fragments)
        failed(run_module('volume_restore', dict(src=src, volume=lab.name('new'), method=method)), *fragments)
    assert state(lab, api, target) == before and not lab.volume_exists(lab.name('new'))


HOSTILE = [
    ('absolute', [member('/data/evil', data=b'x')], 'none', "member '/data/evil' has an absolute name"),
    ('absolute-outside', [member('/etc/evil', data=b'x')], 'gzip', "member '/etc/evil' has an absolute name"),
    ('dotdot', [member('data/../etc/evil', data=b'x')], 'none',
     "member 'data/../etc/evil' climbs out of its path with '..'"),
    ('dotdot-deep', [member('data/sub/../../../evil', data=b'x')], 'xz',
     "member 'data/sub/../../../evil' climbs out of its path with '..'"),
    ('symlink-relative', [member('data/l', tarfile.SYMTYPE, linkname='../../etc')], 'none',
     "member 'data/l' is a symlink to ../../etc, outside /data"),
    ('symlink-absolute', [member('data/l', tarfile.SYMTYPE, linkname='/etc/passwd')], 'gzip',
     "member 'data/l' is a symlink to /etc/passwd, outside /data"),
    ('symlink-then-write-through', [member('data/l', tarfile.SYMTYPE, linkname='/etc'),
                                    member('data/l/cron.d/evil', data=b'x')], 'none',
     "member 'data/l' is a symlink to /etc, outside /data"),
    ('hardlink-outside', [member('data/h', tarfile.LNKTYPE, linkname='etc/passwd')], 'none',
     "member 'data/h' is a hard link to etc/passwd, outside /data"),
    ('hardlink-absolute', [member('data/h', tarfile.LNKTYPE, linkname='/etc/shadow')], 'xz',
     "member 'data/h' is a hard link to /etc/shadow, outside /data"),
    ('hardlink-dotdot', [member('data/h', tarfile.LNKTYPE, linkname='data/../../etc/passwd')], 'none',
     "member 'data/h' is a hard link to data/../../etc/passwd, outside /data"),
    ('character-device', [member('data/null', tarfile.CHRTYPE, device=(1, 3))], 'none',
     "member 'data/null' is a character device"),
    ('block-device', [member('data/disk', tarfile.BLKTYPE, device=(8, 0))], 'gzip',
     "member 'data/disk' is a block device"),
    ('fifo', [member('data/pipe', tarfile.FIFOTYPE)], 'none', "member 'data/pipe' is a fifo"),
    ('outside-the-manifest', [member('etc/cron.d/evil', data=b'x')], 'none',
     "member 'etc/cron.d/evil' is not below any path of the manifest (data)"),
    ('prefix-of-a-root', [member('database/evil', data=b'x')], 'none',
     "member 'database/evil' is not below any path of the manifest (data)"),
]


@pytest.mark.parametrize('members, compression, message', [row[1:] for row in HOSTILE],
                         ids=[row[0] for row in HOSTILE])
def test_hostile_archive_is_refused_and_nothing_changes(lab, api, target, tmp_path, members, compression, message):
    src = craft(tmp_path, GOOD + members + LAST, compression)
    refused_everywhere(lab, api, target, src, 'Refusing to restore %s: %s. %s' % (src, message, NOTHING))


def test_symlink_chain_that_escapes_is_refused(lab, api, target, tmp_path):
    src = craft(tmp_path, GOOD + [member('data/l', tarfile.SYMTYPE, linkname='.'),
                                  member('data/esc', tarfile.SYMTYPE, linkname='l/..'),
                                  member('data/esc/planted', data=b'x')])
    refused_everywhere(lab, api, target, src, "member 'data/esc' is a symlink to l/.., which leads outside /data "
                       'through other links', NOTHING)


def test_archive_the_engine_cannot_extract_leaves_nothing_behind(lab, api, tmp_path):
    target = make_target(api, lab.prefix)
    src = craft(tmp_path, GOOD + [member('data/early', tarfile.LNKTYPE, linkname='data/late'),
                                  member('data/late', data=b'late\n')])
    refused_everywhere(lab, api, target, src, 'data/early')


def test_archive_that_does_not_match_its_manifest(lab, api, target, tmp_path):
    src = craft(tmp_path, GOOD + LAST, sha256='0' * 64)
    with open(src, 'rb') as handle:
        real = hashlib.sha256(handle.read()).hexdigest()
    refused_everywhere(lab, api, target, src, 'The archive %s does not match its manifest: sha256 %s, manifest says %s. '
                       'It may be damaged or replaced; nothing was restored.' % (src, real, '0' * 64))
    with open(src, 'ab') as handle:  # the right checksum, then the archive changes
        handle.write(b'\0' * 1024)
    craft_manifest = src + '.manifest.json'
    with open(craft_manifest) as handle:
        manifest = json.load(handle)
    manifest['sha256'] = real
    with open(craft_manifest, 'w') as handle:
        json.dump(manifest, handle)
    refused_everywhere(lab, api, target, src, 'does not match its manifest', 'manifest says %s' % real)


def test_the_crafted_format_itself_is_accepted(lab, api, tmp_path):
    """The control: the same crafting without a hostile member restores, so the refusals above
    are the members' doing."""
    src = craft(tmp_path, GOOD + LAST, 'gzip')
    volume = lab.name('control')
    result = ok(run_module('volume_restore', dict(src=src, volume=volume)))
    assert result['changed'] is True and result['restored'] == ['/data']
    assert lab.read('/v/sub/rel', binds=['%s:/v:ro' % volume]) == 'good'


BAD = [
    (dict(src='{tmp}/none.tar'), 'src {tmp}/none.tar is not a file on the managed host.'),
    (dict(src='{tmp}'), 'src {tmp} is not a file on the managed host.'),
    (dict(manifest='{tmp}/none.json'), 'Cannot read the manifest {tmp}/none.json: '),
    (dict(paths=['/nope', '/data']), 'paths /nope are not in the archive; it holds /data, /logs.'),
    (dict(container='{prefix}nope'), "Data container '{prefix}nope' does not exist; create it first "
                                     "(persistent.volumes.data_container)."),
    (dict(container=None, volume='{prefix}new'), 'The archive holds 2 paths (/data, /logs); choose one with paths '
                                                 'to restore into volume {prefix}new.'),
    (dict(volume='{prefix}new'), 'parameters are mutually exclusive: container|volume'),
    (dict(container=None), 'one of the following is required: container, volume'),
]


@pytest.mark.parametrize('bad, message', BAD, ids=[str(i) for i in range(len(BAD))])
def test_restore_bad_input(lab, api, target, tmp_path, bad, message):
    src = craft(tmp_path, GOOD + [member('logs', tarfile.DIRTYPE), member('logs/x', data=b'x')], roots=('data', 'logs'))
    words = dict(tmp=str(tmp_path), prefix=lab.prefix)
    args = dict(src=src, container=target)
    args.update(dict((k, v.format(**words) if isinstance(v, str) else v) for k, v in bad.items()))
    args = dict((k, v) for k, v in args.items() if v is not None)
    before = state(lab, api, target)
    for check in (True, False):
        failed(run_module('volume_restore', args, check=check), message.format(**words))
    assert state(lab, api, target) == before and not lab.volume_exists(lab.name('new'))
