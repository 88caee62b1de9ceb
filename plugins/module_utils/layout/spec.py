# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The layout concern: a host's whole storage, each item in the shape of its single module.

Items are checked with the single modules' own argument specs (so a layout accepts
exactly what the modules accept), then all of them are parsed before anything is
looked at: bad input anywhere fails the task with nothing changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.bind_mount import BIND_MOUNT_ARGS
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import CONSUMER_ARGS, ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import (
    DATA_CONTAINER_ARGS,
    DataContainerSpec,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import VOLUME_ARGS, VolumeSpec
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.wiring import parse_from

LAYOUT_ARGS = dict(
    volumes=dict(type='list', elements='dict', default=[]),
    data_containers=dict(type='list', elements='dict', default=[]),
    consumers=dict(type='list', elements='dict', default=[]),
    exclusive=dict(type='bool', default=False),
)

BIND_ITEM_ARGS = dict(BIND_MOUNT_ARGS)

CONSUMER_ITEM_ARGS = dict(CONSUMER_ARGS)
CONSUMER_ITEM_ARGS.update({
    'from': dict(type='list', elements='raw'),
    'exclusive': dict(type='bool'),
    'binds': dict(type='list', elements='dict', default=[]),
})


def validate_item(spec, item, where):
    """The item with defaults and types applied, or InputError naming it."""
    if not isinstance(item, dict):
        raise InputError('%s must be a dict, got %s.' % (where, type(item).__name__))
    result = ArgumentSpecValidator(spec).validate(dict(item))
    if result.error_messages:
        raise InputError('%s: %s' % (where, '; '.join(result.error_messages)))
    return result.validated_parameters


def _label(item, key):
    value = item.get(key) if isinstance(item, dict) else None
    return '%s' % value if value else '?'


class ConsumerItem(object):
    def __init__(self, params, layout_exclusive, where):
        self.params = params
        self.where = where
        self.spec = ConsumerSpec.from_params(params)
        self.wiring = parse_from(params['from'], self.spec.name) if params.get('from') is not None else None
        exclusive = params.get('exclusive')
        self.exclusive = layout_exclusive if exclusive is None else exclusive
        self.binds = [validate_item(BIND_ITEM_ARGS, bind, 'binds[%d] (%s)' % (index, _label(bind, 'target')))
                      for index, bind in enumerate(params.get('binds') or [])]
        for bind in self.binds:
            if bind.get('state') == 'present' and not bind.get('source'):
                raise InputError('a bind with state=present needs source (target %s).' % bind.get('target'))


class LayoutSpec(object):
    """Every item of the layout, validated and parsed."""

    def __init__(self, params):
        self.volumes = []
        for index, item in enumerate(params.get('volumes') or []):
            where = 'volumes[%d] (%s)' % (index, _label(item, 'name'))
            checked = validate_item(VOLUME_ARGS, item, where)
            self.volumes.append((where, checked, self._parse(VolumeSpec.from_params, checked, where)))
        self.data_containers = []
        for index, item in enumerate(params.get('data_containers') or []):
            where = 'data_containers[%d] (%s)' % (index, _label(item, 'name'))
            checked = validate_item(DATA_CONTAINER_ARGS, item, where)
            self.data_containers.append((where, checked, self._parse(DataContainerSpec.from_params, checked, where)))
        self.consumers = []
        for index, item in enumerate(params.get('consumers') or []):
            where = 'consumers[%d] (%s)' % (index, _label(item, 'container'))
            checked = validate_item(CONSUMER_ITEM_ARGS, item, where)
            self.consumers.append((where, checked, self._parse(
                lambda p: ConsumerItem(p, params.get('exclusive'), where), checked, where)))
        self._check_names()

    @staticmethod
    def _parse(parser, checked, where):
        try:
            return parser(checked)
        except InputError as exc:
            raise InputError('%s: %s' % (where, exc.msg), **exc.details)

    def _check_names(self):
        seen = {}
        for kind, items, key in (('volume', self.volumes, 'name'), ('data container', self.data_containers, 'name'),
                                 ('consumer', self.consumers, 'container')):
            for where, checked, dummy in items:
                name = checked[key]
                scope = 'volume' if kind == 'volume' else 'container'
                if (scope, name) in seen:
                    raise InputError('%s: %s %r is already declared by %s; each name may appear once.'
                                     % (where, scope, name, seen[(scope, name)]))
                seen[(scope, name)] = where
