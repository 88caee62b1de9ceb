# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Archives encrypted with age (https://age-encryption.org), by the ``age`` tool of the Docker host.

No cryptography is written here: ``age`` (Debian's package ``age``) encrypts and decrypts, run by
``module.run_command``. The archive streams through a FIFO in a private directory: on the way in,
the archive writer writes the (compressed) tar into the FIFO while ``age`` reads it and writes the
ciphertext to the temporary file beside the destination (``AgeSink``); on the way out, every open of
a restore decrypts the archive whole into a private temporary file (``decrypt_to``: mode 0600, in a
directory of mode 0700 beside the archive, removed when the restore ends), which authenticates every
chunk before the checks and the fill read it; check mode, which writes no file, reads the plaintext
through the FIFO of a ``Decrypted`` view instead (its checks read the archive once). The identity file is only passed to ``age`` by its path; its
content is never read here, never in a result or a log.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import fcntl
from shlex import quote as shlex_quote
import os
import re
import shutil
import tempfile
import threading
import time

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal

# An age X25519 recipient: "age1" and 58 characters of bech32 (Bech32 has no 1, b, i, o).
RECIPIENT = re.compile(r'\Aage1[02-9ac-hj-np-z]{58}\Z')
PACKAGE_HINT = ('the age tool on the Docker host (on Debian and Ubuntu the package "age": apt-get install age; '
                'elsewhere https://age-encryption.org)')


def check_recipients(recipients, option='encrypt_to'):
    """The recipients, each an age X25519 public key (``age1...``), without repeats; ``option`` is how the
    task names them in a message."""
    seen = []
    for recipient in recipients:
        text = (recipient or '').strip()
        if not RECIPIENT.match(text):
            raise InputError('%s: %r is not an age X25519 recipient (a public key "age1" followed by 58 '
                             'characters, as age-keygen -y prints it).' % (option, recipient))
        if text not in seen:
            seen.append(text)
    if not seen:
        raise InputError('%s is empty; give the age recipients to encrypt to, or leave it out.' % option)
    return seen


def age_tool(module, what):
    """The path of ``age`` on this host; a refusal naming the package when it is missing."""
    path = module.get_bin_path('age')
    if not path:
        raise Refusal('%s needs %s, and it is not installed here; nothing was changed.' % (what, PACKAGE_HINT))
    return path


def _stderr_of(result):
    lines = [line for line in (result[2] or '').splitlines() if line and 'report unexpected' not in line]
    return '; '.join(lines) or 'exit code %s' % result[0]


class _Run(threading.Thread):
    """``module.run_command(args)`` in a thread of its own; ``result``: (rc, out, err)."""

    def __init__(self, module, args):
        super(_Run, self).__init__(name='pv-age')
        self.daemon = True
        self.module, self.args, self.result = module, args, None

    def run(self):
        try:
            self.result = self.module.run_command(self.args, binary_data=True)
        except Exception as exc:  # pylint: disable=broad-except
            self.result = (-1, '', str(exc))

    def failure(self):
        return None if self.result is None or self.result[0] == 0 else _stderr_of(self.result)


def _open_writer(fifo, run):
    """The FIFO's write end, once ``age`` (``run``) has opened it to read."""
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if not run.is_alive():
                raise OSError('age did not start: %s' % (run.failure() or 'no reader'))
            time.sleep(0.01)
            continue
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return fd


class AgeSink(object):
    """The file the archive writer writes to: ``age --encrypt`` reads it and writes ``path``.

    ``close`` waits for ``age``, fails with its message when it failed, and syncs ``path``;
    ``fileno`` is ``path``'s, which is what a caller syncs (the FIFO cannot be).
    """

    def __init__(self, module, age, recipients, path):
        self.closed = False
        self._directory = tempfile.mkdtemp(prefix='.pv-age-', dir=os.path.dirname(path))
        fifo = os.path.join(self._directory, 'plaintext')
        os.mkfifo(fifo, 0o600)
        args = [age, '--encrypt', '--output', path]
        for recipient in recipients:
            args += ['--recipient', recipient]
        self._run = _Run(module, args + [fifo])
        self._run.start()
        self._synced = os.open(path, os.O_RDONLY)
        try:
            self._fd = _open_writer(fifo, self._run)
        except BaseException:
            self._cleanup()
            raise

    def write(self, data):
        view = memoryview(data).cast('B')
        try:
            while len(view):
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            self._run.join(10)
            raise OSError(exc.errno, 'age stopped reading the archive: %s' % (self._run.failure() or exc))
        return len(data)

    def flush(self):
        pass

    def fileno(self):
        return self._synced

    def _cleanup(self):
        for fd in ('_fd', '_synced'):
            if getattr(self, fd, None) is not None:
                os.close(getattr(self, fd))
                setattr(self, fd, None)
        shutil.rmtree(self._directory, ignore_errors=True)

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            os.close(self._fd)
            self._fd = None
            self._run.join()
            if self._run.failure():
                raise OSError(errno.EIO, 'age could not encrypt the archive: %s' % self._run.failure())
            os.fsync(self._synced)
        finally:
            self._cleanup()


class Decrypted(object):
    """A FIFO whose one open reads the plaintext of ``src`` (check mode, which writes no file).

    The open is served by ``age --decrypt`` whose output the shell opens write-only (so that it waits
    for the reader, and stops when the reader goes); nothing is written to disk.
    """

    def __init__(self, module, age, identity, src, directory):
        self._directory = tempfile.mkdtemp(prefix='.pv-age-', dir=directory)
        self.path = os.path.join(self._directory, os.path.basename(src))
        os.mkfifo(self.path, 0o600)
        args = [age, '--decrypt', '--identity', identity, src]
        self._command = '%s > %s' % (' '.join(shlex_quote(arg) for arg in args), shlex_quote(self.path))
        self._module, self._stop, self.failures = module, threading.Event(), []
        self._server = threading.Thread(target=self._serve, name='pv-age-serve')
        self._server.daemon = True
        self._server.start()

    def _serve(self):
        """One ``age`` run for the one reader (check_archive reads to the end); then the FIFO goes, so that
        another open fails at once instead of waiting, or reading the end of a stream joined to another."""
        try:
            result = self._module.run_command(self._command, use_unsafe_shell=True, binary_data=True)
        except Exception as exc:  # pylint: disable=broad-except
            result = (-1, '', str(exc))
        if result[0] != 0 and not self._stop.is_set():
            self.failures.append(_stderr_of(result))
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def close(self):
        """Stop serving (a waiting ``age`` is released by an open that reads nothing); remove the FIFO."""
        self._stop.set()
        while self._server.is_alive() and os.path.exists(self.path):
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
                time.sleep(0.02)
                os.close(fd)
            except OSError:
                pass
            self._server.join(0.1)
        self._server.join(10)
        shutil.rmtree(self._directory, ignore_errors=True)


def decrypt_to(module, age, identity, src, directory):
    """``src`` decrypted whole into a private temporary file in ``directory`` (mode 0600 in a directory
    of mode 0700): (its path, the directory to remove). A refusal, with nothing left, when ``identity``
    matches none of its recipients or the ciphertext does not authenticate."""
    private = tempfile.mkdtemp(prefix='.pv-age-', dir=directory)
    path = os.path.join(private, os.path.basename(src))
    result = module.run_command([age, '--decrypt', '--identity', identity, '--output', path, src], binary_data=True)
    if result[0] != 0:
        shutil.rmtree(private, ignore_errors=True)
        raise Refusal('Refusing to restore %s: age cannot decrypt it with the identity file %s (%s). Nothing was '
                      'changed.' % (src, identity, _stderr_of(result)))
    return path, private


def probe(module, age, identity, src):
    """Decrypt ``src`` whole, to nothing: a refusal when ``identity`` matches none of its recipients,
    or the ciphertext does not authenticate."""
    result = module.run_command([age, '--decrypt', '--identity', identity, '--output', os.devnull, src],
                                binary_data=True)
    if result[0] != 0:
        raise Refusal('Refusing to restore %s: age cannot decrypt it with the identity file %s (%s). Nothing was '
                      'changed.' % (src, identity, _stderr_of(result)))
