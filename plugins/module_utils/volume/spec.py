# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The named-volume concern: its argument spec and the normalised desired spec."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import (
    check_name,
    string_map,
)

RECREATE_CHOICES = ['never', 'options-changed']

VOLUME_ARGS = dict(
    name=dict(type='str', required=True, aliases=['volume_name']),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    driver=dict(type='str', default='local'),
    driver_options=dict(type='dict', default={}, aliases=['driver_opts']),
    labels=dict(type='dict'),
    recreate=dict(type='str', default='never', choices=RECREATE_CHOICES),
)


class VolumeSpec(object):
    """A named volume as the task wants it."""

    def __init__(self, name, state='present', driver='local', driver_options=None,
                 labels=None, recreate='never'):
        self.name = check_name(name, 'volume name')
        if state not in ('present', 'absent'):
            raise InputError('volume %s: state must be present or absent, got %r.' % (name, state))
        if recreate not in RECREATE_CHOICES:
            raise InputError('volume %s: recreate must be one of %s, got %r.'
                             % (name, ', '.join(RECREATE_CHOICES), recreate))
        if not isinstance(driver, str) or not driver.strip():
            raise InputError('volume %s: driver must be a non-empty string, got %r.' % (name, driver))
        self.state = state
        self.driver = driver
        self.driver_options = string_map(driver_options, 'driver_options') or {}
        self.labels = string_map(labels, 'labels')
        self.recreate = recreate

    @classmethod
    def from_params(cls, params):
        return cls(params['name'], state=params.get('state') or 'present',
                   driver=params.get('driver') or 'local',
                   driver_options=params.get('driver_options'),
                   labels=params.get('labels'),
                   recreate=params.get('recreate') or 'never')

    def summary(self):
        """The view diff mode shows of a volume this spec would create."""
        return dict(name=self.name, state='present', driver=self.driver,
                    driver_options=dict(self.driver_options), labels=dict(self.labels or {}))


def volume_summary(raw):
    """The same view of an existing volume's inspect data."""
    if raw is None:
        return None
    return dict(name=raw.get('Name'), state='present', driver=raw.get('Driver'),
                driver_options=dict(raw.get('Options') or {}), labels=dict(raw.get('Labels') or {}))
