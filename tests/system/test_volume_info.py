# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.volume_info against the real engine."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from conftest import run_module


def by_name(result):
    return dict((entry['name'], entry) for entry in result['volumes'])


def test_no_volumes_at_all(empty_engine):
    result = run_module('volume_info', {'docker_host': empty_engine.docker_host})
    assert result['rc'] == 0, result
    assert result['changed'] is False and result['volumes'] == []
    missing = run_module('volume_info', {'docker_host': empty_engine.docker_host, 'name': 'nothere'})
    assert missing['exists'] is False and missing['volumes'] == []


def test_many_volumes(lab, api):
    names = [lab.name('v%02d' % index) for index in range(12)]
    for name in names:
        run_module('volume', {'name': name, 'labels': {'index': name[-2:]}})
    result = run_module('volume_info', {})
    found = by_name(result)
    for name in names:
        assert found[name]['labels']['index'] == name[-2:]
        assert found[name]['dangling'] is True and found[name]['anonymous'] is False
        assert found[name]['used_by'] == [] and found[name]['data_container'] is None
        assert 'size_bytes' not in found[name]
    # One listing of volumes and containers, plus at most one inspection per container that
    # shares a volume: nothing per volume (the twelve new ones are used by no container).
    assert result['api_calls'] <= 3 + len(api.containers(all=True)), result['api_calls']


def test_one_volume_with_check_mode(lab):
    name = lab.name('v')
    run_module('volume', {'name': name})
    result = run_module('volume_info', {'name': name}, check=True)
    assert result['exists'] is True and [v['name'] for v in result['volumes']] == [name]


def test_data_container_pattern_is_recognised(lab, api):
    """docker create -v /datastore --name data; consumers with --volumes-from data."""
    data = lab.container(lab.name('data'), volumes=['/datastore'],
                         binds=[lab.name('named') + ':/named'])
    reader = lab.container(lab.name('reader'), volumes_from=[data + ':ro'], start=True)
    writer = lab.container(lab.name('writer'), volumes_from=[data])
    lab.write('/datastore/f', 'hello', volumes_from=[data])
    mounts = dict((m['Destination'], m['Name']) for m in api.inspect_container(data)['Mounts'])
    anonymous = mounts['/datastore']

    result = run_module('volume_info', {'include_usage': True})
    found = by_name(result)
    anon = found[anonymous]
    assert anon['anonymous'] is True and anon['dangling'] is False
    assert anon['data_container'] == data
    assert sorted((u['container'], u['destination'], u['read_only'], u['via']) for u in anon['used_by']) == sorted([
        (data, '/datastore', False, 'mount'),
        (reader, '/datastore', True, 'volumes_from'),
        (writer, '/datastore', False, 'volumes_from'),
    ])
    assert anon['size_bytes'] == len('hello\n')
    named = found[lab.name('named')]
    assert named['anonymous'] is False and named['data_container'] == data

    one = run_module('volume_info', {'name': anonymous})
    expected = dict(anon)
    del expected['size_bytes']
    assert one['volumes'] == [expected]


def test_started_container_is_not_a_data_container(lab):
    name = lab.name('v')
    run_module('volume', {'name': name})
    lab.container(lab.name('app'), binds=['%s:/data' % name], start=True)
    entry = run_module('volume_info', {'name': name})['volumes'][0]
    assert entry['data_container'] is None and entry['dangling'] is False


def test_bad_name(lab):
    result = run_module('volume_info', {'name': 'x'})
    assert result['rc'] == 1 and "Invalid volume name 'x'" in result['msg']
