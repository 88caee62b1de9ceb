# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The appliers of the engine's and the host's actions: one per action kind, each a few calls.

An applier takes the API and the ``Action``; ``execute`` (execute.py) calls them in order.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import build_default_image
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import pull_arguments
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import create_directory, set_attributes
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import is_anonymous_volume
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action
from ansible_collections.persistent.volumes.plugins.module_utils.model.root_attributes import read_root, write_root
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    BUILD_DATA_IMAGE,
    CONNECT_NETWORK,
    CREATE_CONSUMER,
    CREATE_CONTAINER,
    CREATE_HOST_DIRECTORY,
    CREATE_VOLUME,
    DISCARD_NEW_CONSUMER,
    PAUSE_CONTAINER,
    PULL_IMAGE,
    REMOVE_CONTAINER,
    REMOVE_VOLUME,
    RENAME_CONTAINER,
    SET_HOST_ATTRIBUTES,
    SET_ROOT_ATTRIBUTES,
    START_CONTAINER,
    STOP_CONTAINER,
)


def _create_volume(api, action):
    return api.create_volume(action.target, action.args.get('driver'),
                             action.args.get('driver_options'), action.args.get('labels'))


def _remove_volume(api, action):
    try:
        return api.remove_volume(action.target)
    except PersistentVolumesError as exc:
        # A volume removed only because nothing used it: if something uses it now (409) or it
        # is gone already (404, another run), it is left to that.
        if action.args.get('only_if_unused') and exc.details.get('status_code') in (404, 409):
            return None
        raise


def _build_data_image(api, action):
    return build_default_image(api)


def _pull_image(api, action):
    repository, tag = pull_arguments(action.target)
    return api.pull_image(action.target, repository, tag)


def _create_container(api, action):
    args = dict(action.args)
    return api.create_container(action.target, args.pop('image'), binds=args.pop('binds', None),
                                volumes_from=args.pop('volumes_from', None), labels=args.pop('labels', None),
                                **args)


def _create_consumer(api, action):
    return api.create_container_raw(action.target, action.args['body'])


def _connect_network(api, action):
    return api.connect_network(action.args['network'], action.target, action.args.get('endpoint'))


def _remove_container(api, action):
    # By the ID that was observed: if another run replaced the container meanwhile, the
    # engine answers 404 and this run looks again, instead of removing the newcomer.
    return api.remove_container(action.args.get('id') or action.target)


def _rename_container(api, action):
    try:
        return api.rename_container(action.target, action.args['new_name'])
    except PersistentVolumesError as exc:
        # Another run finished this very swap a moment ago: the replacement has the name.
        if exc.details.get('status_code') == 400 and 'same name as its current name' in exc.msg:
            return None
        raise


def _start_container(api, action):
    try:
        return api.start_container(action.target)
    except PersistentVolumesError as exc:
        if not action.args.get('undo'):
            raise
        raise undone(api, action, exc)


def undone(api, action, exc):
    """Carry out ``action``'s undo actions after it failed with ``exc``; the error to raise then.

    The undo actions put back what was there before (a consumer's old container, or nothing
    instead of a new consumer that could not start). Each is tried even when one fails, and
    the message says what was put back and, if something could not be, what is left.
    """
    failures = []
    for step in action.args['undo']:
        try:
            APPLIERS[step.kind](api, step)
        except PersistentVolumesError as problem:
            failures.append('%s failed: %s' % (step.describe(), problem.msg))
    if action.args['undo'][0].kind == DISCARD_NEW_CONSUMER:
        what = ('%s was created but could not start, so it was removed again (it never ran), with the empty '
                'volumes its creation made' % action.target)
    else:
        what = ('The replacement of %s could not start, so it was removed and the old %s was put back as it was'
                % (action.target, action.target))
    if failures:
        what += ', except: %s (the next run puts back what is left)' % '; '.join(failures)
    else:
        what += '; nothing else changed'
    return EngineError('%s. The cause: %s' % (what, exc.msg), start_failed=exc.msg)


def _discard_new_consumer(api, action):
    """Remove a consumer this run created that could not start, and the volumes only its creation made.

    A volume is removed only when it is anonymous and mounted at a path that neither a
    --volumes-from source nor a bind mount gave it (``keep_paths``): an image VOLUME path,
    whose volume the engine made for this very container, which never ran.
    """
    raw = api.inspect_container(action.target)
    if not raw:
        return None
    api.remove_container(raw['Id'])
    keep = set(action.args.get('keep_paths') or [])
    for mount in raw.get('Mounts') or []:
        name = mount.get('Name')
        if mount.get('Type') == 'volume' and mount.get('Destination') not in keep and is_anonymous_volume(name, None):
            _remove_volume(api, Action(REMOVE_VOLUME, name, 'made for %s' % action.target, only_if_unused=True))
    return None


def _stop_container(api, action):
    return api.stop_container(action.args.get('id') or action.target, timeout=action.args.get('timeout'))


def _pause_container(api, action):
    return api.pause_container(action.args.get('id') or action.target)


def _set_root_attributes(api, action):
    path = action.args['path']
    current = read_root(api, action.target, path)
    wanted = current.wanted(action.args.get('owner'), action.args.get('group'), action.args.get('mode'))
    if wanted != current:
        write_root(api, action.target, path, wanted)
    return wanted.as_dict()


def _create_host_directory(api, action):
    return create_directory(action.target, action.args.get('owner'), action.args.get('group'),
                            action.args.get('mode'))


def _set_host_attributes(api, action):
    return set_attributes(action.target, action.args.get('owner'), action.args.get('group'),
                          action.args.get('mode'))


APPLIERS = {
    CREATE_HOST_DIRECTORY: _create_host_directory,
    SET_HOST_ATTRIBUTES: _set_host_attributes,
    CREATE_VOLUME: _create_volume,
    REMOVE_VOLUME: _remove_volume,
    BUILD_DATA_IMAGE: _build_data_image,
    PULL_IMAGE: _pull_image,
    CREATE_CONTAINER: _create_container,
    CREATE_CONSUMER: _create_consumer,
    CONNECT_NETWORK: _connect_network,
    DISCARD_NEW_CONSUMER: _discard_new_consumer,
    REMOVE_CONTAINER: _remove_container,
    RENAME_CONTAINER: _rename_container,
    START_CONTAINER: _start_container,
    STOP_CONTAINER: _stop_container,
    PAUSE_CONTAINER: _pause_container,
    SET_ROOT_ATTRIBUTES: _set_root_attributes,
}
