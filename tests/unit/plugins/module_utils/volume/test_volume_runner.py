# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.volume.info import report_volumes
from ansible_collections.persistent.volumes.plugins.module_utils.volume.runner import converge_volume

VOLUME = dict(name='data', state='present', driver='local', driver_options={}, labels=None, recreate='never')
USER = dict(name='app', mounts=[('data', '/data')], state='exited')


def run(fake_api, engine_module, volumes=(), containers=(), check_mode=False, **params):
    api = fake_api(volumes, containers)
    engine = engine_module(api, params=dict(VOLUME, **params), check_mode=check_mode, diff=True)
    return converge_volume(engine), api


@pytest.mark.parametrize('check_mode, calls', [
    pytest.param(True, [('inspect_volume', 'data')], id='check'),
    pytest.param(False, [('inspect_volume', 'data'), ('create_volume', 'data', 'local', {}, None),
                         ('inspect_volume', 'data')], id='run'),
])
def test_create_missing_volume(fake_api, engine_module, check_mode, calls):
    result, api = run(fake_api, engine_module, check_mode=check_mode)
    assert api.calls == calls
    assert result['changed'] is True and result['used_by'] == []
    assert result['volume']['Name'] == 'data' and result['volume']['Driver'] == 'local'
    assert result['diff']['before'] == {'state': 'absent'}


def test_unchanged_volume_returns_observed_data_and_users(fake_api, engine_module):
    result, api = run(fake_api, engine_module, ['data'], [USER])
    assert result['changed'] is False
    assert result['volume']['Mountpoint'] == '/var/lib/docker/volumes/data/_data'
    assert result['used_by'] == [dict(container='app', destination='/data', read_only=False, via='mount')]
    assert [call[0] for call in api.calls] == ['inspect_volume', 'list_containers']


@pytest.mark.parametrize('check_mode', [True, False])
def test_absent_refuses_in_and_out_of_check_mode(fake_api, engine_module, check_mode):
    with pytest.raises(Refusal, match=r"Refusing to remove volume 'data': it is used by 1 container: app \(at /data"):
        run(fake_api, engine_module, ['data'], [USER], check_mode=check_mode, state='absent')


def test_check_mode_predicts_the_recreated_volume(fake_api, engine_module):
    old = dict(name='data', labels={'tier': 'web', 'com.example.owner': 'ops'})
    params = dict(labels={'tier': 'db'}, recreate='options-changed')
    predicted, dummy = run(fake_api, engine_module, [old], check_mode=True, **params)
    real, dummy = run(fake_api, engine_module, [old], **params)
    assert predicted['volume']['Labels'] == real['volume']['Labels']


def test_report_refuses_bad_name_before_any_call(fake_api, engine_module):
    api = fake_api()
    with pytest.raises(InputError, match="Invalid volume name 'x/y'"):
        report_volumes(engine_module(api, params=dict(name='x/y')))
    assert api.calls == []


@pytest.mark.parametrize('params, exists, names', [
    pytest.param(dict(name='data'), True, ['data'], id='one'),
    pytest.param(dict(name='nope'), False, [], id='missing'),
    pytest.param(dict(name=None), None, ['data', 'logs'], id='all'),
])
def test_report_volumes(fake_api, engine_module, params, exists, names):
    result = report_volumes(engine_module(fake_api(['logs', 'data'], [USER]), params=params))
    assert result.get('exists') == exists
    assert [entry['name'] for entry in result['volumes']] == names
    assert result['changed'] is False


def test_report_with_usage(fake_api, engine_module):
    api = fake_api(['data'], usage={'data': 1024})
    result = report_volumes(engine_module(api, params=dict(name=None, include_usage=True)))
    assert result['volumes'][0]['size_bytes'] == 1024
    assert api.calls[-1] == ('disk_usage',)
