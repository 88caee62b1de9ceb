# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import (
    ANONYMOUS,
    BIND,
    VOLUME,
    MountSpec,
    parse_mounts,
)

FIELDS = ('target', 'source', 'kind', 'read_only', 'owner', 'group', 'mode')


def fields(spec):
    return dict((name, getattr(spec, name)) for name in FIELDS)


def expect(target, source=None, kind=ANONYMOUS, read_only=False, owner=None, group=None, mode=None):
    return dict(target=target, source=source, kind=kind, read_only=read_only, owner=owner, group=group, mode=mode)


def parse_one(entry):
    specs = parse_mounts([entry])
    assert len(specs) == 1
    return specs[0]


def refusal(entries):
    with pytest.raises(InputError) as caught:
        parse_mounts(entries)
    assert 'Traceback' not in caught.value.msg
    return caught.value.msg


@pytest.mark.parametrize('entry, expected', [
    pytest.param('/data', expect('/data'), id='anonymous'),
    pytest.param('/var/lib/app', expect('/var/lib/app'), id='anonymous-deep'),
    pytest.param('dbvol:/data', expect('/data', 'dbvol', VOLUME), id='named'),
    pytest.param('dbvol:/data:ro', expect('/data', 'dbvol', VOLUME, True), id='named-ro'),
    pytest.param('dbvol:/data:rw', expect('/data', 'dbvol', VOLUME, False), id='named-rw'),
    pytest.param('my_vol.2-x:/d', expect('/d', 'my_vol.2-x', VOLUME), id='named-all-allowed-chars'),
    pytest.param('/srv/www:/www', expect('/www', '/srv/www', BIND), id='bind'),
    pytest.param('/srv/www:/www:ro', expect('/www', '/srv/www', BIND, True), id='bind-ro'),
    pytest.param('/srv/www:/www:rw', expect('/www', '/srv/www', BIND, False), id='bind-rw'),
    pytest.param({'path': '/data'}, expect('/data'), id='dict-anonymous'),
    pytest.param({'path': '/data', 'source': 'dbvol', 'read_only': True}, expect('/data', 'dbvol', VOLUME, True),
                 id='dict-named-ro'),
    pytest.param({'path': '/data', 'source': '/srv/data', 'read_only': False}, expect('/data', '/srv/data', BIND),
                 id='dict-bind'),
    pytest.param({'path': '/data', 'source': None}, expect('/data'), id='dict-null-source'),
    pytest.param({'path': '/data', 'owner': 1000, 'group': 1001, 'mode': '0750'},
                 expect('/data', owner=1000, group=1001, mode=0o750), id='dict-numbers'),
    pytest.param({'path': '/data', 'owner': '1000', 'group': '1001', 'mode': '750'},
                 expect('/data', owner=1000, group=1001, mode=0o750), id='dict-numeric-strings'),
    pytest.param({'path': '/data', 'owner': 'root', 'group': 'root', 'mode': 0o750},
                 expect('/data', owner=0, group=0, mode=0o750), id='dict-names-resolve'),
    pytest.param({'path': '/data', 'source': 'dbvol', 'owner': 0, 'mode': '1777'},
                 expect('/data', 'dbvol', VOLUME, owner=0, mode=0o1777), id='dict-named-sticky'),
    pytest.param({'path': '/data', 'owner': 2 ** 32 - 2, 'group': 0, 'mode': '0'},
                 expect('/data', owner=2 ** 32 - 2, group=0, mode=0), id='dict-limits'),
    pytest.param({'path': '/data', 'mode': 0o7777}, expect('/data', mode=0o7777), id='dict-max-mode'),
    pytest.param({'path': '/data', 'mode': '0o750'}, expect('/data', mode=0o750), id='dict-python-octal'),
    pytest.param({'path': '/data', 'mode': '0O2775'}, expect('/data', mode=0o2775), id='dict-python-octal-upper'),
    pytest.param({'path': '/data', 'mode': 488}, expect('/data', mode=0o750), id='dict-yaml-1.1-0750-is-488'),
    pytest.param({'path': '/data', 'mode': 5}, expect('/data', mode=0o5), id='dict-small-number-reads-one-way'),
])
def test_parse_entry(entry, expected):
    assert fields(parse_one(entry)) == expected


@pytest.mark.parametrize('entries, message', [
    pytest.param(['data'], "volumes[0] (data): container path 'data' is relative; it must be absolute, like /data.",
                 id='relative'),
    pytest.param(['./data'], "container path './data' is relative; it must be absolute, like /data.",
                 id='relative-dot'),
    pytest.param(['dbvol:data'], "volumes[0] (dbvol:data): container path 'data' is relative", id='relative-target'),
    pytest.param(['/a/../b'], "volumes[0] (/a/../b): container path '/a/../b' is not normalised; write '/b'.",
                 id='dotdot'),
    pytest.param(['/a/./b'], "container path '/a/./b' is not normalised; write '/a/b'.", id='dot'),
    pytest.param(['/a/'], "container path '/a/' is not normalised; write '/a'.", id='trailing-slash'),
    pytest.param(['//a'], "container path '//a' is not normalised; write '/a'.", id='double-leading-slash'),
    pytest.param(['/a//b'], "container path '/a//b' is not normalised; write '/a/b'.", id='double-slash'),
    pytest.param(['/'], 'volumes[0] (/): cannot mount over the container root /.', id='root'),
    pytest.param(['dbvol:/'], 'cannot mount over the container root /.', id='root-named'),
    pytest.param([{'path': '/'}], 'volumes[0] (/): cannot mount over the container root /.', id='root-dict'),
    pytest.param([{'path': '/a:b'}], "volumes[0] (/a:b): container path '/a:b' contains a colon", id='dict-colon'),
    pytest.param(['v1:/a:ro:x'], "volumes[0] (v1:/a:ro:x): 'v1:/a:ro:x' has a colon where none belongs; use",
                 id='too-many-colons'),
    pytest.param(['dbvol:/a:rx'], "volumes[0] (dbvol:/a:rx): unknown mode 'rx' in 'dbvol:/a:rx'; allowed: ro, rw.",
                 id='mode-rx'),
    pytest.param(['/srv/x:/a:z'], "unknown mode 'z' in '/srv/x:/a:z'; allowed: ro, rw.", id='mode-z'),
    pytest.param(['dbvol:/a:'], "unknown mode '' in 'dbvol:/a:'", id='mode-empty'),
    pytest.param([':/p'], "volumes[0] (:/p): ':/p' starts with a colon; use", id='empty-source'),
    pytest.param([':/p:ro'], "':/p:ro' starts with a colon", id='empty-source-ro'),
    pytest.param(['a:/p'], "volumes[0] (a:/p): 'a' is neither an absolute host path nor a valid volume name",
                 id='short-volume-name'),
    pytest.param(['-vol:/p'], "'-vol' is neither an absolute host path nor a valid volume name (letters, digits",
                 id='volume-name-leading-dash'),
    pytest.param([{'path': '/p', 'source': 'my vol'}], "'my vol' is neither an absolute host path", id='space-in-name'),
    pytest.param([{'path': '/p', 'source': 'a:b'}], "volumes[0] (/p): source 'a:b' contains a colon", id='colon-source'),
    pytest.param([{'path': '/p', 'source': ''}], "volumes[0] (/p): source must be a volume name or an absolute host "
                 "path, got ''.", id='dict-empty-source'),
    pytest.param([{'path': '/p', 'source': 5}], 'source must be a volume name or an absolute host path, got 5.',
                 id='dict-int-source'),
    pytest.param(['/srv/../x:/p'], "volumes[0] (/srv/../x:/p): host path '/srv/../x' is not normalised; write '/x'.",
                 id='host-dotdot'),
    pytest.param(['/srv/x/:/p'], "host path '/srv/x/' is not normalised; write '/srv/x'.", id='host-trailing-slash'),
    pytest.param([{'path': '/p', 'source': '//srv'}], "host path '//srv' is not normalised; write '/srv'.",
                 id='host-double-slash'),
    pytest.param([{'path': '/p', 'source': '/srv/a:b'}], "host path '/srv/a:b' contains a colon", id='host-colon'),
    pytest.param([{'path': '/p', 'owner': 'no-such-user-pv'}],
                 "volumes[0] (/p): owner 'no-such-user-pv' does not resolve to a user on the Docker host; "
                 'give a numeric id.', id='owner-unknown'),
    pytest.param([{'path': '/p', 'group': 'no-such-group-pv'}],
                 "group 'no-such-group-pv' does not resolve to a group on the Docker host", id='group-unknown'),
    pytest.param([{'path': '/p', 'owner': -1}], 'volumes[0] (/p): owner -1 is out of range.', id='owner-negative'),
    pytest.param([{'path': '/p', 'group': 2 ** 32 - 1}], 'group 4294967295 is out of range.', id='group-too-large'),
    pytest.param([{'path': '/p', 'owner': '4294967296'}], "owner '4294967296' is out of range.", id='owner-str-large'),
    pytest.param([{'path': '/p', 'owner': True}], 'owner must be a user/group name or a number, got True.',
                 id='owner-bool'),
    pytest.param([{'path': '/p', 'group': False}], 'group must be a user/group name or a number, got False.',
                 id='group-bool'),
    pytest.param([{'path': '/p', 'owner': ''}], "owner must be a user/group name or a number, got ''.",
                 id='owner-empty'),
    pytest.param([{'path': '/p', 'owner': 1.5}], 'owner must be a user/group name or a number, got 1.5.',
                 id='owner-float'),
    pytest.param([{'path': '/p', 'mode': 'u+rwx'}], "volumes[0] (/p): mode must be an octal string like \"0750\" "
                 "(symbolic modes are not supported), got 'u+rwx'.", id='mode-symbolic'),
    pytest.param([{'path': '/p', 'mode': '0o'}], "got '0o'.", id='mode-python-prefix-alone'),
    pytest.param([{'path': '/p', 'mode': '0o789'}], "got '0o789'.", id='mode-python-octal-not-octal'),
    pytest.param([{'path': '/p', 'mode': 750}],
                 'volumes[0] (/p): mode 750 is an unquoted YAML number, which reads two ways: octal "0750" if its '
                 'digits were meant, or "1356" if YAML turned an octal number into it (mode: 01356 arrives as 750). '
                 'Quote the one you mean: mode: "0750" (or mode: "1356").', id='mode-yaml-integer'),
    pytest.param([{'path': '/p', 'mode': 420}], 'mode: "0420" (or mode: "0644")', id='mode-yaml-1.1-octal-ambiguous'),
    pytest.param([{'path': '/p', 'mode': '0789'}], "got '0789'.", id='mode-not-octal'),
    pytest.param([{'path': '/p', 'mode': ''}], "got ''.", id='mode-empty'),
    pytest.param([{'path': '/p', 'mode': '17777'}], "volumes[0] (/p): mode '17777' is out of range (0000 to 7777).",
                 id='mode-too-large'),
    pytest.param([{'path': '/p', 'mode': 0o10000}], 'mode 4096 is out of range (0000 to 7777).', id='mode-int-large'),
    pytest.param([{'path': '/p', 'mode': -1}], 'mode -1 is out of range', id='mode-negative'),
    pytest.param([{'path': '/p', 'mode': True}], 'mode must be an octal string like "0750", got True.', id='mode-bool'),
    pytest.param([{'path': '/p', 'mode': 7.5}], 'got 7.5.', id='mode-float'),
    pytest.param([{'path': '/p', 'size': 1}], 'volumes[0] (/p): unknown key size; allowed: path, source, read_only, '
                 'owner, group, mode.', id='unknown-key'),
    pytest.param([{'path': '/p', 'ro': True, 'uid': 1}], 'unknown keys ro, uid; allowed:', id='unknown-keys'),
    pytest.param([{'target': '/p'}], 'volumes[0] (None): unknown key target', id='target-is-not-a-key'),
    pytest.param([{'source': 'dbvol'}], 'volumes[0] (None): a dict entry needs "path" (the container path).',
                 id='missing-path'),
    pytest.param([{'path': 5}], 'volumes[0] (5): the container path must be a non-empty string, got 5.',
                 id='path-int'),
    pytest.param([{'path': ''}], "the container path must be a non-empty string, got ''.", id='path-empty'),
    pytest.param([{'path': '/p', 'read_only': 'yes'}], "volumes[0] (/p): read_only must be true or false, got 'yes'.",
                 id='read-only-str'),
    pytest.param([{'path': '/p', 'read_only': 1}], 'read_only must be true or false, got 1.', id='read-only-int'),
    pytest.param([{'path': '/p', 'source': '/srv/p', 'owner': 0}],
                 'volumes[0] (/p): owner, group and mode apply to volumes; the host directory /srv/p is prepared by '
                 'persistent.volumes.bind_mount.', id='owner-on-bind'),
    pytest.param([{'path': '/p', 'source': '/srv/p', 'mode': '0700'}], 'the host directory /srv/p is prepared',
                 id='mode-on-bind'),
    pytest.param([5], 'volumes[0] (5): must be a string ("/path", "volname:/path", "volname:/path:ro", "/host/dir:/path" '
                 'or "/host/dir:/path:ro") or a dict with path, source, read_only, owner, group, mode, got int.',
                 id='int-entry'),
    pytest.param([['/p']], "volumes[0] (['/p']): must be a string", id='list-entry'),
    pytest.param([None], 'volumes[0] (None): must be a string', id='none-entry'),
    pytest.param(['/ok', '/also', 'x'], "volumes[2] (x): container path 'x' is relative", id='names-index'),
])
def test_parse_refuses(entries, message):
    assert message in refusal(entries)


@pytest.mark.parametrize('entries, message', [
    pytest.param(['/data', {'path': '/data', 'source': 'dbvol'}],
                 'volumes[1] (/data): container path /data is already used by volumes[0]; each path may appear once.',
                 id='string-then-dict'),
    pytest.param([{'path': '/data'}, '/srv/d:/data:ro'],
                 'volumes[1] (/srv/d:/data:ro): container path /data is already used by volumes[0]', id='dict-then-bind'),
    pytest.param(['/a', 'v1:/b', 'v2:/b'], 'volumes[2] (v2:/b): container path /b is already used by volumes[1]',
                 id='two-named'),
])
def test_duplicate_paths_refused(entries, message):
    assert message in refusal(entries)


@pytest.mark.parametrize('value, message', [
    pytest.param('/data', 'volumes must be a list of mount entries, got str.', id='str'),
    pytest.param({'path': '/data'}, 'volumes must be a list of mount entries, got dict.', id='dict'),
    pytest.param(5, 'volumes must be a list of mount entries, got int.', id='int'),
])
def test_volumes_must_be_a_list(value, message):
    assert message in refusal(value)


def test_option_name_is_used_in_messages():
    with pytest.raises(InputError) as caught:
        parse_mounts(['/ok', 'rel'], option='data_containers[0].volumes')
    assert caught.value.msg.startswith('data_containers[0].volumes[1] (rel): ')


def test_none_and_empty_give_no_mounts():
    assert parse_mounts(None) == [] and parse_mounts([]) == []


def test_order_is_kept():
    assert [m.target for m in parse_mounts(['/b', 'v1:/a', {'path': '/c'}])] == ['/b', '/a', '/c']


def test_same_volume_at_two_paths_is_allowed():
    assert [(m.source, m.target) for m in parse_mounts(['v1:/a', 'v1:/b'])] == [('v1', '/a'), ('v1', '/b')]


@pytest.mark.parametrize('spec, expected', [
    pytest.param(MountSpec('/d'), dict(path='/d', source=None, kind=ANONYMOUS, read_only=False, owner=None,
                                       group=None, mode=None), id='anonymous'),
    pytest.param(MountSpec('/d', 'v1', True, owner=1, group=2, mode=0o750),
                 dict(path='/d', source='v1', kind=VOLUME, read_only=True, owner=1, group=2, mode='0750'), id='full'),
    pytest.param(MountSpec('/d', '/srv', mode=0o1777), dict(path='/d', source='/srv', kind=BIND, read_only=False,
                                                            owner=None, group=None, mode='1777'), id='bind'),
])
def test_as_dict(spec, expected):
    assert spec.as_dict() == expected


@pytest.mark.parametrize('kwargs, wants', [
    pytest.param({}, False, id='none'),
    pytest.param({'owner': 0}, True, id='owner-zero'),
    pytest.param({'group': 0}, True, id='group-zero'),
    pytest.param({'mode': 0}, True, id='mode-zero'),
])
def test_wants_root_attributes(kwargs, wants):
    assert MountSpec('/d', **kwargs).wants_root_attributes is wants


def test_repr():
    assert repr(MountSpec('/d', 'v1', True)) == "MountSpec('/d', 'v1', ro)"


def test_unicode_digit_owner_is_refused_with_a_message():
    assert "owner '²'" in refusal([{'path': '/p', 'owner': '²'}])


def test_non_string_key_is_refused_with_a_message():
    assert 'unknown key 1' in refusal([{'path': '/p', 1: 'x'}])
