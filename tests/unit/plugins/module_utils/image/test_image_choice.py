# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which image a data container or consumer gets, for each form of reference."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import wanted_image
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.runner import pull_first
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import choose_image
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

IMAGE_ID = 'sha256:' + 'c' * 64
DIGEST_REF = 'app:1@sha256:' + 'd' * 64
IMAGE = {'Id': IMAGE_ID, 'Config': {'Volumes': {'/data': {}}}}


class Images(FakeEngineAPI):
    """The engine's images by reference; a pull makes the reference known."""

    def __init__(self, known=()):
        super(Images, self).__init__()
        self.known = set(known)
        self.pulled = []

    def inspect_image(self, reference):
        return dict(IMAGE) if reference in self.known else None

    def pull_image(self, reference, repository=None, tag=None):
        self.pulled.append(reference)
        self.known.add(reference)


# (reference, pull, check mode, references on the engine, (image id, action, pulled))
@pytest.mark.parametrize('reference, pull, check, known, expected', [
    (IMAGE_ID, 'missing', False, [IMAGE_ID], (IMAGE_ID, None, [])),
    (IMAGE_ID, 'always', False, [IMAGE_ID], (IMAGE_ID, None, [])),
    (IMAGE_ID[7:], 'always', True, [IMAGE_ID[7:]], (IMAGE_ID, None, [])),
    (DIGEST_REF, 'missing', False, [], (IMAGE_ID, None, [DIGEST_REF])),
    (DIGEST_REF, 'missing', True, [], (None, 'pull_image', [])),
    (DIGEST_REF, 'missing', False, [DIGEST_REF], (IMAGE_ID, None, [])),
    (DIGEST_REF, 'always', False, [DIGEST_REF], (IMAGE_ID, None, [DIGEST_REF])),
])
def test_data_container_image(engine_module, reference, pull, check, known, expected):
    """Looked up (never pulled while observing), then pulled through execute in a real run."""
    images = Images(known)
    choice, dummy = pull_first(engine_module(images, check_mode=check), choose_image(images, reference, pull))
    assert (choice.id, choice.action, images.pulled) == expected


@pytest.mark.parametrize('pull, check', [('missing', False), ('always', True), ('never', False)])
def test_data_container_missing_image_id_is_refused(pull, check):
    with pytest.raises(InputError) as caught:
        choose_image(Images(), IMAGE_ID, pull)
    assert caught.value.msg.startswith("Image %r is not on the engine, and an image ID cannot be pulled" % IMAGE_ID)


@pytest.mark.parametrize('reference, known, expected', [
    (IMAGE_ID, [IMAGE_ID], IMAGE_ID),
    (DIGEST_REF, [DIGEST_REF], IMAGE_ID),
    (DIGEST_REF, [], 'pull_image'),
])
def test_consumer_image(reference, known, expected):
    image, action = wanted_image(Images(known), ConsumerSpec('web', image=reference))
    assert (image or {}).get('Id', action) == expected


def test_consumer_missing_image_id_is_refused():
    with pytest.raises(InputError) as caught:
        wanted_image(Images(), ConsumerSpec('web', image=IMAGE_ID))
    assert 'an image ID cannot be pulled' in caught.value.msg
