# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Named volumes mounted by a consumer (``volumes: ["appdata:/path"]``), as Compose and ``docker run -v`` do.

A request of this kind goes into a ConsumerRequest's ``binds`` list beside bind_mount's:
it binds each named volume at its path (replacing what the consumer binds at that path;
a volume of the consumer's own there is refused by the planner, never dropped) and keeps
every other bind. It prepares nothing on the host.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import bind_destination, split_bind
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import check_container_path
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name


def parse_named(entries, where='volumes'):
    """``name:/path`` or ``name:/path:ro`` (or :rw) strings -> bind strings as the engine keeps them."""
    if not isinstance(entries, list):
        raise InputError('%s must be a list of "name:/path[:ro]" strings, got %s.' % (where, type(entries).__name__))
    binds, paths = [], set()
    for index, entry in enumerate(entries):
        item = '%s[%d]' % (where, index)
        parts = entry.split(':') if isinstance(entry, str) else []
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ('ro', 'rw')):
            raise InputError('%s: %r is not "name:/path", "name:/path:ro" or "name:/path:rw" (a host directory '
                             'goes in binds).' % (item, entry))
        check_name(parts[0], '%s volume name' % item)
        check_container_path(parts[1], item)
        if parts[1] in paths:
            raise InputError('%s: %s is mounted twice.' % (item, parts[1]))
        paths.add(parts[1])
        binds.append('%s:%s%s' % (parts[0], parts[1], ':ro' if parts[2:] == ['ro'] else ''))
    return binds


class NamedVolumes(object):
    """The ConsumerRequest ``binds`` interface (as bind_mount's BindRequest) for named volumes."""

    state = 'present'
    source = None

    def __init__(self, binds):
        self.wanted = sorted(binds)

    def binds(self, have):
        """The consumer's binds with these applied (an equal bind is kept as written)."""
        result = list(have)
        for bind in self.wanted:
            path = bind_destination(bind)
            if any(bind_destination(old) == path and split_bind(old) == split_bind(bind) for old in result):
                continue
            result = [old for old in result if bind_destination(old) != path] + [bind]
        return result

    def host_actions(self):
        return [], None, None
