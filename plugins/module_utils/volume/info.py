# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How a volume is reported by volume_info (and the volume module's ``used_by``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def used_by(state, name):
    return [use.as_dict() for use in state.uses(name)]


def describe_volume(state, name):
    """The ``volumes[]`` entry of volume_info for one volume of ``state``."""
    raw = state.volume(name)
    uses = used_by(state, name)
    entry = dict(
        name=name,
        driver=raw.get('Driver'),
        mountpoint=raw.get('Mountpoint'),
        labels=dict(raw.get('Labels') or {}),
        options=dict(raw.get('Options') or {}),
        scope=raw.get('Scope'),
        created_at=raw.get('CreatedAt'),
        anonymous=state.is_anonymous(name),
        used_by=uses,
        dangling=not uses,
        data_container=state.data_container_of(name),
    )
    if state.sizes is not None:
        entry['size_bytes'] = state.sizes.get(name)
    return entry


def describe_volumes(state):
    return [describe_volume(state, name) for name in sorted(state.volumes)]
