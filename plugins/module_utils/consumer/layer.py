# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a recreated consumer leaves behind: files its processes wrote into its own container
layer, outside its volumes, bind mounts and tmpfs. A replacement starts from the image, as
with any tool that recreates a container; the task says so instead of staying silent.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import posixpath

# How many paths a warning names.
SHOWN = 5


def mount_points(container):
    """The paths where ``container`` (a ContainerDetail) has a volume, a bind mount or a tmpfs."""
    points = set(path for path in container.mounts if path)
    points.update((((container.raw.get('HostConfig') or {}).get('Tmpfs')) or {}).keys())
    return points


def _ancestors(path):
    found = set()
    while path not in ('/', ''):
        path = posixpath.dirname(path)
        found.add(path)
    return found


def written_paths(changes, container):
    """The changed paths of ``changes`` (the engine's ``docker diff``) that hold what the container
    wrote: mount points and the directories above them (the engine makes those) are left out, and
    a directory is left out when a path below it is listed."""
    points = mount_points(container)
    paths = set(change.get('Path') for change in changes or [] if change.get('Path'))
    made = set()
    for point in points:
        made.add(point)
        made.update(_ancestors(point))
    above = set()
    for path in paths:
        above.update(_ancestors(path))
    return sorted(path for path in paths if path not in made and path not in above)


def layer_warning(name, paths):
    """The warning for a recreation that leaves ``paths`` behind, or None."""
    if not paths:
        return None
    shown = ', '.join(paths[:SHOWN]) + (', ...' if len(paths) > SHOWN else '')
    return ('Recreating %s leaves behind what its processes wrote outside its volumes and bind mounts, in the '
            'container\'s own layer (%d path%s: %s): the replacement starts from the image, with every volume. '
            'Keep data that must survive in a volume (persistent.volumes.data_container).'
            % (name, len(paths), '' if len(paths) == 1 else 's', shown))
