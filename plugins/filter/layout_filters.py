# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters that read layout entries with the modules' own parsers (for the role's preflight)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.persistent.volumes.plugins.module_utils.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.mount_spec import parse_mount_string
from ansible_collections.persistent.volumes.plugins.module_utils.wiring import parse_from


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


class FilterModule(object):
    def filters(self):
        return {
            'mount_path': mount_path,
            'wired_container': wired_container,
        }
