# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Host directories for bind mounts: which ones are too sensitive, and preparing them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat

from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import normal_path

SENSITIVE = ('/', '/etc', '/boot', '/proc', '/sys', '/dev', '/root')
SENSITIVE_TREES = ('/etc', '/proc', '/sys', '/boot', '/dev')
ENGINE_SOCKETS = ('/var/run/docker.sock', '/run/docker.sock')

# Directories of the operating system whose owner and mode are never changed (unless the
# task says allow_sensitive=true): besides SENSITIVE and everything below SENSITIVE_TREES,
# these, and every /lib*, /usr/lib* directory.
SYSTEM_DIRECTORIES = frozenset((
    '/bin', '/sbin', '/usr', '/usr/bin', '/usr/sbin', '/usr/local', '/usr/share', '/usr/include',
    '/usr/src', '/usr/libexec', '/var', '/var/lib', '/var/log', '/var/cache', '/var/spool', '/var/mail',
    '/var/opt', '/var/local', '/var/backups', '/var/tmp', '/var/run', '/var/lock', '/home', '/opt',
    '/srv', '/run', '/tmp', '/mnt', '/media', '/lost+found',
))
LIBRARY_PARENTS = ('/', '/usr/')


def _judge(path, data_root, sockets):
    if path in SENSITIVE:
        return '%s is a system directory' % path
    for tree in SENSITIVE_TREES:
        if path.startswith(tree + '/'):
            return '%s is below %s' % (path, tree)
    if data_root and (path == data_root or path.startswith(data_root.rstrip('/') + '/')):
        return "%s is the engine's data root %s or inside it" % (path, data_root)
    if path in sockets:
        return "%s is the engine's socket" % path
    for inner in [data_root] + sorted(sockets):
        inner = (inner or '').rstrip('/')
        if inner and path != '/' and inner != path and inner.startswith(path.rstrip('/') + '/'):
            kind = 'data root' if data_root and inner == data_root.rstrip('/') else 'socket'
            return "%s holds the engine's %s %s" % (path, kind, inner)
    return None


def _real(path):
    """The real path with symlinks followed (None when a link on the way cannot be read)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


def _steps(path):
    """The path as written, one component more at a time: /a, /a/b, /a/b/c."""
    parts = [part for part in path.split('/') if part]
    return ['/' + '/'.join(parts[:index + 1]) for index in range(len(parts))]


def sensitive_reason(path, data_root=None, sockets=()):
    """Why ``path`` must not be bind-mounted (None when it may).

    Judges the path as written (normalised) and its real path with symlinks followed,
    so a link or ``..`` that leads to a sensitive place is caught.
    """
    sockets = set(ENGINE_SOCKETS) | set(sockets)
    real_sockets = set(_real(sock) or sock for sock in sockets)
    data_roots = [data_root, _real(data_root) or data_root] if data_root else [None]
    normal = normal_path(path)
    for root in data_roots:
        reason = _judge(normal, root, sockets | real_sockets)
        if reason:
            return reason
    real = _real(path)
    if real is None:
        return '%s cannot be resolved (a link on the way is not readable), so it cannot be judged safe' % path
    for root in data_roots:
        reason = _judge(real, root, sockets | real_sockets)
        if reason:
            return '%s resolves to %s; %s' % (path, real, reason)
    # Each step of the resolution is judged against the sensitive trees too: a link to /proc
    # followed by self/... must not pass because its end resolves somewhere harmless here.
    for step in _steps(path):
        real = _real(step)
        if real is None:
            return '%s cannot be resolved (a link on the way is not readable), so it cannot be judged safe' % path
        for tree in SENSITIVE_TREES:
            if real != step and (real == tree or real.startswith(tree + '/')):
                return '%s passes through %s, which resolves into %s' % (path, step, tree)
    return None


def _system_directory(path):
    if path in SYSTEM_DIRECTORIES:
        return True
    return any(path.startswith(parent + 'lib') and '/' not in path[len(parent):] for parent in LIBRARY_PARENTS)


def system_directory_reason(path, data_root=None, sockets=()):
    """Why the owner and mode of the existing ``path`` must not be changed (None when they may).

    The sensitive paths of ``sensitive_reason`` and the directories of the operating system
    (``/usr``, ``/var/log``, ``/home``, ``/lib64``, ...), as written or with symlinks followed.
    """
    reason = sensitive_reason(path, data_root, sockets)
    if reason:
        return reason
    normal = normal_path(path)
    if _system_directory(normal):
        return '%s is a system directory' % normal
    real = _real(path)
    if real is not None and real != normal and _system_directory(real):
        return '%s resolves to %s, a system directory' % (path, real)
    return None


class HostDirectory(object):
    """What is at a host path now: nothing, a directory, or something else."""

    def __init__(self, path):
        self.path = path
        try:
            info = os.stat(path)
        except OSError:
            info = None
        self.exists = info is not None
        self.is_dir = bool(info) and stat.S_ISDIR(info.st_mode)
        self.uid = info.st_uid if info else None
        self.gid = info.st_gid if info else None
        self.mode = stat.S_IMODE(info.st_mode) if info else None

    def differences(self, owner, group, mode):
        found = []
        if owner is not None and owner != self.uid:
            found.append('owner %s wanted, %s found' % (owner, self.uid))
        if group is not None and group != self.gid:
            found.append('group %s wanted, %s found' % (group, self.gid))
        if mode is not None and mode != self.mode:
            found.append('mode %04o wanted, %04o found' % (mode, self.mode))
        return found

    def as_dict(self):
        if not self.exists:
            return dict(path=self.path, state='absent')
        return dict(path=self.path, state='directory' if self.is_dir else 'file', owner=self.uid,
                    group=self.gid, mode='%04o' % self.mode)


def engine_paths(engine):
    """([the engine's socket], its data root): what no bind mount may expose."""
    socket = engine.options.socket_path
    return ([normal_path(socket)] if socket else []), engine.api.info().get('DockerRootDir')


def create_directory(path, owner=None, group=None, mode=None):
    os.makedirs(path, 0o755 if mode is None else mode)
    set_attributes(path, owner, group, mode)


def set_attributes(path, owner=None, group=None, mode=None):
    if owner is not None or group is not None:
        os.chown(path, -1 if owner is None else owner, -1 if group is None else group)
    if mode is not None:
        os.chmod(path, mode)
