# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consumer-container concern shared by volumes_from and bind_mount.

A consumer is an ordinary container that mounts storage. The spec options create it
when missing and recreate it when they change; options left out keep the existing
container's values.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import BY_NAME, OPTIONS, SPEC_OPTIONS


class ConsumerSpec(object):
    """The consumer's own options (None means: keep the existing container's value), each read as the
    option table (consumer/options.py) says."""

    OPTIONS = SPEC_OPTIONS

    def __init__(self, container, running=None, release_volumes=False, **options):
        unknown = sorted(set(options) - set(SPEC_OPTIONS))
        if unknown:
            raise TypeError('unknown consumer options: %s' % ', '.join(unknown))
        self.name = BY_NAME['container'].parse(container)
        self.release_volumes = BY_NAME['release_volumes'].parse(release_volumes)
        self.running = running
        for option in OPTIONS:
            if option.name in SPEC_OPTIONS:
                setattr(self, option.name, option.parse(options.get(option.name)))

    @classmethod
    def from_params(cls, params):
        return cls(params['container'], running=params.get('running'),
                   release_volumes=params.get('release_volumes'),
                   **dict((option, params.get(option)) for option in cls.OPTIONS))

    def values(self):
        """{option: the task's value} of every option a task may change on the container."""
        return dict((option, getattr(self, option)) for option in SPEC_OPTIONS)

    def differences(self, current, image_id):
        """Spec options that differ from the existing container, as readable lines."""
        found = []
        if self.image is not None and image_id is not None and image_id != current.image_id:
            found.append('image: %s is a different image than the container has' % self.image)
        for option in OPTIONS:
            for label, wanted, have in option.differences(getattr(self, option.name, None), current.raw):
                found.append('%s: %r wanted, %r found' % (label, wanted, have))
        return found
