# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Data container options; mirrors DATA_CONTAINER_ARGS in module_utils/data_container/spec.py."""

    DOCUMENTATION = r'''
options:
  name:
    description:
      - The container's name.
    type: str
    required: true
  volumes:
    description:
      - The container's volumes. Each entry is a string or a dict.
      - V(/path) is an anonymous volume at that path.
      - V(volname:/path) is the named volume V(volname); V(volname:/path:ro) mounts it read-only.
      - V(/host/dir:/path) (or V(:ro)) is a host directory.
      - A dict has C(path) (required), C(source) (volume name or host directory; omitted for an
        anonymous volume), C(read_only), and for volumes C(owner), C(group) (names resolved on the
        Docker host, or numbers) and C(mode) (octal string like V("0750") or V("0o750")), which set
        the volume root's ownership and mode without running any container, and are kept on later runs.
      - An unquoted C(mode) reaches the module as a number, and is refused when it reads two ways
        (unquoted V(750) is the number 750; YAML 1.1 turns an unquoted V(0644) into 420). A number
        whose digits are not octal (an unquoted V(0750) arrives as 488) is taken as it is. Quote modes.
      - Container paths must be absolute and normalised, and each may appear once.
      - Paths the image declares with C(VOLUME) get volumes too, listed or not.
    type: list
    elements: raw
    default: []
  image:
    description:
      - The image to create the container from.
      - When omitted, a tiny empty image (V(persistent-volumes/data-only:1)) is used; the module builds
        it through the engine API when it is missing, so no registry is needed.
    type: str
  pull:
    description:
      - When to pull O(image). V(missing) pulls only when it is not on the engine, V(always) pulls on
        every run (not in check mode), V(never) fails when it is missing.
      - Not used for the default empty image, which is built locally.
    type: str
    default: missing
    choices: [missing, always, never]
  labels:
    description:
      - Labels of the container. Values must be strings. Keys starting with C(persistent.volumes.)
        are the collection's own and refused.
      - When omitted, the existing container's labels are kept.
    type: dict
  state:
    description:
      - V(present) ensures the container exists with these volumes.
      - V(absent) removes it, but only when no other container uses its volumes (through
        C(--volumes-from) or by mounting them), unless O(force=true).
    type: str
    default: present
    choices: [present, absent]
  remove_volumes:
    description:
      - With O(state=absent), also delete the container's anonymous volumes, but only those that no
        other container uses. Named volumes are never deleted here; use M(persistent.volumes.volume).
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), remove the container even though other containers use its volumes.
        The volumes stay, with those containers.
    type: bool
    default: false
  allow_sensitive:
    description:
      - Host directories in O(volumes) are refused when they are sensitive, as
        M(persistent.volumes.bind_mount) refuses them (V(/), V(/etc), the engine's data root and
        socket, ...), because every consumer would get them too. V(true) allows them.
    type: bool
    default: false
  adopt:
    description:
      - Take over an existing container of O(name) that is not a data-only container (it has been
        started, takes volumes from others with C(--volumes-from), or has a command of its own other
        than a no-op like C(true)). It is recreated as a data container - the volumes at the paths
        still wanted are kept, its command, C(--volumes-from) wiring and other settings are not - or,
        with O(state=absent), removed.
      - Without it such a container is refused, naming what makes it an application's container. A
        running container is refused even so. A container that already matches the task is left alone.
    type: bool
    default: false
  release_volumes:
    description:
      - Let the recreation leave behind volumes that hold data no other container holds (a path dropped
        from O(volumes), or given another volume). They are kept, not deleted, and reported in
        RV(released_volumes).
      - Without it such a change is refused, naming the volumes; empty volumes and volumes another
        container still holds are let go either way.
    type: bool
    default: false
'''
