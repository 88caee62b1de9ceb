# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The refusals of data_container and a restore for a container that is not a data-only one.

Whether it is one is decided by the one rule in ``model/data_only.py``: recreating an
application's container as a data container would drop its command and wiring, so it is
refused unless the task adopts it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.data_only import not_data_only


def check_not_running(holder):
    """A data container is never started: a running container of that name is never taken."""
    if holder is not None and holder.running:
        raise Refusal('Container %r exists and is running; a data container is never started. Choose another '
                      'name, or stop it if it really is a data container; nothing was changed.' % holder.name)


def check_data_only(holder, image=None, adopt=False, removing=False):
    """A container that a plan would replace (or remove) must be a data-only one, unless ``adopt``."""
    reasons = not_data_only(holder, image) if holder is not None else []
    if reasons and not adopt:
        raise Refusal('Container %r exists and is not a data-only container: %s. %s would drop its command and '
                      'wiring. Choose another name, or set adopt=true to %s; nothing was changed.'
                      % (holder.name, '; '.join(reasons),
                         'Removing it as a data container' if removing else 'Recreating it as one',
                         'remove it anyway' if removing else 'turn it into a data container (its volumes are kept, '
                         'its command and wiring are not)'), not_data_only=reasons)
