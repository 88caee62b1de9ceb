# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``HostConfig.Binds`` strings as the engine reports and takes them: ``source:destination[:options]``.

Defined here, below the model, because the engine's own reports are translated with them
(kind.py: Podman's binds as Docker's); ``model/mounts.py`` offers them to everyone else.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def bind_destination(bind):
    """The container path of a ``source:destination[:options]`` bind."""
    parts = bind.split(':')
    return parts[1] if len(parts) > 1 else parts[0]


def split_bind(bind):
    """(source, destination, options other than ``rw``) of a bind."""
    parts = bind.split(':')
    options = set(parts[2].split(',')) if len(parts) > 2 and parts[2] else set()
    options.discard('rw')
    return parts[0], parts[1] if len(parts) > 1 else parts[0], options


def split_volumes_from(entry):
    """(source, mode) of a ``--volumes-from`` entry: ``name``, ``name:ro`` or ``name:rw`` (mode defaults to rw)."""
    name, dummy, mode = entry.partition(':')
    return name, mode or 'rw'
