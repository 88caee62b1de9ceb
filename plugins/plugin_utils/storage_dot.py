# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A StorageModel as Graphviz DOT text, for those who lay it out with ``dot`` themselves."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import (
    VOLUMES_FROM,
    short_name,
)
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_svg import (
    EDGE_COLOURS,
    caption,
    style_of,
)


def quote(text):
    return '"%s"' % str(text).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def render_dot(model, title=None):
    """``digraph`` with one node per container, data container, volume and host path."""
    lines = ['digraph %s {' % quote(title or 'docker storage'),
             '  rankdir=LR;',
             '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11];',
             '  edge [fontname="monospace", fontsize=10];']
    for key in sorted(model.nodes):
        node = model.nodes[key]
        fill, stroke, dummy = style_of(node)
        style = ' style="rounded,filled,dashed",' if node.dangling else ''
        width = ' penwidth=2.5,' if node.kind == 'data_container' else ''
        lines.append('  %s [label=%s,%s%s fillcolor=%s, color=%s];'
                     % (quote(key), quote('%s\n%s' % (short_name(node.name), caption(model, node))), style, width,
                        quote(fill), quote(stroke)))
    for edge in model.edges:
        style = 'dotted' if edge.read_only else 'dashed' if edge.kind == VOLUMES_FROM else 'solid'
        lines.append('  %s -> %s [label=%s, style=%s, color=%s];'
                     % (quote(edge.source), quote(edge.target), quote(edge.label), style,
                        quote(EDGE_COLOURS[edge.kind])))
    lines.append('}')
    return '\n'.join(lines) + '\n'
