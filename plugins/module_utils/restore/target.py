# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which containers a restore may recreate: data containers only, never a running one.

A restore into a container recreates it with fresh volumes. That is only right for a
data-only container, as data_only.py tells one (the rule data_container follows too). An
application container (it ran, or it has its own command or wiring) is refused, and so is
any running container, before anything is read or written; check mode refuses the same way.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.model.data_only import DataOnlyFacts
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal


def not_a_data_container(container, image):
    """Why ``container`` is not a data-only container (None when it is one): data_only's rule, the
    first reason, in restore's words."""
    facts = DataOnlyFacts(container, image)
    if facts.started is not None:
        return 'it has been started (status %s)' % facts.started
    if facts.wiring:
        return 'it is wired with --volumes-from to %s' % ', '.join(facts.wiring)
    if facts.command:
        value = (container.raw.get('Config') or {}).get(facts.command_key)
        return 'it has a command of its own (%s %s)' % (facts.command_key.lower(), value)
    return None


def check_target(container, image):
    """Refuse a running container, and one that is not a data container."""
    if container.running:
        raise Refusal('Refusing to restore into container %s: it is running. A restore recreates the data container '
                      'with the restored volumes, and a data container never runs; restore into the data container '
                      'its application is wired to, or stop it first. Nothing was changed.' % container.name)
    reason = not_a_data_container(container, image)
    if reason:
        raise Refusal('Refusing to restore into container %s: it is not a data container (%s), and a restore '
                      'recreates it. Restore into its data container, or into a new volume; nothing was changed.'
                      % (container.name, reason))
