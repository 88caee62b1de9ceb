# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters that read layout entries with the modules' own parsers (for the role's preflight)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.layout.problems import layout_problems as problems_of
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import parse_mount_string
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.wiring import parse_from


def mount_path(entry):
    """The container path of a data container's volumes entry (string or dict)."""
    if isinstance(entry, dict):
        return entry.get('path')
    try:
        return parse_mount_string(entry, 'volumes entry').target
    except InputError as exc:
        raise AnsibleFilterError(exc.msg)


def wired_container(entry):
    """The data container named by a consumer's from entry (string or dict)."""
    try:
        return parse_from([entry])[0][0]
    except InputError as exc:
        raise AnsibleFilterError(exc.msg)


def plain(value):
    """``value`` as plain dicts, lists and strings. The controller hands filters its own lazy
    containers (ansible-core 2.19), which the argument-spec validator would deep-copy along
    with everything they refer to: seconds for a few dozen items instead of milliseconds."""
    if isinstance(value, Mapping):
        return dict((plain(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def layout_problems(layout, prefix=''):
    """What is wrong with ``layout`` (the layout module's options), as messages; [] when nothing is."""
    if not isinstance(layout, dict):
        raise AnsibleFilterError('layout_problems needs a dict of layout options, got %s.' % type(layout).__name__)
    return problems_of(plain(layout), prefix)


class FilterModule(object):
    def filters(self):
        return {
            'layout_problems': layout_problems,
            'mount_path': mount_path,
            'wired_container': wired_container,
        }
