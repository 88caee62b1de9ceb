# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume_info module's work: every volume (or one) with who uses it, and the host's layout.

The volume module reports ``used_by`` the same way."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels

from ansible_collections.persistent.volumes.plugins.module_utils.engine.cache import CachedAPI
from ansible_collections.persistent.volumes.plugins.module_utils.volume.layout_report import current_layout
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import EngineState
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name


def used_by(state, name):
    return [use.as_dict() for use in state.uses(name)]


def converted_from(labels):
    """Where a volume made by convert came from (its labels say): container, path, volume; else None."""
    labels = labels or {}
    if not labels.get(pv_labels.CONVERTED_FROM):
        return None
    return dict(container=labels[pv_labels.CONVERTED_FROM], path=labels.get(pv_labels.CONVERTED_PATH),
                volume=labels.get(pv_labels.CONVERTED_VOLUME))


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
        converted_from=converted_from(raw.get('Labels')),
    )
    if state.sizes is not None:
        entry['size_bytes'] = state.sizes.get(name)
    labels = entry['labels']
    if labels.get(pv_labels.PREVIOUS_OF):
        entry['previous_of'] = dict(volume=labels[pv_labels.PREVIOUS_OF], path=labels.get(pv_labels.RESTORED_PATH),
                                    was_in=labels.get(pv_labels.WAS_IN), replaced_at=labels.get(pv_labels.REPLACED_AT))
    return entry


def describe_volumes(state):
    return [describe_volume(state, name) for name in sorted(state.volumes)]


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
