# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Carrying out a plan: the only step that writes, skipped entirely in check mode."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.races import explain
from ansible_collections.persistent.volumes.plugins.module_utils.plan.appliers import APPLIERS
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import CREATE_VOLUME


def _unused_new_volumes(api, done):
    """Volumes this run created that no container holds now (still empty: nothing ever ran on them)."""
    unused = []
    for action in done:
        if action.kind == CREATE_VOLUME:
            try:
                if not api.list_containers(filters={'volume': action.target}):
                    unused.append(action.target)
            except PersistentVolumesError:
                pass
    return unused


def execute(plan, api, check_mode, appliers=None):
    """Carry out the plan's actions in order (none in check mode); return their answers.

    When an action fails, the error says which actions were done (``changed`` is true
    when any was) and which were left (the failed one first), whether another client
    changed the objects meanwhile (``race``, see races.py), and volumes this run created
    that no container holds now (its container could not be created, or another run
    removed it; still empty) are removed. ``appliers`` (kind -> applier) defaults to the
    engine's and the host's; backup and restore add their own.
    """
    answers = []
    if check_mode:
        return answers
    appliers = APPLIERS if appliers is None else appliers
    done = []
    try:
        for action in plan.actions:
            answers.append(appliers[action.kind](api, action))
            done.append(action)
    except PersistentVolumesError as exc:
        left = plan.actions[len(done):]
        explain(api, left[0], exc)
        for name in _unused_new_volumes(api, done):
            try:
                api.remove_volume(name)
                done = [action for action in done if not (action.kind == CREATE_VOLUME and action.target == name)]
            except PersistentVolumesError:
                pass
        exc.details['changed'] = bool(done) or bool(exc.details.get('changed'))  # or the failed action's own
        exc.details['actions_done'] = [action.describe() for action in done]
        exc.details['actions_left'] = [action.describe() for action in left]
        raise
    return answers


def apply_plan(engine, plan, appliers=None):
    """Execute ``plan`` on ``engine`` (a ModuleEngine; nothing is done in check mode); return (result keys, answers)."""
    for message in plan.warnings:
        engine.warn(message)
    answers = execute(plan, engine.api, engine.check_mode, appliers)
    result = dict(changed=plan.changed, actions=plan.describe())
    if plan.drift:
        result['drift'] = list(plan.drift)
    if engine.diff_mode:
        result['diff'] = plan.diff()
    return result, answers
