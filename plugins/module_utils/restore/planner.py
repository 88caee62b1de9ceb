# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning a restore: what killed runs left taken back, each fresh volume filled while a holder
holds it, then (into a data container) the data container's swap, then the holders removed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import add_stale
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import BUILD_DATA_IMAGE, REMOVE_CONTAINER


def plan_restore(archive, fills, stale, owner, image_present, swap=None):
    """The restore's plan. ``archive``: the ArchiveFill; ``fills``: the Fill of each volume; ``stale``:
    what killed restores for ``owner`` left; ``swap``: the data container's plan taking the volumes."""
    plan = Plan()
    add_stale(plan, stale, owner)
    if fills and not image_present:
        plan.add(BUILD_DATA_IMAGE, DEFAULT_IMAGE, 'the holders of the restored volumes need it')
    for fill in fills:
        archive.add(plan, fill)
    if swap is not None:
        plan.extend(swap)
    for fill in fills:
        plan.add(REMOVE_CONTAINER, fill.holder, 'volume %s is filled%s'
                 % (fill.volume, '' if swap is None else ' and %s holds it' % owner))
    return plan
