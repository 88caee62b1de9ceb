# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A restore into fresh volumes on the direct path reads the archive once: it checks the archive while
it fills them (nothing sees them before the swap) and throws them away on a mismatch. Found only at
the end - a byte changed near the end of the archive, a manifest digest that disagrees - the
mismatch leaves everything as it was: no new volume, no holder, the data container and its consumer
untouched, the old data still read through the consumer."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from conftest import IMAGE, LOOP, failed, run_module

ANONYMOUS_FOR = 'persistent.volumes.anonymous-for'
TEMPORARY = 'persistent.volumes.temporary'
SUFFIX = {'none': '.tar', 'gzip': '.tar.gz'}


def ok(result):
    assert result['rc'] == 0 and not result.get('failed'), result.get('msg') or result
    return result


def mounts(api, name):
    return dict((m['Destination'], m.get('Name') or m['Source']) for m in api.inspect_container(name)['Mounts'])


def made_for(api, owner):
    """Volumes made for ``owner`` (its anonymous volumes, and what a restore made), and temporary holders of them."""
    volumes = [v['Name'] for v in api.volumes().get('Volumes') or []
               if (v.get('Labels') or {}).get(ANONYMOUS_FOR) == owner]
    holders = [c['Id'] for c in api.containers(all=True) if (c.get('Labels') or {}).get(TEMPORARY) == 'restore'
               and set(m.get('Name') for m in c.get('Mounts') or []) & set(volumes)]
    return volumes, holders


def corrupt_near_the_end(src):
    """Change one byte of the last file's content (about 4 KiB before the end of the archive)."""
    with open(src, 'r+b') as handle:
        handle.seek(os.path.getsize(src) - 12 * 1024)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xff]))


def disagreeing_digest(src):
    path = src + '.manifest.json'
    with open(path) as handle:
        manifest = json.load(handle)
    manifest['paths'][0]['content_sha256'] = '0' * 64
    with open(path, 'w') as handle:
        json.dump(manifest, handle)


DAMAGES = {
    'archive-corrupted-at-the-end': (corrupt_near_the_end, 'does not match its manifest'),
    'manifest-digest-disagrees': (disagreeing_digest, 'the manifest says content_sha256 %s' % ('0' * 64)),
}


@pytest.fixture
def setup(lab, api, tmp_path):
    """A data container whose /data holds 'old-data', a running consumer, and a direct-path backup of
    another data container's /data (3 MiB of files, the last one written last)."""
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    code, output = lab.run('for i in 1 2 3; do head -c 1048576 /dev/urandom > /data/f$i; done; echo new > /data/zz',
                           volumes_from=[source])
    assert code == 0, output
    target = lab.name('dst')
    ok(run_module('data_container', dict(name=target, volumes=['/data'])))
    lab.write('/data/f', 'old-data', volumes_from=[target])
    app = lab.name('app')
    ok(run_module('volumes_from', {'container': app, 'from': [target], 'image': IMAGE, 'command': LOOP,
                                   'running': True}))
    return source, target, app


@pytest.mark.parametrize('compression', ['none', 'gzip'])
@pytest.mark.parametrize('damage', sorted(DAMAGES))
def test_a_mismatch_found_at_the_end_changes_nothing(lab, api, tmp_path, setup, damage, compression):
    source, target, app = setup
    src = str(tmp_path / ('b' + SUFFIX[compression]))
    ok(run_module('volume_backup', dict(container=source, dest=src, compression=compression, method='direct')))
    DAMAGES[damage][0](src)
    before = (api.inspect_container(target)['Id'], mounts(api, target), api.inspect_container(app)['Id'])
    made_before = made_for(api, target)  # the data container's own volume

    result = failed(run_module('volume_restore', dict(src=src, container=target, method='direct')),
                    DAMAGES[damage][1], 'nothing was restored' if 'corrupted' in damage else 'Nothing was restored')
    assert result.get('actions_done') == []
    assert (api.inspect_container(target)['Id'], mounts(api, target), api.inspect_container(app)['Id']) == before
    assert made_for(api, target) == made_before and made_before[1] == []
    assert api.inspect_container(app)['State']['Running']
    assert lab.read('/data/f', volumes_from=[app]) == 'old-data'

    fresh = lab.name('fresh')
    failed(run_module('volume_restore', dict(src=src, volume=fresh, method='direct')), DAMAGES[damage][1])
    assert not lab.volume_exists(fresh) and made_for(api, fresh) == ([], [])


@pytest.mark.parametrize('compression', ['none', 'gzip'])
def test_the_same_archive_undamaged_restores_in_one_pass(lab, api, tmp_path, setup, compression):
    """The control: undamaged, the same archive restores, and the consumer reads the restored data."""
    source, target, app = setup
    src = str(tmp_path / ('b' + SUFFIX[compression]))
    ok(run_module('volume_backup', dict(container=source, dest=src, compression=compression, method='direct')))
    result = ok(run_module('volume_restore', dict(src=src, container=target, method='direct')))
    assert result['changed'] is True and result['method'] == 'direct'
    assert lab.read('/data/zz', volumes_from=[app]) == 'new'
    again = ok(run_module('volume_restore', dict(src=src, container=target, method='direct')))
    assert again['changed'] is False
