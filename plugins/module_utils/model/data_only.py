# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one rule of "this container is a data-only one": every module and report asks it here.

A data-only container holds volumes and nothing else: the collection made it as one (its label),
or it was never started (``container.never_started``), it takes no volumes from others
(``--volumes-from``) and it has no command of its own (the image's, or one that does nothing:
``true``, ``:``, ``echo ...``). Anything else is an application's container: data_container and a
restore refuse to recreate it as a data container unless the task adopts it
(``data_container/data_only.py``). Reports judge the facts they see without the image
(``shaped_as_data_only``: label, or never started and no ``--volumes-from``): the layout report lists
such a container among the data containers, and volume_info names a never-started holder of a volume
(a listing shows no ``--volumes-from``) as its data container; adopting it keeps it as it is.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import posixpath


# Commands a data-only container is commonly made with (docker create ... /bin/true).
NO_OP_COMMANDS = ('true', ':', 'echo', '.persistent-volumes-data-only')
COMMAND_KEYS = ('Entrypoint', 'Cmd')


def _words(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def own_command(raw, image):
    """The container's command when it is its own (not its image's, not a no-op), else None."""
    config = raw.get('Config') or {}
    image_config = (image or {}).get('Config') or {}
    command = _words(config.get('Entrypoint')) + _words(config.get('Cmd'))
    if not command:
        return None
    if image is not None and command == _words(image_config.get('Entrypoint')) + _words(image_config.get('Cmd')):
        return None
    if posixpath.basename(command[0]) in NO_OP_COMMANDS:
        return None
    return command


class DataOnlyFacts(object):
    """What makes a container an application's rather than a data-only one (each None when it does not).

    ``started``: its status, when it has been started; ``wiring``: its ``--volumes-from``
    entries; ``command``: its own command (words), with ``command_key`` the first of
    Entrypoint and Cmd that differs from the image's. A container the collection made as a data
    container is one, even after it was started. ``image``: the inspect data of the container's
    image (None when it is gone).
    """

    def __init__(self, container, image):
        self.started = self.wiring = self.command = self.command_key = None
        if container.is_data_container:
            return
        if not container.never_started:
            self.started = container.status
        self.wiring = list(container.volumes_from) or None
        self.command = own_command(container.raw, image)
        if self.command is not None:
            config, image_config = container.raw.get('Config') or {}, (image or {}).get('Config') or {}
            self.command_key = next((key for key in COMMAND_KEYS
                                     if (config.get(key) or None) != (image_config.get(key) or None)), 'Cmd')

    @property
    def shaped_as_data_only(self):
        """The facts a report judges without the image: never started, no ``--volumes-from``."""
        return self.started is None and self.wiring is None

    @property
    def data_only(self):
        return self.shaped_as_data_only and self.command is None


def not_data_only(container, image):
    """Why ``container`` (a ContainerDetail) is not a data-only container; empty when it is one."""
    facts = DataOnlyFacts(container, image)
    reasons = []
    if facts.started is not None:
        reasons.append('it has been started (status %s)' % facts.started)
    if facts.wiring:
        reasons.append('it takes volumes from %s (--volumes-from)' % ', '.join(facts.wiring))
    if facts.command:
        reasons.append('it has a command of its own (%s)' % ' '.join(facts.command))
    return reasons


def is_data_only(container, image):
    """Whether ``container`` (a ContainerDetail) is a data-only container; ``image`` its image's inspect data."""
    return DataOnlyFacts(container, image).data_only


def shaped_as_data_only(container):
    """The collection's data container, or one never started that takes no volumes from others: what the
    layout report lists among the data containers (its command is judged when a task would recreate it)."""
    return DataOnlyFacts(container, None).shaped_as_data_only
