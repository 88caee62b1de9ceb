# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a convert task asks for: the data container, a named volume for each of its paths, what
to do with the consumers meanwhile (quiesce) and with the data container afterwards."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import QUIESCE_CHOICES
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import check_container_path
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name


def default_volume_name(container, path):
    """``<container>-<path, slugged>``: ``dbdata`` and ``/var/lib/my db`` give ``dbdata-var-lib-my-db``."""
    slug = re.sub(r'[^A-Za-z0-9_.]+', '-', path).strip('-')
    return '%s-%s' % (container, slug or 'root')


class ConvertSpec(object):
    """The validated options; ``names`` ({path: volume name}) is completed by ``names_for``."""

    def __init__(self, params):
        self.container = check_name(params.get('container'), 'container name')
        self.remove_data_container = bool(params.get('remove_data_container'))
        self.quiesce = params.get('quiesce') or 'stop'
        if self.quiesce not in QUIESCE_CHOICES:
            raise InputError('quiesce must be one of %s, got %r.' % (', '.join(QUIESCE_CHOICES), self.quiesce))
        self.method = params.get('method') or 'auto'
        given = params.get('volume_names') or {}
        if not isinstance(given, dict):
            raise InputError('volume_names must be a map from a path of %s to a volume name, got %s.'
                             % (self.container, type(given).__name__))
        self.given = {}
        for path, name in sorted(given.items()):
            where = 'volume_names[%r]' % (path,)
            check_container_path(path, where)
            self.given[path] = check_name(name, '%s volume name' % where)

    def names_for(self, paths):
        """{path: volume name} for the data container's ``paths``; refuses unknown paths and shared names."""
        unknown = sorted(set(self.given) - set(paths))
        if unknown:
            raise InputError('volume_names: %s %s no path of data container %s; its paths are %s.'
                             % (', '.join(unknown), 'is' if len(unknown) == 1 else 'are', self.container,
                                ', '.join(sorted(paths)) or 'none'))
        names = dict((path, self.given.get(path) or default_volume_name(self.container, path)) for path in paths)
        by_name = {}
        for path, name in sorted(names.items()):
            if name in by_name:
                raise InputError('volume_names: %s and %s would both become volume %s; give each path a volume of '
                                 'its own.' % (by_name[name], path, name))
            by_name[name] = path
        return names
