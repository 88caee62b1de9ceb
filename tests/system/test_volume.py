# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.volume against the real engine."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from conftest import run_module


def volume(lab, suffix, **args):
    args.setdefault('name', lab.name(suffix))
    return args


def test_create_then_no_change(lab, api):
    args = volume(lab, 'v', labels={'app': 'billing', 'pvtest': 'x'}, driver_options={})
    first = run_module('volume', args)
    assert first['rc'] == 0 and first['changed'] is True
    assert first['volume']['Name'] == args['name']
    assert first['volume']['Labels']['app'] == 'billing'
    second = run_module('volume', args)
    assert second['changed'] is False and second['actions'] == []
    assert api.inspect_volume(args['name'])['Labels']['app'] == 'billing'


def test_check_mode_predicts_and_changes_nothing(lab):
    args = volume(lab, 'v', labels={'tier': 'db'})
    predicted = run_module('volume', args, check=True, diff=True)
    assert predicted['changed'] is True
    assert predicted['actions'] == ['create volume %s: missing' % args['name']]
    assert predicted['volume']['Labels'] == {'tier': 'db'}
    assert not lab.volume_exists(args['name'])
    real = run_module('volume', args)
    assert real['changed'] is True and real['actions'] == predicted['actions']


def test_diff_mode_shows_before_and_after(lab):
    args = volume(lab, 'v', labels={'tier': 'db'}, driver_options={'type': 'tmpfs', 'device': 'tmpfs'})
    created = run_module('volume', args, diff=True)
    assert created['diff']['before'] == {'state': 'absent'}
    assert created['diff']['after']['labels'] == {'tier': 'db'}
    assert created['diff']['after']['driver_options'] == {'type': 'tmpfs', 'device': 'tmpfs'}
    removed = run_module('volume', dict(args, state='absent'), diff=True)
    assert removed['changed'] is True
    assert removed['diff']['before']['labels'] == {'tier': 'db'}
    assert removed['diff']['after'] == {'state': 'absent'}


@pytest.mark.parametrize('change', [
    {'labels': {'tier': 'web'}},
    {'labels': {'tier': 'db', 'extra': 'yes'}},
    {'driver_options': {'type': 'tmpfs', 'device': 'tmpfs', 'o': 'size=10m'}},
])
def test_drift_is_reported_not_acted_on(lab, api, change):
    args = volume(lab, 'v', labels={'tier': 'db'}, driver_options={'type': 'tmpfs', 'device': 'tmpfs'})
    run_module('volume', args)
    before = api.inspect_volume(args['name'])
    for check in (True, False):
        result = run_module('volume', dict(args, **change), check=check, diff=True)
        assert result['rc'] == 0 and result['changed'] is False
        assert result['drift'], result
        assert any('differs from the task' in text and 'recreate=never' in text
                   for text in result['warning_texts'])
        assert result['diff']['before'] != result['diff']['after']
    assert api.inspect_volume(args['name']) == before


def test_labels_added_by_others_are_not_drift(lab, api):
    name = lab.name('v')
    api.create_volume(name, labels={'tier': 'db', 'com.example.owner': 'ops'})
    result = run_module('volume', {'name': name, 'labels': {'tier': 'db'}})
    assert result['changed'] is False and 'drift' not in result and not result['warning_texts']


def test_recreate_options_changed_replaces_unused_volume(lab, api):
    args = volume(lab, 'v', labels={'tier': 'db'})
    run_module('volume', args)
    changed = dict(args, labels={'tier': 'web'}, recreate='options-changed')
    predicted = run_module('volume', changed, check=True)
    assert predicted['changed'] is True
    assert [a.split(' ')[0] for a in predicted['actions']] == ['remove', 'create']
    assert api.inspect_volume(args['name'])['Labels']['tier'] == 'db'
    result = run_module('volume', changed)
    assert result['changed'] is True
    assert api.inspect_volume(args['name'])['Labels']['tier'] == 'web'
    assert run_module('volume', changed)['changed'] is False


def test_recreate_refused_while_in_use_data_kept(lab, api):
    name = lab.name('v')
    run_module('volume', {'name': name, 'labels': {'tier': 'db'}})
    lab.write('/data/f', 'precious', binds=['%s:/data' % name])
    holder = lab.container(lab.name('holder'), binds=['%s:/srv/data:ro' % name])
    changed = {'name': name, 'labels': {'tier': 'web'}, 'recreate': 'options-changed'}
    for check in (True, False):
        result = run_module('volume', changed, check=check)
        assert result['rc'] == 1 and result.get('failed') is True
        assert "Refusing to recreate volume '%s'" % name in result['msg']
        assert '%s (at /srv/data, read-only)' % holder in result['msg']
        assert 'labels.tier' in result['msg']
        assert 'Traceback' not in result['msg']
    assert api.inspect_volume(name)['Labels']['tier'] == 'db'
    assert lab.read('/data/f', binds=['%s:/data' % name]) == 'precious'


def test_absent_refused_while_a_stopped_container_uses_it(lab, api):
    name = lab.name('v')
    run_module('volume', {'name': name})
    lab.write('/data/f', 'keep-me', binds=['%s:/data' % name])
    first = lab.container(lab.name('a'), binds=['%s:/var/lib/app' % name])
    second = lab.container(lab.name('b'), binds=['%s:/backup:ro' % name], start=True)
    for check in (True, False):
        result = run_module('volume', {'name': name, 'state': 'absent'}, check=check)
        assert result['rc'] == 1
        assert "Refusing to remove volume '%s'" % name in result['msg']
        assert 'used by 2 containers' in result['msg']
        assert '%s (at /var/lib/app, read-write)' % first in result['msg']
        assert '%s (at /backup, read-only)' % second in result['msg']
        assert {u['container'] for u in result['used_by']} == {first, second}
    assert lab.read('/data/f', binds=['%s:/data' % name]) == 'keep-me'


def test_absent_removes_unused_volume(lab):
    name = lab.name('v')
    run_module('volume', {'name': name})
    predicted = run_module('volume', {'name': name, 'state': 'absent'}, check=True)
    assert predicted['changed'] is True and lab.volume_exists(name)
    assert run_module('volume', {'name': name, 'state': 'absent'})['changed'] is True
    assert not lab.volume_exists(name)
    again = run_module('volume', {'name': name, 'state': 'absent'})
    assert again['changed'] is False and again['volume'] == {}


def test_absent_on_missing_volume_is_no_change(lab):
    result = run_module('volume', {'name': lab.name('never'), 'state': 'absent'}, diff=True)
    assert result['rc'] == 0 and result['changed'] is False
    assert result['diff'] == {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}


def test_used_by_reports_holders(lab):
    name = lab.name('v')
    run_module('volume', {'name': name})
    holder = lab.container(lab.name('h'), binds=['%s:/data' % name])
    result = run_module('volume', {'name': name})
    assert result['changed'] is False
    assert result['used_by'] == [{'container': holder, 'destination': '/data',
                                  'read_only': False, 'via': 'mount'}]


@pytest.mark.parametrize('args, message', [
    ({'name': 'a'}, "Invalid volume name 'a'"),
    ({'name': '-leading-dash'}, "Invalid volume name '-leading-dash'"),
    ({'name': 'with/slash'}, "Invalid volume name 'with/slash'"),
    ({'name': 'with space'}, "Invalid volume name 'with space'"),
    ({'name': 'okname', 'labels': {'flag': True}}, 'labels.flag must be a string (quote it)'),
    ({'name': 'okname', 'labels': {'list': [1, 2]}}, 'labels.list must be a string'),
    ({'name': 'okname', 'driver_options': {'o': None}}, 'driver_options.o must be a string'),
    ({'name': 'okname', 'labels': 'tier'}, 'labels'),
    ({'name': 'okname', 'state': 'gone'}, 'value of state must be one of: present, absent'),
    ({'name': 'okname', 'recreate': 'always'}, 'value of recreate must be one of: never, options-changed'),
    ({'name': 'okname', 'timeout': 'soon'}, 'timeout'),
    ({'name': 'okname', 'timeout': 0}, 'timeout must be a positive number of seconds'),
    ({'name': 'okname', 'bogus': 1}, 'Unsupported parameters'),
    ({}, 'missing required arguments: name'),
])
def test_bad_input_is_refused_with_a_clear_message(lab, args, message):
    result = run_module('volume', args)
    assert result['rc'] == 1 and result.get('failed') is True
    assert message in result['msg'], result['msg']
    assert 'Traceback' not in result['msg']
    assert not lab.volume_exists('okname')
