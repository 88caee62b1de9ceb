# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.data_container.planner import NEW_ANONYMOUS
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DataContainerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE, ImageChoice
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import (
    ANONYMOUS_FOR,
    DATA_CONTAINER,
    OWNED,
    REPLACES,
)
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import ANONYMOUS

A, B, C = 'a' * 64, 'b' * 64, 'c' * 64          # anonymous volumes on the engine
N1, N2 = '%064x' % 1, '%064x' % 2               # the names new_volume_name hands out
NAME = 'store'                                  # the data container
R = NAME + '.pv-000001'                               # this run's replacement
L, L0 = NAME + '.pv-aaaaaa', NAME + '.pv-bbbbbb'            # leftovers of interrupted runs (L0 older)
IMG_VOL = {'Id': 'sha256:' + '2' * 64, 'Config': {'Volumes': {'/var/lib/app': {}}}}
WITH_VOLUME = ImageChoice('app:1', IMG_VOL)
BUILD = ImageChoice(DEFAULT_IMAGE, None, 'build_data_image')
PULL = ImageChoice('app:1', None, 'pull_image')


def dc(mounts, owned=None, labels=None, **kwargs):
    """``raw_inspect`` keywords of a data container made by the collection."""
    all_labels = {DATA_CONTAINER: 'true'}
    if owned is not None:
        all_labels[OWNED] = json.dumps(sorted(owned))
    all_labels.update(labels or {})
    return dict(kwargs, mounts=mounts, labels=all_labels)


def leftover(mounts, name=L, created='2024-05-02T10:00:00Z', **kwargs):
    return dc(mounts, labels={REPLACES: NAME}, name=name, created=created, **kwargs)


def swap(*targets):
    """The recreation sequence: create the replacement, remove the old ones, rename."""
    return [('create_container', R)] + [('remove_container', t) for t in targets] + [('rename_container', R)]


PRESENT = [
    # spec, holder, leftovers, image, actions, binds of create_container, released (path, volume, was_in)
    pytest.param({'volumes': ['/data']}, None, [], None, [('create_volume', N1), ('create_container', NAME)],
                 [N1 + ':/data:rw'], [], id='missing'),
    pytest.param({'volumes': ['/data']}, None, [], BUILD,
                 [('build_data_image', DEFAULT_IMAGE), ('create_volume', N1), ('create_container', NAME)],
                 [N1 + ':/data:rw'], [], id='missing-build-image'),
    pytest.param({'volumes': ['/data'], 'image': 'app:1'}, None, [], PULL,
                 [('pull_image', 'app:1'), ('create_volume', N1), ('create_container', NAME)], [N1 + ':/data:rw'], [],
                 id='missing-pull-image'),
    pytest.param({'volumes': ['/srv/x:/x:ro', 'dbvol:/db']}, None, [], None, [('create_container', NAME)],
                 ['dbvol:/db:rw', '/srv/x:/x:ro'], [], id='missing-named-and-bind'),
    pytest.param({'image': 'app:1'}, None, [], WITH_VOLUME, [('create_volume', N1), ('create_container', NAME)],
                 [N1 + ':/var/lib/app:rw'], [], id='missing-image-volume'),
    pytest.param({'volumes': ['/data']}, dc([(A, '/data')]), [], None, [], None, [], id='same'),
    pytest.param({'volumes': ['/data', 'dbvol:/db:ro', '/srv/x:/x']},
                 dc([('dbvol', '/db', 'ro'), ('/srv/x', '/x'), (A, '/data')]), [], None, [], None, [], id='same-mixed'),
    pytest.param({'image': 'app:1'}, dc([(A, '/var/lib/app')], image_id=IMG_VOL['Id']), [], WITH_VOLUME, [], None, [],
                 id='same-image-volume'),
    pytest.param({'image': 'app:1', 'volumes': ['/var/lib/app']}, dc([(A, '/var/lib/app')], image_id=IMG_VOL['Id']),
                 [], WITH_VOLUME, [], None, [], id='same-image-volume-listed'),
    pytest.param({'image': 'app:1', 'volumes': ['/data']}, dc([(A, '/var/lib/app')], image_id=IMG_VOL['Id']), [],
                 WITH_VOLUME, [('create_volume', N1)] + swap(NAME), [N1 + ':/data:rw', A + ':/var/lib/app:rw'], [],
                 id='image-volume-re-attached'),
    pytest.param({'volumes': ['/data', '/logs']}, dc([(A, '/data')]), [], None, [('create_volume', N1)] + swap(NAME),
                 [A + ':/data:rw', N1 + ':/logs:rw'], [], id='add-path'),
    pytest.param({'volumes': ['/data'], 'release_volumes': True}, dc([(A, '/data'), (B, '/logs')]), [], None,
                 swap(NAME), [A + ':/data:rw'], [('/logs', B, NAME)], id='drop-path'),
    pytest.param({'volumes': ['/b', '/a']}, dc([(A, '/a'), (B, '/b')]), [], None, [], None, [], id='reorder'),
    pytest.param({'volumes': [{'path': '/data', 'read_only': True}]}, dc([(A, '/data')]), [], None, swap(NAME),
                 [A + ':/data:ro'], [], id='read-only-keeps-volume'),
    pytest.param({'volumes': ['dbvol:/data'], 'release_volumes': True}, dc([(A, '/data')]), [], None, swap(NAME),
                 ['dbvol:/data:rw'], [('/data', A, NAME)], id='named-source-replaces-anonymous'),
    pytest.param({'volumes': ['newvol:/data'], 'release_volumes': True}, dc([('dbvol', '/data')]), [], None,
                 swap(NAME), ['newvol:/data:rw'], [('/data', 'dbvol', NAME)], id='named-source-changed'),
    pytest.param({'volumes': ['/data']}, dc([('dbvol', '/data')]), [], None, [], None, [],
                 id='anonymous-path-keeps-named-volume'),
    pytest.param({'volumes': ['/data']}, dc([('/srv/x', '/data')]), [], None, [('create_volume', N1)] + swap(NAME),
                 [N1 + ':/data:rw'], [], id='bind-becomes-volume'),
    pytest.param({'volumes': ['/srv/x:/data'], 'release_volumes': True}, dc([(A, '/data')]), [], None, swap(NAME),
                 ['/srv/x:/data:rw'], [('/data', A, NAME)], id='volume-becomes-bind'),
    pytest.param({'volumes': ['/data'], 'labels': {'tier': 'web'}}, dc([(A, '/data')], labels={'tier': 'db'}), [], None,
                 swap(NAME), [A + ':/data:rw'], [], id='labels-changed'),
    pytest.param({'volumes': ['/data'], 'labels': {'tier': 'db'}}, dc([(A, '/data')]), [], None, swap(NAME),
                 [A + ':/data:rw'], [], id='labels-added'),
    pytest.param({'volumes': ['/data']}, dc([(A, '/data')], labels={'tier': 'db'}), [], None, [], None, [],
                 id='labels-omitted'),
    pytest.param({'volumes': ['/data'], 'labels': {'tier': 'db'}}, dc([(A, '/data')], labels={'tier': 'db', 'x': '1'}),
                 [], None, [], None, [], id='labels-subset'),
    pytest.param({'volumes': ['/data']}, dc([(A, '/data')], image_id='sha256:' + '3' * 64), [], None, swap(NAME),
                 [A + ':/data:rw'], [], id='image-changed'),
    pytest.param({'volumes': ['/data']}, dc([(A, '/data')]), [], BUILD, [('build_data_image', DEFAULT_IMAGE)] + swap(NAME),
                 [A + ':/data:rw'], [], id='image-to-build-again'),
    pytest.param({'volumes': [{'path': '/data', 'owner': 1000, 'mode': '0750'}]}, dc([(A, '/data')]), [], None,
                 [('set_root_attributes', NAME)], None, [], id='owner-mode-differ'),
    pytest.param({'volumes': [{'path': '/data', 'owner': 1000, 'mode': '0750', 'source': 'dbvol'}]},
                 dc([('dbvol', '/data')]), [], None, [('set_root_attributes', NAME)], None, [], id='owner-on-named'),
    pytest.param({'volumes': [{'path': '/data', 'owner': 1000}]}, None, [], None,
                 [('create_volume', N1), ('create_container', NAME), ('set_root_attributes', NAME)], [N1 + ':/data:rw'], [],
                 id='owner-on-new-volume'),
    pytest.param({'volumes': [{'path': '/data', 'mode': 0o700}, '/logs']}, dc([(A, '/data')]), [], None,
                 [('create_volume', N1), ('create_container', R), ('set_root_attributes', R), ('remove_container', NAME),
                  ('rename_container', R)], [A + ':/data:rw', N1 + ':/logs:rw'], [], id='owner-on-recreate'),
    pytest.param({'volumes': ['/data']}, dc([(A, '/data')]), [leftover([(A, '/data'), (B, '/logs')])], None,
                 [('remove_container', L)], None, [('/logs', B, L)], id='leftover-holder-matches'),
    pytest.param({'volumes': ['/data']}, None, [leftover([(A, '/data')])], None, [('rename_container', L)], None, [],
                 id='leftover-matches-holder-missing'),
    pytest.param({'volumes': ['/data', '/logs']}, None, [leftover([(A, '/data')])], None,
                 [('create_volume', N1)] + swap(L), [A + ':/data:rw', N1 + ':/logs:rw'], [],
                 id='leftover-differs-holder-missing'),
    pytest.param({'volumes': ['/data', '/logs']}, dc([(A, '/data')]), [leftover([(A, '/data'), (B, '/logs')])], None,
                 swap(L, NAME), [A + ':/data:rw', B + ':/logs:rw'], [], id='leftover-holds-the-added-volume'),
    pytest.param({'volumes': ['/data']}, None,
                 [leftover([(A, '/data'), (C, '/tmp')], name=L0, created='2024-05-01T11:00:00Z'), leftover([(A, '/data')])],
                 None, [('remove_container', L0), ('rename_container', L)], None, [('/tmp', C, L0)],
                 id='two-leftovers-newest-matches'),
    pytest.param({'volumes': ['/srv/x:/data']}, dc([('/srv/x', '/data')]), [leftover([(A, '/data')], owned=[A])], None,
                 [('remove_container', L)], None, [('/data', A, L)], id='leftover-volume-shadowed-by-holder-bind'),
]


def run(data_planner, spec, holder=None, leftovers=(), image=None, **kwargs):
    planner = data_planner(DataContainerSpec(NAME, **spec), holder, leftovers, image, **kwargs)
    return planner, planner.plan()


def create_of(plan):
    creates = [a for a in plan.actions if a.kind == 'create_container']
    assert len(creates) <= 1
    return creates[0] if creates else None


@pytest.mark.parametrize('spec, holder, leftovers, image, actions, binds, released', PRESENT)
def test_present(data_planner, spec, holder, leftovers, image, actions, binds, released):
    dummy, plan = run(data_planner, spec, holder, leftovers, image)
    assert [(a.kind, a.target) for a in plan.actions] == actions
    create = create_of(plan)
    assert (create.args['binds'] if create else None) == binds
    assert [(r['path'], r['volume'], r['was_in']) for r in plan.released] == released
    renames = [a for a in plan.actions if a.kind == 'rename_container']
    assert [a.args['new_name'] for a in renames] == [NAME] * len(renames)
    assert plan.warnings == []


def volumes_of(raw):
    return dict((m['Destination'], m['Name']) for m in raw['Mounts'] if m['Type'] == 'volume')


def bound(binds):
    return dict(b.split(':')[1::-1] for b in binds if not b.startswith('/'))


@pytest.mark.parametrize('spec, holder, leftovers, image, actions, binds, released', PRESENT)
def test_present_never_loses_a_volume(data_planner, spec, holder, leftovers, image, actions, binds, released):
    planner, plan = run(data_planner, spec, holder, leftovers, image)
    assert 'remove_volume' not in plan.kinds
    wanted = set(w.origin for w in plan.wanted if w.type == 'volume')
    held = dict((name, volumes_of(raw)) for name, raw in planner.raws.items())
    removed_volumes = set()
    removed_names = set(a.target for a in plan.actions if a.kind == 'remove_container')
    for action in plan.actions:
        if action.kind == 'create_container':
            held[action.target] = bound(action.args['binds'])
        elif action.kind == 'rename_container':
            held[action.args['new_name']] = held.pop(action.target)
        elif action.kind == 'remove_container':
            gone = set(held.pop(action.target).values())
            survivors = [set(vols.values()) for name, vols in held.items() if name not in removed_names]
            assert any(gone & wanted <= vols for vols in survivors), (action.target, gone & wanted)
            removed_volumes |= gone
    assert set(held[NAME].values()) == wanted
    lost = removed_volumes - set().union(*[set(vols.values()) for vols in held.values()])
    assert lost <= set(r['volume'] for r in plan.released)
    # An anonymous path (listed, or an image VOLUME) keeps the very volume it had.
    listed = dict((m.target, m) for m in planner.spec.mounts)
    anonymous = set(p for p, m in listed.items() if m.kind == ANONYMOUS) | (set(planner.image.volume_paths) - set(listed))
    current = planner.holder or (planner.leftovers[-1] if planner.leftovers else None)
    for path in anonymous:
        had = current.mounts.get(path) if current else None
        if had is not None and had.type == 'volume':
            assert held[NAME][path] == had.name, path
    assert not [r for r in plan.released if r['path'] in anonymous]


def test_new_anonymous_volume_is_created_and_owned(data_planner):
    dummy, plan = run(data_planner, {'volumes': ['/data'], 'labels': {'tier': 'db'}})
    assert plan.actions[0].args == dict(driver='local', driver_options={}, labels={ANONYMOUS_FOR: NAME})
    assert plan.actions[1].args['labels'] == {'tier': 'db', DATA_CONTAINER: 'true', OWNED: json.dumps([N1])}
    assert plan.actions[1].args['image'] == DEFAULT_IMAGE
    assert plan.recreated is False
    assert plan.diff() == dict(before={'state': 'absent'}, after=dict(
        state='present', name=NAME, image=DEFAULT_IMAGE, labels={'tier': 'db'}, volumes={'/data': NEW_ANONYMOUS}))


@pytest.mark.parametrize('holder, spec, owned', [
    pytest.param(dc([(A, '/data'), ('dbvol', '/db')], owned=[A]), ['/data', 'dbvol:/db', '/logs'], [N1, A],
                 id='label-carried-plus-new'),
    pytest.param(dc([(A, '/data'), (B, '/logs')], owned=[A, B]), ['/data'], [A], id='released-leaves-the-label'),
    pytest.param(dict(mounts=[(A, '/datastore')], image_ref='ubuntu', image_id='sha256:' + '9' * 64),
                 ['/datastore'], [A], id='founding-document-container-fallback'),
    pytest.param(dc([('dbvol', '/data')], owned=[]), ['/data', '/logs'], [N1], id='named-never-owned'),
])
def test_owned_label_carries_anonymous_volumes(data_planner, holder, spec, owned):
    dummy, plan = run(data_planner, {'volumes': spec, 'release_volumes': True}, holder)
    labels = create_of(plan).args['labels']
    assert json.loads(labels[OWNED]) == owned
    assert (labels[DATA_CONTAINER], labels[REPLACES]) == ('true', NAME)
    assert plan.recreated is True


def test_recreate_keeps_user_labels_when_labels_are_omitted(data_planner):
    dummy, plan = run(data_planner, {'volumes': ['/data', '/logs']}, dc([(A, '/data')], labels={'tier': 'db'}))
    assert create_of(plan).args['labels']['tier'] == 'db'
    assert plan.diff()['after']['labels'] == {'tier': 'db'}
    assert plan.describe()[1] == 'create container %s: recreate: volumes changed' % R


def test_recreate_reasons(data_planner):
    holder = dc([(A, '/data')], labels={'tier': 'db'}, image_id='sha256:' + '3' * 64)
    dummy, plan = run(data_planner, {'volumes': ['/data', '/logs'], 'labels': {'tier': 'web'}}, holder)
    assert create_of(plan).reason == 'recreate: image changed, volumes changed, labels changed'


def test_same_has_equal_before_and_after(data_planner):
    dummy, plan = run(data_planner, {'volumes': ['/data']}, dc([(A, '/data')], labels={'tier': 'db'}))
    assert plan.diff()['before'] == plan.diff()['after'] == dict(
        state='present', name=NAME, image='persistent-volumes/data-only:1', labels={'tier': 'db'}, volumes={'/data': A})
    assert plan.recreated is False and not plan.changed


def test_root_attributes_are_read_from_the_holder_and_set_as_asked(data_planner):
    spec = {'volumes': [{'path': '/data', 'owner': 1000, 'mode': '0750'}]}
    planner, plan = run(data_planner, spec, dc([(A, '/data')]), roots={'/data': (0, 0, 0o755)})
    assert planner.read_root.calls == [(NAME, '/data')]
    assert plan.actions[0].args == dict(path='/data', owner=1000, group=None, mode=0o750) and not plan.recreated
    assert run(data_planner, spec, dc([(A, '/data')]), roots={'/data': (1000, 5, 0o750)})[1].actions == []


def test_nothing_to_mount_is_refused(data_planner):
    with pytest.raises(InputError) as caught:
        run(data_planner, {})
    assert caught.value.msg == ('data container store: volumes is empty and image persistent-volumes/data-only:1 declares '
                                'no VOLUME; list at least one path.')


@pytest.mark.parametrize('volumes', [['/etc/app'], []], ids=['listed-other-path', 'nothing-listed'])
def test_upgrade_to_an_image_still_to_pull_keeps_its_volume_volumes(data_planner, volumes):
    holder = dc([(A, '/var/lib/app'), (B, '/etc/app')], image_id=IMG_VOL['Id'], image_ref='app:1')
    dummy, plan = run(data_planner, {'volumes': volumes, 'image': 'app:2', 'release_volumes': True}, holder,
                      image=ImageChoice('app:2', None, 'pull_image', fallback_paths=['/var/lib/app']))
    assert A + ':/var/lib/app:rw' in create_of(plan).args['binds']
    assert A not in [entry['volume'] for entry in plan.released]


APP = dict(name='app', mounts=[(A, '/data')])                                # wired with --volumes-from
BACKUP = dict(name='backup', mounts=[(A, '/backup/data', 'ro')], state='exited')   # mounts the volume itself
TAIL = dict(name='tail', mounts=[(B, '/logs', 'ro')])


@pytest.mark.parametrize('spec, holder, leftovers, others, actions, warnings', [
    pytest.param({}, None, [], [], [], [], id='missing'),
    pytest.param({}, dc([(A, '/data')]), [], [], [('remove_container', NAME)], [], id='unused'),
    pytest.param({}, dc([(A, '/data')]), [leftover([(A, '/data')])], [],
                 [('remove_container', L), ('remove_container', NAME)], [], id='with-leftover'),
    pytest.param({'remove_volumes': True}, dc([(A, '/data'), ('dbvol', '/db')], owned=[A]), [], [],
                 [('remove_container', NAME), ('remove_volume', A)], [], id='remove-owned-not-named'),
    pytest.param({'remove_volumes': True}, dict(mounts=[(B, '/b'), (A, '/a'), ('dbvol', '/db'), ('/srv/x', '/x')]), [],
                 [], [('remove_container', NAME), ('remove_volume', A), ('remove_volume', B)], [],
                 id='remove-anonymous-without-label'),
    pytest.param({'remove_volumes': True}, dc([('dbvol', '/db')], owned=[]), [], [], [('remove_container', NAME)], [],
                 id='remove-volumes-named-only'),
    pytest.param({'force': True}, dc([(A, '/data')], owned=[A]), [], [APP, BACKUP], [('remove_container', NAME)], [],
                 id='force-leaves-volumes-to-consumers'),
    pytest.param({'force': True, 'remove_volumes': True}, dc([(A, '/data'), (B, '/logs')], owned=[A, B]), [],
                 [APP], [('remove_container', NAME), ('remove_volume', B)],
                 ['Volume %s of %s was kept: other containers still use it.' % (A, NAME)], id='force-remove-unused-only'),
    pytest.param({'remove_volumes': True}, dc([(A, '/data')], owned=[A]), [leftover([(A, '/data')], owned=[A])], [],
                 [('remove_container', L), ('remove_container', NAME), ('remove_volume', A)], [],
                 id='shared-with-leftover-removed-once'),
])
def test_absent(data_planner, spec, holder, leftovers, others, actions, warnings):
    planner, plan = run(data_planner, dict(spec, state='absent'), holder, leftovers, others=others,
                        volumes_from={'app': [NAME]})
    assert [(a.kind, a.target) for a in plan.actions] == actions
    assert plan.warnings == warnings
    removed = [a.target for a in plan.actions if a.kind == 'remove_volume']
    assert len(removed) == len(set(removed))
    named = set(m['Name'] for raw in planner.raws.values() for m in raw['Mounts']
                if m['Type'] == 'volume' and len(m['Name']) != 64)
    assert not named & set(removed)
    used = set(m[0] for c in others for m in c['mounts'])
    assert not used & set(removed)
    assert plan.diff()['after'] == {'state': 'absent'} and plan.released == [] and plan.recreated is False


@pytest.mark.parametrize('spec, holder, leftovers, others, message, consumers', [
    pytest.param({}, dc([(A, '/data')]), [], [APP],
                 "Refusing to remove data container 'store': 1 other container uses its volumes: app (through "
                 '--volumes-from at /data, read-write). Remove or re-wire them first, or set force=true to remove the '
                 'container and leave the volumes to them; nothing was changed.',
                 [dict(container='app', destination='/data', read_only=False, via='volumes_from')], id='volumes-from'),
    pytest.param({}, dc([(A, '/data')]), [], [BACKUP],
                 "1 other container uses its volumes: backup (mounted at /backup/data, read-only).",
                 [dict(container='backup', destination='/backup/data', read_only=True, via='mount')], id='mount-ro'),
    pytest.param({'remove_volumes': True}, dc([(A, '/data')]), [], [BACKUP, APP],
                 "2 other containers use its volumes: app (through --volumes-from at /data, read-write), backup "
                 '(mounted at /backup/data, read-only).', None, id='both-and-remove-volumes'),
    pytest.param({}, dc([(A, '/data')]), [leftover([(A, '/data'), (B, '/logs')])], [TAIL],
                 '1 other container uses its volumes: tail (mounted at /logs, read-only).', None, id='leftover-volume'),
])
def test_absent_refuses_while_used(data_planner, spec, holder, leftovers, others, message, consumers):
    planner = data_planner(DataContainerSpec(NAME, state='absent', **spec), holder, leftovers, others=others,
                           volumes_from={'app': [NAME]})
    with pytest.raises(Refusal) as caught:
        planner.plan()
    assert message in caught.value.msg
    if consumers is not None:
        assert caught.value.details['consumers'] == consumers
    assert [use.container for use in planner.consumers()] == sorted(c['name'] for c in others)


def test_absent_never_removes_an_owned_volume_someone_uses(data_planner):
    planner, plan = run(data_planner, {'state': 'absent', 'remove_volumes': True, 'force': True},
                        dc([(B, '/logs')], owned=[A, B]), others=[BACKUP])
    assert ('remove_volume', A) not in [(a.kind, a.target) for a in plan.actions]


RESTORED = {A: {'persistent.volumes.restored-from': 'f' * 64}}


@pytest.mark.parametrize('spec, actions, warned', [
    pytest.param({'volumes': ['pgdata:/data']}, [], True, id='named-declared-restored-kept'),
    pytest.param({'volumes': ['/srv/x:/data']}, [], True, id='bind-declared-restored-kept'),
    pytest.param({'volumes': ['/data']}, [], False, id='anonymous-declared-agrees'),
    pytest.param({'volumes': ['pgdata:/data'], 'release_volumes': True}, swap(NAME), False,
                 id='named-declared-released-on-request'),
])
def test_a_restored_volume_is_not_recreated_away(data_planner, spec, actions, warned):
    """A path a restore filled keeps its volume when the task declares another source."""
    dummy, plan = run(data_planner, spec, dc([(A, '/data')], owned=[A]), volume_labels=RESTORED)
    assert [(a.kind, a.target) for a in plan.actions] == actions
    assert len(plan.warnings) == int(warned)
    if warned:
        declared = spec['volumes'][0].split(':')[0]
        assert 'data container %s: /data holds volume %s, which a restore filled' % (NAME, A) in plan.warnings[0]
        assert 'but the task declares %s there' % declared in plan.warnings[0]
        assert 'release_volumes: true' in plan.warnings[0]
    else:
        assert [w.origin for w in plan.wanted] == [spec['volumes'][0].split(':')[0] if ':' in spec['volumes'][0] else A]
