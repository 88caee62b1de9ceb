# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import (
    HostDirectory,
    sensitive_reason,
    system_directory_reason,
)
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import normal_path

DATA_ROOT = '/var/lib/docker'
SYSTEM = '%s is a system directory'
BELOW = '%s is below %s'
IN_ROOT = "%s is the engine's data root /var/lib/docker or inside it"
SOCKET = "%s is the engine's socket"


@pytest.mark.parametrize('path, expected', [
    ('/', SYSTEM % '/'),
    ('//', SYSTEM % '/'),
    ('///', SYSTEM % '/'),
    ('/.', SYSTEM % '/'),
    ('/srv/..', SYSTEM % '/'),
    ('/srv/../..', SYSTEM % '/'),
    ('/etc', SYSTEM % '/etc'),
    ('/etc/', SYSTEM % '/etc'),
    ('//etc', SYSTEM % '/etc'),
    ('/etc/.', SYSTEM % '/etc'),
    ('/srv/../etc', SYSTEM % '/etc'),
    ('/etc/ssl/private', BELOW % ('/etc/ssl/private', '/etc')),
    ('/etc/ssl/..', SYSTEM % '/etc'),
    ('/boot', SYSTEM % '/boot'),
    ('/boot/efi', BELOW % ('/boot/efi', '/boot')),
    ('/proc', SYSTEM % '/proc'),
    ('/proc/sys/kernel', BELOW % ('/proc/sys/kernel', '/proc')),
    ('/sys', SYSTEM % '/sys'),
    ('/sys/fs/cgroup', BELOW % ('/sys/fs/cgroup', '/sys')),
    ('/dev', SYSTEM % '/dev'),
    ('/dev/shm/', BELOW % ('/dev/shm', '/dev')),
    ('/root', SYSTEM % '/root'),
    ('/root/', SYSTEM % '/root'),
    ('/var/lib/docker', IN_ROOT % '/var/lib/docker'),
    ('/var/lib/docker/', IN_ROOT % '/var/lib/docker'),
    ('/var/lib/docker/volumes/data/_data', IN_ROOT % '/var/lib/docker/volumes/data/_data'),
    ('/var/lib/docker/../docker/volumes', IN_ROOT % '/var/lib/docker/volumes'),
    ('/var/run/docker.sock', SOCKET % '/var/run/docker.sock'),
    ('/run/docker.sock', SOCKET % '/run/docker.sock'),
    ('//run//docker.sock', SOCKET % '/run/docker.sock'),
    # Fine: not one of the system directories, nor below the trees, nor the engine's own paths.
    ('/srv/data', None),
    ('/srv/./data/', None),
    ('/home/app', None),
    ('/tmp', None),
    ('/root/app', None),
    ('/rootfs', None),
    ('/etcetera', None),
    ('/devices/x', None),
    ('/proc2', None),
    ('/var/lib/docker-data', None),
    ('/var/lib/dockerd/x', None),
    ('/run/docker', None),
    ('/var/run/docker.sock.d', None),
])
def test_sensitive_paths(path, expected):
    assert sensitive_reason(path, data_root=DATA_ROOT) == expected


@pytest.mark.parametrize('data_root, path, expected', [
    (None, '/var/lib/docker', None),
    (None, '/var/lib/docker/volumes', None),
    ('/var/lib/docker/', '/var/lib/docker', IN_ROOT % '/var/lib/docker'),
    ('/var/lib/docker/', '/var/lib/docker/volumes', "/var/lib/docker/volumes is the engine's data root "
                                                    '/var/lib/docker/ or inside it'),
    ('/data/docker', '/data/docker/overlay2', "/data/docker/overlay2 is the engine's data root /data/docker or inside it"),
    ('/data/docker', '/var/lib/docker', None),
    ('/data/docker', '/data', "/data holds the engine's data root /data/docker"),
    ('/data/docker', '/datastore', None),
    ('/var/lib/docker', '/var/lib', "/var/lib holds the engine's data root /var/lib/docker"),
])
def test_data_root(data_root, path, expected):
    assert sensitive_reason(path, data_root=data_root) == expected


@pytest.mark.parametrize('path, expected', [
    # The operating system's directories, as written or normalised.
    ('/usr', SYSTEM % '/usr'),
    ('/usr/', SYSTEM % '/usr'),
    ('/var', "/var holds the engine's data root /var/lib/docker"),
    ('/var/lib', "/var/lib holds the engine's data root /var/lib/docker"),
    ('/var/log', SYSTEM % '/var/log'),
    ('/var/log/../log', SYSTEM % '/var/log'),
    ('/home', SYSTEM % '/home'),
    ('/lib', SYSTEM % '/lib'),
    ('/lib64', SYSTEM % '/lib64'),
    ('/libx32', SYSTEM % '/libx32'),
    ('/usr/lib', SYSTEM % '/usr/lib'),
    ('/usr/lib32', SYSTEM % '/usr/lib32'),
    ('/usr/local', SYSTEM % '/usr/local'),
    ('/bin', SYSTEM % '/bin'),
    ('/sbin', SYSTEM % '/sbin'),
    ('/opt', SYSTEM % '/opt'),
    ('/srv', SYSTEM % '/srv'),
    ('/run', "/run holds the engine's socket /run/docker.sock"),
    ('/tmp', SYSTEM % '/tmp'),
    # ... and the sensitive ones.
    ('/', SYSTEM % '/'),
    ('/etc/ssl', BELOW % ('/etc/ssl', '/etc')),
    ('/root', SYSTEM % '/root'),
    ('/var/lib/docker/volumes', IN_ROOT % '/var/lib/docker/volumes'),
    # Directories of applications, below the system ones, are fine.
    ('/srv/www', None),
    ('/home/app', None),
    ('/opt/app/data', None),
    ('/var/log/app', None),
    ('/usr/local/share/app', None),
    ('/usr/lib/app', None),
    ('/library/data', None),
    ('/tmp/cache', None),
])
def test_system_directories(path, expected):
    assert system_directory_reason(path, data_root=DATA_ROOT) == expected


def test_system_directory_through_a_symlink(tmp_path):
    link = str(tmp_path / 'data')
    os.symlink('/usr', link)
    assert system_directory_reason(link) == '%s resolves to /usr, a system directory' % link


def test_custom_engine_socket(tmp_path):
    sock = str(tmp_path / 'engine.sock')
    assert sensitive_reason(sock, sockets=[sock]) == SOCKET % sock
    assert sensitive_reason(sock) is None
    assert sensitive_reason(str(tmp_path), sockets=[sock]) == "%s holds the engine's socket %s" % (tmp_path, sock)
    assert sensitive_reason('/run') == "/run holds the engine's socket /run/docker.sock"


def link(tmp_path, target, name='link'):
    path = tmp_path / name
    os.symlink(target, str(path))
    return str(path)


@pytest.mark.parametrize('target, below, judged, template', [
    ('/etc', '', '/etc', SYSTEM),
    ('/etc/', 'ssl', '/etc/ssl', None),
    ('/proc', '', '/proc', SYSTEM),
    ('/proc/self', '', None, None),
    ('/sys/fs', '', '/sys/fs', None),
    ('/dev/', '', '/dev', SYSTEM),
    ('/', '', '/', SYSTEM),
    ('/root', '', '/root', SYSTEM),
    ('/var/run/docker.sock', '', None, SOCKET),
    ('/var/lib/docker/volumes', '', None, IN_ROOT),
    ('../../../../../../../../../../../etc', '', '/etc', SYSTEM),
])
def test_symlinks_are_followed(tmp_path, target, below, judged, template):
    path = os.path.join(link(tmp_path, target), below) if below else link(tmp_path, target)
    real = os.path.realpath(path)
    if judged is not None:
        assert real == judged
    reason = (template or '%s is below /' + real.split('/')[1]) % real
    assert sensitive_reason(path, data_root=DATA_ROOT) == '%s resolves to %s; %s' % (path, real, reason)


def test_symlink_to_a_custom_socket_and_through_a_linked_data_root(tmp_path):
    sock = str(tmp_path / 'engine.sock')
    via = link(tmp_path, sock, 'sock-link')
    assert sensitive_reason(via, sockets=[sock]) == '%s resolves to %s; %s' % (via, sock, SOCKET % sock)
    root = tmp_path / 'docker-root'
    root.mkdir()
    root_link = link(tmp_path, str(root), 'root-link')
    inside = str(root / 'volumes')
    assert sensitive_reason(inside, data_root=root_link) == (
        "%s is the engine's data root %s or inside it" % (inside, str(root)))


def test_symlink_to_a_fine_place_is_fine(tmp_path):
    real = tmp_path / 'real'
    real.mkdir()
    assert sensitive_reason(link(tmp_path, str(real)), data_root=DATA_ROOT) is None
    assert sensitive_reason(link(tmp_path, 'real', 'relative'), data_root=DATA_ROOT) is None
    assert sensitive_reason(link(tmp_path, '/nonexistent/dir', 'dangling'), data_root=DATA_ROOT) is None


UNRESOLVED = '%s cannot be resolved (a link on the way is not readable), so it cannot be judged safe'


@pytest.fixture
def locked(monkeypatch):
    """os.path.realpath fails below /proc/1/ and /srv/locked/, like a link it may not read
    (EACCES on /proc/1/root without CAP_SYS_PTRACE)."""
    real_realpath = os.path.realpath

    def realpath(path, *args, **kwargs):
        if path.startswith(('/proc/1/', '/srv/locked/')):
            raise PermissionError(13, 'Permission denied', path)
        return real_realpath(path, *args, **kwargs)

    monkeypatch.setattr(os.path, 'realpath', realpath)


@pytest.mark.parametrize('path', ['/srv/locked/data', '/srv/locked/./data'])
def test_unreadable_link_gives_a_reason(locked, path):
    # not an exception, and never "fine": a path that cannot be resolved is not judged safe
    assert sensitive_reason(path, data_root=DATA_ROOT) == UNRESOLVED % path


@pytest.mark.parametrize('path', ['/proc/1/root', '/proc/1/root/etc'])
def test_sensitive_as_written_before_resolving(locked, path):
    # the path as written is judged first, so the reason names the sensitive tree
    assert sensitive_reason(path, data_root=DATA_ROOT) == '%s is below /proc' % path


def test_unreadable_data_root_or_socket_is_judged_as_written(monkeypatch):
    real_realpath = os.path.realpath
    locked = ('/data/docker', '/srv/engine.sock')

    def realpath(path, *args, **kwargs):
        if path in locked:
            raise PermissionError(13, 'Permission denied', path)
        return real_realpath(path, *args, **kwargs)

    monkeypatch.setattr(os.path, 'realpath', realpath)
    assert sensitive_reason('/data/docker/overlay2', data_root='/data/docker') == (
        "/data/docker/overlay2 is the engine's data root /data/docker or inside it")
    assert sensitive_reason('/run/docker.sock', sockets=['/srv/engine.sock']) == SOCKET % '/run/docker.sock'
    assert sensitive_reason('/srv/data', data_root='/data/docker', sockets=['/srv/engine.sock']) is None


@pytest.mark.parametrize('path, expected', [
    ('/', '/'), ('//', '/'), ('///x', '/x'), ('//x//y/', '/x/y'), ('/a/./b/../c', '/a/c'), ('/..', '/'),
])
def test_normal_path(path, expected):
    assert normal_path(path) == expected


@pytest.fixture
def directory(tmp_path):
    path = tmp_path / 'dir'
    path.mkdir()
    os.chmod(str(path), 0o755)
    return HostDirectory(str(path))


@pytest.mark.parametrize('owner, group, mode, expected', [
    (None, None, None, []),
    ('uid', 'gid', 0o755, []),
    ('other', None, None, ['owner {other} wanted, {uid} found']),
    (None, 'other', None, ['group {other} wanted, {gid} found']),
    (None, None, 0o750, ['mode 0750 wanted, 0755 found']),
    (None, None, 0o2775, ['mode 2775 wanted, 0755 found']),
    ('other', 'other', 0o700, ['owner {other} wanted, {uid} found', 'group {other} wanted, {gid} found',
                               'mode 0700 wanted, 0755 found']),
])
def test_host_directory_differences(directory, owner, group, mode, expected):
    ids = dict(uid=os.getuid(), gid=os.getgid(), other=4242)
    owner = ids.get(owner, owner) if owner else None
    group = {'gid': ids['gid'], 'other': 4242}.get(group) if group else None
    assert directory.differences(owner, group, mode) == [line.format(**ids) for line in expected]


def test_host_directory_as_dict(tmp_path, directory):
    assert directory.as_dict() == dict(path=directory.path, state='directory', owner=os.getuid(), group=os.getgid(),
                                       mode='0755')
    missing = HostDirectory(str(tmp_path / 'missing'))
    assert (missing.exists, missing.is_dir, missing.as_dict()) == (False, False, dict(path=missing.path, state='absent'))
    (tmp_path / 'file').write_text(u'x')
    os.chmod(str(tmp_path / 'file'), 0o640)
    assert HostDirectory(str(tmp_path / 'file')).as_dict()['state'] == 'file'
    assert HostDirectory(str(tmp_path / 'file')).as_dict()['mode'] == '0640'
