# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The data_container module's work: desired spec, observed state, plan, apply."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model.container import (
    ContainerDetail,
    find_leftovers,
    inspect_named,
)
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.planner import DataContainerPlanner
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DataContainerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.data_only import check_data_only, check_not_running
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import choose_image
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import engine_paths, sensitive_reason
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import BIND
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import new_volume_name, replacement_name
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.model.root_attributes import is_empty, read_root


def observe(api, spec):
    raw = inspect_named(api, spec.name)
    holder = ContainerDetail(raw) if raw else None
    summaries = api.list_containers()
    usage = EngineState([], summaries, inspect=api.inspect_container)
    return holder, find_leftovers(api, spec.name, holder, summaries), usage


def check_binds(engine, spec):
    """Host directories a data container binds are judged like bind_mount's sources."""
    binds = [mount for mount in spec.mounts if mount.kind == BIND]
    if not binds or spec.allow_sensitive or spec.state == 'absent':
        return
    sockets, data_root = engine_paths(engine)
    for mount in binds:
        reason = sensitive_reason(mount.source, data_root, sockets)
        if reason:
            raise Refusal('Refusing to bind %s into data container %s at %s: %s. Its consumers would get it too; '
                          'set allow_sensitive=true if that is really meant. Nothing was changed.'
                          % (mount.source, spec.name, mount.target, reason))


def plan_data_container(engine, spec, holder, leftovers, usage):
    """The planner and its plan. An image still to be pulled is pulled only once a plan made
    without it (check mode's) found nothing to refuse: no write comes before the plan."""
    api = engine.api
    current_image_id = holder.image_id if holder else None

    def planner_for(image):
        return DataContainerPlanner(
            spec, holder, leftovers, image, usage,
            read_root=lambda container, path: read_root(api, container, path),
            new_volume_name=new_volume_name,
            replacement_name=replacement_name(spec.name),
            is_empty=lambda container, path: is_empty(api, container, path),
        )

    image = None
    if spec.state == 'present':
        image = choose_image(api, spec.image, spec.pull, True, current_image_id=current_image_id)
    planner = planner_for(image)
    plan = planner.plan()
    check_replaced(api, spec, holder, plan)
    if image is not None and not engine.check_mode and \
            (image.action == 'pull_image' or (spec.image and spec.pull == 'always')):
        planner = planner_for(choose_image(api, spec.image, spec.pull, False, current_image_id=current_image_id))
        plan = planner.plan()
        check_replaced(api, spec, holder, plan)
    return planner, plan


def check_replaced(api, spec, holder, plan):
    """A container the plan replaces or removes must be a data-only one (or adopted)."""
    if holder is None or holder.is_data_container:
        return
    if not any(action.kind == 'remove_container' and action.args.get('id') == holder.id for action in plan.actions):
        return
    image = api.inspect_image(holder.image_id) if holder.image_id else None
    check_data_only(holder, image, spec.adopt, removing=spec.state == 'absent')


def converge_data_container(engine):
    spec = DataContainerSpec.from_params(engine.params)
    check_binds(engine, spec)
    api = engine.api
    holder, leftovers, usage = observe(api, spec)
    check_not_running(holder)
    planner, plan = plan_data_container(engine, spec, holder, leftovers, usage)
    image = planner.image
    result, dummy = engine.apply(plan)
    consumers = planner.consumers()
    result.update(
        recreated=plan.recreated,
        released_volumes=plan.released,
        consumers=sorted(set(use.container for use in consumers)),
        consumer_mounts=[use.as_dict() for use in consumers],
    )
    if spec.state == 'absent':
        result.update(container={}, volumes={})
    elif engine.check_mode or not plan.changed:
        final = holder if not plan.changed else None
        result['container'] = final.summary() if final else dict(name=spec.name, image=image.reference,
                                                                 labels=plan.after.get('labels'))
        result['volumes'] = plan.after.get('volumes', {})
    else:
        final = ContainerDetail(inspect_named(api, spec.name))
        result['container'] = final.summary()
        result['volumes'] = final.volume_map()
    return result
