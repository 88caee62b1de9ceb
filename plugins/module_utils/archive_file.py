# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An archive file being written: compressed on the way, its sha256 and size kept as it grows.

The file is a private temporary file (mode 0600) beside its destination; ``finish``
writes the end of the archive, flushes and syncs it, and the caller moves it into place.
gzip is written at level 6 (gzip's own default), xz at preset 6 (xz's).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import lzma
import os
import tempfile
import zlib

from ansible_collections.persistent.volumes.plugins.module_utils.archive_canonical import end_of_archive

BUFFER = 1024 * 1024


def _compressor(compression):
    if compression == 'gzip':
        return zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    if compression == 'xz':
        return lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=6)
    return None


class ArchiveWriter(object):
    """Write through ``write``; ``sha256`` and ``size`` describe the file's bytes."""

    def __init__(self, dest, compression):
        directory = os.path.dirname(dest)
        handle, self.path = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), suffix='.partial', dir=directory)
        os.fchmod(handle, 0o600)
        self._file = io.open(handle, 'wb', buffering=BUFFER)
        self._compressor = _compressor(compression)
        self.sha256 = hashlib.sha256()
        self.size = 0        # of the file
        self.offset = 0      # of the uncompressed tar stream

    @property
    def uncompressed(self):
        return self._compressor is None

    def _raw(self, data):
        if data:
            self.sha256.update(data)
            self.size += len(data)
            self._file.write(data)

    def write(self, data):
        self.offset += len(data)
        if self._compressor is None:
            self._raw(data)
        else:
            self._raw(self._compressor.compress(data))

    def finish(self):
        """End the archive, sync it to disk; return the temporary file's path."""
        self.write(end_of_archive(self.offset))
        if self._compressor is not None:
            self._raw(self._compressor.flush())
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return self.path

    def discard(self):
        if not self._file.closed:
            self._file.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
