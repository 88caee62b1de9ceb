# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One pass over a backup's data: the archive, its checksum, sizes and content digests at once.

``write_archive`` streams every path of the source, on the chosen path (direct or
engine), into the canonical archive and computes, while the bytes go by, the content
digest of each path in each scheme asked for, the archive's sha256 and size. For an
uncompressed archive the first path's scheme-2 digest is the archive's own hash up to
the end of that path: one hash instead of two. ``read_digests`` is the same pass without
an archive (check mode, and a restore asking whether the data is already there).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    SCHEME,
    PathStats,
    combined_digest,
    emit_members,
    new_digest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.direct_source import ChangedWhileRead
from ansible_collections.persistent.volumes.plugins.module_utils.archive.writer import ArchiveWriter


def _one_path(api, source, access, item, schemes, out, shared, changed):
    """Stream one item; return (PathStats of scheme 2, {scheme: PathStats})."""
    stats = PathStats(item.path, item.volume, item.member, new_digest(SCHEME, shared))
    others = dict((scheme, new_digest(scheme)) for scheme in schemes if scheme != SCHEME)
    emit_members(source.members(api, item, access, changed), stats, out, others.values())
    if shared is not None:
        out.barrier()  # the archive's hash, up to here, is this path's digest
    stats.digest.freeze()
    by_scheme = {SCHEME: stats.content_sha256}
    for scheme, digest in others.items():
        by_scheme[scheme] = digest.hexdigest()
    return stats, by_scheme


def _combine(per_path, schemes):
    """{scheme: the digest of all paths}: of the (member, digest) pairs, in order."""
    return dict((scheme, combined_digest([(stats.member, digests[scheme]) for stats, digests in per_path]))
                for scheme in schemes)


def read_digests(api, source, access, schemes):
    """({scheme: content digest}, [PathStats]) of the source's data; writes nothing."""
    per_path = [_one_path(api, source, access, item, schemes, None, None, ChangedWhileRead())
                for item in source.items]
    return _combine(per_path, schemes), [stats for stats, dummy in per_path]


def path_digest(api, source, access, item, scheme):
    """(content digest of one item in ``scheme``, its PathStats), to compare with a manifest's entry."""
    stats, digests = _one_path(api, source, access, item, set([scheme, SCHEME]), None, None, ChangedWhileRead())
    return digests[scheme], stats


def write_archive(api, source, access, dest, compression, schemes, sink=None):
    """Write the archive beside ``dest``; return (facts, [PathStats]).

    facts: ``path`` (the temporary file), ``sha256``, ``size``, ``content`` ({scheme:
    digest}) and ``changed_while_read`` (files whose size changed during the pass). ``sink``: see
    ArchiveWriter (``sha256`` and ``size`` are then of the bytes handed to it).
    """
    writer = ArchiveWriter(dest, compression, sink)
    changed = ChangedWhileRead()
    try:
        per_path = []
        for index, item in enumerate(source.items):
            shared = writer.sha256 if writer.uncompressed and index == 0 else None
            per_path.append(_one_path(api, source, access, item, schemes, writer, shared, changed))
        path = writer.finish()
    except BaseException:
        writer.discard()
        raise
    facts = dict(path=path, sha256=writer.sha256.hexdigest(), size=writer.size,
                 content=_combine(per_path, schemes), changed_while_read=changed.names)
    return facts, [stats for stats, dummy in per_path]
