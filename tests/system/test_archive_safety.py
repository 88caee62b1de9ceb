# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""volume_backup and volume_restore under a careless user, on the real engine: what they refuse
(a host file that is not an earlier archive, a running container, a container that is not a data
container), with the message and nothing changed; check mode writes nothing (docker events are
watched); an empty volume is restored into; dated generations of a backup."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import time

import pytest

from conftest import IMAGE, LOOP, container_name, failed, run_module
from test_backup_restore import data_container, populate
from test_restore_hostile import mountpoint, mounts, ok, snapshot

READS = ('archive-path',)  # the archive endpoint's read: the only event a check-mode run may cause


# The one clean-up (conftest's lab) takes every volume this file's containers mounted.
TIDY_ALL_HELD = True


def engine_state(api, prefix):
    """This test's containers (name, id, status) and volumes, and the collection's temporaries holding
    them, as the engine lists them (other helpers share the engine: their objects are left out)."""
    volumes = sorted(v['Name'] for v in api.volumes().get('Volumes') or [] if v['Name'].startswith(prefix) or
                     (v.get('Labels') or {}).get('persistent.volumes.anonymous-for', '').startswith(prefix))
    containers = []
    for summary in api.containers(all=True):
        name = container_name(summary)
        held = set(m.get('Name') for m in summary.get('Mounts') or [])
        if name.startswith(prefix) or ((summary.get('Labels') or {}).get('persistent.volumes.temporary')
                                       and held & set(volumes)):
            containers.append((name, summary['Id'], summary['State']))
    return sorted(containers), volumes


def next_second():
    """A timestamp after every event so far (events are filtered by whole seconds)."""
    since = int(time.time()) + 1
    time.sleep(since - time.time())
    return since


def events_since(api, since):
    return list(api.events(since=since, until=int(time.time()) + 1, decode=True))


def writes(events, ours):
    """Events other than reads, of this test's objects or the collection's temporaries (other helpers
    share the engine: their objects are not looked at)."""
    found = []
    for event in events:
        actor = event.get('Actor') or {}
        name = actor.get('Attributes', {}).get('name', '') or actor.get('ID', '')
        if event.get('Action') not in READS and (name.startswith(ours) or name.startswith('pv-')):
            found.append((event.get('Type'), event.get('Action'), name))
    return found


def archive_of(lab, api, tmp_path, text='from-the-archive'):
    source = data_container(lab, 'src', ['/data'])
    lab.write('/data/f', text, volumes_from=[source])
    dest = str(tmp_path / 'src.tar')
    ok(run_module('volume_backup', dict(container=source, dest=dest, compression='none')))
    return dest


# --- a host file is never replaced ------------------------------------------
def test_backup_never_replaces_a_file_that_is_not_an_earlier_archive_of_the_same_source(lab, api, tmp_path):
    dc = data_container(lab, 'dc', ['/data'])
    lab.write('/data/f', 'data', volumes_from=[dc])
    precious = tmp_path / 'precious.txt'
    precious.write_text(u'precious')
    args = dict(container=dc, dest=str(precious), compression='none')
    for check in (True, False):
        failed(run_module('volume_backup', args, check=check),
               'Refusing to replace %s: it is not an earlier archive of container %s (it has no backup manifest '
               'beside it (%s.manifest.json)). Choose another dest, or set force=true to replace it; nothing was '
               'changed.' % (precious, dc, precious))
    assert precious.read_text() == u'precious' and os.listdir(str(tmp_path)) == ['precious.txt']

    other = data_container(lab, 'other', ['/data'])
    dest = str(tmp_path / 'b.tar')
    ok(run_module('volume_backup', dict(container=other, dest=dest)))
    written = snapshot(str(tmp_path))
    for check in (True, False):
        failed(run_module('volume_backup', dict(args, dest=dest), check=check),
               'Refusing to replace %s: it is not an earlier archive of container %s (its manifest says it is an '
               'archive of container %s).' % (dest, dc, other))
    assert snapshot(str(tmp_path)) == written

    forced = ok(run_module('volume_backup', dict(args, force=True)))
    assert forced['changed'] is True and forced['manifest']['source'] == {'container': dc}
    again = ok(run_module('volume_backup', args))  # an earlier archive of the same source now
    assert again['changed'] is False


# --- restore into a running container ------------------------------------------
def test_restore_into_a_running_container_is_refused_and_nothing_changes(lab, api, tmp_path):
    src = archive_of(lab, api, tmp_path)
    app = lab.container(lab.name('app'), volumes=['/data'], start=True, command=LOOP)
    lab.write('/data/f', 'live-data', volumes_from=[app])
    before = engine_state(api, lab.prefix)
    app_id = api.inspect_container(app)['Id']
    since = next_second()
    for method in ('auto', 'engine'):
        for check in (True, False):
            failed(run_module('volume_restore', dict(src=src, container=app, method=method), check=check),
                   'Refusing to restore into container %s: it is running. A restore recreates the data container '
                   'with the restored volumes, and a data container never runs; restore into the data container its '
                   'application is wired to, or stop it first. Nothing was changed.' % app)
    assert engine_state(api, lab.prefix) == before
    assert not [name for name, dummy, dummy in before[0] if '.pv-' in name]
    assert writes(events_since(api, since), lab.prefix) == []
    info = api.inspect_container(app)
    assert info['Id'] == app_id and info['State']['Running'] is True and info['RestartCount'] == 0
    assert lab.read('/data/f', volumes_from=[app]) == 'live-data'


# --- restore into a container that is not a data container ------------------
def not_data_containers(lab, api):
    dc = data_container(lab, 'dc', ['/data'])
    exited = lab.container(lab.name('exited'), volumes=['/data'], command=['true'], start=True)
    api.wait(exited, timeout=30)
    wired = lab.container(lab.name('wired'), volumes_from=[dc], command=None)
    own = lab.container(lab.name('own'), volumes=['/data'], command=['sleep', '3600'])
    return [(exited, 'it has been started (status exited)'),
            (wired, 'it is wired with --volumes-from to %s' % dc),
            (own, "it has a command of its own (cmd ['sleep', '3600'])")]


def test_restore_into_a_container_that_is_not_a_data_container_is_refused(lab, api, tmp_path):
    src = archive_of(lab, api, tmp_path)
    for name, reason in not_data_containers(lab, api):
        before = (engine_state(api, lab.prefix), api.inspect_container(name)['Config'],
                  snapshot(mountpoint(api, mounts(api, name)['/data'])))
        for method in ('auto', 'engine'):
            for check in (True, False):
                failed(run_module('volume_restore', dict(src=src, container=name, method=method), check=check),
                       'Refusing to restore into container %s: it is not a data container (%s), and a restore '
                       'recreates it. Restore into its data container, or into a new volume; nothing was changed.'
                       % (name, reason))
        assert (engine_state(api, lab.prefix), api.inspect_container(name)['Config'],
                snapshot(mountpoint(api, mounts(api, name)['/data']))) == before


def test_restore_into_the_founding_document_s_data_container(lab, api, tmp_path):
    """``docker create -v /data --name x image``: never started, the image's command: a data container."""
    src = archive_of(lab, api, tmp_path)
    name = lab.name('created')
    api.create_container(IMAGE, name=name, volumes=['/data'], labels={'pvtest': 'x'})
    restored = ok(run_module('volume_restore', dict(src=src, container=name)))
    assert restored['changed'] is True and lab.read('/data/f', volumes_from=[name]) == 'from-the-archive'


# --- check mode writes nothing ---------------------------------------------
def test_check_mode_writes_nothing_to_the_engine_or_the_host(lab, api, tmp_path):
    src = archive_of(lab, api, tmp_path)
    named, empty, other = lab.name('named'), lab.name('empty'), lab.name('other')
    for volume in (named, empty, other):
        api.create_volume(volume)
    populate(mountpoint(api, named), '/volume')
    lab.write('/v/g', 'other-data', binds=['%s:/v' % other])
    dc = data_container(lab, 'dc', ['/data'])
    files = sorted(os.listdir(str(tmp_path)))
    before = engine_state(api, lab.prefix)
    since = next_second()
    runs = []
    for method in ('auto', 'engine'):
        runs.append(run_module('volume_backup', dict(volume=named, dest=str(tmp_path / 'n.tar'), method=method),
                               check=True))
        runs.append(run_module('volume_backup', dict(container=dc, dest=str(tmp_path / 'd.tar'), method=method),
                               check=True))
        runs.append(run_module('volume_restore', dict(src=src, volume=empty, method=method), check=True))
        runs.append(run_module('volume_restore', dict(src=src, volume=lab.name('new'), method=method), check=True))
        runs.append(run_module('volume_restore', dict(src=src, container=dc, method=method), check=True))
    assert [r['changed'] for r in runs if not r.get('failed')] == [True] * 10, runs
    # a volume holding other data is restored in place, its content kept in a volume of its own: predicted only
    replaced = ok(run_module('volume_restore', dict(src=src, volume=other), check=True))
    assert replaced['changed'] is True and replaced['previous_volumes'][0]['volume'].startswith(other + '.previous-')
    unknown = run_module('volume_restore', dict(src=src, volume=other, method='engine'), check=True)
    assert unknown['changed'] is True and 'Check mode cannot read volume %s through the engine' % other in \
        ' '.join(unknown['warning_texts'])
    assert writes(events_since(api, since), lab.prefix) == []
    assert engine_state(api, lab.prefix) == before and sorted(os.listdir(str(tmp_path))) == files
    assert runs[0]['method'] == 'direct' and runs[0]['actions'] == [
        'write %s (mode 0600, through a temporary file beside it) and its manifest' % (tmp_path / 'n.tar')]
    engine_run = runs[5]
    assert engine_run['method'] == 'engine' and any(action.startswith(
        'create a temporary container (never started) mounting volume %s read-only' % named)
        for action in engine_run['actions'])
    assert 'Check mode cannot read volume %s through the engine without creating a temporary container' % named \
        in ' '.join(engine_run['warning_texts'])


# --- an empty volume is restored into --------------------------------------
@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_restore_into_an_empty_volume(lab, api, tmp_path, method):
    src = archive_of(lab, api, tmp_path)
    volume = lab.name('empty')
    api.create_volume(volume)
    predicted = ok(run_module('volume_restore', dict(src=src, volume=volume, method=method), check=True))
    assert predicted['changed'] is True and 'holds other data' not in str(predicted)
    restored = ok(run_module('volume_restore', dict(src=src, volume=volume, method=method)))
    assert restored['changed'] is True and restored['restored'] == ['/data']
    assert lab.read('/v/f', binds=['%s:/v:ro' % volume]) == 'from-the-archive'
    assert ok(run_module('volume_restore', dict(src=src, volume=volume, method=method)))['changed'] is False
    again = ok(run_module('volume_restore', dict(src=src, volume=volume, method=method), check=True))
    # through the engine, check mode cannot read a volume nobody holds (that needs a container): it says so
    assert again['changed'] is (method == 'engine')

    busy = lab.name('busy')
    api.create_volume(busy)
    user = lab.container(lab.name('user'), binds=['%s:/v' % busy], start=True, command=LOOP)
    # running users are stopped while the volume is written, and started again; nothing to keep
    predicted = ok(run_module('volume_restore', dict(src=src, volume=busy, method=method), check=True))
    assert predicted['restarted'] == [user] and predicted['previous_volumes'] == []
    assert os.listdir(mountpoint(api, busy)) == [] and api.inspect_container(user)['State']['Running'] is True
    restored = ok(run_module('volume_restore', dict(src=src, volume=busy, method=method)))
    assert restored['changed'] is True and restored['restarted'] == [user] and restored['previous_volumes'] == []
    assert api.inspect_container(user)['State']['Running'] is True
    assert lab.read('/v/f', binds=['%s:/v:ro' % busy]) == 'from-the-archive'


# --- generations: the newest are kept, a foreign file never taken ----------------------------------
def test_backup_generations_keep_the_newest_and_never_a_foreign_file(lab, api, tmp_path):
    dc = data_container(lab, 'dc', ['/data'])
    dest = str(tmp_path / 'dc.tar.gz')
    foreign = tmp_path / 'dc.20000101T000000Z.tar.gz'
    foreign.write_text(u'not an archive of ours')
    args = dict(container=dc, dest=dest, keep=2)
    made = []
    for text in ('one', 'two', 'three'):
        lab.write('/data/f', text, volumes_from=[dc])
        predicted = ok(run_module('volume_backup', args, check=True))
        assert predicted['changed'] is True
        made.append(ok(run_module('volume_backup', args)))
        assert re.match(r'^%s/dc\.\d{8}T\d{6}Z\.tar\.gz$' % re.escape(str(tmp_path)), made[-1]['dest'])
        same = ok(run_module('volume_backup', args))  # unchanged data: no new generation
        assert same['changed'] is False and same['dest'] == made[-1]['dest']
    assert [m['generations'] for m in made] == [
        [made[0]['dest']], [made[1]['dest'], made[0]['dest']], [made[2]['dest'], made[1]['dest']]]
    assert made[2]['removed_generations'] == [made[0]['dest']]
    assert not os.path.exists(made[0]['dest']) and not os.path.exists(made[0]['dest'] + '.manifest.json')
    assert foreign.read_text() == u'not an archive of ours'
    restored = ok(run_module('volume_restore', dict(src=made[1]['dest'], volume=lab.name('two'))))
    assert restored['changed'] is True and lab.read('/v/f', binds=['%s:/v:ro' % lab.name('two')]) == 'two'
    failed(run_module('volume_backup', dict(args, keep=0)),
           'keep must be 1 or more (the number of dated archives to keep), got 0.')
