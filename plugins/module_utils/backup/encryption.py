# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A backup encrypted to age recipients (``encrypt_to``): the archive written through ``age``
(archive/age.py), and its manifest.

The manifest's ``sha256`` and ``size`` describe the file on disk, the ciphertext, as for any
archive (the pair matches; a changed file is told at once). ``encryption`` records the tool, the
recipients, and the plaintext's (the compressed tar's) ``plaintext_sha256`` and ``plaintext_size``;
``content_sha256`` is the data's digest as for any archive, so unchanged data is told without
decrypting anything.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.age import AgeSink, age_tool
from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import file_sha256
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal


def recipients_of(manifest):
    """The recipients an archive is encrypted to, as its manifest records them ([] when in clear)."""
    encryption = (manifest or {}).get('encryption')
    return sorted(encryption.get('recipients') or []) if isinstance(encryption, dict) else []


class BackupEncryption(object):
    """``age`` found on this host (else a refusal, before anything is read or written) and the recipients."""

    def __init__(self, module, recipients):
        self.module = module
        self.recipients = list(recipients)
        self.age = age_tool(module, 'encrypt_to')

    def sink(self, path):
        return AgeSink(self.module, self.age, self.recipients, path)

    def seal(self, written):
        """``written`` (write_archive's facts, of the plaintext) made to describe the ciphertext file."""
        sealed = dict(written, sha256=file_sha256(written['path']))
        with open(written['path'], 'rb') as handle:
            handle.seek(0, 2)
            sealed['size'] = handle.tell()
        sealed['encryption'] = dict(tool='age', recipients=sorted(self.recipients), plaintext_sha256=written['sha256'],
                                    plaintext_size=written['size'])
        return sealed


def verify_ciphertext(path, manifest):
    """The encrypted archive ``path`` is the one ``manifest`` describes (its sha256); a refusal otherwise."""
    actual = file_sha256(path)
    if actual != manifest.get('sha256'):
        raise Refusal('The archive %s does not match its manifest: sha256 %s, manifest says %s. It may be damaged or '
                      'replaced; nothing was restored.' % (path, actual, manifest.get('sha256')))
