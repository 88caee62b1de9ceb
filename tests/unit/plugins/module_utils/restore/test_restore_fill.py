# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filling a volume from an archive, against the declared fake: the actions of a fill, the data sent
through the engine or written directly, and what a failed or killed restore takes back."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import Access
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.engine.kind import EngineKind
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.plan.execute import execute
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import (
    ArchiveFill,
    Fill,
    add_stale,
    discard,
    stale_fills,
)
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

ENGINE = Access('engine', 'method=engine was asked')
PODMAN = {'Version': '4.3.1', 'ApiVersion': '1.41', 'Components': [{'Name': 'Podman Engine', 'Version': '4.3.1'}]}


class Receiving(FakeEngineAPI):
    """Keeps the member names of each tar the engine is given."""

    def __init__(self, **kwargs):
        super(Receiving, self).__init__(**kwargs)
        self.received = []

    def put_archive(self, container, path, data):
        with tarfile.open(fileobj=io.BytesIO(data.read())) as tar:
            self.received.append((container, path, sorted(tar.getnames())))
        return super(Receiving, self).put_archive(container, path, None)


def archive(tmp_path, roots=('data',)):
    """An archive of ``roots`` (each a directory holding ``f``), and its manifest."""
    src = str(tmp_path / 'a.tar')
    with tarfile.open(src, 'w') as tar:
        for root in roots:
            directory = tarfile.TarInfo(root)
            directory.type = tarfile.DIRTYPE
            directory.mode = 0o755
            tar.addfile(directory)
            member = tarfile.TarInfo(root + '/f')
            member.size = 2
            tar.addfile(member, io.BytesIO(b'hi'))
    return src, {'paths': [{'member': root, 'path': '/' + root} for root in roots]}


@pytest.mark.parametrize('create, kinds', [
    pytest.param(True, ['create_volume', 'create_container', 'fill_volume'], id='new-volume'),
    pytest.param(False, ['create_container', 'fill_volume'], id='existing-empty-volume'),
])
def test_a_fill_is_its_volume_its_holder_and_the_data(create, kinds):
    entry = {'member': 'data', 'path': '/data'}
    fill = Fill('v', entry, 'store', create=create)
    plan = Plan()
    ArchiveFill('/b/a.tar', {'paths': [entry]}, 'sha256:d', ENGINE).add(plan, fill)
    assert plan.kinds == kinds
    holder = plan.actions[-2]
    assert holder.args['binds'] == ['v:/data:rw'] and holder.args['labels'] == {pv_labels.TEMPORARY: 'restore'}
    assert plan.actions[-1].args == dict(holder=fill.holder, entry=entry)
    if create:
        assert plan.actions[0].args['labels'] == {pv_labels.RESTORED_FROM: 'sha256:d', pv_labels.RESTORED_PATH: '/data',
                                                  pv_labels.ANONYMOUS_FOR: 'store'}


@pytest.mark.parametrize('roots, entry, sent', [
    pytest.param(('data',), 0, ['data', 'data/f'], id='one-path-the-whole-archive'),
    pytest.param(('data', 'logs'), 1, ['logs', 'logs/f'], id='only-its-path'),
])
def test_through_the_engine_the_holder_gets_the_members_of_its_path(tmp_path, roots, entry, sent):
    src, manifest = archive(tmp_path, roots)
    api = Receiving()
    fill = Fill('v', manifest['paths'][entry], 'store')
    plan = Plan()
    filler = ArchiveFill(src, manifest, 'sha256:d', ENGINE)
    filler.add(plan, fill)
    execute(plan, api, check_mode=False, appliers=filler.appliers())
    assert api.received == [(fill.holder, '/', sent)]
    assert os.listdir(str(tmp_path)) == ['a.tar']  # the one-path copy is gone


def test_on_the_direct_path_the_volume_directory_is_written(tmp_path):
    src, manifest = archive(tmp_path)
    mountpoint = tmp_path / 'volume'
    mountpoint.mkdir()
    api = FakeEngineAPI()
    api.volumes['v'] = dict(Name='v', Driver='local', Options=None, Mountpoint=str(mountpoint))
    filler = ArchiveFill(src, manifest, 'sha256:d', Access('direct', 'auto', pid=os.getpid()))
    filler.write(api, Plan().add('fill_volume', 'v', 'test', holder='h', entry=manifest['paths'][0]))
    assert (mountpoint / 'f').read_bytes() == b'hi'
    assert 'put_archive' not in api.names() and filler.fallbacks == []


@pytest.mark.parametrize('kind, refused', [
    pytest.param(None, False, id='falls-back-to-the-engine'),
    pytest.param(EngineKind(PODMAN), True, id='refused-on-podman'),
])
def test_a_volume_that_cannot_be_written_directly(tmp_path, kind, refused):
    src, manifest = archive(tmp_path)
    api = Receiving(volumes=[dict(name='v', driver='nfs')])
    filler = ArchiveFill(src, manifest, 'sha256:d', Access('direct', 'auto', pid=os.getpid(), kind=kind))
    action = Plan().add('fill_volume', 'v', 'test', holder='h', entry=manifest['paths'][0])
    if refused:
        with pytest.raises(Refusal, match=r'^Refusing to fill volume v through the engine on Podman 4\.3\.1 .*'
                                          r'volume v uses the driver nfs, not local'):
            filler.write(api, action)
    else:
        filler.write(api, action)
        assert filler.fallbacks == ['volume v uses the driver nfs, not local']
        assert api.received == [('h', '/', ['data', 'data/f'])]


def holder_of(name, volume, labels=None, state='created'):
    return dict(name=name, mounts=[(volume, '/data')], labels=labels, state=state)


@pytest.mark.parametrize('create, users, removed', [
    pytest.param(True, [], ['pv-restore-1', 'v'], id='created-and-held-only-by-its-holder'),
    pytest.param(True, ['web'], ['pv-restore-1'], id='created-but-the-swap-reached-it'),
    pytest.param(False, [], ['pv-restore-1'], id='existed-before'),
])
def test_discard_takes_back_the_holder_and_only_the_volume_the_restore_made(create, users, removed):
    containers = [holder_of('pv-restore-1', 'v')] + [holder_of(user, 'v') for user in users]
    api = FakeEngineAPI(volumes=['v'], containers=containers)
    fill = Fill('v', {'member': 'data', 'path': '/data'}, 'store', create=create)
    fill.holder = 'pv-restore-1'
    discard(api, fill)
    assert [call[1] for call in api.calls if call[0] in ('remove_container', 'remove_volume')] == removed


def test_discard_is_best_effort():
    api = FakeEngineAPI(volumes=['v'], containers=[holder_of('pv-restore-1', 'v')])
    api.fail_next('remove_container', EngineError('gone'))
    fill = Fill('v', {'member': 'data', 'path': '/data'}, 'store')
    fill.holder = 'pv-restore-1'
    discard(api, fill)
    assert api.names()[-1] == 'remove_volume'


def test_what_a_killed_restore_left_is_found_and_taken_back():
    mine = {pv_labels.ANONYMOUS_FOR: 'store'}
    temporary = {pv_labels.TEMPORARY: 'restore'}
    api = FakeEngineAPI(volumes=[dict(name='v1', labels=mine), dict(name='v2', labels={pv_labels.ANONYMOUS_FOR: 'other'}),
                                 dict(name='v3', labels=mine)],
                        containers=[holder_of('f1', 'v1', temporary), holder_of('f2', 'v2', temporary),
                                    holder_of('f3', 'v3', temporary, state='running'), holder_of('app', 'v1')])
    stale = stale_fills(api, 'store')
    assert stale == [(api.containers[0]['Id'], ['v1'])]
    plan = Plan()
    add_stale(plan, stale, 'store')
    assert [(action.kind, action.target) for action in plan.actions] == [
        ('remove_container', stale[0][0]), ('remove_volume', 'v1')]
    assert plan.actions[1].args == {'only_if_unused': True}
