# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Restoring an archive encrypted with age (``identity_file``): before anything else is looked at,
the ciphertext is the one the manifest describes (its sha256) and ``age`` decrypts it whole with the
identity (every chunk authenticated), else the restore is refused with nothing changed. Then the
restore reads the plaintext through a FIFO (archive/age.py ``Decrypted``): the checks of a hostile
archive and the extraction run on the decrypted stream, and the plaintext is never on disk.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os

from ansible_collections.persistent.volumes.plugins.module_utils.archive.age import Decrypted, age_tool, probe
from ansible_collections.persistent.volumes.plugins.module_utils.backup.encryption import recipients_of, verify_ciphertext
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError, PersistentVolumesError


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
    probe(engine.module, age, identity, spec.src)
    original, manifest = spec.src, spec.manifest
    directory = engine.module.tmpdir if engine.check_mode else os.path.dirname(os.path.abspath(original))
    view = Decrypted(engine.module, age, identity, original, directory)
    spec.src, spec.manifest = view.path, plaintext_manifest(manifest)
    try:
        yield spec
    except PersistentVolumesError as exc:
        exc.msg = exc.msg.replace(view.path, original)
        raise
    finally:
        spec.src, spec.manifest = original, manifest
        view.close()
