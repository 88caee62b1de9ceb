# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A backup's plan (backup/planner.py): the writes it takes, as a table of what was observed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.source import (
    BackupSource,
    SourceItem,
    TemporaryReader,
)
from ansible_collections.persistent.volumes.plugins.module_utils.backup.planner import plan_backup, unchanged
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import TEMPORARY
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

WRITE = 'write /b/v.tar (mode 0600, through a temporary file beside it) and its manifest'


class Target(object):
    path = '/b/v.tar'
    keep = None

    def describe(self):
        return WRITE


class Spec(object):
    def __init__(self, force=False, compression='gzip', encrypt_to=None):
        self.force = force
        self.compression = compression
        self.encrypt_to = encrypt_to


class API(FakeEngineAPI):
    """Stale readers (container IDs) and whether the default image is there."""

    def __init__(self, stale=(), image=True):
        super(API, self).__init__()
        self.stale = list(stale)
        self.image = image
        self.filters = []

    def list_containers(self, filters=None):
        self.filters.append(filters)
        return [{'Id': container, 'State': 'created'} for container in self.stale]

    def inspect_image(self, reference):
        return {'Id': 'sha256:' + '1' * 64} if self.image else None


def volume_source():
    item = SourceItem('/volume', '/volume', 'v', {'Name': 'v'})
    return BackupSource(None, [item], temporary=True, label={'volume': 'v'})


@pytest.mark.parametrize('stale, image, kinds', [
    pytest.param(None, True, ['write_archive'], id='read-through-a-holder-or-directly'),
    pytest.param([], True, ['create_container', 'write_archive', 'remove_container'], id='temporary-reader'),
    pytest.param(['old'], False, ['remove_container', 'build_data_image', 'create_container', 'write_archive',
                                  'remove_container'], id='stale-reader-and-no-image'),
])
def test_plan_backup(stale, image, kinds):
    api = API(stale or (), image)
    reader = TemporaryReader(api, volume_source()) if stale is not None else None
    plan = plan_backup(Spec(), volume_source(), Target(), reader)
    assert plan.kinds == kinds
    write = plan.actions[kinds.index('write_archive')]
    assert write.describe() == WRITE and write.args['destination'].path == '/b/v.tar'
    if reader is None:
        return
    assert api.filters[0] == {'label': TEMPORARY + '=backup', 'volume': 'v'}
    create = plan.actions[kinds.index('create_container')]
    assert create.describe() == 'create a temporary container (never started) mounting volume v read-only'
    assert create.args['binds'] == ['v:/volume:ro'] and create.args['labels'] == {TEMPORARY: 'backup'}
    assert write.args['source'].container == create.target == plan.actions[-1].target
    assert create.target.startswith('pv-backup-')


ENCRYPTED = dict(compression='gzip', content_scheme=2, content_sha256='a')


@pytest.mark.parametrize('previous, digests, spec, same', [
    (None, {2: 'a'}, Spec(), False),
    (dict(compression='gzip', content_scheme=2, content_sha256='a'), {2: 'a'}, Spec(), True),
    (dict(compression='gzip', content_scheme=2, content_sha256='a'), {2: 'a'}, Spec(force=True), False),
    (dict(compression='xz', content_scheme=2, content_sha256='a'), {2: 'a'}, Spec(), False),
    (dict(compression='gzip', content_scheme=2, content_sha256='a'), {2: 'b'}, Spec(), False),
    (dict(compression='gzip', content_sha256='c'), {1: 'c', 2: 'a'}, Spec(), True),
    (dict(ENCRYPTED, encryption=dict(recipients=['r2', 'r1'])), {2: 'a'}, Spec(encrypt_to=['r1', 'r2']), True),
    (dict(ENCRYPTED, encryption=dict(recipients=['r1'])), {2: 'a'}, Spec(encrypt_to=['r1', 'r2']), False),
    (dict(ENCRYPTED, encryption=dict(recipients=['r1'])), {2: 'a'}, Spec(), False),
    (ENCRYPTED, {2: 'a'}, Spec(encrypt_to=['r1']), False),
], ids=['no-earlier-archive', 'same', 'forced', 'other-compression', 'other-data', 'scheme-1-manifest',
        'encrypted-same-recipients-any-order', 'encrypted-to-fewer', 'encrypted-now-in-clear', 'clear-now-encrypted'])
def test_unchanged(previous, digests, spec, same):
    assert unchanged(previous, digests, spec) is same
