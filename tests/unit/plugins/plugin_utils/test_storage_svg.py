# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SVG and DOT texts: well-formed, self-contained, every fact findable."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_dot import render_dot
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import build_model
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_svg import render_svg
from ansible_collections.persistent.volumes.tests.unit.plugins.plugin_utils.storage_fixtures import (
    ANON,
    OLD_ANON,
    hundred_volumes,
    small_host,
    use,
    volume,
)

SVG = '{http://www.w3.org/2000/svg}'


def parse(text):
    return ET.fromstring(text)


def nodes(root):
    return dict((g.get('data-name'), g) for g in root.iter(SVG + 'g') if 'pv-node' in (g.get('class') or '').split())


def texts(element):
    return [t.text for t in element.iter(SVG + 'text')]


def test_small_host_svg():
    root = parse(render_svg(build_model(small_host()), title='host-a'))
    assert root.find(SVG + 'title').text == 'host-a'
    found = nodes(root)
    assert sorted(found) == sorted(['cache', 'db', 'web', 'dc-db', 'dc-www', ANON, OLD_ANON, 'cachevol', 'old-data',
                                    'pgdata', 'www', '/srv/conf', '/var/log/web'])
    assert found['dc-db'].get('class') == 'pv-node pv-data-container'
    assert found['old-data'].get('class') == 'pv-node pv-volume pv-dangling'
    assert found[OLD_ANON].get('class') == 'pv-node pv-volume pv-dangling pv-anonymous'
    assert texts(found['pgdata']) == ['pgdata', '48.0 MiB']
    assert texts(found[ANON]) == ['aaaaaaaaaaaa\u2026', '2.0 KiB \u00b7 anonymous']
    assert found[ANON].find(SVG + 'title').text == 'volume %s\nsize: 2.0 KiB\nanonymous' % ANON
    assert texts(found['old-data']) == ['old-data', 'dangling \u00b7 5.0 MiB']
    assert texts(found['dc-db']) == ['dc-db', 'data container \u00b7 48.0 MiB']
    labels = sorted((t.get('data-source'), t.get('data-target'), t.text) for t in root.iter(SVG + 'text')
                    if t.get('class') == 'pv-edge-label')
    assert labels == sorted([('cache', 'cachevol', '/cache'), ('db', 'dc-db', 'volumes-from'),
                             ('dc-db', ANON, '/backup'), ('dc-db', 'pgdata', '/var/lib/postgresql/data'),
                             ('dc-www', '/srv/conf', '/etc/app (ro)'), ('dc-www', 'www', '/srv/www'),
                             ('web', 'dc-www', 'volumes-from (ro)'), ('web', '/var/log/web', '/logs')])
    ro = [g.get('data-target') for g in root.iter(SVG + 'g') if 'pv-ro' in (g.get('class') or '').split()]
    assert sorted(ro) == ['/srv/conf', 'dc-www']
    assert 'Dangling volumes: 2, 5.0 MiB, used by no container' in texts(root)


@pytest.mark.parametrize('result', [small_host(), hundred_volumes()], ids=['small', 'hundred'])
def test_self_contained(result):
    text = render_svg(build_model(result))
    assert not re.search(r'<script|<image|<a |href=|url\(|@import|<foreignObject', text)
    assert re.findall(r'https?://[^"]*', text) == ['http://www.w3.org/2000/svg']
    root = parse(text)
    assert float(root.get('width')) <= 1400


def test_names_are_escaped():
    hostile = '/srv/<b>&"x\''
    result = dict(volumes=[volume('v<1>', [use('a&b', '/in"side')])],
                  layout={'consumers': [{'container': 'a&b', 'from': [], 'binds': [
                      dict(source=hostile, target='/t', read_only=True)]}]})
    root = parse(render_svg(build_model(result), title='<host>'))
    assert sorted(nodes(root)) == sorted(['v<1>', 'a&b', hostile])
    assert root.get('aria-label') == '<host>'


def test_empty_host():
    root = parse(render_svg(build_model(dict(volumes=[]))))
    assert 'No volume, data container or bind mount on this host.' in texts(root)
    assert nodes(root) == {}


def test_sizes_unknown():
    vols = [dict((k, v) for k, v in vol.items() if k != 'size_bytes') for vol in small_host()['volumes']]
    found = nodes(parse(render_svg(build_model(vols))))
    assert texts(found['pgdata']) == ['pgdata', 'volume']
    assert texts(found['old-data']) == ['old-data', 'dangling']
    assert texts(found['dc-db']) == ['dc-db', 'data container']


def test_dot():
    text = render_dot(build_model(small_host()), title='host "a"')
    assert text.startswith('digraph "host \\"a\\"" {\n  rankdir=LR;')
    assert text.count(' -> ') == 8
    assert '"c:web" -> "c:dc-www" [label="volumes-from (ro)", style=dotted, color="#1d4ed8"];' in text
    assert '"c:db" -> "c:dc-db" [label="volumes-from", style=dashed, color="#1d4ed8"];' in text
    assert ('"v:old-data" [label="old-data\\ndangling \u00b7 5.0 MiB", style="rounded,filled,dashed", '
            'fillcolor="#fee2e2", color="#b91c1c"];') in text
    assert '"c:dc-db" [label="dc-db\\ndata container \u00b7 48.0 MiB", penwidth=2.5,' in text
    assert '[label="aaaaaaaaaaaa\u2026\\n2.0 KiB \u00b7 anonymous"' in text
    assert text.endswith('}\n')
