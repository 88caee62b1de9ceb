# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import (
    DATA_CONTAINER_ARGS,
    DataContainerSpec,
    check_image_reference,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import ANONYMOUS, BIND, VOLUME


@pytest.mark.parametrize('kwargs, message', [
    pytest.param(dict(name='x'), "Invalid container name 'x': use letters, digits", id='short-name'),
    pytest.param(dict(name='a/b'), "Invalid container name 'a/b'", id='slash-in-name'),
    pytest.param(dict(name='/store'), "Invalid container name '/store'", id='leading-slash'),
    pytest.param(dict(name=None), 'Invalid container name None', id='no-name'),
    pytest.param(dict(name='store', volumes=['data']), "volumes[0] (data): container path 'data' is relative",
                 id='bad-volume'),
    pytest.param(dict(name='store', volumes=['/a', {'path': '/b', 'mode': 'u+rwx'}]),
                 "volumes[1] (/b): mode must be an octal string", id='bad-second-volume'),
    pytest.param(dict(name='store', volumes='/data'), 'volumes must be a list of mount entries, got str.',
                 id='volumes-not-a-list'),
    pytest.param(dict(name='store', image=''), "image must be an image reference like \"repo/name:tag\", got ''.",
                 id='empty-image'),
    pytest.param(dict(name='store', image=' busybox'), "got ' busybox'.", id='image-leading-space'),
    pytest.param(dict(name='store', image='busy box'), "got 'busy box'.", id='image-inner-space'),
    pytest.param(dict(name='store', image='busybox\n'), "got 'busybox\\n'.", id='image-newline'),
    pytest.param(dict(name='store', image=5), 'image must be an image reference like "repo/name:tag", got 5.',
                 id='image-int'),
    pytest.param(dict(name='store', labels={'persistent.volumes.owned-volumes': '[]'}),
                 "labels.persistent.volumes.owned-volumes: labels starting with 'persistent.volumes.' are the "
                 "collection's own.", id='own-label'),
    pytest.param(dict(name='store', labels={'backup': True}), 'labels.backup must be a string (quote it), got bool True.',
                 id='bool-label'),
    pytest.param(dict(name='store', labels=['a=b']), 'labels must be a dictionary of strings, got list.',
                 id='labels-list'),
])
def test_spec_refuses(kwargs, message):
    with pytest.raises(InputError) as caught:
        DataContainerSpec(**kwargs)
    assert message in caught.value.msg


@pytest.mark.parametrize('kwargs, expected', [
    pytest.param(dict(name='store'),
                 dict(name='store', kinds=[], image=None, pull='missing', labels=None, state='present',
                      remove_volumes=False, force=False), id='defaults'),
    pytest.param(dict(name='store', volumes=['/data', 'dbvol:/db:ro', '/srv/x:/x'], image='local/busybox:latest',
                      pull='never', labels={'port': 5432}, state='absent', remove_volumes=1, force='yes'),
                 dict(name='store', kinds=[ANONYMOUS, VOLUME, BIND], image='local/busybox:latest', pull='never',
                      labels={'port': '5432'}, state='absent', remove_volumes=True, force=True), id='everything'),
    pytest.param(dict(name='store', volumes=None, labels={}),
                 dict(name='store', kinds=[], image=None, pull='missing', labels={}, state='present',
                      remove_volumes=False, force=False), id='empty-labels-kept-empty'),
])
def test_spec_normalises(kwargs, expected):
    spec = DataContainerSpec(**kwargs)
    assert dict(name=spec.name, kinds=[m.kind for m in spec.mounts], image=spec.image, pull=spec.pull,
                labels=spec.labels, state=spec.state, remove_volumes=spec.remove_volumes, force=spec.force) == expected


def test_from_params_applies_defaults_for_nulls():
    spec = DataContainerSpec.from_params(dict(name='store', volumes=None, image=None, pull=None, labels=None,
                                              state=None, remove_volumes=None, force=None))
    assert (spec.name, spec.mounts, spec.image, spec.pull, spec.labels, spec.state, spec.remove_volumes,
            spec.force) == ('store', [], None, 'missing', None, 'present', False, False)


def test_from_params_passes_everything():
    spec = DataContainerSpec.from_params(dict(name='store', volumes=['/data'], image='app:1', pull='always',
                                              labels={'a': 'b'}, state='present', remove_volumes=True, force=True))
    assert [m.target for m in spec.mounts] == ['/data']
    assert (spec.image, spec.pull, spec.labels, spec.remove_volumes, spec.force) == (
        'app:1', 'always', {'a': 'b'}, True, True)


@pytest.mark.parametrize('reference', ['busybox', 'local/busybox:latest', 'registry.example:5000/a/b:1.2',
                                       'app@sha256:' + 'a' * 64, None])
def test_valid_image_references(reference):
    assert check_image_reference(reference) == reference


def test_argument_spec_choices_and_defaults():
    assert DATA_CONTAINER_ARGS['name'] == dict(type='str', required=True)
    assert DATA_CONTAINER_ARGS['volumes']['elements'] == 'raw'
    assert DATA_CONTAINER_ARGS['pull']['choices'] == ['missing', 'always', 'never']
    assert DATA_CONTAINER_ARGS['state']['choices'] == ['present', 'absent']
    assert (DATA_CONTAINER_ARGS['remove_volumes']['default'], DATA_CONTAINER_ARGS['force']['default']) == (False, False)
