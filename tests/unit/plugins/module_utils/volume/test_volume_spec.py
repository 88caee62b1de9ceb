# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import (
    VolumeSpec,
    volume_summary,
)


@pytest.mark.parametrize('kwargs, message', [
    pytest.param(dict(name='a'), "Invalid volume name 'a': use letters", id='short-name'),
    pytest.param(dict(name='x/y'), "Invalid volume name 'x/y'", id='slash'),
    pytest.param(dict(name='db', state='gone'), "volume db: state must be present or absent, got 'gone'.", id='state'),
    pytest.param(dict(name='db', recreate='always'),
                 "volume db: recreate must be one of never, options-changed, got 'always'.", id='recreate'),
    pytest.param(dict(name='db', driver=''), "volume db: driver must be a non-empty string, got ''.", id='empty-driver'),
    pytest.param(dict(name='db', driver=None), 'volume db: driver must be a non-empty string, got None.', id='no-driver'),
    pytest.param(dict(name='db', labels={'backup': True}), 'labels.backup must be a string (quote it), got bool True.',
                 id='bool-label'),
    pytest.param(dict(name='db', driver_options={'o': None}), 'driver_options.o must be a string (quote it)',
                 id='null-option'),
])
def test_volume_spec_refuses(kwargs, message):
    with pytest.raises(InputError) as caught:
        VolumeSpec(**kwargs)
    assert message in caught.value.msg


def test_from_params_applies_defaults_for_nulls():
    spec = VolumeSpec.from_params(dict(name='db', state=None, driver=None, driver_options=None,
                                       labels=None, recreate=None))
    assert (spec.name, spec.state, spec.driver, spec.driver_options, spec.labels, spec.recreate) == (
        'db', 'present', 'local', {}, None, 'never')


def test_summary_and_volume_summary_have_the_same_shape():
    spec = VolumeSpec('db', driver_options={'size': 10}, labels={'tier': 'db'})
    raw = {'Name': 'db', 'Driver': 'local', 'Options': {'size': '10'}, 'Labels': {'tier': 'db'}, 'Mountpoint': '/x'}
    assert spec.summary() == volume_summary(raw) == dict(
        name='db', state='present', driver='local', driver_options={'size': '10'}, labels={'tier': 'db'})


def test_volume_summary_of_nothing_and_of_nulls():
    assert volume_summary(None) is None
    assert volume_summary({'Name': 'db', 'Driver': 'local', 'Options': None, 'Labels': None}) == dict(
        name='db', state='present', driver='local', driver_options={}, labels={})
