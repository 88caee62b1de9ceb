# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The data_container module's work: desired spec, observed state, plan, apply.

An image to pull shapes the plan (its VOLUME paths get volumes), so a real run pulls it,
through ``execute``, once a plan made without it (check mode's own) found nothing to refuse,
and plans again with what the engine has then. Check mode's plan starts with the pull.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.data_container.data_only import (
    check_data_only,
    check_not_running,
)
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.planner import DataContainerPlanner
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DataContainerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import engine_paths, sensitive_reason
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import choose_image, pulled
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import (
    ContainerDetail,
    find_leftovers,
    inspect_named,
)
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import new_volume_name, replacement_name
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.engine.kind import engine_kind, refuse_archive_endpoint
from ansible_collections.persistent.volumes.plugins.module_utils.model.root_attributes import is_empty, read_root
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.model.restore_journal import interrupted_restores
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import BIND
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import PULL_IMAGE, REMOVE_CONTAINER


def observe(api, spec):
    """(the container of that name, its leftover replacements, who uses what on the engine)."""
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


def check_replaced(api, spec, holder, plan):
    """A container the plan replaces or removes must be a data-only one (or adopted)."""
    if holder is None or holder.is_data_container:
        return
    if not any(action.kind == REMOVE_CONTAINER and action.args.get('id') == holder.id for action in plan.actions):
        return
    image = api.inspect_image(holder.image_id) if holder.image_id else None
    check_data_only(holder, image, spec.adopt, removing=spec.state == 'absent')


def pull_first(engine, image):
    """(the image to plan with, the actions done): in a real run an image to pull is pulled now,
    through execute; the pull is reported when it brought another image than the engine had."""
    if image is None or engine.check_mode or not image.pull_first:
        return image, []
    prep = Plan()
    prep.add(PULL_IMAGE, image.reference, 'pull=always' if image.image is not None else 'image not on the engine')
    engine.apply(prep)
    after = pulled(engine.api, image.reference)
    return after, (prep.describe() if after.id != image.id else [])


def check_root_attributes(engine, spec):
    """owner/group/mode of a volume root are read and set through the archive endpoint: refused on an
    engine whose endpoint is not faithful (Podman), before anything is looked at or written."""
    wanting = [mount.target for mount in spec.mounts if mount.wants_root_attributes]
    if spec.state == 'present' and wanting:
        refuse_archive_endpoint(engine_kind(engine.api), 'set owner/group/mode of %s' % ', '.join(wanting),
                                'Leave owner, group and mode out of the volumes on this engine (set them from a '
                                'container that mounts the volume)')


class DataContainerRun(object):
    """One data container: observed once, then planned (twice when an image is pulled first)."""

    def __init__(self, engine, spec):
        self.engine = engine
        self.spec = spec
        check_root_attributes(engine, spec)
        self.holder, self.leftovers, self.usage = observe(engine.api, spec)
        check_not_running(self.holder)

    def planner(self, image):
        api = self.engine.api
        return DataContainerPlanner(
            self.spec, self.holder, self.leftovers, image, self.usage,
            read_root=lambda container, path: read_root(api, container, path),
            new_volume_name=new_volume_name,
            replacement_name=replacement_name(self.spec.name),
            is_empty=lambda container, path: is_empty(api, container, path),
            inspect_volume=api.inspect_volume,
        )

    def plan(self, image):
        planner = self.planner(image)
        plan = planner.plan()
        check_replaced(self.engine.api, self.spec, self.holder, plan)
        return planner, plan

    def planned(self):
        """(planner, plan, actions done before the plan)."""
        image = None
        if self.spec.state == 'present':
            image = choose_image(self.engine.api, self.spec.image, self.spec.pull,
                                 self.holder.image_id if self.holder else None)
        planner, plan = self.plan(image)
        image, done = pull_first(self.engine, image)
        if image is not None and image.id != planner.image.id:
            planner, plan = self.plan(image)
        return planner, plan, done


def container_result(engine, spec, holder, plan, image):
    """``container`` and ``volumes`` of the result: as they are now, or as the plan leaves them."""
    if spec.state == 'absent':
        return dict(container={}, volumes={})
    if engine.check_mode or not plan.changed:
        final = holder if not plan.changed else None
        container = final.summary() if final else dict(name=spec.name, image=image.reference,
                                                       labels=plan.after.get('labels'))
        return dict(container=container, volumes=plan.after.get('volumes', {}))
    final = ContainerDetail(inspect_named(engine.api, spec.name))
    return dict(container=final.summary(), volumes=final.volume_map())


def converge_data_container(engine):
    spec = DataContainerSpec.from_params(engine.params)
    check_binds(engine, spec)
    run = DataContainerRun(engine, spec)
    planner, plan, done = run.planned()
    result, dummy = engine.apply(plan)
    result['actions'] = done + result['actions']
    consumers = planner.consumers()
    result.update(
        recreated=plan.recreated,
        released_volumes=plan.released,
        consumers=sorted(set(use.container for use in consumers)),
        consumer_mounts=[use.as_dict() for use in consumers],
    )
    result.update(container_result(engine, spec, run.holder, plan, planner.image))
    current = run.holder or (run.leftovers[-1] if run.leftovers else None)
    for warning in interrupted_restores(run.usage.containers, current.mounts if current else {}):
        engine.warn(warning)
    return result
