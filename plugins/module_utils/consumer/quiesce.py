# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Quiescing the containers that write a volume while its data is copied (``quiesce``).

``stop`` (the default of the modules that take it): the containers that run are stopped
before the copy, so that the copy is the data, and started again afterwards whatever
happens (``start_again``, best effort, its problems returned to be reported). ``none``:
nothing is stopped; a copy of a volume that is written meanwhile is not the data, and the
module says so.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import STOP_CONTAINER

QUIESCE_CHOICES = ('stop', 'none')


def stop_for_copy(plan, containers, mode, what):
    """Add a stop of each running one of ``containers`` (ContainerDetail) to ``plan`` when ``mode`` is
    stop; return the names of those it stops. ``what`` says what is copied."""
    if mode != 'stop':
        return []
    stopped = []
    for container in containers:
        if container.running:
            plan.add(STOP_CONTAINER, container.name, 'quiesce=stop: it writes %s, which is copied' % what,
                     text='stop %s while %s is copied (started again afterwards)' % (container.name, what))
            stopped.append(container.name)
    return stopped


def start_again(api, names):
    """Start every one of ``names`` that exists and does not run; return the problems met (text)."""
    problems = []
    for name in names:
        try:
            raw = api.inspect_container(name)
            if raw and not (raw.get('State') or {}).get('Running'):
                api.start_container(name)
        except PersistentVolumesError as exc:
            problems.append('%s: %s' % (name, exc.msg))
    return problems
