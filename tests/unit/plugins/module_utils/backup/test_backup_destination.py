# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which file a backup may replace (backup/destination.py) and the generations of a series (backup/generations.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import FORMAT
from ansible_collections.persistent.volumes.plugins.module_utils.backup.destination import foreign_reason
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import (
    free_generation_path,
    generation_path,
    list_generations,
    remove_generation,
    split_dest,
)


def write(path, content):
    with open(str(path), 'w') as handle:
        handle.write(content)


def manifest(source, size, fmt=FORMAT):
    return json.dumps(dict(format=fmt, source=source, size=size))


SOURCE = {'container': 'dc'}
NOT_OURS = '{d}/b.tar.manifest.json is not a persistent.volumes backup manifest'


@pytest.mark.parametrize('files, reason', [
    ({}, None),
    ({'b.tar': 'data', 'b.tar.manifest.json': manifest(SOURCE, 4)}, None),
    ({'b.tar.manifest.json': manifest(SOURCE, 4)}, None),
    ({'b.tar': 'precious'}, 'it has no backup manifest beside it ({d}/b.tar.manifest.json)'),
    ({'b.tar': 'data', 'b.tar.manifest.json': '{"not": "ours"}'}, NOT_OURS),
    ({'b.tar': 'data', 'b.tar.manifest.json': 'garbage'}, NOT_OURS),
    ({'b.tar': 'data', 'b.tar.manifest.json': manifest({'volume': 'v'}, 4)},
     'its manifest says it is an archive of volume v'),
    ({'b.tar': 'more data', 'b.tar.manifest.json': manifest(SOURCE, 4)},
     'its manifest describes another file (4 bytes, the file has 9)'),
    ({'b.tar.manifest.json': 'precious'}, '{d}/b.tar.manifest.json is not a persistent.volumes backup manifest'),
], ids=['nothing', 'earlier-archive', 'manifest-only', 'a-user-file', 'foreign-manifest', 'broken-manifest',
        'other-source', 'other-size', 'a-user-file-at-the-manifest-name'])
def test_foreign_reason(tmp_path, files, reason):
    for name, content in files.items():
        write(tmp_path / name, content)
    found = foreign_reason(str(tmp_path / 'b.tar'), SOURCE)
    assert found == (reason.format(d=str(tmp_path)) if reason else None)


def test_foreign_reason_of_a_symlink(tmp_path):
    write(tmp_path / 'target', 'x')
    os.symlink(str(tmp_path / 'target'), str(tmp_path / 'b.tar'))
    assert foreign_reason(str(tmp_path / 'b.tar'), SOURCE) == '%s/b.tar is a symbolic link' % tmp_path


# --- archive_generations -------------------------------------------------------------------
@pytest.mark.parametrize('dest, stem, suffix', [
    ('/b/app.tar.gz', '/b/app', '.tar.gz'), ('/b/app.tar', '/b/app', '.tar'), ('/b/app.tgz', '/b/app', '.tgz'),
    ('/b/app.tar.xz', '/b/app', '.tar.xz'), ('/b/app', '/b/app', ''), ('/b/.tar', '/b/.tar', '')])
def test_split_dest(dest, stem, suffix):
    assert split_dest(dest) == (stem, suffix)


def generation(tmp_path, stamp, source=None, content='data', name='app'):
    source = source or SOURCE
    path = tmp_path / ('%s.%s.tar.gz' % (name, stamp))
    write(path, content)
    write(str(path) + '.manifest.json', manifest(source, len(content)))
    return str(path)


def test_generations_of_the_same_source_only_newest_first(tmp_path):
    old = generation(tmp_path, '20240101T000000Z')
    new = generation(tmp_path, '20240301T000000Z')
    generation(tmp_path, '20240201T000000Z', source={'container': 'other'})
    generation(tmp_path, '20240401T000000Z', name='app.x')  # another series that starts alike
    write(tmp_path / 'app.20240501T000000Z.tar.gz', 'no manifest')
    write(tmp_path / 'app.tar.gz', 'the single archive of before')
    found = list_generations(str(tmp_path / 'app.tar.gz'), SOURCE, FORMAT)
    assert [g.path for g in found] == [new, old]
    remove_generation(found[-1])
    assert not os.path.exists(old) and not os.path.exists(old + '.manifest.json')


def test_generation_names_sort_by_time_and_wait_when_taken(tmp_path):
    dest = str(tmp_path / 'app.tar.gz')
    assert generation_path(dest, 0) == str(tmp_path / 'app.19700101T000000Z.tar.gz')
    taken = generation(tmp_path, '19700101T000000Z')
    slept = []
    assert free_generation_path(dest, now=0, sleep=slept.append) == str(tmp_path / 'app.19700101T000001Z.tar.gz')
    assert slept == [1] and os.path.exists(taken)


# --- a manifest describing the pair in place while a backup replaces it -------------------------
def _described(size, sha):
    return dict(format=FORMAT, size=size, sha256=sha, content_sha256='c' + sha)


@pytest.mark.parametrize('content, manifest, expected', [
    (b'abc', _described(3, 'x'), 'x'),
    (b'abc', _described(4, 'x'), None),
    (b'abc', dict(_described(4, 'new'), previous=_described(3, 'old')), 'old'),
    (b'abcd', dict(_described(4, 'new'), previous=_described(3, 'old')), 'new'),
    (b'abc', dict(_described(3, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
                  previous=_described(3, 'old')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
    (b'abc', dict(_described(3, 'new'), previous=_described(3, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')),
     'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
    (b'abc', dict(_described(3, 'new'), previous=_described(3, 'old')), None),  # same size, neither hash
    (b'abc', None, None),
])
def test_describing_picks_the_description_of_the_archive_in_place(tmp_path, content, manifest, expected):
    from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import describing
    archive = tmp_path / 'a.tar'
    archive.write_bytes(content)
    found = describing(manifest, str(archive))
    assert (found or {}).get('sha256') == expected
    assert found is None or 'previous' not in found


# --- the order of a series: what its manifests record ----------------------------------------
def recorded(tmp_path, stamp, **fields):
    path = tmp_path / ('app.%s.tar' % stamp)
    write(path, 'data')
    write(str(path) + '.manifest.json', json.dumps(dict(fields, format=FORMAT, source=SOURCE, size=4)))
    return stamp


@pytest.mark.parametrize('generations, newest_first', [
    # a clock once ahead: the future-dated archive of before is older than the sequence after it
    ([('20300101T000000Z', dict(created_at='2030-01-01T00:00:00Z')),
      ('20261206T120000Z', dict(created_at='2026-12-06T12:00:00Z', sequence=1))],
     ['20261206T120000Z', '20300101T000000Z']),
    # several future-dated generations, then two written after the clock was fixed
    ([('20300101T000000Z', dict(created_at='2030-01-01T00:00:00Z', sequence=3)),
      ('20310101T000000Z', dict(created_at='2031-01-01T00:00:00Z', sequence=4)),
      ('20261206T120000Z', dict(created_at='2026-12-06T12:00:00Z', sequence=5)),
      ('20261206T120001Z', dict(created_at='2026-12-06T12:00:01Z', sequence=6))],
     ['20261206T120001Z', '20261206T120000Z', '20310101T000000Z', '20300101T000000Z']),
    # archives written before sequences: their recorded time, then the name
    ([('20240101T000000Z', dict(created_at='2024-01-01T00:00:00Z')),
      ('20230101T000000Z', dict(created_at='2024-02-01T00:00:00Z')),
      ('20220101T000000Z', dict())],
     ['20230101T000000Z', '20240101T000000Z', '20220101T000000Z']),
], ids=['clock-was-ahead', 'several-future-dated', 'no-sequence'])
def test_a_series_is_ordered_by_its_manifests(tmp_path, generations, newest_first):
    from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import (
        future_dated,
        next_sequence,
    )
    for stamp, fields in generations:
        recorded(tmp_path, stamp, **fields)
    series = list_generations(str(tmp_path / 'app.tar'), SOURCE, FORMAT)
    assert [g.stamp for g in series] == newest_first
    assert next_sequence(series) == max([f.get('sequence', 0) for dummy, f in generations]) + 1
    now = 1796558400  # 2026-12-06T12:00:00Z
    assert sorted(g.stamp for g in future_dated(series, now=now)) == sorted(s for s, dummy in generations
                                                                            if s > '2027')
