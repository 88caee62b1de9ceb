# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole backup -> damage -> restore -> read-back cycle, on whichever engine the suite runs
against (make system: Docker; make system-podman: Podman), and what an engine cannot do faithfully
refused by name: a restore that restored nothing never reports "nothing to do"."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from conftest import IMAGE, LOOP, failed, run_module, sh


def ok(result):
    assert result['rc'] == 0 and not result.get('failed'), result
    return result


def is_podman(api):
    return any(c.get('Name') == 'Podman Engine' for c in api.version().get('Components') or [])


def podman_only(api):
    if not is_podman(api):
        pytest.skip('a refusal of Podman; this engine is Docker')


@pytest.fixture
def app(lab, api):
    """A data container and a running consumer wired to it, with 'good' in /datastore/f."""
    data, consumer = lab.name('dc'), lab.name('app')
    ok(run_module('data_container', dict(name=data, volumes=['/datastore'])))
    ok(run_module('volumes_from', {'container': consumer, 'from': [data], 'image': IMAGE,
                                   'command': LOOP, 'running': True}))
    assert sh(api, consumer, 'echo good > /datastore/f && cat /datastore/f') == (0, 'good')
    return data, consumer


def test_backup_damage_restore_through_a_data_container_with_a_running_consumer(app, api, tmp_path):
    data, consumer = app
    dest = str(tmp_path / 'pod.tar')
    backup = ok(run_module('volume_backup', dict(container=data, dest=dest)))
    manifest = json.load(open(dest + '.manifest.json'))
    assert manifest['files'] == 1 and manifest['paths'][0]['entries'] == 2, manifest  # not an empty archive
    assert sh(api, consumer, 'echo broken > /datastore/f') == (0, '')

    check = ok(run_module('volume_restore', dict(container=data, src=dest), check=True))
    assert check['changed'] and check['restored'] == ['/datastore'] and check['consumers'] == [consumer], check
    restored = ok(run_module('volume_restore', dict(container=data, src=dest)))
    assert restored['changed'] and restored['restored'] == ['/datastore'], restored
    assert restored['consumers'] == [consumer] and restored['method'] == backup['method'], restored
    assert sh(api, consumer, 'cat /datastore/f') == (0, 'good')
    assert api.inspect_container(consumer)['State']['Running']

    again = ok(run_module('volume_restore', dict(container=data, src=dest)))
    assert not again['changed'] and again['restored'] == [] and not again.get('actions'), again
    assert sh(api, consumer, 'cat /datastore/f') == (0, 'good')


def test_a_restore_is_not_fooled_by_an_equal_looking_volume(app, api, tmp_path):
    """Damage that keeps sizes and names (same length, same file): only the digest tells."""
    data, consumer = app
    dest = str(tmp_path / 'same.tar')
    ok(run_module('volume_backup', dict(container=data, dest=dest)))
    assert sh(api, consumer, 'echo evil > /datastore/f') == (0, '')
    restored = ok(run_module('volume_restore', dict(container=data, src=dest)))
    assert restored['changed'] and restored['restored'] == ['/datastore'], restored
    assert sh(api, consumer, 'cat /datastore/f') == (0, 'good')


def test_backup_damage_restore_into_a_volume(lab, api, tmp_path):
    volume, writer = lab.name('vol'), lab.name('writer')
    ok(run_module('volume', dict(name=volume)))
    lab.container(writer, binds=['%s:/data' % volume], start=True)
    assert sh(api, writer, 'mkdir -p /data/sub && echo good > /data/sub/f') == (0, '')
    dest = str(tmp_path / 'vol.tar')
    ok(run_module('volume_backup', dict(volume=volume, dest=dest)))
    api.remove_container(writer, force=True)

    fresh = lab.name('fresh')
    restored = ok(run_module('volume_restore', dict(volume=fresh, src=dest)))
    assert restored['changed'] and restored['restored'] == ['/volume'], restored
    assert lab.read('/data/sub/f', binds=['%s:/data' % fresh]) == 'good'
    assert not ok(run_module('volume_restore', dict(volume=fresh, src=dest)))['changed']

    # Damaged: restored in place, what it held kept in a volume of its own.
    lab.write('/data/sub/f', 'broken', binds=['%s:/data' % fresh])
    again = ok(run_module('volume_restore', dict(volume=fresh, src=dest)))
    assert again['changed'] and [item['path'] for item in again['previous_volumes']] == ['/volume'], again
    assert lab.read('/data/sub/f', binds=['%s:/data' % fresh]) == 'good'
    previous = again['previous_volumes'][0]['volume']
    assert lab.read('/data/sub/f', binds=['%s:/data' % previous]) == 'broken'
    assert not ok(run_module('volume_restore', dict(volume=fresh, src=dest)))['changed']
    for name in (fresh, previous):
        api.remove_volume(name)


def test_the_engine_path_is_refused_on_podman(app, api, tmp_path):
    podman_only(api)
    data, dummy = app
    version = api.version()['Version']
    dest = str(tmp_path / 'engine.tar')
    for check in (True, False):
        refused = failed(run_module('volume_backup', dict(container=data, dest=dest, method='engine'), check=check),
                         'Refusing to read or write volume data through the engine on Podman %s (API ' % version,
                         'reads every owner and group', 'method=engine was asked')
    assert not os.path.exists(dest) and refused['msg'].endswith('nothing was changed.')
    ok(run_module('volume_backup', dict(container=data, dest=dest)))
    failed(run_module('volume_restore', dict(container=data, src=dest, method='engine')),
           'through the engine on Podman %s' % version)


def test_owner_group_mode_are_refused_on_podman(lab, api):
    podman_only(api)
    name = lab.name('owned')
    for check in (True, False):
        refused = failed(run_module('data_container', dict(name=name, volumes=[
            {'path': '/data', 'owner': 1000, 'mode': '0750'}]), check=check),
            'Refusing to set owner/group/mode of /data through the engine on Podman', 'Leave owner, group and mode')
        assert 'nothing was changed' in refused['msg']
    assert api.containers(all=True, filters={'name': name}) == []


def test_the_data_only_image_is_found_by_the_name_it_was_built_with(lab, api):
    """Podman ignores the tag parameter of an import: the image must still be persistent-volumes/data-only:1."""
    name = lab.name('img')
    ok(run_module('data_container', dict(name=name, volumes=['/d'])))
    image = api.inspect_image('persistent-volumes/data-only:1')
    assert any(tag.endswith('persistent-volumes/data-only:1') for tag in image['RepoTags']), image['RepoTags']


def test_engine_info_names_the_engine(api):
    version = api.version()
    result = ok(run_module('engine_info', {}))
    assert result['engine']['Version'] == version['Version'] and not result['changed']
    assert result['engine']['ApiVersion'] == version['ApiVersion']
