# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume module's work: desired spec, observed state, plan, apply."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.volume.planner import plan_volume
from ansible_collections.persistent.volumes.plugins.module_utils.volume.info import used_by
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import VolumeSpec
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import CREATE_VOLUME


def predicted_volume(plan):
    """The inspect data the plan's created volume would have (check mode has no real one)."""
    create = [action for action in plan.actions if action.kind == CREATE_VOLUME][-1]
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
