# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import merge_argument_specs
from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import CONNECTION_ARGS
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import VOLUME_ARGS
from ansible_collections.persistent.volumes.plugins.modules.volume_info import ARGUMENT_SPEC as VOLUME_INFO_ARGS


def test_merge_argument_specs():
    merged = merge_argument_specs(CONNECTION_ARGS, VOLUME_ARGS)
    assert set(merged) == set(CONNECTION_ARGS) | set(VOLUME_ARGS)
    assert set(merge_argument_specs(CONNECTION_ARGS, VOLUME_INFO_ARGS)) == set(CONNECTION_ARGS) | set(VOLUME_INFO_ARGS)


def test_merge_argument_specs_refuses_duplicates():
    with pytest.raises(ValueError, match='^option timeout is defined twice$'):
        merge_argument_specs(CONNECTION_ARGS, dict(timeout=dict(type='int')))


def drift_plan():
    plan = Plan(before={'labels': {}}, after={'labels': {'a': 'b'}})
    plan.add('create_volume', 'data', 'missing', driver='local', driver_options={}, labels={})
    plan.warn('careful')
    plan.warn('careful')
    plan.drift = ["labels.a: 'b' wanted, None found"]
    return plan


@pytest.mark.parametrize('check_mode, diff, calls', [
    pytest.param(True, True, [], id='check-diff'),
    pytest.param(False, False, [('create_volume', 'data', 'local', {}, {})], id='run'),
])
def test_apply(fake_api, engine_module, check_mode, diff, calls):
    api = fake_api()
    engine = engine_module(api, check_mode=check_mode, diff=diff)
    result, dummy = engine.apply(drift_plan())
    assert api.calls == calls
    assert result['changed'] is True
    assert result['actions'] == ['create volume data: missing']
    assert result['drift'] == ["labels.a: 'b' wanted, None found"]
    assert ('diff' in result) is diff
    assert engine.module.warnings == ['careful']


@pytest.mark.parametrize('error, expected', [
    pytest.param(InputError('Invalid volume name'), dict(msg='Invalid volume name', changed=False, invalid_input=True),
                 id='input'),
    pytest.param(Refusal('Refusing', used_by=[{'container': 'app'}]),
                 dict(msg='Refusing', changed=False, used_by=[{'container': 'app'}]), id='refusal'),
    pytest.param(EngineError('Cannot talk', docker_host='unix:///x'),
                 dict(msg='Cannot talk', changed=False, docker_host='unix:///x'), id='engine'),
])
def test_run_fails_with_the_error_msg(fake_api, engine_module, module_exit, error, expected):
    def work(engine):
        raise error
    with pytest.raises(module_exit) as caught:
        engine_module(fake_api()).run(work)
    assert (caught.value.failed, caught.value.result) == (True, expected)


def test_run_reports_our_bugs_without_traceback_in_msg(fake_api, engine_module, module_exit):
    with pytest.raises(module_exit) as caught:
        engine_module(fake_api()).run(lambda engine: {}['missing'])
    result = caught.value.result
    assert result['msg'] == "Unexpected error (KeyError): 'missing'"
    assert 'Traceback' in result['exception'] and 'Traceback' not in result['msg']


def test_run_refuses_bad_connection_options_before_any_call(fake_api, engine_module, module_exit):
    api = fake_api()
    with pytest.raises(module_exit) as caught:
        engine_module(api, params={'client_cert': '/c.pem'}).run(lambda engine: engine.api.list_volumes())
    assert caught.value.result['msg'] == ('Invalid connection options: client_cert and client_key must be '
                                          'given together (got only client_cert).')
    assert api.calls == []


def test_run_exits_with_api_call_count(fake_api, engine_module, module_exit):
    with pytest.raises(module_exit) as caught:
        engine_module(fake_api(['data'])).run(lambda engine: dict(volumes=engine.api.list_volumes()))
    assert caught.value.failed is False
    assert caught.value.result['changed'] is False and caught.value.result['api_calls'] == 1
