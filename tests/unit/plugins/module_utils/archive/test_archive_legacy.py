# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Scheme 1 digests are the same whichever engine streamed the members: Docker 20.10's archive
endpoint gives modes with the file type bits, Docker 26's the permission bits only (measured)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import tarfile

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.canonical import LegacyDigest, legacy_mode


@pytest.mark.parametrize('kind, docker26, docker20', [
    ('5', 0o755, 0o40755),
    ('0', 0o644, 0o100644),
    ('1', 0o644, 0o100644),       # a hard link: 20.10 gives it a regular file's type
    ('2', 0o777, 0o120777),
    ('6', 0o600, 0o10600),
    ('3', 0o620, 0o20620),
    ('4', 0o660, 0o60660),
    ('0', 0o4755, 0o104755),      # setuid stays
    ('5', 0o1777, 0o41777),       # sticky stays
])
def test_a_mode_is_read_as_docker_20_gave_it(kind, docker26, docker20):
    assert legacy_mode(kind, docker26) == docker20
    assert legacy_mode(kind, docker20) == docker20


def digest_of(mode, kind=tarfile.DIRTYPE):
    info = tarfile.TarInfo('srv/logs')
    info.type, info.mode, info.mtime = kind, mode, 1500000000
    digest = LegacyDigest()
    digest.member(info, b'')
    return digest.hexdigest()


def test_a_scheme_1_digest_does_not_depend_on_the_engine():
    assert digest_of(0o755) == digest_of(0o40755)
    assert digest_of(0o644, tarfile.REGTYPE) == digest_of(0o100644, tarfile.REGTYPE)
    assert digest_of(0o755) != digest_of(0o750)
