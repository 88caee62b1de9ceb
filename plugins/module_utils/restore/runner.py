# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume_restore module's work: the archive into a data container (container.py) or a volume
(volume.py); either way spec, observed state, plan, execute, and nothing that was there destroyed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.restore.decrypt import decrypted
from ansible_collections.persistent.volumes.plugins.module_utils.restore.spec import RestoreSpec
from ansible_collections.persistent.volumes.plugins.module_utils.restore.volume import restore_volume


def converge_restore(engine):
    spec = RestoreSpec(engine.params)
    with decrypted(engine, spec):  # an encrypted archive: checked and read through age
        if engine.params.get('container'):
            # imported here: a restore into a volume does without what a data container's restore needs
            from ansible_collections.persistent.volumes.plugins.module_utils.restore.container import (  # pylint: disable=import-outside-toplevel
                restore_container,
            )
            return restore_container(engine, spec)
        return restore_volume(engine, spec)
