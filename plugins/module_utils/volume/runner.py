# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume and volume_info modules' work: desired spec, observed state, plan, apply."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.engine.cache import CachedAPI
from ansible_collections.persistent.volumes.plugins.module_utils.layout.report import current_layout
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name
from ansible_collections.persistent.volumes.plugins.module_utils.volume.planner import plan_volume
from ansible_collections.persistent.volumes.plugins.module_utils.volume.info import (
    describe_volume,
    describe_volumes,
    used_by,
)
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import VolumeSpec


def predicted_volume(plan):
    """The inspect data the plan's created volume would have (check mode has no real one)."""
    create = [action for action in plan.actions if action.kind == 'create_volume'][-1]
    return dict(Name=create.target, Driver=create.args.get('driver'),
                Options=dict(create.args.get('driver_options') or {}),
                Labels=dict(create.args.get('labels') or {}), Mountpoint=None, Scope='local')


def converge_volume(engine):
    spec = VolumeSpec.from_params(engine.params)
    state = EngineState.load(engine.api, volume_name=spec.name)
    plan = plan_volume(spec, state)
    result, dummy = engine.apply(plan)
    result['used_by'] = used_by(state, spec.name)
    if spec.state == 'absent':
        result['volume'] = {}
    elif plan.changed and engine.check_mode:
        result['volume'] = predicted_volume(plan)
    elif plan.changed:
        result['volume'] = engine.api.inspect_volume(spec.name) or {}
    else:
        result['volume'] = state.volume(spec.name)
    return result


def report_volumes(engine):
    name = engine.params.get('name')
    if name is not None:
        check_name(name, 'volume name')
    # With the layout, each container is inspected once for both views.
    api = CachedAPI(engine.api) if engine.params.get('include_layout') and name is None else engine.api
    state = EngineState.load(api, volume_name=name, include_usage=engine.params.get('include_usage'))
    result = dict(changed=False)
    if name is not None:
        result['exists'] = state.volume(name) is not None
        result['volumes'] = [describe_volume(state, name)] if result['exists'] else []
    else:
        result['volumes'] = describe_volumes(state)
        if engine.params.get('include_layout'):
            result['layout'] = current_layout(api, state, api.info().get('DockerRootDir'))
    return result
