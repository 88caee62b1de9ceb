# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The layout concern: a host's whole storage, each item in the shape of its single module.

Items are checked with the single modules' own argument specs (so a layout accepts
exactly what the modules accept): by ansible-core in the module (``LAYOUT_ARGS``), and
item by item here, so that a caller that is no module (the filter layout_problems, a ``layout`` dict) gets
messages naming the item. Then all of them are parsed before anything is looked at: bad
input anywhere fails the task with nothing changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.bind_mount import (
    BIND_MOUNT_ARGS,
    BIND_MOUNT_REQUIRED_IF,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.named_volumes import parse_named
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import CONSUMER_ARGS
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import (
    DATA_CONTAINER_ARGS,
    DataContainerSpec,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import VOLUME_ARGS, VolumeSpec
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.wiring import parse_from

CONSUMER_ITEM_ARGS = dict(CONSUMER_ARGS)
CONSUMER_ITEM_ARGS.update({
    'from': dict(type='list', elements='raw'),
    'exclusive': dict(type='bool'),
    'binds': dict(type='list', elements='dict', default=[], options=BIND_MOUNT_ARGS, required_if=BIND_MOUNT_REQUIRED_IF),
    'volumes': dict(type='list', elements='str', default=[]),
})

# The layout module's options (doc fragment persistent.volumes.layout): each list's items take
# the options of their single module, and ansible-core checks them.
LAYOUT_ARGS = dict(
    volumes=dict(type='list', elements='dict', default=[], options=VOLUME_ARGS),
    data_containers=dict(type='list', elements='dict', default=[], options=DATA_CONTAINER_ARGS),
    consumers=dict(type='list', elements='dict', default=[], options=CONSUMER_ITEM_ARGS),
    exclusive=dict(type='bool', default=False),
)


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
    def __init__(self, params, layout_exclusive):
        self.params = params
        self.spec = ConsumerSpec.from_params(params)
        self.wiring = parse_from(params['from'], self.spec.name) if params.get('from') is not None else None
        exclusive = params.get('exclusive')
        self.exclusive = layout_exclusive if exclusive is None else exclusive
        self.binds = list(params.get('binds') or [])
        self.named = parse_named(list(params.get('volumes') or []))


# Each list: its option, the key naming an item, the items' argument spec.
GROUPS = (('volumes', 'name', VOLUME_ARGS), ('data_containers', 'name', DATA_CONTAINER_ARGS),
          ('consumers', 'container', CONSUMER_ITEM_ARGS))


class LayoutSpec(object):
    """Every item of the layout, validated and parsed: ``volumes``, ``data_containers`` and
    ``consumers`` are lists of (where, validated item, parsed item).

    ``checked``: ansible-core validated the items already (the layout module's own argument spec);
    otherwise each is validated here, with a message naming it.
    """

    def __init__(self, params, checked=False):
        parsers = dict(volumes=VolumeSpec.from_params, data_containers=DataContainerSpec.from_params,
                       consumers=lambda item: ConsumerItem(item, params.get('exclusive')))
        self.volumes, self.data_containers, self.consumers = [
            self._items(params.get(group) or [], key, spec if not checked else None, parsers[group], group)
            for group, key, spec in GROUPS]
        self._check_names()

    def _items(self, items, key, spec, parser, group):
        parsed = []
        for index, item in enumerate(items):
            where = '%s[%d] (%s)' % (group, index, _label(item, key))
            valid = validate_item(spec, item, where) if spec is not None else item
            parsed.append((where, valid, self._parse(parser, valid, where)))
        return parsed

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
