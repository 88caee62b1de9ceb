# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.model.root_attributes import (
    RootAttributes,
    directory_archive,
    holds_nothing,
    is_empty,
    parse_header,
    read_root,
    write_root,
)
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI


def directory_tar(name, uid, gid, mode, fmt=tarfile.GNU_FORMAT, with_file=False):
    """A tar as the archive endpoint sends it: the directory first, then its content."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w', format=fmt) as archive:
        info = tarfile.TarInfo(name)
        info.type, info.uid, info.gid, info.mode = tarfile.DIRTYPE, uid, gid, mode
        archive.addfile(info)
        if with_file:
            content = tarfile.TarInfo(name + '/file')
            content.size = 3
            archive.addfile(content, io.BytesIO(b'abc'))
    return buffer.getvalue()


@pytest.mark.parametrize('name, uid, gid, mode, fmt', [
    pytest.param('data', 0, 0, 0o755, tarfile.GNU_FORMAT, id='root-owned'),
    pytest.param('data', 999, 1001, 0o750, tarfile.USTAR_FORMAT, id='ustar'),
    pytest.param('data', 1000, 1000, 0o2775, tarfile.PAX_FORMAT, id='pax-setgid'),
    pytest.param('tmp', 0, 0, 0o1777, tarfile.GNU_FORMAT, id='sticky'),
    pytest.param('d', 65534, 65534, 0o700, tarfile.GNU_FORMAT, id='nobody'),
])
def test_parse_header_reads_the_first_header(name, uid, gid, mode, fmt):
    block = directory_tar(name, uid, gid, mode, fmt, with_file=True)[:512]
    assert parse_header(block) == RootAttributes(uid, gid, mode)


@pytest.mark.parametrize('block', [None, b''])
def test_parse_header_of_nothing(block):
    assert parse_header(block) is None


def test_parse_header_drops_file_type_bits():
    info = tarfile.TarInfo('data')
    info.type, info.mode = tarfile.DIRTYPE, 0o40755
    assert parse_header(info.tobuf(tarfile.GNU_FORMAT)[:512]).mode == 0o755


def test_parse_header_skips_a_pax_extended_header():
    stream = directory_tar(u'donn\u00e9es', 1000, 1000, 0o750, tarfile.PAX_FORMAT)
    assert parse_header(stream) == RootAttributes(1000, 1000, 0o750)


@pytest.mark.parametrize('path, parent, name', [
    pytest.param('/data', '/', 'data', id='top-level'),
    pytest.param('/var/lib/app', '/var/lib', 'app', id='nested'),
    pytest.param('/a/b', '/a', 'b', id='two-levels'),
])
def test_directory_archive_round_trip(path, parent, name):
    wanted = RootAttributes(1000, 1001, 0o2750)
    got_parent, data = directory_archive(path, wanted)
    assert got_parent == parent
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = archive.getmembers()
    assert [(m.name, m.isdir(), m.uid, m.gid, m.mode) for m in members] == [(name, True, 1000, 1001, 0o2750)]
    assert parse_header(data[:512]) == wanted
    assert len(data) % 512 == 0


def test_directory_archive_sets_a_current_mtime():
    dummy, data = directory_archive('/data', RootAttributes(0, 0, 0o755))
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        assert archive.getmembers()[0].mtime > 1600000000


@pytest.mark.parametrize('current, owner, group, mode, expected', [
    pytest.param((0, 0, 0o755), None, None, None, (0, 0, 0o755), id='nothing-wanted'),
    pytest.param((0, 0, 0o755), 1000, None, None, (1000, 0, 0o755), id='owner-only'),
    pytest.param((0, 0, 0o755), None, 50, None, (0, 50, 0o755), id='group-only'),
    pytest.param((0, 0, 0o755), None, None, 0o700, (0, 0, 0o700), id='mode-only'),
    pytest.param((5, 6, 0o777), 0, 0, 0, (0, 0, 0), id='zeros-are-values'),
])
def test_wanted_applies_only_given_values(current, owner, group, mode, expected):
    assert RootAttributes(*current).wanted(owner, group, mode) == RootAttributes(*expected)


@pytest.mark.parametrize('left, right, equal', [
    pytest.param((0, 0, 0o755), (0, 0, 0o755), True, id='same'),
    pytest.param((0, 0, 0o755), (1, 0, 0o755), False, id='uid'),
    pytest.param((0, 0, 0o755), (0, 1, 0o755), False, id='gid'),
    pytest.param((0, 0, 0o755), (0, 0, 0o750), False, id='mode'),
])
def test_equality(left, right, equal):
    assert (RootAttributes(*left) == RootAttributes(*right)) is equal
    assert (RootAttributes(*left) != RootAttributes(*right)) is not equal


def test_as_dict():
    assert RootAttributes(1000, 50, 0o750).as_dict() == dict(owner=1000, group=50, mode='0750')
    assert RootAttributes(0, 0, 0o1777).as_dict() == dict(owner=0, group=0, mode='1777')


class ArchiveAPI(FakeEngineAPI):
    def __init__(self, head):
        super(ArchiveAPI, self).__init__()
        self.head = head
        self.calls = []

    def archive_head(self, container, path, limit=16384):
        self.calls.append(('archive_head', container, path))
        return self.head[:limit] if self.head else self.head

    def put_archive(self, container, path, data):
        self.calls.append(('put_archive', container, path, data))
        return True


def test_read_root_asks_the_archive_endpoint():
    api = ArchiveAPI(directory_tar('data', 7, 8, 0o710)[:512])
    assert read_root(api, 'store', '/data') == RootAttributes(7, 8, 0o710)
    assert api.calls == [('archive_head', 'store', '/data')]


def test_read_root_of_nothing():
    assert read_root(ArchiveAPI(None), 'store', '/data') is None


def test_write_root_puts_a_directory_entry_into_the_parent():
    api = ArchiveAPI(None)
    assert write_root(api, 'store', '/srv/data', RootAttributes(1, 2, 0o700)) is True
    (kind, container, parent, data), = api.calls
    assert (kind, container, parent) == ('put_archive', 'store', '/srv')
    assert parse_header(data[:512]) == RootAttributes(1, 2, 0o700)


@pytest.mark.parametrize('data, complete, expected', [
    pytest.param(directory_tar('extra', 0, 0, 0o755), True, True, id='only-the-directory'),
    pytest.param(directory_tar('extra', 0, 0, 0o755, fmt=tarfile.PAX_FORMAT), True, True, id='pax'),
    pytest.param(directory_tar('extra', 0, 0, 0o755, with_file=True), True, False, id='a-file-in-it'),
    pytest.param(directory_tar('extra', 0, 0, 0o755), False, False, id='only-the-beginning'),
    pytest.param(directory_tar('extra', 0, 0, 0o755, with_file=True)[:1024], True, False, id='cut-short'),
    pytest.param(b'', True, False, id='nothing'),
    pytest.param(None, True, False, id='no-answer'),
    pytest.param(b'not a tar' * 100, True, False, id='garbage'),
])
def test_holds_nothing_is_sure_or_says_no(data, complete, expected):
    assert holds_nothing(data, complete) is expected


def test_is_empty_reads_only_the_beginning():
    big = directory_tar('extra', 0, 0, 0o755, with_file=True) + b'\0' * 40000
    assert is_empty(ArchiveAPI(big), 'store', '/extra') is False
    assert is_empty(ArchiveAPI(directory_tar('extra', 0, 0, 0o755)), 'store', '/extra') is True
    assert is_empty(ArchiveAPI(directory_tar('extra', 0, 0, 0o755) + b'\0' * 20000), 'store', '/extra') is False


def test_is_empty_says_no_when_the_engine_cannot_answer():
    class Gone(FakeEngineAPI):
        def archive_head(self, container, path, limit=16384):
            raise EngineError('No such container', status_code=404)
    assert is_empty(Gone(), 'store.pv-0ff1ce', '/extra') is False
