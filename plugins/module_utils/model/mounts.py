# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Mounts as the engine reports them: a container's ``Mounts`` entries and ``HostConfig.Binds`` strings."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The bind strings themselves are read where the engine's reports are (engine/binds.py); the
# model's readers import them from here too.
from ansible_collections.persistent.volumes.plugins.module_utils.engine.binds import (  # pylint: disable=unused-import
    bind_destination,
    split_bind,
)

# The bind propagation modes the engine takes in a bind's options.
PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']


class MountedAt(object):
    """What a container has at one path: a volume (by name) or a host directory."""

    __slots__ = ('destination', 'type', 'name', 'source', 'read_only')

    def __init__(self, destination, type_, name=None, source=None, read_only=False):
        self.destination = destination
        self.type = type_
        self.name = name
        self.source = source
        self.read_only = read_only

    @classmethod
    def from_inspect(cls, raw):
        type_ = raw.get('Type') or ('volume' if raw.get('Name') else 'bind')
        return cls(raw.get('Destination'), type_, name=raw.get('Name') if type_ == 'volume' else None,
                   source=raw.get('Source'), read_only=not raw.get('RW', True))

    @property
    def identity(self):
        """What is mounted: ``volume:<name>`` or ``bind:<host path>``."""
        return 'volume:%s' % self.name if self.type == 'volume' else '%s:%s' % (self.type, self.source)

    def bind_string(self, read_only=None):
        read_only = self.read_only if read_only is None else read_only
        origin = self.name if self.type == 'volume' else self.source
        return '%s:%s:%s' % (origin, self.destination, 'ro' if read_only else 'rw')

    def as_dict(self):
        return dict(path=self.destination, type=self.type, volume=self.name, source=self.source,
                    read_only=self.read_only)
