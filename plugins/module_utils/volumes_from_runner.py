# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volumes_from module's work: wire a consumer to data containers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer_plan import (
    ConsumerPlanner,
    split_volumes_from,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer_runner import (
    consumer_result,
    inspect_sources,
    observe_consumer,
    wanted_image,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer_spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.validation import check_name

VOLUMES_FROM_ARGS = {
    'from': dict(type='list', elements='raw', required=True),
    'exclusive': dict(type='bool', default=False),
    'state': dict(type='str', default='present', choices=['present', 'absent']),
}

MODES = ('ro', 'rw')


def parse_from(entries):
    """[(container name, mode)] from ``name``, ``name:ro``, ``name:rw`` or ``{container, mode}``."""
    if not isinstance(entries, list):
        raise InputError('from must be a list, got %s.' % type(entries).__name__)
    pairs = []
    for index, entry in enumerate(entries):
        where = 'from[%d]' % index
        if isinstance(entry, str):
            if entry.count(':') > 1:
                raise InputError('%s: %r has a colon where none belongs; use "name", "name:ro" or "name:rw".'
                                 % (where, entry))
            name, mode = split_volumes_from(entry)
            if ':' in entry and not entry.partition(':')[2]:
                raise InputError('%s: %r ends with a colon; use "name", "name:ro" or "name:rw".' % (where, entry))
        elif isinstance(entry, dict):
            unknown = sorted(set(entry) - set(['container', 'mode']))
            if unknown:
                raise InputError('%s: unknown key %s; allowed: container, mode.' % (where, ', '.join(unknown)))
            name, mode = entry.get('container'), entry.get('mode', 'rw')
        else:
            raise InputError('%s: must be a string ("name", "name:ro") or a dict {container, mode}, got %s.'
                             % (where, type(entry).__name__))
        check_name(name, '%s container name' % where)
        if mode not in MODES:
            raise InputError('%s: unknown mode %r; allowed: ro, rw.' % (where, mode))
        if name in [known for known, dummy in pairs]:
            raise InputError('%s: container %s is listed twice.' % (where, name))
        pairs.append((name, mode))
    return pairs


def wanted_pairs(have, wanted, exclusive, state):
    if state == 'absent':
        names = set(name for name, dummy in wanted)
        return [pair for pair in have if pair[0] not in names]
    if exclusive:
        return list(wanted)
    pairs = list(have)
    for name, mode in wanted:
        for index, (known, dummy) in enumerate(pairs):
            if known == name:
                pairs[index] = (name, mode)
                break
        else:
            pairs.append((name, mode))
    return pairs


def converge_volumes_from(engine):
    params = engine.params
    spec = ConsumerSpec.from_params(params)
    wanted = parse_from(params['from'])
    state = params.get('state') or 'present'
    api = engine.api
    holder, leftovers, current, old_sources = observe_consumer(api, spec.name)
    if current is None and state == 'absent':
        return dict(changed=False, container={}, volumes_from=[], mounts={}, recreated=False, reasons=[])
    new_sources = inspect_sources(api, [name for name, dummy in wanted])
    if state == 'present':
        missing = [name for name, dummy in wanted if new_sources.get(name) is None]
        if missing:
            raise InputError('from: data container%s %s do%s not exist; create %s first (persistent.volumes.data_container).'
                             % ('s' if len(missing) > 1 else '', ', '.join(missing), '' if len(missing) > 1 else 'es',
                                'them' if len(missing) > 1 else 'it'))
    have = []
    if current is not None:
        have = [(old_sources[name].name if old_sources.get(name) else name, mode)
                for name, mode in (split_volumes_from(entry) for entry in current.volumes_from)]
    pairs = wanted_pairs(have, wanted, params.get('exclusive'), state)
    new_sources.update(inspect_sources(api, [name for name, dummy in pairs if name not in new_sources]))
    gone = [name for name, dummy in pairs if new_sources.get(name) is None]
    if gone:
        raise InputError('%s is wired to %s, which no longer exist%s; remove that wiring with state=absent, '
                         'or list from with exclusive=true.' % (spec.name, ', '.join(gone), 's' if len(gone) == 1 else ''))
    binds = list(((current.raw.get('HostConfig') or {}).get('Binds') or [])) if current else []
    image, image_action = wanted_image(api, spec)
    planner = ConsumerPlanner(spec, holder, leftovers, image, old_sources, new_sources, pairs, binds,
                              replacement_name=engine.replacement_name(spec.name), image_action=image_action)
    plan = planner.plan()
    return consumer_result(engine, plan, spec)
