# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning a named volume: create, leave alone (warning on drift), recreate, remove."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model.differences import DifferenceTracker
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import volume_summary
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import CREATE_VOLUME, REMOVE_VOLUME

ABSENT = dict(state='absent')


def volume_differences(spec, raw):
    """Differences between the spec and an existing volume's inspect data."""
    differences = DifferenceTracker()
    differences.compare('driver', spec.driver, raw.get('Driver'))
    differences.compare_subset('driver_options', spec.driver_options, raw.get('Options'))
    differences.compare_subset('labels', spec.labels, raw.get('Labels'))
    return differences


def in_use_message(verb, name, uses, why=''):
    holders = ', '.join(use.describe() for use in uses)
    return ('Refusing to %s volume %r%s: it is used by %d container%s: %s. '
            'Remove those containers or their mounts first; nothing was changed.'
            % (verb, name, why, len(uses), '' if len(uses) == 1 else 's', holders))


def _wanted_summary(spec, raw):
    """What the volume would look like after this task: observed values overlaid with wanted ones."""
    after = volume_summary(raw) if raw else spec.summary()
    after['driver'] = spec.driver
    after['driver_options'].update(spec.driver_options)
    after['labels'].update(spec.labels or {})
    return after


def plan_volume(spec, state):
    """Return the ``Plan`` for one named volume; raise ``Refusal`` if it would lose data."""
    raw = state.volume(spec.name)
    if spec.state == 'absent':
        return _plan_absent(spec, raw, state)
    if raw is None:
        plan = Plan(before=ABSENT, after=spec.summary())
        plan.add(CREATE_VOLUME, spec.name, 'missing', driver=spec.driver,
                 driver_options=spec.driver_options, labels=spec.labels)
        return plan

    plan = Plan(before=volume_summary(raw), after=volume_summary(raw))
    differences = volume_differences(spec, raw)
    if not differences:
        return plan
    plan.after = _wanted_summary(spec, raw)
    changes = '; '.join(differences.describe())
    plan.drift = differences.describe()
    if spec.recreate == 'never':
        plan.warn('Volume %r differs from the task (%s). It was left as it is because '
                  'recreate=never; set recreate=options-changed to replace it (its data is lost).'
                  % (spec.name, changes))
        return plan
    uses = state.uses(spec.name)
    if uses:
        raise Refusal(in_use_message('recreate', spec.name, uses, ' (options changed: %s)' % changes),
                      used_by=[use.as_dict() for use in uses])
    plan.add(REMOVE_VOLUME, spec.name, 'options changed: %s' % changes)
    plan.add(CREATE_VOLUME, spec.name, 'options changed: %s' % changes, driver=spec.driver,
             driver_options=(_merged(raw.get('Options'), spec.driver_options)
                             if spec.driver == raw.get('Driver') else dict(spec.driver_options)),
             labels=_merged(raw.get('Labels'), spec.labels))
    plan.warn('Volume %r was recreated because its options changed (%s); its previous content '
              'is gone, as recreate=options-changed asks.' % (spec.name, changes))
    return plan


def _merged(observed, wanted):
    merged = dict(observed or {})
    merged.update(wanted or {})
    return merged


def _plan_absent(spec, raw, state):
    if raw is None:
        return Plan(before=ABSENT, after=ABSENT)
    uses = state.uses(spec.name)
    if uses:
        raise Refusal(in_use_message('remove', spec.name, uses),
                      used_by=[use.as_dict() for use in uses])
    plan = Plan(before=volume_summary(raw), after=ABSENT)
    plan.add(REMOVE_VOLUME, spec.name, 'state=absent')
    return plan
