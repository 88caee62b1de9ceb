# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action kinds are named once, checked when an action is made, and each has exactly one applier."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.backup.write import backup_appliers
from ansible_collections.persistent.volumes.plugins.module_utils.plan import kinds
from ansible_collections.persistent.volumes.plugins.module_utils.plan.appliers import APPLIERS
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action, Plan
from ansible_collections.persistent.volumes.plugins.module_utils.restore.in_place import APPLIERS as IN_PLACE_APPLIERS


@pytest.mark.parametrize('make', [
    pytest.param(lambda: Action('create_volumes', 'v', 'missing'), id='Action'),
    pytest.param(lambda: Plan().add('start', 'web', 'running=true'), id='Plan.add'),
    pytest.param(lambda: Action(None, 'v', 'missing'), id='no-kind'),
])
def test_an_unknown_kind_is_refused_when_the_action_is_made(make):
    with pytest.raises(ValueError, match=r"^unknown action kind .* \(plan/kinds.py lists the kinds\)$"):
        make()


def test_the_engine_appliers_carry_out_the_engine_kinds():
    assert set(APPLIERS) == kinds.ENGINE_KINDS


def test_backup_and_restore_add_their_kinds():
    assert set(backup_appliers(None)) - set(APPLIERS) == kinds.BACKUP_KINDS
    assert set(IN_PLACE_APPLIERS) == kinds.RESTORE_KINDS - set([kinds.FILL_VOLUME])


def test_the_kinds_are_the_constants():
    constants = dict((name, value) for name, value in vars(kinds).items() if name.isupper() and isinstance(value, str))
    assert set(constants.values()) == kinds.KINDS
    assert all(name.lower() == value for name, value in constants.items())
