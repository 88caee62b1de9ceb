# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checking an uncompressed archive with one hash of its bytes instead of two.

A restore checks the archive's sha256 and each path's content digest (scheme 2: the sha256 of
its members' canonical bytes). For an uncompressed archive the collection wrote, the first
path's canonical bytes are the archive's first bytes, as the backup's one pass relies on
(archive/canonical.py): that path's digest is the archive's hash, stopped where the path ends.

Nothing is taken on trust. Every byte the archive holds outside its members' content (headers,
padding, the end) is compared with the canonical bytes the path's digest must see; as long as
they are the same, and the members are the first path's, the path's digest is the archive's
hash (a ForkedDigest); at the first byte that differs, or the first member of another path,
the path's digest forks from the archive's hash as it is there and goes on with the canonical
bytes alone, as a digest of its own would have. Any archive gets the digests a separate hash
of each would give; one the collection wrote is hashed once.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import CONTENT_TYPES, padding


class OneHash(object):
    """The archive's hash (``archive``, a BackgroundDigest) and the content digests of its paths, fed as
    the archive is read once. ``first``: the root whose digest (``shared``, a ForkedDigest of the archive's
    hash) may be the archive's own; ``tap`` is the ForwardReader's tap (the bytes outside content)."""

    def __init__(self, archive, first, shared):
        self.archive = archive
        self.first = first
        self.shared = shared
        self.pending = []
        self.end = 0  # the stream offset where the last member's content ends
        self.last = None  # (root, digest, expected padding) of the last member

    def tap(self, data):
        self.pending.append(data)

    def _piece(self, root, digest, canonical, raw):
        """``raw``: the archive's bytes; ``canonical``: what ``root``'s ``digest`` must see there."""
        if not raw and not canonical:
            return
        if not self.shared.forked and (root != self.first or bytes(raw) != canonical):
            self.shared.fork()
        if root is not None and (self.shared.forked or root != self.first) and canonical:
            digest.content(canonical)
        if raw:
            self.archive.update(raw)

    def member(self, info, root, digest, header):
        """Before a member's content: the last member's padding, then this member's header."""
        data = b''.join(self.pending)
        self.pending = []
        split = info.offset - self.end
        if not 0 <= split <= len(data) or self.end + len(data) != info.offset_data:
            self.shared.fork()  # not laid out as expected: the digests go on with the canonical bytes alone
            split = 0
        self._previous(data[:split])
        self._piece(root, digest, header, data[split:])
        self.end = info.offset_data
        self.last = (root, digest, padding(info.size) if info.type in CONTENT_TYPES else b'')

    def _previous(self, raw):
        root, digest, expected = self.last if self.last is not None else (None, None, b'')
        self._piece(root, digest, expected, raw)

    def content(self, root, digest, chunk):
        """A chunk of the content of a member of ``root``."""
        if self.shared.forked or root != self.first:
            digest.content(chunk)
        self.archive.update(chunk)
        self.end += len(chunk)

    def finish(self, rest):
        """After the last member: its padding, then the end of the archive (``rest``: what is left of the
        stream after the bytes tapped), for the archive's hash only."""
        self.shared.fork()
        self._previous(b'')
        self.last = None
        for data in self.pending:
            self.archive.update(data)
        self.pending = []
        for data in rest:
            self.archive.update(data)
