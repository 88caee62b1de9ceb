# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The volumes a leftover replacement made for itself.

A run that loses a race (or crashes) leaves a replacement ``<name>.pv-*`` with fresh
volumes for the paths it added; the next run removes the replacement. Its fresh volumes
go too, but only when nothing else holds them and they are empty: one that somebody
wrote into is kept and reported, and its file is read back through another container.
The race itself is in test_concurrency.py
(test_a_recreation_that_loses_the_race_leaves_no_empty_volume).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import json
import os

import pytest

from conftest import IMAGE
from test_data_container import ANONYMOUS_FOR, dc, family, mounts

DATA_CONTAINER = 'persistent.volumes.data-container'
REPLACES = 'persistent.volumes.replaces'
OWNED = 'persistent.volumes.owned-volumes'


@pytest.fixture
def main_lab(lab):
    """conftest's lab on the main engine (its clean-up takes every volume these tests' containers mounted)."""
    return lab


TIDY_ALL_HELD = True


def removed_volumes(result):
    return [action for action in result['actions'] if action.startswith('remove volume')]


def make_leftover(lab, api, name, content):
    """A replacement of ``name`` as a run that died before the swap leaves it: the data
    container's volumes plus a fresh one of its own at /extra (with ``content`` written in
    through the leftover, or empty)."""
    fresh = binascii.hexlify(os.urandom(32)).decode('ascii')
    api.create_volume(fresh, labels={ANONYMOUS_FOR: name})
    datastore = mounts(api, name)['/datastore']
    leftover = name + '.pv-0ff1ce'
    host_config = api.create_host_config(binds=['%s:/datastore:rw' % datastore, '%s:/extra:rw' % fresh])
    api.create_container(IMAGE, command=['true'], name=leftover, host_config=host_config,
                         labels={DATA_CONTAINER: 'true', REPLACES: name, OWNED: json.dumps(sorted([datastore, fresh]))})
    if content:
        lab.write('/extra/f', content, volumes_from=[leftover])
    return leftover, fresh


@pytest.mark.parametrize('content', [None, 'unreached-but-kept'], ids=['empty', 'written-into'])
def test_a_leftover_is_removed_and_its_volume_only_when_empty(main_lab, api, content):
    lab = main_lab
    name = lab.name('dc')
    args = dict(name=name, volumes=['/datastore'])
    assert dc(args)['changed'] is True
    lab.write('/datastore/f', 'kept', volumes_from=[name])
    leftover, fresh = make_leftover(lab, api, name, content)

    predicted = dc(args, check=True, diff=True)
    assert predicted['changed'] is True
    assert [a.split(':')[0] for a in predicted['actions']] == ['remove container %s' % leftover] + (
        [] if content else ['remove volume %s' % fresh])
    assert family(api, name) == sorted([name, leftover]) and lab.volume_exists(fresh)

    result = dc(args, diff=True)
    assert result['changed'] is True and result['actions'] == predicted['actions']
    assert family(api, name) == [name]
    assert lab.read('/datastore/f', volumes_from=[name]) == 'kept'
    released = [(r['path'], r['volume']) for r in result['released_volumes']]
    if content:
        assert lab.volume_exists(fresh) and released == [('/extra', fresh)]
        assert lab.read('/x/f', binds=['%s:/x' % fresh]) == content
    else:
        assert not lab.volume_exists(fresh) and released == []
    assert dc(args)['changed'] is False


def test_a_leftover_volume_another_container_uses_is_kept(main_lab, api):
    lab = main_lab
    name = lab.name('dc')
    args = dict(name=name, volumes=['/datastore'])
    assert dc(args)['changed'] is True
    leftover, fresh = make_leftover(lab, api, name, None)
    lab.container(lab.name('user'), binds=['%s:/mine' % fresh])
    result = dc(args)
    assert result['changed'] is True and removed_volumes(result) == []
    assert family(api, name) == [name] and lab.volume_exists(fresh)
