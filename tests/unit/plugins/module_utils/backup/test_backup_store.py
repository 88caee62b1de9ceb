# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A backup host's copies (backup/store.py): what is checked on arrival, what is missing, what the keep rule removes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.manifest import FORMAT
from ansible_collections.persistent.volumes.plugins.module_utils.backup.store import StoreSpec, converge_store
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal

SOURCE = {'container': 'dc'}


def archive(directory, name, content, host='web1', sequence=1, **changes):
    """An archive and its manifest in ``directory``; returns the offer {name, sha256} of it."""
    data = content.encode()
    sha256 = hashlib.sha256(data).hexdigest()
    with open(os.path.join(directory, name), 'wb') as handle:
        handle.write(data)
    manifest = dict(format=FORMAT, host=host, source=SOURCE, archive=name, sha256=sha256, size=len(data),
                    sequence=sequence, created_at='2026-01-%02dT00:00:00Z' % sequence)
    manifest.update(changes)
    with open(os.path.join(directory, name + '.manifest.json'), 'w') as handle:
        json.dump(manifest, handle)
    return dict(name=name, sha256=sha256)


def name(day):
    return 'dc.202601%02dT000000Z.tar.gz' % day


def store(tmp_path, offered, retention=None, check_mode=False):
    spec = StoreSpec(dict(path=str(tmp_path / 'web1'), host='web1', offered=offered, retention=retention or {}))
    warnings = []
    return converge_store(spec, check_mode, warnings.append), warnings


def incoming(tmp_path):
    path = tmp_path / 'web1' / '.incoming'
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def test_an_arrived_copy_is_taken_in_private_and_a_second_run_changes_nothing(tmp_path):
    offer = archive(incoming(tmp_path), name(1), 'one')
    result, dummy = store(tmp_path, [offer])
    assert result['changed'] and [copy['state'] for copy in result['copies']] == ['arrived'] and not result['missing']
    assert os.stat(str(tmp_path / 'web1' / name(1))).st_mode & 0o777 == 0o600
    assert os.listdir(incoming(tmp_path)) == []
    again, dummy = store(tmp_path, [offer])
    assert not again['changed'] and [copy['state'] for copy in again['copies']] == ['present']


@pytest.mark.parametrize('changes, offered_sha, reason', [
    (dict(host='web2'), None, 'its manifest says it is an archive of host web2, not of web1'),
    (dict(sha256='0' * 64), None, 'its manifest records sha256 ' + '0' * 64),
    (dict(size=99), None, 'it has 3 bytes, its manifest records 99 (a partial copy)'),
    (dict(archive='other.tar.gz'), None, 'its manifest describes other.tar.gz'),
    (dict(format='nope'), None, 'is not a persistent.volumes backup manifest'),
    ({}, 'f' * 64, 'the Docker host offered ' + 'f' * 64),
], ids=['other-host', 'manifest-sha', 'partial', 'other-file', 'not-ours', 'offered-sha'])
def test_an_arrival_that_fails_a_check_is_discarded_and_stays_missing(tmp_path, changes, offered_sha, reason):
    offer = archive(incoming(tmp_path), name(1), 'one', **changes)
    if offered_sha:
        offer = dict(offer, sha256=offered_sha)
    result, dummy = store(tmp_path, [offer])
    assert result['missing'] == [name(1)] and reason in result['rejected'][0]['reason']
    assert not os.path.exists(str(tmp_path / 'web1' / name(1))) and os.listdir(incoming(tmp_path)) == []


def test_a_copy_whose_content_changed_on_arrival_is_rejected(tmp_path):
    offer = archive(incoming(tmp_path), name(1), 'one')
    with open(os.path.join(incoming(tmp_path), name(1)), 'w') as handle:
        handle.write('two')  # same size, other bytes
    result, dummy = store(tmp_path, [offer])
    assert result['missing'] == [name(1)] and 'its sha256 on arrival is' in result['rejected'][0]['reason']


def test_a_user_file_at_the_copy_name_is_never_replaced(tmp_path):
    offer = archive(incoming(tmp_path), name(1), 'one')
    with open(str(tmp_path / 'web1' / name(1)), 'w') as handle:
        handle.write('precious')
    result, dummy = store(tmp_path, [offer])
    assert result['missing'] == [name(1)] and 'not an earlier copy of the same source' in result['rejected'][0]['reason']
    with open(str(tmp_path / 'web1' / name(1))) as handle:
        assert handle.read() == 'precious'


def test_the_keep_rule_removes_only_after_the_newest_copy_is_checked(tmp_path):
    directory = str(tmp_path / 'web1')
    os.mkdir(directory)
    for day in (1, 2):
        archive(directory, name(day), 'day %d' % day, sequence=day)
    offer = archive(incoming(tmp_path), name(3), 'day 3', sequence=3)
    result, dummy = store(tmp_path, [offer], retention={'keep': 2})
    assert result['removed'] == [os.path.join(directory, name(1))]
    assert sorted(item for item in os.listdir(directory) if item.endswith('.gz')) == [name(2), name(3)]


def test_the_calendar_rules_apply_to_the_copies_as_on_the_docker_host(tmp_path):
    """keep_weekly on the backup host: the newest copy of each of the last two ISO weeks stays (days 1-4 are
    week 1 of 2026, days 5-11 week 2), whatever is older goes."""
    directory = str(tmp_path / 'web1')
    os.mkdir(directory)
    for day in (1, 3, 6, 8):
        archive(directory, name(day), 'day %d' % day, sequence=day)
    offer = archive(incoming(tmp_path), name(9), 'day 9', sequence=9)
    result, dummy = store(tmp_path, [offer], retention={'keep_weekly': 2})
    assert sorted(result['removed']) == sorted(os.path.join(directory, name(day)) for day in (1, 6, 8))
    assert sorted(item for item in os.listdir(directory) if item.endswith('.gz')) == [name(3), name(9)]


def test_nothing_is_removed_when_the_newest_copy_does_not_match_its_manifest(tmp_path):
    directory = str(tmp_path / 'web1')
    os.mkdir(directory)
    for day in (1, 2, 3):
        archive(directory, name(day), 'day %d' % day, sequence=day)
    with open(os.path.join(directory, name(3)), 'w') as handle:
        handle.write('day X')  # damaged in place, same size
    result, warnings = store(tmp_path, [], retention={'keep': 1})
    assert result['removed'] == [] and 'does not match its manifest' in warnings[0]


def test_a_copy_still_offered_is_kept_and_check_mode_changes_nothing(tmp_path):
    directory = str(tmp_path / 'web1')
    os.mkdir(directory)
    offers = [archive(directory, name(day), 'day %d' % day, sequence=day) for day in (1, 2, 3)]
    result, dummy = store(tmp_path, [offers[0]], retention={'keep': 1}, check_mode=True)
    assert result['removed'] == [os.path.join(directory, name(2))] and sorted(os.listdir(directory)) == sorted(
        [offer['name'] for offer in offers] + [offer['name'] + '.manifest.json' for offer in offers])


def test_leftovers_of_an_interrupted_copy_are_discarded(tmp_path):
    directory = incoming(tmp_path)
    with open(os.path.join(directory, '.ansible_tmp_half'), 'w') as handle:
        handle.write('half')
    result, dummy = store(tmp_path, [])
    assert result['discarded'] == [os.path.join(directory, '.ansible_tmp_half')] and os.listdir(directory) == []


@pytest.mark.parametrize('params, error, message', [
    (dict(path='relative/web1'), InputError, 'path must be an absolute directory path'),
    (dict(path='/srv/../web1'), InputError, 'path must be an absolute directory path'),
    (dict(path='{t}/absent/web1'), Refusal, 'The backup host\'s directory {t}/absent does not exist; create it'),
    (dict(host='a/b'), InputError, 'host must be the Docker host\'s name'),
    (dict(offered=[dict(name='../x.tar.gz', sha256='0' * 64)]), InputError, 'is not an archive file name'),
    (dict(offered=[dict(name='x.txt', sha256='0' * 64)]), InputError, 'is not an archive file name'),
    (dict(offered=[dict(name='x.tar', sha256='xyz')]), InputError, 'must be 64 lowercase hex digits'),
    (dict(retention={'keep_hourly': 3}), InputError, 'unknown rule \'keep_hourly\''),
    (dict(retention={'keep': 'many'}), InputError, 'keep must be a whole number'),
], ids=['relative', 'dotdot', 'parent-missing', 'host', 'offer-path', 'offer-suffix', 'offer-sha', 'rule', 'count'])
def test_bad_input_is_named(tmp_path, params, error, message):
    full = dict(path=str(tmp_path / 'web1'), host='web1', offered=[], retention={})
    full.update((key, value.format(t=str(tmp_path)) if isinstance(value, str) else value) for key, value in params.items())
    with pytest.raises(error) as caught:
        StoreSpec(full)
    assert message.format(t=str(tmp_path)) in caught.value.msg
