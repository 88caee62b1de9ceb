# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""encrypt_to's recipients (archive/age.py ``check_recipients``) and a missing age tool."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.archive.age import age_tool, check_recipients
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal

R1 = 'age1k9a2me2gt2tfqpj5ah8uj0c9ws8qp7tdf4qutnm4jrkpx9necshq0dfpfg'
R2 = 'age1jhwq2ycck44h3ueaxkzuyhnjwkl562jmjkdrx96zyd6kg0h4z9gsr756dj'


@pytest.mark.parametrize('given, expected', [
    pytest.param([R1], [R1], id='one'),
    pytest.param([R1, ' %s ' % R2, R1], [R1, R2], id='trimmed-without-repeats'),
])
def test_recipients_accepted(given, expected):
    assert check_recipients(given) == expected


@pytest.mark.parametrize('given, message', [
    pytest.param(['age1bad'], "encrypt_to: 'age1bad' is not an age X25519 recipient", id='short'),
    pytest.param([R1.upper()], 'is not an age X25519 recipient', id='upper-case'),
    pytest.param(['ssh-ed25519 AAAAC3Nza'], "'ssh-ed25519 AAAAC3Nza' is not an age X25519", id='ssh-key'),
    pytest.param([R1[:-1] + 'b'], 'is not an age X25519 recipient', id='not-bech32'),
    pytest.param(['AGE-SECRET-KEY-1' + 'Q' * 58], 'is not an age X25519 recipient', id='a-secret-key'),
    pytest.param([], 'encrypt_to is empty', id='empty'),
])
def test_recipients_refused(given, message):
    with pytest.raises(InputError) as error:
        check_recipients(given)
    assert message in str(error.value)


class NoAge(object):
    def get_bin_path(self, name):
        return None


def test_missing_age_names_the_package():
    with pytest.raises(Refusal) as error:
        age_tool(NoAge(), 'encrypt_to')
    assert str(error.value).startswith('encrypt_to needs the age tool on the Docker host (on Debian and Ubuntu the '
                                       'package "age": apt-get install age')
    assert str(error.value).endswith('nothing was changed.')
