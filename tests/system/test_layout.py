# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.layout against the real engine, and adoption through volume_info."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from conftest import IMAGE, LOOP, run_module


def layout(lab, extra_path=False, tmp_path=None):
    data = lab.name('data')
    paths = ['/datastore', lab.name('named') + ':/named'] + (['/extra'] if extra_path else [])
    consumers = [
        dict(container=lab.name('writer'), image=IMAGE, command=LOOP, running=True, **{'from': [data]}),
        dict(container=lab.name('reader'), image=IMAGE, command=LOOP, **{'from': [data + ':ro']}),
    ]
    if tmp_path is not None:
        consumers[0]['binds'] = [dict(source=str(tmp_path / 'www'), target='/www', read_only=True, mode='0750')]
    return dict(volumes=[dict(name=lab.name('named'), labels={'pvtest': 'layout'})],
                data_containers=[dict(name=data, volumes=paths)],
                consumers=consumers)


def kinds(result):
    """What each object's actions do (the names of replacements and new volumes are random)."""
    return dict((group, [[' '.join(action.split(' ')[:2]) for action in entry['actions']] for entry in entries])
                for group, entries in result['objects'].items())


def test_converge_then_no_change_then_check_mode(lab, tmp_path):
    args = layout(lab, tmp_path=tmp_path)
    predicted = run_module('layout', args, check=True)
    assert predicted['rc'] == 0 and predicted['changed'] is True, predicted
    assert not lab.volume_exists(lab.name('named'))
    first = run_module('layout', args, diff=True)
    assert first['rc'] == 0 and first['changed'] is True, first.get('msg')
    assert first['summary']['changed'] == 4
    assert kinds(first) == kinds(predicted)
    assert set(first['diff']['after']['consumers']) == {lab.name('writer'), lab.name('reader')}
    again = run_module('layout', args)
    assert again['changed'] is False and again['summary']['unchanged'] == 4
    assert again['api_calls'] <= 12, again['api_calls']
    assert (tmp_path / 'www').is_dir()


def test_data_survives_a_change_of_the_layout(lab, api):
    args = layout(lab)
    run_module('layout', args)
    writer, reader, data = lab.name('writer'), lab.name('reader'), lab.name('data')
    lab.write('/datastore/f', 'layout-data', volumes_from=[writer])
    before = dict((m['Destination'], m['Name']) for m in api.inspect_container(data)['Mounts'])
    changed_args = layout(lab, extra_path=True)
    predicted = run_module('layout', changed_args, check=True)
    real = run_module('layout', changed_args)
    assert real['changed'] is True
    assert kinds(real) == kinds(predicted)
    assert all(e['recreated'] for e in real['objects']['consumers'])
    after = dict((m['Destination'], m['Name']) for m in api.inspect_container(data)['Mounts'])
    assert after['/datastore'] == before['/datastore'] and '/extra' in after
    assert lab.read('/datastore/f', volumes_from=[reader]) == 'layout-data'
    assert api.inspect_container(writer)['State']['Running'] is True
    assert run_module('layout', changed_args)['changed'] is False


def test_adopting_a_host_reports_no_change(lab, api):
    """docker create / run by hand, then volume_info's layout fed back into layout."""
    data = lab.container(lab.name('handmade'), volumes=['/datastore'])
    lab.container(lab.name('app'), volumes_from=[data], start=True)
    info = run_module('volume_info', {'include_layout': True})
    assert info['rc'] == 0, info.get('msg')
    # This test's part of the host: other tests may be changing the rest of the engine.
    ours = lab.prefix
    current = dict(volumes=[v for v in info['layout']['volumes'] if v['name'].startswith(ours)],
                   data_containers=[d for d in info['layout']['data_containers'] if d['name'].startswith(ours)],
                   consumers=[c for c in info['layout']['consumers'] if c['container'].startswith(ours)])
    assert [d['volumes'] for d in current['data_containers']] == [['/datastore']]
    assert [c['from'] for c in current['consumers']] == [[data + ':rw']]
    adopted = run_module('layout', current)
    assert adopted['rc'] == 0, adopted.get('msg')
    assert adopted['changed'] is False, [e for g in adopted['objects'].values() for e in g if e['changed']]


@pytest.mark.parametrize('args, message', [
    ({'volumes': [{'name': 'x'}]}, "volumes[0] (x): Invalid volume name 'x'"),
    # The items' types, choices and required options are ansible-core's to check (the layout's suboptions):
    # its messages name the option and the list.
    ({'volumes': [{'nom': 'abc'}]}, 'missing required arguments: name found in volumes'),
    ({'data_containers': [{'name': 'dcdc', 'volumes': ['data']}]}, "data_containers[0] (dcdc): volumes[0] (data): container path 'data' is relative"),
    ({'consumers': [{'container': 'cc', 'from': ['a:b:c']}]}, "consumers[0] (cc): from[0]: 'a:b:c' has a colon where none belongs"),
    ({'consumers': [{'container': 'cc', 'binds': [{'target': '/t'}]}]},
     'state is present but all of the following are missing: source found in consumers -> binds'),
    ({'data_containers': [{'name': 'same', 'volumes': ['/a']}], 'consumers': [{'container': 'same'}]},
     "container 'same' is already declared by data_containers[0] (same)"),
    ({'consumers': [{'container': 'cc', 'binds': [{'source': '/etc', 'target': '/t'}]}]}, 'Refusing to bind-mount /etc'),
])
def test_bad_input_changes_nothing(lab, args, message):
    args = dict(args, volumes=args.get('volumes', []) + [{'name': lab.name('untouched')}]) \
        if 'volumes' not in args else args
    result = run_module('layout', args)
    assert result['rc'] == 1 and message in result['msg'], result['msg']
    assert not lab.volume_exists(lab.name('untouched'))
