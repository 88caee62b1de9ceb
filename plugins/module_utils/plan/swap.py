# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one crash-safe swap: the order in which a replacement takes the old container's place, for
consumers and data containers alike.

A replacement ``R`` is created under a temporary name first (it shares the old
container's volumes), so no volume is ever held by no container. Then:

* When ``R`` is to run (the old container ``O`` ran, or ``running: true``), the swap never
  leaves the application down because of the new spec: ``O`` is stopped and renamed to
  ``<R>-old``, ``R`` takes the name and is started. If the start fails, ``R`` is stopped
  and renamed back, ``O`` gets its name back and is started again (when it ran), ``R`` is
  removed, and the task fails naming the cause. Only once ``R`` runs is ``O`` removed.
  ``R`` carries the old container's temporary name in a label, so a run that died half-way
  is recognised by the next one: a replacement that runs is kept and the old container
  removed; one that does not is rolled back, and the run goes on from the old container.
* Otherwise (``add_plain_swap``; a data container, which never runs, always) ``O`` is stopped if
  it runs (``running: false``), the leftovers of interrupted runs are removed, then ``O``, and
  ``R`` takes the name.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    REMOVE_CONTAINER,
    RENAME_CONTAINER,
    START_CONTAINER,
    STOP_CONTAINER,
)

OLD_SUFFIX = '-old'


def old_name(replacement_name):
    return replacement_name + OLD_SUFFIX


def temporary_name(replacement):
    """The temporary name a replacement had before it took the consumer's name."""
    previous = replacement.labels.get(pv_labels.PREVIOUS) or ''
    return previous[:-len(OLD_SUFFIX)] if previous.endswith(OLD_SUFFIX) else replacement.name


def renamed(container, name):
    """A view of ``container`` once renamed to ``name`` (planning only)."""
    raw = copy.copy(container.raw)
    raw['Name'] = '/' + name
    return ContainerDetail(raw)


def stop_timeout(container):
    """The old container's own stop timeout (``--stop-timeout``), or None for the engine's default."""
    return (container.raw.get('Config') or {}).get('StopTimeout')


def add_stop(plan, container, reason):
    plan.add(STOP_CONTAINER, container.name, reason, id=container.id, timeout=stop_timeout(container))


def add_remove(plan, container, reason):
    if container.running:
        add_stop(plan, container, reason)
    plan.add(REMOVE_CONTAINER, container.name, reason, id=container.id)


def settle(plan, name, fallback, holder, leftovers):
    """Finish or roll back a safe swap an interrupted run left behind.

    ``fallback`` is (replacement, old container) when a replacement's PREVIOUS label names a
    container that still exists. Returns (holder, leftovers, was_running) as they will be.
    """
    if fallback is None:
        return holder, leftovers, False
    replacement, old = fallback
    gone = (replacement.id, old.id)
    rest = [container for container in leftovers if container.id not in gone]
    if replacement.running:
        if replacement.name != name:
            plan.add(RENAME_CONTAINER, replacement.name, 'finish an interrupted recreation', new_name=name)
        add_remove(plan, old, 'replaced by %s, which runs (finish an interrupted recreation)' % name)
        return renamed(replacement, name), rest, False
    if replacement.name == name:
        plan.add(RENAME_CONTAINER, name, 'roll back an interrupted recreation',
                 new_name=temporary_name(replacement))
        replacement = renamed(replacement, temporary_name(replacement))
    plan.add(RENAME_CONTAINER, old.name, 'roll back an interrupted recreation: the old container gets its name '
             'back', new_name=name)
    add_remove(plan, replacement, 'roll back an interrupted recreation (the replacement never ran)')
    return renamed(old, name), rest, replacement.labels.get(pv_labels.WAS_RUNNING) == 'true'


def add_safe_swap(plan, name, replacement_name, current, others):
    """Stop and put aside ``current``, give its name to the replacement and start it (undone on failure)."""
    if current.running:
        add_stop(plan, current, 'replaced by %s' % replacement_name)
    for container in others:
        add_remove(plan, container, 'replaced by %s' % replacement_name)
    aside = old_name(replacement_name)
    plan.add(RENAME_CONTAINER, current.name, 'kept aside until its replacement runs', new_name=aside)
    plan.add(RENAME_CONTAINER, replacement_name, 'take the place of the old container', new_name=name)
    undo = [Action(STOP_CONTAINER, name, 'the replacement could not start'),
            Action(RENAME_CONTAINER, name, 'put the replacement aside', new_name=replacement_name),
            Action(RENAME_CONTAINER, aside, 'the old container gets its name back', new_name=name)]
    if current.running:
        undo.append(Action(START_CONTAINER, name, 'it was running'))
    undo.append(Action(REMOVE_CONTAINER, replacement_name, 'it could not start'))
    plan.add(START_CONTAINER, name, 'the replacement of %s' % name, undo=undo)
    plan.add(REMOVE_CONTAINER, aside, 'replaced by %s, which runs' % name, id=current.id)


def add_plain_swap(plan, name, replacement_name, current, others, start=False, reason=None, removed=None):
    """Remove the old container (stopped first) and the leftovers ``others``, and give the name to the
    replacement, made under ``replacement_name`` (nothing to rename when that is ``name``).

    ``current`` may be None (only leftovers remain); ``removed(container)`` is called after each
    leftover's removal is planned (a data container drops the empty volumes a leftover made)."""
    if current is not None and current.running:
        add_stop(plan, current, 'replaced by %s' % replacement_name)
    for container in others:
        add_remove(plan, container, 'replaced by %s' % replacement_name)
        if removed is not None:
            removed(container)
    if current is not None:
        plan.add(REMOVE_CONTAINER, current.name, 'replaced by %s' % replacement_name, id=current.id)
    if replacement_name != name:
        plan.add(RENAME_CONTAINER, replacement_name, 'take the place of the old container', new_name=name)
    if start:
        plan.add(START_CONTAINER, name, reason)
