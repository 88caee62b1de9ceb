# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one parser of mount entries, shared by every module that takes them.

An entry is a string (``/path``, ``volname:/path[:ro|rw]``, ``/host/dir:/path[:ro|rw]``)
or a dict (``path``, ``source``, ``read_only``, ``owner``, ``group``, ``mode``). Every
failure is an ``InputError`` naming the entry and saying what is allowed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import grp
import pwd

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import NAME_PATTERN, NAME_RULE, normal_path

ANONYMOUS = 'anonymous'
VOLUME = 'volume'
BIND = 'bind'

STRING_FORMS = '"/path", "volname:/path", "volname:/path:ro", "/host/dir:/path" or "/host/dir:/path:ro"'
MODES = ('ro', 'rw')
ENTRY_KEYS = ('path', 'source', 'read_only', 'owner', 'group', 'mode')


class MountSpec(object):
    """One wanted mount: ``target`` in the container, from ``source`` of ``kind``."""

    def __init__(self, target, source=None, read_only=False, owner=None, group=None, mode=None):
        self.target = target
        self.source = source
        if source is None:
            self.kind = ANONYMOUS
        elif source.startswith('/'):
            self.kind = BIND
        else:
            self.kind = VOLUME
        self.read_only = bool(read_only)
        self.owner = owner
        self.group = group
        self.mode = mode

    @property
    def wants_root_attributes(self):
        return self.owner is not None or self.group is not None or self.mode is not None

    def as_dict(self):
        return dict(path=self.target, source=self.source, kind=self.kind, read_only=self.read_only,
                    owner=self.owner, group=self.group,
                    mode=None if self.mode is None else '%04o' % self.mode)

    def __repr__(self):
        return 'MountSpec(%r, %r, %s)' % (self.target, self.source, 'ro' if self.read_only else 'rw')


def check_printable(path, where, what):
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        raise InputError('%s: %s %r contains a control character (NUL, newline, ...).' % (where, what, path))


def check_container_path(path, where):
    """An absolute, normalised container path other than ``/``."""
    if not isinstance(path, str) or not path:
        raise InputError('%s: the container path must be a non-empty string, got %r.' % (where, path))
    check_printable(path, where, 'container path')
    if ':' in path:
        raise InputError('%s: container path %r contains a colon; a path cannot hold one (use the forms %s).'
                         % (where, path, STRING_FORMS))
    if not path.startswith('/'):
        raise InputError('%s: container path %r is relative; it must be absolute, like /%s.'
                         % (where, path, path.lstrip('./')))
    normal = normal_path(path)
    if normal != path:
        raise InputError('%s: container path %r is not normalised; write %r.' % (where, path, normal))
    if path == '/':
        raise InputError('%s: cannot mount over the container root /.' % where)
    return path


def check_host_path(path, where):
    """An absolute, normalised host path (sensitive paths are judged elsewhere)."""
    check_printable(path, where, 'host path')
    if ':' in path:
        raise InputError('%s: host path %r contains a colon, which the engine cannot mount.' % (where, path))
    normal = normal_path(path)
    if normal != path:
        raise InputError('%s: host path %r is not normalised; write %r.' % (where, path, normal))
    return path


def check_source(source, where):
    if source is None:
        return None
    if not isinstance(source, str) or not source:
        raise InputError('%s: source must be a volume name or an absolute host path, got %r.' % (where, source))
    if source.startswith('/'):
        return check_host_path(source, where)
    if ':' in source:
        raise InputError('%s: source %r contains a colon where none belongs.' % (where, source))
    if not NAME_PATTERN.match(source):
        raise InputError('%s: %r is neither an absolute host path nor a valid volume name (%s).'
                         % (where, source, NAME_RULE))
    return source


def parse_id(value, kind, where):
    """A uid or gid from a number or a name resolved on the Docker host."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError('%s: %s must be a user/group name or a number, got %r.' % (where, kind, value))
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit()):
        if len(value if isinstance(value, str) else '') > 20 or len(value.lstrip('0') if isinstance(value, str) else '') > 10 or \
                isinstance(value, int) and not -2 ** 63 < value < 2 ** 63:
            raise InputError('%s: %s is out of range (0 to %d).' % (where, kind, 2 ** 32 - 2))
        number = int(value)
        if number < 0 or number > 2 ** 32 - 2:
            raise InputError('%s: %s %r is out of range.' % (where, kind, value))
        return number
    if not isinstance(value, str) or not value:
        raise InputError('%s: %s must be a user/group name or a number, got %s.' % (where, kind, _shown(value)))
    try:
        if kind == 'owner':
            return pwd.getpwnam(value).pw_uid
        return grp.getgrnam(value).gr_gid
    except (KeyError, ValueError):
        raise InputError('%s: %s %r does not resolve to a %s on the Docker host; give a numeric id.'
                         % (where, kind, value, 'user' if kind == 'owner' else 'group'))


OCTAL_DIGITS = frozenset('01234567')


def parse_mode(value, where):
    """A permission mode from an octal string (``'0750'``, ``'750'``, ``'0o750'``) or an integer
    whose octal reading is unambiguous (see ``integer_mode``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError('%s: mode must be an octal string like "0750", got %r.' % (where, value))
    if isinstance(value, int):
        return integer_mode(value, where)
    text = value[2:] if isinstance(value, str) and value[:2] in ('0o', '0O') else value
    if isinstance(text, str) and text and len(text) <= 12 and set(text) <= OCTAL_DIGITS:
        number = int(text, 8)
    elif isinstance(text, str) and text and set(text) <= OCTAL_DIGITS:
        number = -1
    else:
        raise InputError('%s: mode must be an octal string like "0750" (symbolic modes are not supported), got %s.'
                         % (where, _shown(value)))
    if number < 0 or number > 0o7777:
        raise InputError('%s: mode %s is out of range (0000 to 7777).' % (where, _shown(value)))
    return number


def integer_mode(value, where):
    """An unquoted YAML number as a mode, refused when it reads two ways.

    ``mode: 750`` arrives as the number 750 (octal 1356), and YAML 1.1 turns ``mode: 0644``
    into 420: from the number alone, the digits-as-octal reading and the number's own value
    cannot be told apart. When its digits are not octal (``0750`` arrives as 488) or both
    readings agree (0 to 7), the number's value is the mode.
    """
    if value < 0 or value > 0o7777:
        raise InputError('%s: mode %s is out of range (0000 to 7777).' % (where, _shown(value)))
    digits = str(value)
    if set(digits) <= OCTAL_DIGITS and int(digits, 8) != value:
        raise InputError('%s: mode %d is an unquoted YAML number, which reads two ways: octal "%s" if its digits '
                         'were meant, or "%04o" if YAML turned an octal number into it (mode: 0%o arrives as %d). '
                         'Quote the one you mean: mode: "%s" (or mode: "%04o").'
                         % (where, value, digits.zfill(4), value, value, value, digits.zfill(4), value))
    return value


def _shown(value):
    """``repr`` of a value for a message, short even for huge numbers and strings."""
    if isinstance(value, int) and not isinstance(value, bool) and not -10 ** 18 < value < 10 ** 18:
        return "a number out of range"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def parse_mount_string(text, where):
    parts = text.split(':')
    if len(parts) > 3:
        raise InputError('%s: %r has a colon where none belongs; use %s.' % (where, text, STRING_FORMS))
    if len(parts) == 1:
        return MountSpec(check_container_path(parts[0], where))
    if len(parts) == 3 and parts[2] not in MODES:
        raise InputError('%s: unknown mode %r in %r; allowed: %s.' % (where, parts[2], text, ', '.join(MODES)))
    if not parts[0]:
        raise InputError('%s: %r starts with a colon; use %s.' % (where, text, STRING_FORMS))
    if len(parts) == 2 and parts[1] in MODES:
        raise InputError('%s: %r reads as a mount onto the relative path %r; for a read-only anonymous '
                         'volume write {path: %s, read_only: true}.' % (where, text, parts[1], parts[0]))
    source = check_source(parts[0], where)
    target = check_container_path(parts[1], where)
    return MountSpec(target, source, read_only=len(parts) == 3 and parts[2] == 'ro')


def parse_mount_dict(entry, where):
    unknown = sorted(str(key) for key in set(entry) - set(ENTRY_KEYS))
    if unknown:
        plural = 's' if len(unknown) > 1 else ''
        raise InputError('%s: unknown key%s %s; allowed: %s.'
                         % (where, plural, ', '.join(unknown), ', '.join(ENTRY_KEYS)))
    if 'path' not in entry:
        raise InputError('%s: a dict entry needs "path" (the container path).' % where)
    target = check_container_path(entry['path'], where)
    source = check_source(entry.get('source'), where)
    read_only = entry.get('read_only', False)
    if not isinstance(read_only, bool):
        raise InputError('%s: read_only must be true or false, got %r.' % (where, read_only))
    spec = MountSpec(target, source, read_only=read_only,
                     owner=parse_id(entry.get('owner'), 'owner', where),
                     group=parse_id(entry.get('group'), 'group', where),
                     mode=parse_mode(entry.get('mode'), where))
    if spec.read_only and spec.wants_root_attributes:
        raise InputError('%s: owner, group and mode cannot be set on a read-only mount (read_only=true); mount it read-write, '
                         'or set them where it is mounted read-write.' % where)
    if spec.kind == BIND and spec.wants_root_attributes:
        raise InputError('%s: owner, group and mode apply to volumes; the host directory %s is prepared '
                         'by persistent.volumes.bind_mount.' % (where, source))
    return spec


def parse_mount(entry, where):
    if isinstance(entry, str):
        return parse_mount_string(entry, where)
    if isinstance(entry, dict):
        return parse_mount_dict(entry, where)
    raise InputError('%s: must be a string (%s) or a dict with %s, got %s.'
                     % (where, STRING_FORMS, ', '.join(ENTRY_KEYS), type(entry).__name__))


def parse_mounts(entries, option='volumes'):
    """Parse a list of entries; refuse two entries with the same container path."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise InputError('%s must be a list of mount entries, got %s.' % (option, type(entries).__name__))
    specs = []
    seen = {}
    for index, entry in enumerate(entries):
        where = '%s[%d] (%s)' % (option, index, entry if isinstance(entry, str) else entry.get('path') if isinstance(entry, dict) else entry)
        spec = parse_mount(entry, where)
        if spec.target in seen:
            raise InputError('%s: container path %s is already used by %s[%d]; each path may appear once.'
                             % (where, spec.target, option, seen[spec.target]))
        seen[spec.target] = index
        specs.append(spec)
    return specs
