# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The last container holding a volume: recreating it without that volume makes the data
reachable through no container, so it is refused unless the task sets release_volumes=true.

One rule and one message for consumers (volumes_from, bind_mount) and data containers.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal


def orphaned(released, held_elsewhere, holds_data=None):
    """The released entries (``{volume, path, ...}``) that nothing else would hold.

    ``held_elsewhere(volume)`` is true when another container holds the volume;
    ``holds_data(entry)`` is false only when the volume surely holds nothing (omitted:
    every volume counts as holding data).
    """
    return [entry for entry in released
            if not held_elsewhere(entry['volume']) and (holds_data is None or holds_data(entry))]


def refuse_orphans(subject, orphans, why, hint, release_volumes):
    """Refuse to recreate ``subject`` when it is the last holder of the ``orphans``."""
    if not orphans or release_volumes:
        return
    raise Refusal('Refusing to recreate %s: it is the last container holding %s, which %s, so that data would be '
                  'reachable through no container. %s, or set release_volumes=true to let it go (the volume is '
                  'kept, not deleted); nothing was changed.'
                  % (subject, ', '.join('volume %s at %s' % (e['volume'], e['path']) for e in orphans), why, hint),
                  released_volumes=orphans)


def check_last_holder(api, plan, spec, own):
    """Refuse to recreate a consumer that is the last container holding a volume it would drop."""
    mine = set(container.id for container in own)

    def held_elsewhere(volume):
        return any(summary.get('Id') not in mine for summary in api.list_containers(filters={'volume': volume}))

    refuse_orphans(spec.name, orphaned(plan.released, held_elsewhere), 'its data containers no longer provide',
                   'Re-attach the volume to a data container (data_container volumes: "<volume>:<path>")',
                   spec.release_volumes)
