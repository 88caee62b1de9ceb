# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Restoring an archive encrypted with age (``identity_file``): before anything else is looked at,
the ciphertext is the one the manifest describes (its sha256) and ``age`` decrypts it whole with the
identity (every chunk authenticated) into a private temporary file beside the archive (mode 0600 in a
directory of mode 0700, removed when the restore ends, whatever happens), else the restore is refused
with nothing changed. The checks of a hostile archive and the fill then read the decrypted archive
before the first write. Check mode writes no file: it decrypts to nothing first (the identity and the
authentication), then its checks read the plaintext through a FIFO (archive/age.py ``Decrypted``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os
import shutil

from ansible_collections.persistent.volumes.plugins.module_utils.archive.age import Decrypted, age_tool, decrypt_to, probe
from ansible_collections.persistent.volumes.plugins.module_utils.backup.encryption import recipients_of, verify_ciphertext
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, PersistentVolumesError


def plaintext_manifest(manifest):
    """The manifest as it describes the decrypted stream (its sha256 and size are the plaintext's)."""
    encryption = manifest['encryption']
    return dict(manifest, sha256=encryption.get('plaintext_sha256'), size=encryption.get('plaintext_size'))


def _identity(engine, spec):
    identity = engine.params.get('identity_file')
    if not identity:
        raise InputError('%s is encrypted with age (to %s); give identity_file, a file on the Docker host holding an '
                         'identity of one of those recipients. Nothing was changed.'
                         % (spec.src, ', '.join(recipients_of(spec.manifest))))
    if not os.path.isfile(identity):
        raise InputError('identity_file %s is not a file on the Docker host.' % identity)
    return identity


@contextlib.contextmanager
def _plaintext(engine, age, identity, src):
    """The path of the plaintext: a private temporary file (a FIFO in check mode, which writes no file)."""
    if engine.check_mode:
        probe(engine.module, age, identity, src)
        view = Decrypted(engine.module, age, identity, src, engine.module.tmpdir)
        try:
            yield view.path
        finally:
            view.close()
        return
    path, private = decrypt_to(engine.module, age, identity, src, os.path.dirname(os.path.abspath(src)))
    try:
        yield path
    finally:
        shutil.rmtree(private, ignore_errors=True)


@contextlib.contextmanager
def decrypted(engine, spec):
    """While in it, ``spec.src`` reads the plaintext of an encrypted archive (as it is otherwise)."""
    if not isinstance(spec.manifest.get('encryption'), dict):
        if engine.params.get('identity_file'):
            engine.warn('identity_file is not used: %s is not encrypted.' % spec.src)
        yield spec
        return
    identity = _identity(engine, spec)
    age = age_tool(engine.module, 'Restoring the encrypted archive %s' % spec.src)
    verify_ciphertext(spec.src, spec.manifest)
    original, manifest = spec.src, spec.manifest
    with _plaintext(engine, age, identity, original) as path:
        spec.src, spec.manifest = path, plaintext_manifest(manifest)
        try:
            yield spec
        except PersistentVolumesError as exc:
            exc.msg = exc.msg.replace(path, original)
            raise
        finally:
            spec.src, spec.manifest = original, manifest
