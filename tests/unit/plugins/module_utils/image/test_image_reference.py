# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import (
    check_image_reference,
    is_image_id,
    parse_image_reference,
    pull_arguments,
    short_name,
)
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE, build_default_image
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

HEX = 'b' * 64
DIGEST = 'sha256:' + 'a' * 64


# (reference, (name, tag, digest, is_id), what the engine's pull is asked for)
@pytest.mark.parametrize('reference, parts, pulled', [
    ('busybox', ('busybox', None, None, False), ('busybox', 'latest')),
    ('busybox:1.36', ('busybox', '1.36', None, False), ('busybox', '1.36')),
    ('local/busybox:latest', ('local/busybox', 'latest', None, False), ('local/busybox', 'latest')),
    ('busybox@' + DIGEST, ('busybox', None, DIGEST, False), ('busybox', DIGEST)),
    ('busybox:1.36@' + DIGEST, ('busybox', '1.36', DIGEST, False), ('busybox', DIGEST)),
    ('registry.example:5000/team/app', ('registry.example:5000/team/app', None, None, False),
     ('registry.example:5000/team/app', 'latest')),
    ('registry.example:5000/team/app:2.1', ('registry.example:5000/team/app', '2.1', None, False),
     ('registry.example:5000/team/app', '2.1')),
    ('127.0.0.1:5000/app:v1@' + DIGEST, ('127.0.0.1:5000/app', 'v1', DIGEST, False), ('127.0.0.1:5000/app', DIGEST)),
    ('localhost/app', ('localhost/app', None, None, False), ('localhost/app', 'latest')),
    ('localhost:5000/app@' + DIGEST, ('localhost:5000/app', None, DIGEST, False), ('localhost:5000/app', DIGEST)),
    ('docker.io/library/busybox:stable', ('docker.io/library/busybox', 'stable', None, False),
     ('docker.io/library/busybox', 'stable')),
    ('my_org/my-app__x.y:Tag_1.0-rc', ('my_org/my-app__x.y', 'Tag_1.0-rc', None, False), ('my_org/my-app__x.y', 'Tag_1.0-rc')),
], ids=lambda value: value if isinstance(value, str) else None)
def test_forms(reference, parts, pulled):
    parsed = parse_image_reference(reference)
    assert (parsed.name, parsed.tag, parsed.digest, parsed.is_id) == parts
    assert pull_arguments(reference) == pulled
    assert check_image_reference(reference) == reference


@pytest.mark.parametrize('reference', ['sha256:' + HEX, HEX])
def test_image_ids_are_inspected_never_pulled(reference):
    parsed = parse_image_reference(reference)
    assert parsed.is_id and parsed.name is None and is_image_id(reference)
    with pytest.raises(InputError) as caught:
        pull_arguments(reference)
    assert caught.value.msg == (
        "Image %r is not on the engine, and an image ID cannot be pulled: load or build the image first, "
        "or give its name (a digest pins it: \"name@sha256:<digest>\")." % reference)


@pytest.mark.parametrize('reference', ['busybox', 'sha256:' + HEX[:12], HEX[:12], 'app@' + DIGEST, None, ''])
def test_not_image_ids(reference):
    assert not is_image_id(reference)


@pytest.mark.parametrize('reference, reason', [
    ('Busybox', "repository path component 'Busybox' must be lowercase letters and digits"),
    ('team/App:1', "repository path component 'App' must be lowercase"),
    ('busybox:', "tag '' must be letters, digits"),
    ('busybox:-x', "tag '-x' must be letters, digits"),
    ('busybox:' + 'x' * 129, 'tag %r must be' % ('x' * 129)),
    ('busybox@', "digest '' is not <algorithm>:<hex>"),
    ('busybox@sha256:abc', "digest 'sha256:abc' is not <algorithm>:<hex>"),
    ('busybox@sha256:' + 'A' * 64, 'a sha256 digest has 64 lowercase hexadecimal digits'),
    ('busybox@sha256:' + 'a' * 63 + 'g', 'is not <algorithm>:<hex>'),
    ('busybox:1@2', "digest '2' is not <algorithm>:<hex>"),
    ('https://registry.example/app', 'Repository name cannot contain a scheme'),
    ('-bad.example/app', 'Cannot begin or end with a hyphen'),
    ('bad_host.example:5000/app', "registry 'bad_host.example:5000' is not a host name with an optional port"),
    ('registry.example:port/app', "registry 'registry.example:port' is not a host name"),
    ('team//app', "repository path component '' must be"),
    ('app/', "repository path component '' must be"),
    (':1', "repository path component '' must be"),
    ('a' * 256, 'the repository name is longer than 255 characters'),
    ('app..x', "repository path component 'app..x' must be"),
])
def test_bad_references_name_the_bad_part(reference, reason):
    with pytest.raises(InputError) as caught:
        parse_image_reference(reference)
    message = caught.value.msg
    assert message.startswith('image must be an image reference like "repo/name:tag", "name@sha256:<digest>", '
                              '"registry:5000/name:tag@sha256:<digest>" or an image ID, got %r: ' % reference)
    assert reason in message and message.endswith('.')


@pytest.mark.parametrize('reference', ['', ' busybox', 'busy box', 'busybox\n', 5, ['busybox']])
def test_not_a_string_or_blank(reference):
    with pytest.raises(InputError) as caught:
        parse_image_reference(reference)
    assert caught.value.msg == 'image must be an image reference like "repo/name:tag", got %r.' % (reference,)


def test_none_is_no_image():
    assert check_image_reference(None) is None


@pytest.mark.parametrize('reference, short', [
    ('docker.io/persistent-volumes/data-only:1', 'persistent-volumes/data-only:1'),  # Podman's Config.Image
    ('localhost/local/busybox:latest', 'local/busybox:latest'),                      # Podman's own imports
    ('docker.io/library/busybox:1', 'busybox:1'),
    ('persistent-volumes/data-only:1', 'persistent-volumes/data-only:1'),
    ('registry.example:5000/team/app:2', 'registry.example:5000/team/app:2'),
    ('localhost:5000/app:1', 'localhost:5000/app:1'),                                 # a registry on a port
    (None, None),
])
def test_short_name(reference, short):
    assert short_name(reference) == short


def test_the_default_image_is_imported_with_its_tag_in_the_repository_parameter():
    """Podman 4.3 ignores the tag parameter of an import (it tagged :latest); the docker CLI's form works on both."""
    calls = []

    class API(FakeEngineAPI):
        def import_image(self, data, repository, tag, changes):
            calls.append((repository, tag))

    build_default_image(API())
    assert calls == [(DEFAULT_IMAGE, None)]
