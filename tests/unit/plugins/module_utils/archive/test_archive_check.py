# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import hashlib
import io
import json
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.restore import spec as restore_spec
from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import check_archive, member_problem
from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import FORMAT, load_manifest
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

REG, DIR, SYM, LNK = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE


def file_sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def check_members(src, roots):
    """The member checks of ``check_archive`` alone: the manifest names the archive's own checksum."""
    return check_archive(src, dict(sha256=file_sha256(src)), roots)


def info(name, kind=REG, linkname='', size=0):
    made = tarfile.TarInfo(name)
    made.type, made.linkname, made.size = kind, linkname, size
    return made


# --- member_problem: one row per rule, allowed and refused ---------------------------
MEMBERS = [
    # name, type, linkname, roots, problem (None: allowed)
    ('data', DIR, '', ['data'], None),
    ('data/', DIR, '', ['data'], None),
    ('data/f', REG, '', ['data'], None),
    ('data//sub/./f', REG, '', ['data'], None),
    ('srv/logs/app.log', REG, '', ['srv/logs', 'data'], None),
    ('data/l', SYM, 'f', ['data'], None),
    ('data/sub/l', SYM, '../f', ['data'], None),
    ('data/l', SYM, '../data/f', ['data'], None),
    ('data/l', SYM, '/data/f', ['data'], None),
    ('data/l', SYM, '/data', ['data'], None),
    ('data/l', SYM, '.', ['data'], None),
    ('data/h', LNK, 'data/f', ['data'], None),
    ('data/sub/h', LNK, 'data/sub/f', ['data'], None),
    ('data/f', tarfile.AREGTYPE, '', ['data'], None),
    ('/data/f', REG, '', ['data'], 'has an absolute name'),
    ('/etc/passwd', REG, '', ['data'], 'has an absolute name'),
    ('data/../etc/passwd', REG, '', ['data'], "climbs out of its path with '..'"),
    ('data/sub/../../x', REG, '', ['data'], "climbs out of its path with '..'"),
    ('..', DIR, '', ['data'], "climbs out of its path with '..'"),
    ('data/..', DIR, '', ['data'], "climbs out of its path with '..'"),
    ('other/f', REG, '', ['data'], 'is not below any path of the manifest (data)'),
    ('datax/f', REG, '', ['data'], 'is not below any path of the manifest (data)'),
    ('srv/f', REG, '', ['srv/logs', 'data'], 'is not below any path of the manifest (data, srv/logs)'),
    ('f', REG, '', ['data'], 'is not below any path of the manifest (data)'),
    ('data/l', SYM, '../../etc', ['data'], 'is a symlink to ../../etc, outside /data'),
    ('data/l', SYM, '..', ['data'], 'is a symlink to .., outside /data'),
    ('data/sub/l', SYM, '../../x', ['data'], 'is a symlink to ../../x, outside /data'),
    ('data/l', SYM, '/etc/passwd', ['data'], 'is a symlink to /etc/passwd, outside /data'),
    ('data/l', SYM, '/data/../etc', ['data'], 'is a symlink to /data/../etc, outside /data'),
    ('data/l', SYM, '/datax/f', ['data'], 'is a symlink to /datax/f, outside /data'),
    ('data/l', SYM, '../other/f', ['data', 'other'], 'is a symlink to ../other/f, outside /data'),
    ('srv/logs/l', SYM, '/srv/f', ['srv/logs'], 'is a symlink to /srv/f, outside /srv/logs'),
    ('data', SYM, 'x', ['data'], 'is a symlink to x, outside /data'),
    ('data/h', LNK, 'etc/passwd', ['data'], 'is a hard link to etc/passwd, outside /data'),
    ('data/h', LNK, '/etc/passwd', ['data'], 'is a hard link to /etc/passwd, outside /data'),
    ('data/h', LNK, '/data/f', ['data'], 'is a hard link to /data/f, outside /data'),
    ('data/h', LNK, '../etc/passwd', ['data'], 'is a hard link to ../etc/passwd, outside /data'),
    ('data/h', LNK, 'data/../data/f', ['data'], 'is a hard link to data/../data/f, outside /data'),
    ('data/h', LNK, 'other/f', ['data', 'other'], 'is a hard link to other/f, outside /data'),
    ('data/c', tarfile.CHRTYPE, '', ['data'], 'is a character device'),
    ('data/b', tarfile.BLKTYPE, '', ['data'], 'is a block device'),
    ('data/p', tarfile.FIFOTYPE, '', ['data'], 'is a fifo'),
    ('data/s', tarfile.CONTTYPE, '', ['data'], "is a special file (type b'7')"),
]


@pytest.mark.parametrize('name, kind, linkname, roots, problem', MEMBERS,
                         ids=['%d-%s' % (i, row[0]) for i, row in enumerate(MEMBERS)])
def test_member_problem(name, kind, linkname, roots, problem):
    assert member_problem(info(name, kind, linkname), roots) == problem


def test_rules_are_checked_in_order_name_before_type():
    # an absolute device: the name is what is reported
    assert member_problem(info('/dev/sda', tarfile.BLKTYPE), ['data']) == 'has an absolute name'
    assert member_problem(info('dev/sda', tarfile.BLKTYPE), ['data']) == \
        'is not below any path of the manifest (data)'


# --- check_members: whole archives ----------------------------------------------------
def build_tar(path, members, compression=''):
    """``members``: TarInfo objects; regular files get ``size`` bytes of content."""
    with tarfile.open(str(path), 'w:' + compression if compression else 'w', format=tarfile.PAX_FORMAT) as out:
        for member in members:
            out.addfile(member, io.BytesIO(b'x' * member.size) if member.isreg() else None)
    return str(path)


GOOD = [info('data', DIR), info('data/a', size=10), info('data/sub', DIR), info('data/sub/b', size=5),
        info('data/h', LNK, 'data/a'), info('data/l', SYM, 'sub/b'),
        info('srv/logs', DIR), info('srv/logs/x.log', size=7)]


@pytest.mark.parametrize('compression', ['', 'gz', 'xz'])
def test_check_members_sizes_per_root(tmp_path, compression):
    src = build_tar(tmp_path / 'a.tar', GOOD, compression)
    assert check_members(src, ['data', 'srv/logs']) == {'data': 15, 'srv/logs': 7}


def test_check_members_root_without_files(tmp_path):
    src = build_tar(tmp_path / 'a.tar', [info('data', DIR), info('data/empty', DIR), info('logs', DIR)])
    assert check_members(src, ['data', 'logs', 'spare']) == {'data': 0, 'logs': 0, 'spare': 0}


REFUSED = [
    (info('/data/x', size=1), "member '/data/x' has an absolute name"),
    (info('data/../etc/x', size=1), "member 'data/../etc/x' climbs out of its path with '..'"),
    (info('data/l', SYM, '../../etc'), "member 'data/l' is a symlink to ../../etc, outside /data"),
    (info('data/l', SYM, '/etc/passwd'), "member 'data/l' is a symlink to /etc/passwd, outside /data"),
    (info('data/h', LNK, 'etc/passwd'), "member 'data/h' is a hard link to etc/passwd, outside /data"),
    (info('data/c', tarfile.CHRTYPE), "member 'data/c' is a character device"),
    (info('data/b', tarfile.BLKTYPE), "member 'data/b' is a block device"),
    (info('data/p', tarfile.FIFOTYPE), "member 'data/p' is a fifo"),
    (info('elsewhere/x', size=1), "member 'elsewhere/x' is not below any path of the manifest (data, srv/logs)"),
]


@pytest.mark.parametrize('compression', ['', 'gz'])
@pytest.mark.parametrize('bad, message', REFUSED, ids=[row[0].name for row in REFUSED])
def test_check_members_refuses_naming_the_member(tmp_path, bad, message, compression):
    # the bad member sits between good ones: the first problem stops everything
    src = build_tar(tmp_path / 'a.tar', GOOD[:3] + [bad] + GOOD[3:], compression)
    with pytest.raises(Refusal) as caught:
        check_members(src, ['data', 'srv/logs'])
    assert caught.value.msg == 'Refusing to restore %s: %s. Nothing was restored.' % (src, message)


S = tarfile.SYMTYPE
CHAINS = [  # members after 'data/', and the refusal (None: accepted)
    ([info('data/l', S, '.'), info('data/esc', S, 'l/..'), info('data/esc/planted', size=3)],
     "member 'data/esc' is a symlink to l/.., which leads outside /data through other links"),
    ([info('data/l', S, '/data'), info('data/m', S, 'l/..')],
     "member 'data/m' is a symlink to l/.., which leads outside /data through other links"),
    ([info('data/a', S, 'b'), info('data/b', S, 'a'), info('data/a/x', size=1)],
     "member 'data/a/x' lies below a symlink that leads outside /data"),
    ([info('data/sub', DIR), info('data/l', S, 'sub'), info('data/l/x', size=1)], None),
    ([info('data/sub', DIR), info('data/abs', S, '/data/sub'), info('data/abs/x', size=1)], None),
    ([info('data/sub', DIR), info('data/sub/up', S, '..'), info('data/sub/up/x', size=1)], None),
    ([info('data/l', S, 'missing'), info('data/m', S, 'l')], None),
]


@pytest.mark.parametrize('members, message', CHAINS, ids=[str(i) for i in range(len(CHAINS))])
def test_check_members_follows_the_archive_s_own_symlinks(tmp_path, members, message):
    src = build_tar(tmp_path / 'a.tar', [info('data', DIR)] + members)
    if message is None:
        assert check_members(src, ['data']) == {'data': sum(m.size for m in members)}
        return
    with pytest.raises(Refusal) as caught:
        check_members(src, ['data'])
    assert caught.value.msg == 'Refusing to restore %s: %s. Nothing was restored.' % (src, message)


def gzip_of_a_tar(tmp_path):
    with open(build_tar(tmp_path / 'g.tar.gz', [info('data', DIR), info('data/f', size=100000)], 'gz'), 'rb') as handle:
        return handle.read()


NOT_TARS = [
    pytest.param(lambda tmp_path: b'', id='empty'),
    pytest.param(lambda tmp_path: b'not a tar at all, just text' * 40, id='text'),
    pytest.param(lambda tmp_path: gzip_of_a_tar(tmp_path)[:60], id='gzip-cut'),
    pytest.param(lambda tmp_path: gzip_of_a_tar(tmp_path)[:30] + b'\0' * 50 + gzip_of_a_tar(tmp_path)[80:],
                 id='gzip-corrupt'),
    pytest.param(lambda tmp_path: b'\x1f\x8b\x08garbage', id='gzip-bad-header'),
]


@pytest.mark.parametrize('make', NOT_TARS)
def test_check_members_of_something_that_is_not_a_tar(tmp_path, make):
    content = make(tmp_path)
    src = tmp_path / 'junk.tar'
    src.write_bytes(content)
    with pytest.raises(InputError) as caught:
        check_members(str(src), ['data'])
    assert caught.value.msg.startswith('%s is not a readable tar archive: ' % src)


def test_check_members_of_a_truncated_archive(tmp_path):
    whole = build_tar(tmp_path / 'whole.tar', [info('data', DIR), info('data/big', size=50000)])
    cut = tmp_path / 'cut.tar'
    with open(whole, 'rb') as handle:
        cut.write_bytes(handle.read()[:20000])
    with pytest.raises(InputError) as caught:
        check_members(str(cut), ['data'])
    assert caught.value.msg.startswith('%s is not a readable tar archive: ' % cut)


# --- load_manifest ----------------------------------------------------------------------
def manifest(**changes):
    made = dict(format=FORMAT, sha256='0' * 64, paths=[dict(path='/data', member='data', volume='v')])
    made.update(changes)
    return made


MANIFESTS = [
    ([1, 2], '{path} is not a persistent.volumes backup manifest (format %s expected).' % FORMAT),
    ('text', '{path} is not a persistent.volumes backup manifest (format %s expected).' % FORMAT),
    (manifest(format='other/1'), '{path} is not a persistent.volumes backup manifest (format %s expected).' % FORMAT),
    (dict((k, v) for k, v in manifest().items() if k != 'format'),
     '{path} is not a persistent.volumes backup manifest (format %s expected).' % FORMAT),
    (manifest(paths=None), 'The manifest {path} lists no paths.'),
    (manifest(paths=[]), 'The manifest {path} lists no paths.'),
    (manifest(paths='/data'), 'The manifest {path} lists no paths.'),
    (manifest(paths=['/data']), 'The manifest {path} lists no paths.'),
    (manifest(paths=[dict(path='/data')]), 'The manifest {path} lists no paths.'),
    (manifest(paths=[dict(member='data')]), 'The manifest {path} lists no paths.'),
    (manifest(paths=[dict(path='', member='data')]), 'The manifest {path} lists no paths.'),
    (manifest(paths=[dict(path='/a', member='a'), dict(path='/b', member='')]), 'The manifest {path} lists no paths.'),
]


@pytest.mark.parametrize('content, message', MANIFESTS, ids=[str(i) for i in range(len(MANIFESTS))])
def test_load_manifest_refuses(tmp_path, content, message):
    path = tmp_path / 'm.json'
    path.write_text(json.dumps(content))
    with pytest.raises(InputError) as caught:
        load_manifest(str(path))
    assert caught.value.msg == message.format(path=path)


def test_load_manifest_missing_and_not_json(tmp_path):
    missing = tmp_path / 'none.json'
    with pytest.raises(InputError) as caught:
        load_manifest(str(missing))
    assert caught.value.msg.startswith('Cannot read the manifest %s: ' % missing)
    assert 'No such file' in caught.value.msg and caught.value.msg.endswith('.')
    broken = tmp_path / 'broken.json'
    broken.write_text('{"format": ')
    with pytest.raises(InputError) as caught:
        load_manifest(str(broken))
    assert caught.value.msg.startswith('The manifest %s is not JSON: ' % broken)
    with pytest.raises(InputError) as caught:
        load_manifest(str(tmp_path))  # a directory
    assert caught.value.msg.startswith('Cannot read the manifest %s: ' % tmp_path)


def test_load_manifest_returns_the_manifest(tmp_path):
    path = tmp_path / 'm.json'
    wanted = manifest(paths=[dict(path='/a', member='a', bytes=3), dict(path='/srv/b', member='srv/b')])
    path.write_text(json.dumps(wanted))
    assert load_manifest(str(path)) == wanted


# --- the checksum -------------------------------------------------------------------------
def test_verify_checksum(tmp_path):
    src = tmp_path / 'a.tar'
    src.write_bytes(b'\0' * (3 * 1024 * 1024 + 17))  # more than one read block
    real = hashlib.sha256(src.read_bytes()).hexdigest()
    assert check_archive(str(src), dict(sha256=real), []) == {}
    for claimed in ('f' * 64, real.upper(), None, ''):
        with pytest.raises(Refusal) as caught:
            check_archive(str(src), dict(sha256=claimed) if claimed is not None else {}, [])
        assert caught.value.msg == ('The archive %s does not match its manifest: sha256 %s, manifest says %s. It may '
                                    'be damaged or replaced; nothing was restored.' % (src, real, claimed))


# --- free space (restore/spec.py RestoreSpec.check_space) -----------------------------------
class SpaceAPI(FakeEngineAPI):
    def __init__(self, root):
        super(SpaceAPI, self).__init__()
        self.root = root

    def info(self):
        return {'DockerRootDir': self.root} if self.root else {}


StatVFS = collections.namedtuple('StatVFS', 'f_bavail f_frsize')


class Restore(object):
    """A RestoreSpec of the archive ``/backups/a.tar`` and the engine it restores into."""

    def __init__(self, engine):
        self.engine = engine
        self.spec = restore_spec.RestoreSpec.__new__(restore_spec.RestoreSpec)
        self.spec.src = '/backups/a.tar'

    def check_space(self, needed):
        return self.spec.check_space(self.engine, needed)

    def check_archive(self):
        return self.spec.check_archive(self.engine)


def restore_for(engine_module, root, docker_host='unix:///var/run/docker.sock'):
    return Restore(engine_module(SpaceAPI(root), params=dict(docker_host=docker_host)))


@pytest.mark.parametrize('needed, free_blocks, refused', [
    (0, 0, False), (4096, 1, False), (4097, 1, True), (10 ** 12, 1000, True), (10 ** 6, 10 ** 6, False)])
def test_free_space_check(engine_module, monkeypatch, tmp_path, needed, free_blocks, refused):
    monkeypatch.setattr(restore_spec.os, 'statvfs', lambda path: StatVFS(free_blocks, 4096))
    restore = restore_for(engine_module, str(tmp_path))
    if not refused:
        restore.check_space(needed)
        return
    with pytest.raises(Refusal) as caught:
        restore.check_space(needed)
    assert caught.value.msg == ("Refusing to restore /backups/a.tar: it needs %d bytes and the engine's data root %s "
                                "has %d free. Nothing was restored." % (needed, tmp_path, free_blocks * 4096))


def test_free_space_of_a_remote_engine_is_a_warning(engine_module, monkeypatch, tmp_path):
    monkeypatch.setattr(restore_spec.os, 'statvfs', lambda path: StatVFS(0, 4096))
    restore = restore_for(engine_module, str(tmp_path), docker_host='tcp://192.0.2.1:2376')
    restore.check_space(10 ** 9)
    assert restore.engine.warnings == ['The engine is remote: free space on it cannot be checked before restoring.']


@pytest.mark.parametrize('root', [None, '/nonexistent/docker/root'])
def test_free_space_without_a_visible_data_root_is_not_checked(engine_module, monkeypatch, root):
    monkeypatch.setattr(restore_spec.os, 'statvfs', lambda path: StatVFS(0, 4096))
    restore_for(engine_module, root).check_space(10 ** 9)


def test_check_archive_counts_only_the_chosen_paths(engine_module, monkeypatch, tmp_path):
    src = build_tar(tmp_path / 'a.tar', GOOD)
    restore = restore_for(engine_module, str(tmp_path))
    restore.spec.src = src
    paths = [dict(path='/data', member='data'), dict(path='/srv/logs', member='srv/logs')]
    restore.spec.manifest = manifest(sha256=file_sha256(src), paths=paths)
    seen = []
    monkeypatch.setattr(restore.spec, 'check_space', lambda engine, needed: seen.append(needed))
    restore.spec.entries = restore.spec.manifest['paths'][1:]
    assert restore.check_archive() == 7 and seen == [7]
    restore.spec.entries = restore.spec.manifest['paths']
    assert restore.check_archive() == 22 and seen == [7, 22]
    restore.spec.manifest['sha256'] = '0' * 64  # the checksum comes first
    with pytest.raises(Refusal):
        restore.check_archive()
    assert seen == [7, 22]
