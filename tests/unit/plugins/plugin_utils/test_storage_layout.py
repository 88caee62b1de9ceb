# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The picture stays readable: columns by kind, nothing overlaps, every label fits its gap."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_layout import (
    LABEL_CHAR,
    MAX_LABEL,
    PORT,
    ROW_GAP,
    clip,
    lay_out,
)
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import build_model
from ansible_collections.persistent.volumes.tests.unit.plugins.plugin_utils.storage_fixtures import (
    ANON,
    OLD_ANON,
    hundred_volumes,
    small_host,
    use,
    volume,
)

CHAIN = [volume('v', [use('dc', '/d'), use('mid', '/d', via='volumes_from'), use('top', '/d', via='volumes_from')], 'dc')]
CHAIN_LAYOUT = {'volumes': [], 'data_containers': [dict(name='dc', volumes=['v:/d'])],
                'consumers': [{'container': 'mid', 'from': ['dc:rw'], 'binds': []},
                              {'container': 'top', 'from': ['mid:rw'], 'binds': []}]}


def columns(layout):
    return [[layout.boxes[k].node.name if layout.boxes[k].node else 'slot' for k in keys] for keys in layout.layers]


def test_small_host_columns():
    layout = lay_out(build_model(small_host()))
    assert [sorted(column) for column in columns(layout)] == [
        ['cache', 'db', 'web'],
        ['dc-db', 'dc-www', 'slot', 'slot'],        # cache's and web's own mounts pass through slots
        sorted([ANON, '/srv/conf', '/var/log/web', 'cachevol', 'pgdata', 'www'])]
    assert sorted(box.node.name for box in layout.grid) == [OLD_ANON, 'old-data']


def test_a_source_of_volumes_from_stands_right_of_its_takers():
    layout = lay_out(build_model(dict(volumes=CHAIN, layout=CHAIN_LAYOUT)))
    assert columns(layout) == [['top'], ['mid'], ['dc'], ['v']]


def test_a_wiring_cycle_ends():
    result = dict(volumes=[volume('v', [use('a', '/d')])], layout={'consumers': [
        {'container': 'a', 'from': ['b:rw'], 'binds': []}, {'container': 'b', 'from': ['a:rw'], 'binds': []}]})
    layout = lay_out(build_model(result))
    assert sorted(name for column in columns(layout) for name in column if name != 'slot') == ['a', 'b', 'v']


@pytest.mark.parametrize('result', [small_host(), hundred_volumes(), dict(volumes=CHAIN, layout=CHAIN_LAYOUT)],
                         ids=['small', 'hundred', 'chain'])
def test_readable(result):
    model = build_model(result)
    layout = lay_out(model)
    boxes = list(layout.boxes.values())
    for keys in layout.layers:  # a column's boxes, slots included, never overlap
        column = sorted((layout.boxes[k] for k in keys), key=lambda box: box.y)
        for upper, lower in zip(column, column[1:]):
            assert upper.y + upper.h + ROW_GAP <= lower.y + 0.001, (upper.key, lower.key)
    starts = sorted(set(box.x for box in boxes))
    for box in boxes:  # a column's boxes share its x and width
        assert all(other.w == box.w for other in boxes if other.x == box.x)
    for index, edge in enumerate(model.edges):  # each label fits between its column and the next
        source = layout.boxes[edge.source]
        label_end = source.x + source.w + 6 + len(clip(edge.label, MAX_LABEL)) * LABEL_CHAR
        following = [x for x in starts if x > source.x]
        assert label_end < following[0], edge.label
    for box in boxes:  # every edge end has a port of its own, inside the box
        for ports in (box.ins, box.outs):
            ys = sorted(box.port(i, ports is box.outs) for i in ports)
            assert all(b - a >= PORT - 0.001 for a, b in zip(ys, ys[1:]))
            assert all(box.y <= y <= box.y + box.h for y in ys)
    bottom = max(box.y + box.h for box in boxes) if boxes else 0
    for box in layout.grid:  # dangling volumes below the columns, side by side without overlap
        assert box.y > bottom and box.x + box.w <= layout.width
    cells = set((box.x, box.y) for box in layout.grid)
    assert len(cells) == len(layout.grid)


def test_hundred_volumes_fit_a_screen_wide_and_rows_of_dangling_volumes():
    layout = lay_out(build_model(hundred_volumes()))
    assert layout.width <= 1400
    rows = set(box.y for box in layout.grid)
    assert len(layout.grid) == 35 and len(rows) <= 9


def test_nothing_at_all():
    layout = lay_out(build_model(dict(volumes=[])))
    assert (layout.layers, layout.grid, layout.boxes) == ([[]], [], {})
