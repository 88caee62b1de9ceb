# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The restore's one pass (an ArchiveCheck made while extract_path writes) judges every archive as the
check made before writing does: same verdict, same message, for good and damaged archives."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import gzip
import hashlib
import io
import os
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import (
    PathStats,
    combined_digest,
    emit_members,
    end_of_archive,
    new_digest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import ArchiveCheck, check_archive
from ansible_collections.persistent.volumes.plugins.module_utils.archive.extract import extract_path
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.restore.fill import Fill, discard_all
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI


def entry(name, data=None, kind=tarfile.REGTYPE, linkname=''):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime = kind, linkname, 0o644, 1700000000
    info.uid, info.gid = os.getuid(), os.getgid()
    if data is not None:
        info.size = len(data)
    return info, [data] if data else []


def tree(extra=()):
    return [entry('data', kind=tarfile.DIRTYPE), entry('data/a', os.urandom(70000)), entry('data/b', b'')] + \
        list(extra) + [entry('data/z', os.urandom(5000))]


def archive(tmp_path, members, compression='none'):
    """A canonical archive of ``members`` under path /data, and its manifest."""
    stats = PathStats('/data', 'v', 'data', new_digest(2))
    out = io.BytesIO()
    offset = emit_members(members, stats, out)
    out.write(end_of_archive(offset))
    raw = out.getvalue()
    data = gzip.compress(raw) if compression == 'gzip' else raw
    src = str(tmp_path / ('b.tar' + ('.gz' if compression == 'gzip' else '')))
    with open(src, 'wb') as handle:
        handle.write(data)
    manifest = dict(sha256=hashlib.sha256(data).hexdigest(), content_scheme=2, paths=[stats.as_dict()],
                    content_sha256=combined_digest([('data', stats.content_sha256)]))
    return src, manifest


def flip_near_the_end(src, manifest):
    with open(src, 'r+b') as handle:
        handle.seek(os.path.getsize(src) - 11000)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 1]))


def wrong_path_digest(src, manifest):
    manifest['paths'][0]['content_sha256'] = '0' * 64


def wrong_whole_digest(src, manifest):
    manifest['content_sha256'] = '1' * 64


def wrong_count(src, manifest):
    manifest['paths'][0]['files'] += 1


def truncated(src, manifest):
    with open(src, 'r+b') as handle:
        handle.truncate(os.path.getsize(src) // 2)
    with open(src, 'rb') as handle:
        manifest['sha256'] = hashlib.sha256(handle.read()).hexdigest()


DAMAGES = [
    ('none', None, None, None),
    ('flipped-byte-near-the-end', flip_near_the_end, Refusal, 'does not match its manifest'),
    ('path-digest-disagrees', wrong_path_digest, Refusal, 'the manifest says content_sha256 ' + '0' * 64),
    ('whole-digest-disagrees', wrong_whole_digest, Refusal, 'the manifest says content_sha256 ' + '1' * 64),
    ('file-count-disagrees', wrong_count, Refusal, 'the manifest says files 4, the archive holds 3'),
    ('truncated-with-its-checksum', truncated, (InputError, Refusal), ''),
]


def verdict_of(call):
    try:
        call()
    except (InputError, Refusal) as exc:
        return type(exc), exc.msg
    return None, None


@pytest.mark.parametrize('compression', ['none', 'gzip'])
@pytest.mark.parametrize('damage, error, fragment', [row[1:] for row in DAMAGES], ids=[row[0] for row in DAMAGES])
def test_one_pass_judges_as_the_check_before(tmp_path, compression, damage, error, fragment):
    members = tree()
    src, manifest = archive(tmp_path, members, compression)
    if damage is not None:
        damage(src, manifest)
    before = verdict_of(lambda: check_archive(src, manifest, ['data']))
    target = tmp_path / 'fresh'
    target.mkdir()
    during = verdict_of(lambda: extract_path(src, 'data', ['data'], str(target), ArchiveCheck(src, manifest, ['data'])))
    assert during == before
    if error is None:
        assert during == (None, None)
        assert (target / 'a').read_bytes() == members[1][1][0] and (target / 'z').read_bytes() == members[-1][1][0]
    else:
        assert issubclass(during[0], error) and fragment in during[1]


@pytest.mark.parametrize('hostile, message', [
    (entry('/etc/evil', b'x'), "member '/etc/evil' has an absolute name"),
    (entry('data/l', kind=tarfile.SYMTYPE, linkname='/etc'), "member 'data/l' is a symlink to /etc, outside /data"),
])
def test_a_hostile_member_is_never_written(tmp_path, hostile, message):
    src, manifest = archive(tmp_path, tree([hostile]))
    target = tmp_path / 'fresh'
    target.mkdir()
    with pytest.raises(Refusal, match='Nothing was restored') as caught:
        extract_path(src, 'data', ['data'], str(target), ArchiveCheck(src, manifest, ['data']))
    assert message in caught.value.msg
    assert not os.path.lexists(str(target / 'z')) and not os.path.lexists(str(target / 'l'))


class FakeAPI(FakeEngineAPI):
    def __init__(self, users, fail=()):
        super(FakeAPI, self).__init__()
        self.users, self.fail, self.removed = users, fail, []

    def list_containers(self, filters=None):
        return [dict(Names=['/' + name]) for name in self.users]

    def remove_container(self, name_or_id):
        self._remove(name_or_id)

    def remove_volume(self, name):
        self._remove(name)

    def _remove(self, name):
        from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
        if name in self.fail:
            raise EngineError('cannot remove %s' % name)
        self.removed.append(name)


class FakeArchive(object):
    def add(self, plan, fill):
        plan.add('create_volume', fill.volume, 'restored')
        plan.add('create_container', fill.holder, 'hold')


class Failure(Exception):
    def __init__(self, done):
        super(Failure, self).__init__('failed')
        self.details = dict(changed=True, actions_done=done)


DISCARDS = [
    # what the run had done, the fill's volume is new, removals that fail, reports a change
    ('only-the-fill', ['create volume v: restored', 'create container H: hold'], True, (), False),
    ('more-than-the-fill', ['remove container old: stale', 'create volume v: restored'], True, (), True),
    ('an-existing-volume', ['create container H: hold'], False, (), True),
    ('the-volume-stays', ['create volume v: restored', 'create container H: hold'], True, ('v',), True),
]


@pytest.mark.parametrize('done, create, fail, changed', [row[1:] for row in DISCARDS], ids=[row[0] for row in DISCARDS])
def test_a_failed_fill_taken_back_reports_no_change_only_when_all_is_gone(done, create, fail, changed):
    fill = Fill('v', dict(path='/data', member='data'), 'owner', create=create)
    fill.holder = 'H'
    api = FakeAPI(['H'], fail)
    exc = Failure(done)
    discard_all(api, FakeArchive(), [fill], exc)
    assert exc.details['changed'] is changed
    assert 'H' in api.removed
