# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A rewire keeps what the mount API carries.

A consumer made with ``--mount`` entries (``HostConfig.Mounts``) is wired to a data container:
its replacement has the very same ``HostConfig.Mounts`` (volume subpath, nocopy, driver options
and labels; tmpfs size and mode; bind propagation, non-recursive and recursive read-only;
consistency) and ``HostConfig.Binds``, and the application sees the same mounts (its
``/proc/self/mountinfo``) and the same files. What an engine's API does not have is left out of
the entries on that engine: subpath needs API 1.45 (Docker 26), the read-only recursion
options 1.44; Debian's 20.10 (API 1.41) takes the rest.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from app_lab import run_as_root
from conftest import IMAGE, LOOP, RUN_ID, run_module
from test_volumes_from import ok, wire


def api_at_least(api, version):
    have = tuple(int(part) for part in api.version()['ApiVersion'].split('.'))
    return have >= tuple(int(part) for part in version.split('.'))


def mount_entries(api, lab, source):
    """The --mount entries of the consumer, as much of them as this engine's API has."""
    shared, ro_dir = source / 'shared', source / 'ro'
    for directory in (shared, ro_dir):
        directory.mkdir()
    subpath = api_at_least(api, '1.45')
    volume = {'Type': 'volume', 'Source': lab.name('sv'), 'Target': '/v', 'ReadOnly': False,
              'VolumeOptions': {'NoCopy': True}}
    if subpath:
        volume['VolumeOptions']['Subpath'] = 's'
    made = {'Type': 'volume', 'Source': lab.name('made'), 'Target': '/made', 'Consistency': 'cached',
            'VolumeOptions': {'Labels': {'pvtest': RUN_ID, 'made-by': 'mount'},
                              'DriverConfig': {'Name': 'local', 'Options': {'type': 'tmpfs', 'device': 'tmpfs',
                                                                            'o': 'size=2m'}}}}
    scratch = {'Type': 'tmpfs', 'Target': '/scratch', 'TmpfsOptions': {'SizeBytes': 1 << 20, 'Mode': 0o1770}}
    slave = {'Type': 'bind', 'Source': str(shared), 'Target': '/shared',
             'BindOptions': {'Propagation': 'private', 'NonRecursive': True}}
    read_only = {'Type': 'bind', 'Source': str(ro_dir), 'Target': '/ro', 'ReadOnly': True}
    if api_at_least(api, '1.44'):
        read_only['BindOptions'] = {'ReadOnlyForceRecursive': True}
    return [volume, made, scratch, slave, read_only], subpath


def seen_mounts(api, container, targets):
    """What the application sees at ``targets`` in /proc/self/mountinfo: root, options, propagation
    (without peer-group numbers), file system type, source options (not mount or device IDs)."""
    code, output = run_as_root(api, container, 'cat /proc/self/mountinfo')
    assert code == 0, output
    seen = {}
    for line in output.splitlines():
        fields = line.split()
        if fields[4] in targets:
            dash = fields.index('-')
            tags = sorted(re.sub(r':\d+$', '', tag) for tag in fields[6:dash])
            seen[fields[4]] = (fields[3], fields[5], tags, fields[dash + 1], fields[dash + 3])
    return seen


def test_a_rewire_keeps_every_mount_api_entry_and_what_the_application_sees(lab, api, tmp_path):
    entries, subpath = mount_entries(api, lab, tmp_path)
    volume = entries[0]['Source']
    assert lab.run('mkdir -p /v/s /v/other && echo mine > /v/s/f && echo theirs > /v/other/x',
                   binds=['%s:/v' % volume])[0] == 0
    data, app = lab.name('dc'), lab.name('app')
    assert run_module('data_container', {'name': data, 'volumes': ['/data']})['rc'] == 0
    api.create_container(IMAGE, command=LOOP, name=app, labels={'pvtest': RUN_ID},
                         host_config=api.create_host_config(mounts=entries, binds=[lab.name('nv') + ':/n:ro']))
    api.start(app)
    targets = ['/v', '/made', '/scratch', '/shared', '/ro', '/n']
    before, seen_before = api.inspect_container(app)['HostConfig'], seen_mounts(api, app, targets)
    assert sorted(seen_before) == sorted(targets)
    listing = 'f' if subpath else 'other\ns'
    assert run_as_root(api, app, 'ls /v') == (0, listing)

    assert ok(wire(app, [data], check=True))['changed'] is True
    result = ok(wire(app, [data]))
    assert result['recreated'] is True
    after = api.inspect_container(app)['HostConfig']
    assert after['Mounts'] == before['Mounts'] and after['Binds'] == before['Binds']
    assert seen_mounts(api, app, targets) == seen_before
    assert run_as_root(api, app, 'ls /v') == (0, listing)
    # written through the application, read through another container
    assert run_as_root(api, app, 'echo new > /v/g && touch /made/t')[0] == 0
    assert lab.read('/v/%sg' % ('s/' if subpath else ''), binds=['%s:/v' % volume]) == 'new'
    made = api.inspect_volume(entries[1]['Source'])
    assert made['Labels'] == {'pvtest': RUN_ID, 'made-by': 'mount'} and made['Options']['o'] == 'size=2m'
    assert not ok(wire(app, [data]))['changed']


def test_an_anonymous_mount_api_volume_keeps_its_data(lab, api):
    """``--mount type=volume,dst=/cache`` (no source): the replacement has the very same volume there
    (its entry pinned to it by name, the rest unchanged), not a fresh empty one."""
    data, app = lab.name('dc'), lab.name('app')
    assert run_module('data_container', {'name': data, 'volumes': ['/data']})['rc'] == 0
    entry = {'Type': 'volume', 'Target': '/cache', 'VolumeOptions': {'NoCopy': True}}
    api.create_container(IMAGE, command=LOOP, name=app, labels={'pvtest': RUN_ID},
                         host_config=api.create_host_config(mounts=[entry]))
    api.start(app)
    assert run_as_root(api, app, 'echo kept > /cache/f')[0] == 0
    anonymous = [m['Name'] for m in api.inspect_container(app)['Mounts'] if m['Destination'] == '/cache']
    assert ok(wire(app, [data]))['recreated'] is True
    host = api.inspect_container(app)['HostConfig']
    assert host['Mounts'] == [dict(entry, Source=anonymous[0])]
    assert [m['Name'] for m in api.inspect_container(app)['Mounts'] if m['Destination'] == '/cache'] == anonymous
    assert run_as_root(api, app, 'cat /cache/f') == (0, 'kept')
    assert not ok(wire(app, [data]))['changed']
