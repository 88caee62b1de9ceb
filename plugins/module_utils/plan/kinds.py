# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every kind of action a plan may hold, by name: planners and appliers use these constants.

``Action`` refuses a kind not listed in ``KINDS`` when it is made, so a misspelt kind fails
while planning (check mode included), never half-way through a run.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The host (appliers.py).
CREATE_HOST_DIRECTORY = 'create_host_directory'
SET_HOST_ATTRIBUTES = 'set_host_attributes'
# The engine (appliers.py).
CREATE_VOLUME = 'create_volume'
REMOVE_VOLUME = 'remove_volume'
BUILD_DATA_IMAGE = 'build_data_image'
PULL_IMAGE = 'pull_image'
CREATE_CONTAINER = 'create_container'
CREATE_CONSUMER = 'create_consumer'
CONNECT_NETWORK = 'connect_network'
DISCARD_NEW_CONSUMER = 'discard_new_consumer'
REMOVE_CONTAINER = 'remove_container'
RENAME_CONTAINER = 'rename_container'
START_CONTAINER = 'start_container'
STOP_CONTAINER = 'stop_container'
PAUSE_CONTAINER = 'pause_container'
SET_ROOT_ATTRIBUTES = 'set_root_attributes'
# Backups (backup/write.py).
WRITE_ARCHIVE = 'write_archive'
REMOVE_GENERATION = 'remove_generation'
# Restores (restore/fill.py, restore/in_place.py).
FILL_VOLUME = 'fill_volume'
COPY_PREVIOUS = 'copy_previous'
PUT_PREVIOUS = 'put_previous'
EMPTY_VOLUME = 'empty_volume'
REPLACE_CONTENT = 'replace_content'
# Conversions (convert/runner.py).
COPY_VOLUME = 'copy_volume'

ENGINE_KINDS = frozenset((
    CREATE_HOST_DIRECTORY, SET_HOST_ATTRIBUTES, CREATE_VOLUME, REMOVE_VOLUME, BUILD_DATA_IMAGE, PULL_IMAGE,
    CREATE_CONTAINER, CREATE_CONSUMER, CONNECT_NETWORK, DISCARD_NEW_CONSUMER, REMOVE_CONTAINER, RENAME_CONTAINER,
    START_CONTAINER, STOP_CONTAINER, PAUSE_CONTAINER, SET_ROOT_ATTRIBUTES,
))
BACKUP_KINDS = frozenset((WRITE_ARCHIVE, REMOVE_GENERATION))
RESTORE_KINDS = frozenset((FILL_VOLUME, COPY_PREVIOUS, PUT_PREVIOUS, EMPTY_VOLUME, REPLACE_CONTENT))
CONVERT_KINDS = frozenset((COPY_VOLUME,))
KINDS = ENGINE_KINDS | BACKUP_KINDS | RESTORE_KINDS | CONVERT_KINDS


def checked_kind(kind):
    """``kind``, or ValueError (a bug of a planner) when no applier carries it out."""
    if kind not in KINDS:
        raise ValueError('unknown action kind %r (plan/kinds.py lists the kinds)' % (kind,))
    return kind
