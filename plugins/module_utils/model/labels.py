# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Labels the collection puts on the objects it creates, so later runs recognise them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

PREFIX = 'persistent.volumes.'

# On a data-only container made by the data_container module (value "true").
DATA_CONTAINER = PREFIX + 'data-container'

# On a replacement container made while recreating: the name it replaces. A container
# carrying it is a leftover of an interrupted swap, and the next run finishes the swap.
REPLACES = PREFIX + 'replaces'

# On a data container: JSON list of the volume names it owns (deleted with remove_volumes).
OWNED = PREFIX + 'owned-volumes'

# On an anonymous volume the collection made for a data container: that container's name.
ANONYMOUS_FOR = PREFIX + 'anonymous-for'

# On a consumer's replacement: whether the consumer it replaces was running ("true"/"false").
WAS_RUNNING = PREFIX + 'was-running'

# On a consumer's replacement that is to run: the temporary name the old container gets
# until the replacement runs.
PREVIOUS = PREFIX + 'previous'

# On a never-started helper container that a backup reads through ("backup") or that holds a
# volume a restore fills ("restore"); one a killed run left is removed by the next run.
TEMPORARY = PREFIX + 'temporary'

# On a volume a restore made: the archive's content digest, and the path it restores.
RESTORED_FROM = PREFIX + 'restored-from'
RESTORED_PATH = PREFIX + 'restored-path'

# A restore into a named volume (restore/in_place.py). On its journal, a never-started container
# (temporary=restore-journal) that holds the volume while it is restored: the volume, the volume
# keeping its earlier content, the archive (its path on the host; restored-from, restored-path) and
# the containers it stopped (JSON list of IDs). On the helper holding the earlier content's volume
# (temporary=restore-previous): the journal's name.
RESTORE_TARGET = PREFIX + 'restore-target'
RESTORE_PREVIOUS = PREFIX + 'restore-previous'
RESTORE_SRC = PREFIX + 'restore-src'
RESTORE_STOPPED = PREFIX + 'restore-stopped'
JOURNAL = PREFIX + 'journal'

# On the volume that keeps a named volume's content from before a restore: that volume's name, the
# archive's content digest that replaced it, when, the path, and the data container it was in.
PREVIOUS_OF = PREFIX + 'previous-of'
REPLACED_BY = PREFIX + 'replaced-by'
REPLACED_AT = PREFIX + 'replaced-at'
WAS_IN = PREFIX + 'was-in'

# On the collection's default empty image.
IMAGE = PREFIX + 'image'

# a named volume that convert made from a data container's path: where its data came from
CONVERTED_FROM = PREFIX + 'converted-from'
CONVERTED_PATH = PREFIX + 'converted-path'
CONVERTED_VOLUME = PREFIX + 'converted-volume'
CONVERTED_RUNNING = PREFIX + 'converted-running'

# Set by newer engines on anonymous volumes (the engine 20.10 of Debian does not).
ENGINE_ANONYMOUS = 'com.docker.volume.anonymous'

ANONYMOUS_NAME = re.compile(r'^[0-9a-f]{64}\Z')


def is_anonymous_volume(name, labels):
    """Anonymous volumes have a 64-hex name (or the newer engines' label)."""
    return bool(ANONYMOUS_NAME.match(name or '')) or ENGINE_ANONYMOUS in (labels or {})


def is_data_container(labels):
    return (labels or {}).get(DATA_CONTAINER) == 'true'


def user_labels(labels):
    """The labels that are not the collection's own."""
    return dict((key, value) for key, value in (labels or {}).items() if not key.startswith(PREFIX))
