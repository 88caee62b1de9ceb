# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Images for containers: the collection's own empty image, or the user's, looked up and chosen.

The default image holds no file at all. It is built through the engine's import
endpoint from an empty tar archive, so no registry and no helper container is needed.
Its command points at a path that does not exist: a data container is never started.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import tarfile

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
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
    """The image a container is planned with, and how it gets onto the engine.

    ``action``: None, ``build_data_image`` or ``pull_image`` (a first action of the plan);
    ``pull_first``: a real run pulls it before planning (its VOLUME paths shape the plan), also
    when it is there already with ``pull: always``. ``fallback_paths``: while the image is still
    to be pulled (check mode), the VOLUME paths of the container's current image.
    """

    def __init__(self, reference, image, action=None, pull_first=False, fallback_paths=()):
        self.reference = reference
        self.image = image
        self.action = action
        self.pull_first = pull_first
        self.fallback_paths = list(fallback_paths)

    @property
    def id(self):
        return (self.image or {}).get('Id')

    @property
    def volume_paths(self):
        return image_volume_paths(self.image)


def look_up(api, reference):
    """The inspect data of the image ``reference``, None when it is to be pulled; an image ID the
    engine does not have is refused (an ID is never pulled)."""
    image = api.inspect_image(reference)
    if image is None and is_image_id(reference):
        raise InputError(unpullable_message(reference))
    return image


def choose_image(api, reference, pull, current_image_id=None):
    """The image a data container is planned with (observation only: nothing is pulled or built here).

    ``reference`` None is the collection's default image, built when missing. A missing image is
    pulled (``pull: missing``, ``always``) or refused (``never``); ``current_image_id`` is the image
    of the existing container, whose VOLUME paths stand in while the new one is unknown.
    """
    if reference is None:
        image = api.inspect_image(DEFAULT_IMAGE)
        return ImageChoice(DEFAULT_IMAGE, image, None if image else 'build_data_image')
    image = look_up(api, reference)
    if image is None and pull == 'never':
        raise InputError('Image %r is not on the engine and pull=never; build or load it first, '
                         'or allow pull=missing.' % reference)
    if image is not None:
        return ImageChoice(reference, image, pull_first=pull == 'always' and not is_image_id(reference))
    current = api.inspect_image(current_image_id) if current_image_id else None
    return ImageChoice(reference, None, 'pull_image', pull_first=True, fallback_paths=image_volume_paths(current))


def pulled(api, reference):
    """The ImageChoice of ``reference`` once pulled."""
    image = api.inspect_image(reference)
    if image is None:
        raise InputError('Image %r is still not on the engine after pulling it.' % reference)
    return ImageChoice(reference, image)


def build_default_image(api):
    """Import the default image. Its whole reference goes in the repository parameter, with no tag
    parameter, as the docker CLI sends it: Podman 4.3 ignores the tag parameter (it tagged
    ``persistent-volumes/data-only:latest``, and every later lookup of ``:1`` failed)."""
    return api.import_image(empty_archive(), DEFAULT_IMAGE, None, DEFAULT_CHANGES)
