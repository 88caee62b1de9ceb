# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of user input shared by every module; each failure names the item."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import posixpath
import re

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import PREFIX

# The engine's own rule for volume and container names (names.RestrictedNamePattern).
NAME_PATTERN = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]+\Z')
NAME_RULE = ('letters, digits, "_", "." and "-", starting with a letter or digit, '
             'at least 2 characters')


def normal_path(path):
    """A path as the engine stores it (Go's filepath.Clean): ``/a/../b`` -> ``/b``, ``/tmp/`` -> ``/tmp``,
    ``//x`` -> ``/x``; an empty path stays empty."""
    if not path:
        return path
    normal = posixpath.normpath(path)
    if normal.startswith('//'):
        normal = '/' + normal.lstrip('/')
    return normal


def check_name(value, what='name'):
    """Return ``value`` if it is a valid engine object name, else raise InputError."""
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise InputError('Invalid %s %r: use %s.' % (what, value, NAME_RULE))
    return value


def string_map(value, option):
    """Normalise a dict of labels or driver options to ``{str: str}``.

    Numbers become their decimal text. Booleans, lists, dicts and nulls are refused,
    because YAML's ``yes``/``true`` would silently become the label ``True``.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError('%s must be a dictionary of strings, got %s.' % (option, type(value).__name__))
    result = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise InputError('%s: keys must be non-empty strings, got %r.' % (option, key))
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise InputError('%s.%s must be a string (quote it), got %s %r.'
                             % (option, key, type(item).__name__, item))
        result[key] = item if isinstance(item, str) else str(item)
    return result


def user_labels(value, option='labels'):
    """``string_map`` of the labels a task gives a container; the collection's own are refused."""
    labels = string_map(value, option)
    for key in labels or {}:
        if key.startswith(PREFIX):
            raise InputError('%s.%s: labels starting with %r are the collection\'s own.' % (option, key, PREFIX))
    return labels
