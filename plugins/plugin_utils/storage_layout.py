# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where each node of a StorageModel goes: a layered drawing from left to right.

Columns: the containers nobody takes volumes from, then data containers (and other
containers whose volumes are taken with --volumes-from), then volumes and host paths. An
edge that skips a column passes through a slot of its own in that column, so it never
crosses a node. Each edge has a port of its own on both of its nodes (a node grows with
its edges) and its label is written where it leaves its source, in the gap after the
column: labels never overlap. Dangling volumes have no edge; they sit in a grid below.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import (
    DATA_CONTAINER,
    HOST_PATH,
    VOLUME,
    VOLUMES_FROM,
    short_name,
)

NAME_CHAR, CAPTION_CHAR, LABEL_CHAR = 7.2, 6.0, 6.6     # widths of a 12px, 10px and 11px monospace character
PORT, NODE_H, ROW_GAP, TOP, LEFT = 18, 36, 8, 50, 20
MIN_W, MAX_NAME, MIN_GAP, MAX_LABEL = 110, 40, 70, 42
SWEEPS = 4
GRID_WIDTH = 1100   # dangling volumes fill rows at least this wide


class Box(object):
    """A node (or an edge's slot in a column it passes) with its place in the picture."""

    def __init__(self, key, layer, node=None):
        self.key = key
        self.layer = layer
        self.node = node
        self.ins, self.outs = [], []   # indexes of edges
        self.x = self.y = self.w = 0
        self.h = PORT if node is None else NODE_H

    @property
    def center(self):
        return self.y + self.h / 2.0

    def port(self, edge, outgoing):
        ports = self.outs if outgoing else self.ins
        return self.center + (ports.index(edge) - (len(ports) - 1) / 2.0) * PORT


class Layout(object):
    def __init__(self):
        self.boxes = {}          # key -> Box
        self.layers = []         # lists of keys, top to bottom
        self.chains = {}         # edge index -> keys from source to target
        self.grid = []           # dangling volumes' boxes
        self.grid_top = None     # where the grid's frame starts (None: no grid)
        self.width = self.height = 0


def clip(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + '\u2026'


def _ranks(model):
    """Layer of each container: a source of --volumes-from stands right of its takers."""
    rank = dict((node.key, 1 if node.kind == DATA_CONTAINER else 0)
                for node in model.nodes.values() if node.kind in ('container', DATA_CONTAINER))
    wiring = [(edge.source, edge.target) for edge in model.edges if edge.kind == VOLUMES_FROM]
    for dummy in range(len(rank)):  # longest path; a wiring cycle stops after len(rank) rounds
        moved = False
        for taker, source in wiring:
            if rank[source] < rank[taker] + 1:
                rank[source], moved = rank[taker] + 1, True
        if not moved:
            break
    return rank


def _place_in_layers(model, layout):
    rank = _ranks(model)
    last = max(rank.values()) + 1 if rank else 0
    layout.layers = [[] for dummy in range(last + 1)]
    for key in sorted(model.nodes, key=lambda k: (model.nodes[k].kind == HOST_PATH, k)):
        node = model.nodes[key]
        if node.kind == VOLUME and not model.edges_of(key):
            layout.grid.append(Box(key, None, node))
            continue
        layer = rank.get(key, last)
        layout.boxes[key] = Box(key, layer, node)
        layout.layers[layer].append(key)
    for index, edge in enumerate(model.edges):
        chain = [edge.source]
        for layer in range(layout.boxes[edge.source].layer + 1, layout.boxes[edge.target].layer):
            key = 'slot:%d:%d' % (index, layer)
            layout.boxes[key] = Box(key, layer)
            layout.layers[layer].append(key)
            chain.append(key)
        chain.append(edge.target)
        layout.chains[index] = chain
        for before, after in zip(chain, chain[1:]):
            layout.boxes[before].outs.append(index)
            layout.boxes[after].ins.append(index)


def _neighbours(layout, key, downstream):
    """Keys next to ``key`` along its edges, in the next (or previous) column."""
    found = []
    for index in (layout.boxes[key].outs if downstream else layout.boxes[key].ins):
        chain = layout.chains[index]
        position = chain.index(key)
        found.append(chain[position + 1] if downstream else chain[position - 1])
    return found


def _order(layout):
    """Barycentre sweeps: each column sorted by the mean position of its neighbours."""
    for sweep in range(SWEEPS):
        downstream = sweep % 2 == 1
        indexes = range(len(layout.layers) - 2, -1, -1) if downstream else range(1, len(layout.layers))
        for layer in indexes:
            place = dict((key, i) for i, key in enumerate(layout.layers[layer + (1 if downstream else -1)]))
            current = layout.layers[layer]

            def weight(item):
                near = [place[k] for k in _neighbours(layout, item[1], downstream) if k in place]
                return (sum(near) / float(len(near)) if near else item[0] * len(place) / max(len(current), 1), item[0])
            current[:] = [key for dummy, key in sorted(enumerate(current), key=weight)]


def node_width(node, captions):
    shown = clip(short_name(node.name), MAX_NAME)
    return max(MIN_W, len(shown) * NAME_CHAR + 24, len(captions.get(node.key, '')) * CAPTION_CHAR + 24)


def _sizes(layout, captions):
    for box in layout.boxes.values():
        if box.node is not None:
            box.h = max(NODE_H, PORT * max(len(box.ins), len(box.outs)) + 8)
            box.w = node_width(box.node, captions)
    for box in layout.grid:
        box.w = node_width(box.node, captions)


def _stack(layout, layer, desired):
    """Tops for a column in its order, as near ``desired`` centres as the order allows."""
    bottom = TOP - ROW_GAP
    for key in layout.layers[layer]:
        box = layout.boxes[key]
        box.y = max(desired.get(key, bottom + ROW_GAP + box.h / 2.0) - box.h / 2.0, bottom + ROW_GAP)
        bottom = box.y + box.h


def _rows(layout):
    """Vertical places: the storage column stacked, then each column centred on its neighbours."""
    if not layout.layers:
        return
    _stack(layout, len(layout.layers) - 1, {})
    order = list(range(len(layout.layers) - 2, -1, -1)) + list(range(1, len(layout.layers)))
    for layer in order:
        desired = {}
        for key in layout.layers[layer]:
            near = [layout.boxes[k].center for k in _neighbours(layout, key, True) + _neighbours(layout, key, False)]
            if near:
                desired[key] = sum(near) / len(near)
        _stack(layout, layer, desired)


def _columns(model, layout):
    x = LEFT
    for layer, keys in enumerate(layout.layers):
        width = max([layout.boxes[k].w for k in keys if layout.boxes[k].node is not None] or [24])
        labels = [len(clip(model.edges[i].label or '', MAX_LABEL)) for k in keys if layout.boxes[k].node is not None
                  for i in layout.boxes[k].outs]
        for key in keys:
            layout.boxes[key].x, layout.boxes[key].w = x, width
        x += width + max(MIN_GAP, max(labels or [0]) * LABEL_CHAR + 40)
    layout.width = x


def _grid(layout):
    """Dangling volumes below the columns, as many to a row as the picture is wide."""
    top = max([box.y + box.h for box in layout.boxes.values()] or [TOP - 40]) + 50
    if not layout.grid:
        layout.height = top
        return
    cell = max(box.w for box in layout.grid) + 16
    per_row = max(1, min(len(layout.grid), int((max(layout.width, GRID_WIDTH) - LEFT) // cell)))
    layout.width = max(layout.width, LEFT + per_row * cell)
    for index, box in enumerate(layout.grid):
        box.w = cell - 16
        box.x = LEFT + (index % per_row) * cell
        box.y = top + 10 + (index // per_row) * (NODE_H + ROW_GAP)
    layout.grid_top = top - 10
    layout.height = layout.grid[-1].y + NODE_H + 20


def _ports(layout):
    """Each box's edges in the order of their far ends, so edges do not cross at a node."""
    def far_centre(key, downstream):
        def centre(index):
            chain = layout.chains[index]
            position = chain.index(key) + (1 if downstream else -1)
            return layout.boxes[chain[position]].center
        return centre
    for key, box in layout.boxes.items():
        box.outs.sort(key=far_centre(key, True))
        box.ins.sort(key=far_centre(key, False))


def lay_out(model, captions=None):
    """The Layout of a StorageModel: boxes with x, y, w, h; edge chains; the dangling grid.
    ``captions`` (node key -> the second line of its box) widen the boxes they need."""
    layout = Layout()
    layout.grid_top = None
    _place_in_layers(model, layout)
    _order(layout)
    _sizes(layout, captions or {})
    _rows(layout)
    _columns(model, layout)
    _ports(layout)
    _grid(layout)
    return layout
