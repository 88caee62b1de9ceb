# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Images for data containers: the collection's own empty image, or the user's.

The default image holds no file at all. It is built through the engine's import
endpoint from an empty tar archive, so no registry and no helper container is needed.
Its command points at a path that does not exist: a data container is never started.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import tarfile

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import is_image_id, unpullable_message

DEFAULT_REPOSITORY = 'persistent-volumes/data-only'
DEFAULT_TAG = '1'
DEFAULT_IMAGE = '%s:%s' % (DEFAULT_REPOSITORY, DEFAULT_TAG)
DEFAULT_CHANGES = [
    'CMD ["/.persistent-volumes-data-only"]',
    'LABEL %s=data-only' % pv_labels.IMAGE,
]
PULL_CHOICES = ['missing', 'always', 'never']


def empty_archive():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w'):
        pass
    return buffer.getvalue()


def image_volume_paths(image):
    """The paths an image declares with VOLUME."""
    return sorted(((image or {}).get('Config') or {}).get('Volumes') or {})


class ImageChoice(object):
    """The image a data container should use, and whether it has to be built or pulled."""

    def __init__(self, reference, image, action=None, fallback_paths=()):
        self.reference = reference
        self.image = image
        self.action = action  # None, 'build_data_image' or 'pull_image'
        self.fallback_paths = list(fallback_paths)

    @property
    def id(self):
        return (self.image or {}).get('Id')

    @property
    def volume_paths(self):
        return image_volume_paths(self.image)


def choose_image(api, reference, pull, check_mode, current_image_id=None):
    """Look the image up, pulling it in real runs when needed, so its VOLUME paths are known.

    In check mode an image still to be pulled is unknown: its VOLUME paths are assumed to
    be those of ``current_image_id`` (the image of the existing container).
    """
    if reference is None:
        image = api.inspect_image(DEFAULT_IMAGE)
        return ImageChoice(DEFAULT_IMAGE, image, None if image else 'build_data_image')
    image = api.inspect_image(reference)
    if is_image_id(reference):  # an ID is never pulled
        if image is None:
            raise InputError(unpullable_message(reference))
        return ImageChoice(reference, image)
    if image is None and pull == 'never':
        raise InputError('Image %r is not on the engine and pull=never; build or load it first, '
                         'or allow pull=missing.' % reference)
    if (image is None or pull == 'always') and not check_mode:
        api.pull_image(reference)
        image = api.inspect_image(reference)
        if image is None:
            raise InputError('Image %r is still not on the engine after pulling it.' % reference)
        return ImageChoice(reference, image)
    if image is not None:
        return ImageChoice(reference, image)
    current = api.inspect_image(current_image_id) if current_image_id else None
    return ImageChoice(reference, None, 'pull_image', fallback_paths=image_volume_paths(current))


def build_default_image(api):
    return api.import_image(empty_archive(), DEFAULT_REPOSITORY, DEFAULT_TAG, DEFAULT_CHANGES)
