# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters that draw a host's storage from volume_info's result (playbooks/storage_map.yml uses them).

The documentation of each filter is in the .yml file of its name beside this one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_dot import render_dot
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import StorageInputError, build_model
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_svg import render_svg
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_table import storage_rows, storage_summary

FORMATS = {'svg': render_svg, 'dot': render_dot}


def _checked(name, function, *args):
    try:
        return function(*args)
    except StorageInputError as exc:
        raise AnsibleFilterError('persistent.volumes.%s: %s.' % (name, exc))


def storage_graph(result, format='svg', title=None):
    """The picture of one host's storage: an SVG document or Graphviz DOT text."""
    if format not in FORMATS:
        raise AnsibleFilterError('persistent.volumes.storage_graph: format must be one of %s, got %r.'
                                 % (', '.join(sorted(FORMATS)), format))
    model = _checked('storage_graph', build_model, result)
    return FORMATS[format](model, title)


def storage_table(result):
    return _checked('storage_rows', storage_rows, result)


def storage_totals(result):
    return _checked('storage_summary', storage_summary, result)


class FilterModule(object):
    def filters(self):
        return {
            'storage_graph': storage_graph,
            'storage_rows': storage_table,
            'storage_summary': storage_totals,
        }
