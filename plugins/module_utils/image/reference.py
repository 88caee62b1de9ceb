# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Image references, split by the Docker SDK's own parser and checked against the reference grammar.

Forms: ``name``, ``name:tag``, ``name@sha256:<hex>``, ``name:tag@sha256:<hex>``, any of them
behind a registry (``registry.example:5000/team/name:tag``), and image IDs (``sha256:<64 hex>``
or the 64 hex digits alone), which the engine can inspect and run but never pull.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError

try:
    from docker.auth import INDEX_NAME, resolve_repository_name
    from docker.errors import InvalidRepository
    from docker.utils import parse_repository_tag
except ImportError:  # pragma: no cover - the module reports missing_required_lib before this is used
    INDEX_NAME = resolve_repository_name = parse_repository_tag = None
    InvalidRepository = ValueError

IMAGE_ID = re.compile(r'^(sha256:)?[0-9a-f]{64}$')
TAG = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$')
DIGEST = re.compile(r'^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$')
SHA256 = re.compile(r'^sha256:[0-9a-f]{64}$')
PATH_COMPONENT = re.compile(r'^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$')
DOMAIN = re.compile(r'^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])'
                    r'(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?$')
FORMS = '"repo/name:tag", "name@sha256:<digest>", "registry:5000/name:tag@sha256:<digest>" or an image ID'


class ImageReference(object):
    """One image reference: ``name`` (registry and path), ``tag``, ``digest``, or an image ID."""

    def __init__(self, text, name, tag=None, digest=None, is_id=False):
        self.text = text
        self.name = name
        self.tag = tag
        self.digest = digest
        self.is_id = is_id

    def pull_arguments(self):
        """(repository, tag) for the engine's pull: a digest wins over a tag (the engine pulls
        ``name@digest`` for ``name:tag@digest``, as the docker CLI does)."""
        return self.name, self.digest or self.tag or 'latest'


def _refuse(text, reason):
    raise InputError('image must be an image reference like %s, got %r: %s.' % (FORMS, text, reason))


def _check_name(text, name):
    if len(name) > 255:
        _refuse(text, 'the repository name is longer than 255 characters')
    try:
        index, remote = resolve_repository_name(name)
    except InvalidRepository as exc:
        _refuse(text, str(exc).rstrip('.'))
    if index != INDEX_NAME and not DOMAIN.match(name.split('/', 1)[0]):
        _refuse(text, 'registry %r is not a host name with an optional port' % name.split('/', 1)[0])
    for component in remote.split('/'):
        if not PATH_COMPONENT.match(component):
            _refuse(text, 'repository path component %r must be lowercase letters and digits, '
                          'separated by ".", "_", "__" or "-"' % component)


def parse_image_reference(text):
    """The ImageReference of ``text``; an InputError naming the bad part otherwise."""
    if not isinstance(text, str) or not text or any(char.isspace() for char in text):
        raise InputError('image must be an image reference like "repo/name:tag", got %r.' % (text,))
    if IMAGE_ID.match(text):
        return ImageReference(text, None, is_id=True)
    name, digest = parse_repository_tag(text) if '@' in text else (text, None)
    name, tag = parse_repository_tag(name)
    if digest is not None and not DIGEST.match(digest):
        _refuse(text, 'digest %r is not <algorithm>:<hex>' % digest)
    if digest is not None and digest.startswith('sha256:') and not SHA256.match(digest):
        _refuse(text, 'a sha256 digest has 64 lowercase hexadecimal digits, %r has not' % digest)
    if tag is not None and not TAG.match(tag):
        _refuse(text, 'tag %r must be letters, digits, "_", "." and "-" (128 at most, not starting '
                      'with "." or "-")' % tag)
    _check_name(text, name)
    return ImageReference(text, name, tag, digest)


def check_image_reference(reference):
    """``reference`` itself when it is None or a valid image reference."""
    if reference is not None:
        parse_image_reference(reference)
    return reference


def pull_arguments(reference):
    """(repository, tag-or-digest) for the engine's pull of ``reference``."""
    parsed = parse_image_reference(reference)
    if parsed.is_id:
        raise InputError(unpullable_message(reference))
    return parsed.pull_arguments()


def is_image_id(reference):
    return bool(reference) and bool(IMAGE_ID.match(reference))


def unpullable_message(reference):
    return ('Image %r is not on the engine, and an image ID cannot be pulled: load or build the image '
            'first, or give its name (a digest pins it: "name@sha256:<digest>").' % reference)


IMPLIED_PREFIXES = ('docker.io/library/', 'docker.io/', 'localhost/')


def short_name(reference):
    """``reference`` without the registry an engine adds to a short name: Docker Hub's, which Podman
    writes out in a container's ``Config.Image`` (``docker.io/persistent-volumes/data-only:1``), or
    Podman's ``localhost/`` of images built or imported with its own tools."""
    for prefix in IMPLIED_PREFIXES:
        if reference and reference.startswith(prefix):
            return reference[len(prefix):]
    return reference
