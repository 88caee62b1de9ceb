# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whether this module may read and write a volume's directory itself (the direct path).

A ``Mountpoint`` is only a path the engine reports; a same-named directory may exist on
this machine without being the engine's. The direct path is taken only when all of this
holds, and the archive endpoint is used otherwise, with the reason in the result:

1. the engine is reached over a Unix socket on this machine (no TCP, no TLS);
2. the process that serves a connection to that socket holds open the volume database of
   the data root the engine reports (``<DockerRootDir>/volumes/metadata.db``, the same file
   as this machine sees it): the socket is the engine's, not a proxy's. That process is the
   socket's listener (``SO_PEERCRED``) when the engine made the socket itself; behind socket
   activation (systemd's ``docker.socket``) the listener is another process (pid 1) and the
   engine is the process holding the very connection this module opened, accepted from the
   listening socket it was handed (the connection's other end, found with ``sock_diag``,
   among the processes' open files). An engine in another mount namespace or root whose
   ``DockerRootDir`` names another engine's directory here, a proxy, or a remote engine
   holds no such file. Podman opens its
   database only while it uses it: there, the process is the ``podman`` program itself and
   sees the same database (``<DockerRootDir>/libpod/bolt_state.db`` or ``db.sql``) as this
   machine does;
3. the engine is neither rootless nor remapping user namespaces (its ``SecurityOptions``),
   so owners in the directory are the owners in the containers;
4. this module runs as root (a volume holds files of any owner and mode);
5. per volume: driver ``local`` without mount options (an NFS or device volume is mounted
   only while a container uses it), and ``/proc/<engine pid>/root<Mountpoint>`` is the
   same directory (device and inode) as ``<Mountpoint>`` here, whatever mount namespaces
   are in between.

Everything here only reads (``/proc``, ``stat``, one ``info`` call): check mode runs it too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket
import struct

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.engine.kind import engine_kind, refuse_archive_endpoint

METHODS = ['auto', 'direct', 'engine']


class Access(object):
    """The path chosen: ``method`` (direct or engine), ``reason``, and the engine's process id."""

    def __init__(self, method, reason, pid=None, kind=None):
        self.method = method
        self.reason = reason
        self.pid = pid
        self.kind = kind  # the EngineKind, when it was asked

    @property
    def direct(self):
        return self.method == 'direct'

    def as_result(self):
        return dict(method=self.method, method_reason=self.reason)


def peer_pid(path):
    """The process id serving the Unix socket ``path`` (SO_PEERCRED of a connection to it)."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.settimeout(5)
        client.connect(path)
        raw = client.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i'))
    finally:
        client.close()
    pid = struct.unpack('3i', raw)[0]
    return pid or None


# sock_diag (linux/sock_diag.h, linux/unix_diag.h): the other end of one of our Unix sockets.
NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, NLMSG_ERROR = 4, 20, 1, 2
UDIAG_SHOW_PEER, UNIX_DIAG_PEER = 0x4, 2


def connection_peer_inode(client):
    """The inode of the other end of the connected Unix socket ``client`` (None when the kernel
    does not say: no sock_diag)."""
    request = struct.pack('BBHIIIII', socket.AF_UNIX, 0, 0, 0xffffffff, os.fstat(client.fileno()).st_ino,
                          UDIAG_SHOW_PEER, 0xffffffff, 0xffffffff)
    diag = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    try:
        diag.settimeout(5)
        diag.sendto(struct.pack('IHHII', 16 + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 1, 0) + request,
                    (0, 0))
        answer = diag.recv(65536)
    finally:
        diag.close()
    length, kind = struct.unpack_from('IH', answer)
    offset = 16 + 16  # nlmsghdr, unix_diag_msg; then the attributes
    while kind != NLMSG_ERROR and offset + 4 <= min(length, len(answer)):
        size, attribute = struct.unpack_from('HH', answer, offset)
        if attribute == UNIX_DIAG_PEER:
            return struct.unpack_from('I', answer, offset + 4)[0]
        offset += max(4, (size + 3) & ~3)
    return None


def holders_of_socket(inode):
    """The pids of the processes that have socket ``inode`` open."""
    wanted = 'socket:[%d]' % inode
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        directory = '/proc/%s/fd' % entry
        try:
            if any(os.readlink(os.path.join(directory, fd)) == wanted for fd in os.listdir(directory)):
                found.append(int(entry))
        except OSError:
            continue  # gone meanwhile
    return found


def serving_pid(path):
    """The process that serves a connection to the Unix socket ``path``: the one holding the accepted
    end of a connection this function opens, after the engine answered on it (``GET /_ping``, kept
    alive), or None when that cannot be told."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.settimeout(5)
        client.connect(path)
        client.sendall(b'GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n')
        if not client.recv(4096):
            return None
        peer = connection_peer_inode(client)
        holders = holders_of_socket(peer) if peer else []
    finally:
        client.close()
    return holders[0] if len(holders) == 1 else None


def holds_open(pid, target):
    """True when process ``pid`` has ``target`` (a path on this machine) open."""
    wanted = os.stat(target)
    directory = '/proc/%d/fd' % pid
    for name in os.listdir(directory):
        try:
            if os.path.samestat(os.stat(os.path.join(directory, name)), wanted):
                return True
        except OSError:
            continue  # closed meanwhile, or not a file
    return False


PODMAN_DATABASES = ('bolt_state.db', 'db.sql')


def _podman_problem(engine, root, pid):
    """Why the process serving the socket cannot be proved to be the Podman owning ``root``."""
    try:
        program = os.path.basename(os.readlink('/proc/%d/exe' % pid))
    except OSError as exc:
        return 'cannot tell which program pid %d is: %s' % (pid, exc.strerror or exc)
    if program != 'podman':
        return ('the process serving %s (pid %d) is %s, not podman: it is not the engine that owns the volumes '
                'seen here (a proxy, or another machine\'s engine)' % (engine.options.socket_path, pid, program))
    for database in PODMAN_DATABASES:
        here = os.path.join(root, 'libpod', database)
        try:
            if os.path.samestat(os.stat(here), os.stat('/proc/%d/root%s' % (pid, here))):
                return None
        except OSError:
            continue
    return ('podman (pid %d) does not see the same database under %s/libpod as this machine does'
            % (pid, root))


def _engine_problem(engine, info, pid, kind):
    """(why the process serving the socket cannot be proved to be the engine, or None; the engine's pid)."""
    security = ' '.join(info.get('SecurityOptions') or [])
    if 'name=rootless' in security:
        return 'the engine runs rootless (its SecurityOptions say so): owners differ on the disk', pid
    if 'name=userns' in security:
        return 'the engine remaps user namespaces (userns-remap): owners differ on the disk', pid
    root = info.get('DockerRootDir')
    if not root:
        return 'the engine reports no DockerRootDir', pid
    if kind.podman:
        return _podman_problem(engine, root, pid), pid
    database = os.path.join(root, 'volumes', 'metadata.db')
    path = engine.options.socket_path
    try:
        if holds_open(pid, database):
            return None, pid
        accepting = serving_pid(path)
        if accepting is not None and accepting != pid and holds_open(accepting, database):
            return None, accepting  # socket activation: pid listens, the engine accepted this connection
    except (OSError, ValueError, struct.error) as exc:
        return 'cannot confirm that pid %d is the engine owning %s: %s' % (pid, database, exc), pid
    return ('neither the process listening on %s (pid %d) nor the one that accepted a connection to it (%s) '
            'holds %s open: it is not the engine that owns the volumes seen here (a proxy, an engine in '
            'another mount namespace or root, or another machine\'s engine)'
            % (path, pid, 'pid %d' % accepting if accepting else 'not known', database)), pid


def engine_access(engine, method):
    """The engine-level decision (before looking at any volume)."""
    if method == 'engine':
        return Access('engine', 'method=engine was asked')
    path = engine.options.socket_path
    if path is None or engine.options.uses_tls:
        return Access('engine', 'the engine is not on a local Unix socket (docker_host=%s)' % engine.options.docker_host)
    if os.geteuid() != 0:
        return Access('engine', 'the module does not run as root; a volume holds files of any owner and mode')
    try:
        pid = peer_pid(path)
    except (OSError, AttributeError) as exc:
        return Access('engine', 'cannot ask the socket %s who serves it: %s' % (path, exc))
    if pid is None:
        return Access('engine', 'the socket %s does not tell which process serves it' % path)
    kind = engine_kind(engine.api)
    problem, engine_pid = _engine_problem(engine, engine.api.info(), pid, kind)
    if problem:
        return Access('engine', problem, kind=kind)
    if engine_pid != pid:
        return Access('direct', 'local engine (pid %d, behind a socket activated by pid %d) owns the volume '
                      'directories' % (engine_pid, pid), engine_pid, kind)
    return Access('direct', 'local engine (pid %d) owns the volume directories' % pid, pid, kind)


def volume_problem(access, volume):
    """Why the volume's directory cannot be used directly (None when it can)."""
    name = volume.get('Name')
    if (volume.get('Driver') or 'local') != 'local':
        return 'volume %s uses the driver %s, not local' % (name, volume.get('Driver'))
    if volume.get('Options'):
        return 'volume %s is a local volume with mount options %s (mounted only while in use)' % (
            name, ', '.join(sorted(volume['Options'])))
    mountpoint = volume.get('Mountpoint')
    if not mountpoint or not os.path.isabs(mountpoint):
        return 'volume %s has no Mountpoint' % name
    try:
        here = os.stat(mountpoint)
        there = os.stat('/proc/%d/root%s' % (access.pid, mountpoint))
    except OSError as exc:
        return 'cannot look at the Mountpoint of volume %s: %s' % (name, exc.strerror or exc)
    if not os.path.samestat(here, there):
        return 'the Mountpoint %s of volume %s here is not the engine\'s directory of that name' % (mountpoint, name)
    return None


def choose_access(engine, method, volumes):
    """The path for ``volumes`` (inspect data): direct only when every one of them can be proved.

    ``method: direct`` that cannot be proved is refused rather than read from an unproved
    directory.
    """
    access = engine_access(engine, method)
    if access.direct:
        for volume in volumes:
            problem = volume_problem(access, volume)
            if problem:
                access = Access('engine', problem, kind=access.kind)
                break
    if not access.direct:
        refuse_archive_endpoint(access.kind or engine_kind(engine.api), 'read or write volume data',
                                'The direct path was not taken: %s. Run the task on the engine\'s machine, as root, '
                                'with its local socket (method=auto or direct)' % access.reason)
    if method == 'direct' and not access.direct:
        raise Refusal('method=direct cannot be used: %s. Use method=auto (or engine) to go through the engine\'s '
                      'archive endpoint; nothing was changed.' % access.reason)
    if method == 'auto' and access.direct:
        access.reason = 'auto: ' + access.reason
    return access
