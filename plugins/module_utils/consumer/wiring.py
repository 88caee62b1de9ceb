# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""--volumes-from wiring: parsing ``from`` entries and applying them to a consumer's list."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model.container import split_volumes_from
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name

MODES = ('ro', 'rw')


def parse_from(entries, consumer=None):
    """[(container name, mode)] from ``name``, ``name:ro``, ``name:rw`` or ``{container, mode}``.

    ``consumer``: the consumer's own name, which cannot be one of its sources.
    """
    if not isinstance(entries, list):
        raise InputError('from must be a list, got %s.' % type(entries).__name__)
    pairs = []
    for index, entry in enumerate(entries):
        where = 'from[%d]' % index
        if isinstance(entry, str):
            if entry.count(':') > 1:
                raise InputError('%s: %r has a colon where none belongs; use "name", "name:ro" or "name:rw".'
                                 % (where, entry))
            name, mode = split_volumes_from(entry)
            if ':' in entry and not entry.partition(':')[2]:
                raise InputError('%s: %r ends with a colon; use "name", "name:ro" or "name:rw".' % (where, entry))
        elif isinstance(entry, dict):
            unknown = sorted(str(key) for key in set(entry) - set(['container', 'mode']))
            if unknown:
                raise InputError('%s: unknown key %s; allowed: container, mode.' % (where, ', '.join(unknown)))
            name, mode = entry.get('container'), entry.get('mode', 'rw')
        else:
            raise InputError('%s: must be a string ("name", "name:ro") or a dict {container, mode}, got %s.'
                             % (where, type(entry).__name__))
        check_name(name, '%s container name' % where)
        if mode not in MODES:
            raise InputError('%s: unknown mode %r; allowed: ro, rw.' % (where, mode))
        if name == consumer:
            raise InputError('%s: %s is the consumer itself; a container cannot take volumes from itself. '
                             'Name data containers only.' % (where, name))
        if name in [known for known, dummy in pairs]:
            raise InputError('%s: container %s is listed twice.' % (where, name))
        pairs.append((name, mode))
    return pairs


def wanted_pairs(have, wanted, exclusive, state):
    """The --volumes-from list after applying ``wanted`` to what the consumer ``have``s."""
    if state == 'absent':
        names = set(name for name, dummy in wanted)
        return [pair for pair in have if pair[0] not in names]
    if exclusive:
        return list(wanted)
    pairs = list(have)
    for name, mode in wanted:
        for index, (known, dummy) in enumerate(pairs):
            if known == name:
                pairs[index] = (name, mode)
                break
        else:
            pairs.append((name, mode))
    return pairs
