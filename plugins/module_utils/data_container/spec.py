# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The data-container concern: its argument spec and the normalised desired spec."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels

from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import PULL_CHOICES
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import check_image_reference
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import parse_mounts
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name, user_labels

DATA_CONTAINER_ARGS = dict(
    name=dict(type='str', required=True),
    volumes=dict(type='list', elements='raw', default=[]),
    image=dict(type='str'),
    pull=dict(type='str', default='missing', choices=PULL_CHOICES),
    labels=dict(type='dict'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    remove_volumes=dict(type='bool', default=False),
    force=dict(type='bool', default=False),
    allow_sensitive=dict(type='bool', default=False),
    adopt=dict(type='bool', default=False),
    release_volumes=dict(type='bool', default=False),
)


class DataContainerSpec(object):
    """A data-only container as the task wants it."""

    def __init__(self, name, volumes=None, image=None, pull='missing', labels=None, state='present',
                 remove_volumes=False, force=False, allow_sensitive=False, adopt=False, release_volumes=False):
        self.name = check_name(name, 'container name')
        self.mounts = parse_mounts(volumes or [], 'volumes')
        self.image = check_image_reference(image)
        self.pull = pull
        self.labels = user_labels(labels)
        self.state = state
        self.remove_volumes = bool(remove_volumes)
        self.force = bool(force)
        self.allow_sensitive = bool(allow_sensitive)
        self.adopt = bool(adopt)
        self.release_volumes = bool(release_volumes)

    @classmethod
    def from_params(cls, params):
        return cls(params['name'], volumes=params.get('volumes'), image=params.get('image'),
                   pull=params.get('pull') or 'missing', labels=params.get('labels'),
                   state=params.get('state') or 'present',
                   remove_volumes=params.get('remove_volumes'), force=params.get('force'),
                   allow_sensitive=params.get('allow_sensitive'), adopt=params.get('adopt'),
                   release_volumes=params.get('release_volumes'))


def volume_entry(path, mounted):
    """The ``volumes`` entry that mounts, at ``path``, what ``mounted`` (a MountedAt) is."""
    suffix = ':ro' if mounted.read_only else ''
    if mounted.type == 'bind':
        return '%s:%s%s' % (mounted.source, path, suffix)
    if pv_labels.is_anonymous_volume(mounted.name, None) and not suffix:
        return path
    return '%s:%s%s' % (mounted.name, path, suffix)
