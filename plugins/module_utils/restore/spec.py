# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a restore task asks for: the archive (``src`` and its manifest), which of its paths, and
the checks of the archive made before anything is written (checksum, members, free space)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import check_archive
from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import describing, load_manifest, manifest_path
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal


def chosen_entries(manifest, wanted):
    """The manifest's entries of the paths ``wanted`` (all when omitted)."""
    entries = manifest['paths']
    if not wanted:
        return entries
    known = dict((entry['path'], entry) for entry in entries)
    unknown = [path for path in wanted if path not in known]
    if unknown:
        raise InputError('paths %s are not in the archive; it holds %s.' % (', '.join(unknown), ', '.join(sorted(known))))
    return [known[path] for path in wanted]


class RestoreSpec(object):
    """The archive and the entries (paths) to restore from it."""

    def __init__(self, params):
        self.src = params['src']
        if not os.path.isfile(self.src):
            raise InputError('src %s is not a file on the managed host.' % self.src)
        manifest = load_manifest(params.get('manifest') or manifest_path(self.src))
        self.manifest = describing(manifest, self.src) or manifest  # the one of the pair in place
        self.scheme = self.manifest.get('content_scheme', 1)
        self.entries = chosen_entries(self.manifest, params.get('paths'))
        self.digest = self.manifest.get('content_sha256') or self.manifest.get('sha256')
        self.method = params['method']

    def check_archive(self, engine, one_pass=False):
        """Checksum and members of the archive, then the room the chosen paths need; their bytes.

        ``one_pass`` (every volume filled is a fresh one, on the direct path): when the manifest says how
        many bytes each chosen path holds, only the room is checked now, and None returned: the archive
        is checked while it is written (restore/fill.py), the fresh volumes thrown away on a mismatch.
        """
        recorded = [entry.get('bytes') for entry in self.entries]
        if one_pass and all(isinstance(size, int) and not isinstance(size, bool) and size >= 0 for size in recorded):
            self.check_space(engine, sum(recorded))
            return None
        roots = [entry['member'] for entry in self.manifest['paths']]
        sizes = check_archive(self.src, self.manifest, roots)
        needed = sum(sizes[entry['member']] for entry in self.entries)
        self.check_space(engine, needed)
        return needed

    def check_space(self, engine, needed):
        if not engine.options.is_local:
            engine.warn('The engine is remote: free space on it cannot be checked before restoring.')
            return
        root = engine.api.info().get('DockerRootDir')
        if not root or not os.path.isdir(root):
            return
        stat = os.statvfs(root)
        free = stat.f_bavail * stat.f_frsize
        if needed > free:
            raise Refusal('Refusing to restore %s: it needs %d bytes and the engine\'s data root %s has %d free. '
                          'Nothing was restored.' % (self.src, needed, root, free))
