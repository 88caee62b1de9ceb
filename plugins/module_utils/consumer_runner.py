# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Observing and reporting a consumer container, shared by volumes_from and bind_mount."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer_plan import split_volumes_from
from ansible_collections.persistent.volumes.plugins.module_utils.container_state import (
    ContainerDetail,
    observe_container,
)


def inspect_sources(api, names):
    """name -> ContainerDetail (or None when it does not exist)."""
    sources = {}
    for name in names:
        if name not in sources:
            raw = api.inspect_container(name)
            sources[name] = ContainerDetail(raw) if raw else None
    return sources


def observe_consumer(api, name):
    holder, leftovers = observe_container(api, name)
    current = holder or (leftovers[-1] if leftovers else None)
    old_sources = {}
    if current is not None:
        old_sources = inspect_sources(api, [split_volumes_from(entry)[0] for entry in current.volumes_from])
    return holder, leftovers, current, old_sources


def wanted_image(api, spec):
    """The inspect data of the spec's image and the action needed to get it."""
    if spec.image is None:
        return None, None
    image = api.inspect_image(spec.image)
    return image, None if image else 'pull_image'


def consumer_result(engine, plan, spec):
    result, dummy = engine.apply(plan)
    result.update(recreated=plan.recreated, reasons=list(getattr(plan, 'reasons', [])))
    if engine.check_mode or not plan.changed:
        after = plan.after or {}
        result['container'] = dict(name=spec.name, running=after.get('running')) if after.get('state') == 'present' else {}
        result['volumes_from'] = after.get('volumes_from', [])
        result['mounts'] = after.get('mounts', {})
        return result
    raw = engine.api.inspect_container(spec.name)
    final = ContainerDetail(raw) if raw else None
    if final is None:
        result.update(container={}, volumes_from=[], mounts={})
        return result
    result['container'] = dict(final.summary(), running=final.running)
    result['volumes_from'] = list(final.volumes_from)
    result['mounts'] = dict((path, m.name or m.source) for path, m in sorted(final.mounts.items()))
    return result
