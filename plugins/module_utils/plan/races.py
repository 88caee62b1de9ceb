# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Telling a race from a refusal when the engine answers an action with 404 or 409.

A plan is made from what the engine showed. When an action fails with "not found" or
"conflict", the module looks again at the objects that action concerned: if they are
no longer as the plan saw them (a container of that name appeared, the container went
away, someone started using the volume...), another client changed them meanwhile and
the run looks again and converges from there. Otherwise the engine refused the request
itself (an unknown volume driver, a missing image...), and the error says so; no race
is named.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model.container import inspect_named, split_volumes_from
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import container_name
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    CREATE_CONSUMER,
    CREATE_CONTAINER,
    CREATE_VOLUME,
    REMOVE_CONTAINER,
    REMOVE_VOLUME,
    RENAME_CONTAINER,
    SET_ROOT_ATTRIBUTES,
    START_CONTAINER,
    STOP_CONTAINER,
)

RACE_STATUSES = (404, 409)
# Docker 26 answers a rename of a container that another client is removing with 500 ("open
# .../.tmp-config.v2.json: no such file or directory"): a container action's 500 is looked at too,
# and called a race only when the container is seen gone or going.
CONTAINER_RACE_STATUSES = RACE_STATUSES + (500,)


def _volume_race(api, action):
    exists = api.inspect_volume(action.target) is not None
    if action.kind == CREATE_VOLUME:
        return 'volume %s was created meanwhile' % action.target if exists else None
    if not exists:
        return 'volume %s was removed meanwhile' % action.target
    users = sorted(container_name(summary) for summary in api.list_containers(filters={'volume': action.target}))
    return 'container %s started using volume %s meanwhile' % (', '.join(users), action.target) if users else None


def _sources_of(action):
    if action.kind == CREATE_CONSUMER:
        return list((action.args.get('host_config') or {}).get('VolumesFrom') or [])
    return list(action.args.get('volumes_from') or [])


def _create_race(api, action):
    if inspect_named(api, action.target) is not None:
        return 'a container named %s was created meanwhile' % action.target
    for entry in _sources_of(action):
        source = split_volumes_from(entry)[0]
        if api.inspect_container(source) is None:
            return 'container %s, which %s takes volumes from, was removed meanwhile' % (source, action.target)
    image = action.args.get('image')
    if image and api.inspect_image(image) is None:
        return 'image %s was removed meanwhile' % image
    return None


def _container_race(api, action):
    raw = api.inspect_container(action.args.get('id') or action.target)
    if raw is None:
        return 'container %s was removed meanwhile' % action.target
    state = raw.get('State') or {}
    if action.kind == REMOVE_CONTAINER and state.get('Running'):
        return 'container %s was started meanwhile' % action.target
    if state.get('Status') in ('removing', 'dead'):  # 'dead': marked for removal (Docker 26: start answers 409)
        return 'another client is removing container %s' % action.target
    if action.kind == RENAME_CONTAINER:
        other = inspect_named(api, action.args.get('new_name'))
        if other is not None and other.get('Id') != raw.get('Id'):
            return 'a container named %s was created meanwhile' % action.args.get('new_name')
    return None


LOOKS = {
    CREATE_VOLUME: _volume_race,
    REMOVE_VOLUME: _volume_race,
    CREATE_CONTAINER: _create_race,
    CREATE_CONSUMER: _create_race,
    REMOVE_CONTAINER: _container_race,
    RENAME_CONTAINER: _container_race,
    START_CONTAINER: _container_race,
    STOP_CONTAINER: _container_race,
    SET_ROOT_ATTRIBUTES: _container_race,
}


def race_seen(api, action, status):
    """What another client changed that made ``action`` fail (a sentence), or None when the
    engine shows the objects as the plan saw them (or they cannot be looked at)."""
    look = LOOKS.get(action.kind)
    if look is None or status not in (CONTAINER_RACE_STATUSES if look is _container_race else RACE_STATUSES):
        return None
    try:
        return look(api, action)
    except PersistentVolumesError:
        return None


def refusal_reason(action, status, msg):
    """Why the engine refused ``action`` (404/409 seen not to be a race), in the user's terms."""
    lowered = msg.lower()
    if action.kind == CREATE_VOLUME and 'plugin' in lowered and 'not found' in lowered:
        return ('the engine has no volume driver %r (docker plugin ls lists the installed ones; "local" is '
                'built in)' % action.args.get('driver'))
    return 'no other client changed %s meanwhile, so this is the engine\'s own answer to the request' % action.target


def explain(api, action, exc):
    """Mark ``exc`` (an error of ``action``) as a race (``details['race']``) or, for a 404/409
    that is not one, add why the engine refused to its message."""
    status = exc.details.get('status_code')
    race = race_seen(api, action, status)
    if race:
        exc.details['race'] = race
    elif status in RACE_STATUSES:
        exc.msg = '%s. Looked again: %s.' % (exc.msg.rstrip('.'), refusal_reason(action, status, exc.msg))
        exc.args = (exc.msg,)
