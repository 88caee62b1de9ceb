# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A StorageModel drawn as a standalone SVG document (no script, font or link to fetch).

Every node is a ``<g class="pv-node ..." data-kind=... data-name=...>`` with a ``<title>``
giving its full name and facts; every edge a ``<g class="pv-edge ..." data-source=...
data-target=... data-path=...>``, so a page or a test can find them in the DOM.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_layout import (
    LABEL_CHAR,
    LEFT,
    MAX_LABEL,
    MAX_NAME,
    clip,
    lay_out,
)
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import (
    BIND,
    DATA_CONTAINER,
    VOLUME,
    VOLUMES_FROM,
    human_size,
    short_name,
)

FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace'
STYLES = {   # kind: (fill, stroke, caption)
    'container': ('#dbeafe', '#1d4ed8', 'container'),
    DATA_CONTAINER: ('#fef3c7', '#b45309', 'data container'),
    VOLUME: ('#dcfce7', '#15803d', 'volume'),
    'dangling': ('#fee2e2', '#b91c1c', 'dangling volume'),
    'host_path': ('#f3f4f6', '#4b5563', 'host path'),
}
EDGE_COLOURS = {VOLUMES_FROM: '#1d4ed8', BIND: '#6b7280', 'mount': '#374151'}


def esc(text):
    return (str(text).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;').replace("'", '&#39;'))


def num(value):
    return ('%.1f' % value).rstrip('0').rstrip('.')


def style_of(node):
    return STYLES['dangling' if node.dangling else node.kind]


def caption(model, node):
    """The second line of a node: what it is, its size, anonymous or dangling."""
    if node.kind == VOLUME:
        parts = ['dangling'] if node.dangling else []
        parts += [human_size(node.size)] if model.sizes_known else []
        parts += ['anonymous'] if node.anonymous else []
        return ' \u00b7 '.join(parts or ['volume'])
    if node.kind == DATA_CONTAINER and model.sizes_known:
        held = [model.nodes[e.target] for e in model.edges_of(node.key) if e.source == node.key and e.kind == 'mount']
        return 'data container \u00b7 %s' % human_size(sum(v.size or 0 for v in held))
    return style_of(node)[2]


def tooltip(model, node):
    lines = ['%s %s' % (STYLES[node.kind][2], node.name)]
    if node.kind == VOLUME:
        lines += ['size: %s' % human_size(node.size)] if model.sizes_known else []
        lines += ['anonymous'] if node.anonymous else []
        lines += ['dangling: used by no container'] if node.dangling else []
    return '\n'.join(lines)


def node_svg(model, box):
    node = box.node
    fill, stroke, dummy = style_of(node)
    classes = 'pv-node pv-%s%s%s' % (node.kind.replace('_', '-'), ' pv-dangling' if node.dangling else '',
                                     ' pv-anonymous' if node.anonymous else '')
    dash = ' stroke-dasharray="5 3"' if node.dangling else ''
    width = 2.5 if node.kind == DATA_CONTAINER else 1.2
    return ('<g class="%s" data-kind="%s" data-name="%s" transform="translate(%s,%s)"><title>%s</title>'
            '<rect width="%s" height="%s" rx="6" fill="%s" stroke="%s" stroke-width="%s"%s/>'
            '<text x="10" y="%s" font-size="12" font-weight="bold" fill="#111827">%s</text>'
            '<text x="10" y="%s" font-size="10" fill="#374151">%s</text></g>'
            % (classes, node.kind, esc(node.name), num(box.x), num(box.y), esc(tooltip(model, node)),
               num(box.w), num(box.h), fill, stroke, width, dash, num(box.h / 2.0 - 2),
               esc(clip(short_name(node.name), MAX_NAME)), num(box.h / 2.0 + 12), esc(caption(model, node))))


def edge_points(layout, index):
    """(x, y) where the edge leaves its source, passes each slot, and reaches its target."""
    chain = [layout.boxes[key] for key in layout.chains[index]]
    points = [(chain[0].x + chain[0].w, chain[0].port(index, True))]
    for slot in chain[1:-1]:
        points += [(slot.x, slot.center), (slot.x + slot.w, slot.center)]
    points.append((chain[-1].x, chain[-1].port(index, False)))
    return points


def path_data(points):
    """Curves across the gaps between columns, straight lines through slots."""
    data = 'M%s %s' % (num(points[0][0]), num(points[0][1]))
    for i in range(1, len(points)):
        (x0, y0), (x1, y1) = points[i - 1], points[i]
        if i % 2:
            bend = (x1 - x0) / 2.0
            data += ' C%s %s %s %s %s %s' % (num(x0 + bend), num(y0), num(x1 - bend), num(y1), num(x1), num(y1))
        else:
            data += ' L%s %s' % (num(x1), num(y1))
    return data


def edge_svg(model, layout, index):
    """The edge's line, and its label (drawn after every line, so that no line crosses it)."""
    edge = model.edges[index]
    source, target = model.nodes[edge.source], model.nodes[edge.target]
    points = edge_points(layout, index)
    dash = ' stroke-dasharray="2 3"' if edge.read_only else ' stroke-dasharray="7 3"' if edge.kind == VOLUMES_FROM else ''
    width = 2 if edge.kind == VOLUMES_FROM else 1.3
    described = ' data-source="%s" data-target="%s" data-path="%s"' % (esc(source.name), esc(target.name), esc(edge.path or ''))
    line = ('<g class="pv-edge pv-%s%s"%s><title>%s</title><path d="%s" fill="none" stroke="%s" stroke-width="%s"%s/></g>'
            % (edge.kind.replace('_', '-'), ' pv-ro' if edge.read_only else '', described,
               esc('%s \u2192 %s: %s' % (source.name, target.name, edge.label)), path_data(points),
               EDGE_COLOURS[edge.kind], width, dash))
    label = ('<text class="pv-edge-label"%s x="%s" y="%s" font-size="11" fill="%s" stroke="#ffffff" stroke-width="4" '
             'paint-order="stroke">%s</text>' % (described, num(points[0][0] + 6), num(points[0][1] - 4),
                                                 EDGE_COLOURS[edge.kind], esc(clip(edge.label, MAX_LABEL))))
    return line, label


def legend_svg():
    items, x = [], LEFT
    for kind in ('container', DATA_CONTAINER, VOLUME, 'dangling', 'host_path'):
        fill, stroke, text = STYLES[kind]
        dash = ' stroke-dasharray="4 2"' if kind == 'dangling' else ''
        items.append('<rect x="%s" y="12" width="14" height="14" rx="3" fill="%s" stroke="%s"%s/>'
                     '<text x="%s" y="23" font-size="11" fill="#111827">%s</text>' % (x, fill, stroke, dash, x + 19, text))
        x += 19 + len(text) * LABEL_CHAR + 18
    for text, colour, dash in (('mount', EDGE_COLOURS['mount'], ''), ('--volumes-from', EDGE_COLOURS[VOLUMES_FROM], '7 3'),
                               ('read-only', '#374151', '2 3')):
        items.append('<line x1="%s" y1="19" x2="%s" y2="19" stroke="%s" stroke-width="2" stroke-dasharray="%s"/>'
                     '<text x="%s" y="23" font-size="11" fill="#111827">%s</text>' % (x, x + 24, colour, dash or 'none', x + 29, text))
        x += 29 + len(text) * LABEL_CHAR + 18
    return '<g class="pv-legend">%s</g>' % ''.join(items), x


def grid_svg(model, layout):
    if not layout.grid:
        return ''
    dangling = [box.node for box in layout.grid]
    size = ', %s' % human_size(sum(n.size or 0 for n in dangling)) if model.sizes_known else ''
    heading = ('<text class="pv-grid-heading" x="%s" y="%s" font-size="12" font-weight="bold" fill="#b91c1c">'
               'Dangling volumes: %d%s, used by no container</text>' % (LEFT, num(layout.grid_top), len(dangling), size))
    return heading + ''.join(node_svg(model, box) for box in layout.grid)


def render_svg(model, title=None):
    """The SVG document of ``model`` (one host), laid out by this collection."""
    layout = lay_out(model, dict((key, caption(model, node)) for key, node in model.nodes.items()))
    legend, legend_width = legend_svg()
    width, height = max(layout.width, legend_width, 360), max(layout.height, 90)
    body = [legend]
    if not model.nodes:
        body.append('<text x="%s" y="60" font-size="12" fill="#374151">No volume, data container or bind mount '
                    'on this host.</text>' % LEFT)
    edges = [edge_svg(model, layout, index) for index in range(len(model.edges))]
    body += [line for line, dummy in edges] + [label for dummy, label in edges]
    body += [node_svg(model, box) for box in layout.boxes.values() if box.node is not None]
    body.append(grid_svg(model, layout))
    name = esc(title or 'Docker storage')
    return ('<svg xmlns="http://www.w3.org/2000/svg" class="pv-storage-graph" width="%s" height="%s" '
            'viewBox="0 0 %s %s" font-family="%s" role="img" aria-label="%s"><title>%s</title>%s</svg>'
            % (num(width), num(height), num(width), num(height), FONT, name, name, ''.join(body)))
