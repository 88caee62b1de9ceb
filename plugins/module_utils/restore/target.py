# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which containers a restore may recreate: data containers only, never a running one.

A restore into a container recreates it with fresh volumes. That is only right for a
data-only container: one the collection made, or one that was never started, is not
wired to others with ``--volumes-from`` and runs no command of its own (the image's
command, as ``docker create -v /data --name data image`` leaves it). An application
container (it ran, or it has its own command or wiring) is refused, and so is any
running container, before anything is read or written; check mode refuses the same way.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import Refusal

NEVER = ('', '0001-01-01T00:00:00Z')


def _own_command(container, image):
    """The command or entrypoint the container has that its image does not give it (None if none)."""
    config = container.raw.get('Config') or {}
    image_config = (image or {}).get('Config') or {}
    for key in ('Entrypoint', 'Cmd'):
        if (config.get(key) or None) != (image_config.get(key) or None):
            return '%s %s' % (key.lower(), config.get(key))
    return None


def not_a_data_container(container, image):
    """Why ``container`` is not a data-only container (None when it is one)."""
    if container.is_data_container:
        return None
    state = container.raw.get('State') or {}
    if container.status != 'created' or (state.get('StartedAt') or '') not in NEVER:
        return 'it has been started (status %s)' % container.status
    if container.volumes_from:
        return 'it is wired with --volumes-from to %s' % ', '.join(container.volumes_from)
    own = _own_command(container, image)
    if own:
        return 'it has a command of its own (%s)' % own
    return None


def check_target(container, image):
    """Refuse a running container, and one that is not a data container."""
    if container.running:
        raise Refusal('Refusing to restore into container %s: it is running. A restore recreates the data container '
                      'with the restored volumes, and a data container never runs; restore into the data container '
                      'its application is wired to, or stop it first. Nothing was changed.' % container.name)
    reason = not_a_data_container(container, image)
    if reason:
        raise Refusal('Refusing to restore into container %s: it is not a data container (%s), and a restore '
                      'recreates it. Restore into its data container, or into a new volume; nothing was changed.'
                      % (container.name, reason))
