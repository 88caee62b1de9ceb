# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Socket activation as systemd does it for ``docker.socket`` (the lab's stand-in for systemd).

    python socket_activation.py --socket PATH [--pidfile FILE] [--mode 0660] -- dockerd -H fd:// ...

This process binds and listens on the Unix socket PATH, then starts the command as its child
with the listening socket as file descriptor 3 and ``LISTEN_FDS=1``, ``LISTEN_PID=<child pid>``,
``LISTEN_FDNAMES=<socket name>`` in its environment, and stays alive holding the socket too: a
client's ``SO_PEERCRED`` then names this process (on a stock host: systemd, pid 1), not the
engine, which accepts the connections. SIGTERM and SIGINT are passed on to the child; this
process ends when the child does, with its exit status. Start it detached (``setsid``,
stdin from /dev/null): it is a daemon.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import os
import signal
import socket
import sys

LISTEN_FD = 3  # SD_LISTEN_FDS_START


def listening_socket(path, mode):
    """A Unix stream socket bound at ``path`` (a stale socket file there is replaced) and listening."""
    if os.path.exists(path) and not os.path.isdir(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, mode)
    server.listen(socket.SOMAXCONN)
    return server


def start_child(server, command, name):
    """fork, the listening socket as fd 3 of the child, then exec ``command`` with LISTEN_* set."""
    pid = os.fork()
    if pid:
        return pid
    os.dup2(server.fileno(), LISTEN_FD)
    os.set_inheritable(LISTEN_FD, True)
    env = dict(os.environ, LISTEN_FDS='1', LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES=name)
    try:
        os.execvpe(command[0], command, env)
    finally:
        os._exit(127)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--socket', required=True)
    parser.add_argument('--pidfile')
    parser.add_argument('--mode', default='0660')
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('no command to start')
    server = listening_socket(args.socket, int(args.mode, 8))
    child = start_child(server, command, os.path.basename(args.socket))
    if args.pidfile:
        with open(args.pidfile, 'w') as handle:
            handle.write('%d\n' % os.getpid())

    def forward(signum, frame):
        try:
            os.kill(child, signum)
        except OSError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    while True:
        try:
            dummy, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    server.close()
    if args.pidfile:
        try:
            os.unlink(args.pidfile)
        except OSError:
            pass
    return os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status >> 8


if __name__ == '__main__':
    sys.exit(main())
