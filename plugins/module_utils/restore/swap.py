# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The data container of a restore, recreated with the restored volumes (data_container's swap).

The plan is data_container's own: the replacement is created first, sharing every
volume that stays, then the old container is removed, then the replacement renamed.
When the swap fails before the old container was removed, ``rollback_swap`` removes
the replacement this run made, so that no ``<name>.pv-*`` container is left behind;
after that point the old container is gone and the replacement, recognised by its
label, is finished by the next run.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import observe_container
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.planner import DataContainerPlanner
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DataContainerSpec, volume_entry
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import ImageChoice
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import new_volume_name, replacement_name
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.model.root_attributes import read_root


def _entry_spec(path, mounted, restored):
    if path in restored:
        return dict(path=path, source=restored[path], read_only=mounted.read_only if mounted else False)
    return volume_entry(path, mounted)


def plan_swap(engine, name, holder, leftovers, current, restored):
    """The plan recreating ``current`` with ``restored`` ({path: new volume}); nothing is written."""
    api = engine.api
    spec = DataContainerSpec(name, volumes=[_entry_spec(path, current.mounts.get(path), restored)
                                            for path in sorted(set(current.mounts) | set(restored))],
                             image=current.image_ref, pull='never', labels=pv_labels.user_labels(current.labels))
    image = ImageChoice(current.image_ref, api.inspect_image(current.image_id))
    planner = DataContainerPlanner(spec, holder, leftovers, image, EngineState([], []),
                                   read_root=lambda container, path: read_root(api, container, path),
                                   new_volume_name=new_volume_name,
                                   replacement_name=replacement_name(name),
                                   extra_owned=restored.values())
    return planner.plan()


def rollback_swap(engine, name, before, known):
    """Remove the replacements this run made (not in ``known`` ids) while ``before`` still has the name."""
    try:
        holder, leftovers = observe_container(engine.api, name)
        if holder is None or holder.id != before.id:
            return []
        removed = []
        for leftover in leftovers:
            if leftover.id != before.id and leftover.id not in known and leftover.never_started:
                engine.api.remove_container(leftover.id)
                removed.append(leftover.name)
        return removed
    except Exception:  # pylint: disable=broad-except
        return []  # the next run recognises what is left by its labels
