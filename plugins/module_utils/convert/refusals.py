# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a conversion cannot do faithfully, refused before the first write (in check mode too), naming it.

A conversion replaces, in every consumer, the data container's volumes by named copies of
them. That is faithful only when the consumers reach those volumes through the data
container alone: a container that holds one of them otherwise (another data container, a
chain of --volumes-from, a mount by name, a consumer that mounts it at a second path) would
keep writing the old volume while the others write the new one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.restore.target import not_a_data_container
from ansible_collections.persistent.volumes.plugins.module_utils.convert.observe import is_ours

NOTHING = 'Nothing was changed.'


def check_data_container(state):
    holder = state.holder
    if holder.running:
        raise Refusal('Refusing to convert %s: it is running, and a data container never runs. Stop it, or name '
                      'the data container its application is wired to. %s' % (holder.name, NOTHING))
    reason = not_a_data_container(holder, state.image)
    if reason:
        raise Refusal('Refusing to convert %s: it is not a data container (%s). %s' % (holder.name, reason, NOTHING))
    if not state.paths:
        raise Refusal('Refusing to convert %s: it holds no volume. %s' % (holder.name, NOTHING))
    binds = ['%s (host directory %s)' % (path, m.source) for path, m in sorted(state.paths.items()) if m.type != 'volume']
    if binds:
        raise Refusal('Refusing to convert %s: %s %s a bind mount, not a volume; a named volume cannot take its '
                      'place faithfully. Convert a data container whose paths are volumes. %s'
                      % (holder.name, ', '.join(binds), 'is' if len(binds) == 1 else 'are', NOTHING))


def _consumer_problems(state, consumer_ids, path, mounted):
    problems = []
    for container, where in state.users_of(mounted.name):
        if container.id not in consumer_ids:
            problems.append('%s mounts volume %s (the data container\'s %s) at %s without being wired to %s '
                            'with --volumes-from' % (container.name, mounted.name, path, where, state.holder.name))
        elif where != path:
            problems.append('%s mounts volume %s (the data container\'s %s) at %s too, by its name'
                            % (container.name, mounted.name, path, where))
    for consumer in state.consumers:
        have = consumer.detail.mounts.get(path)
        if have is not None and have.identity != mounted.identity:
            problems.append('%s mounts %s of its own at %s, over the data container\'s %s'
                            % (consumer.detail.name, have.name or have.source, path, mounted.name))
    return problems


def check_holders(state):
    """Refuse when anything but the consumers' --volumes-from entries holds the data container's volumes."""
    consumer_ids = set(consumer.detail.id for consumer in state.consumers)
    problems = []
    for path, mounted in sorted(state.paths.items()):
        problems.extend(_consumer_problems(state, consumer_ids, path, mounted))
    if problems:
        raise Refusal('Refusing to convert %s: %s. Those containers would keep the old volume while the consumers '
                      'move to the new one; unwire or remove them first. %s'
                      % (state.holder.name, '; '.join(problems), NOTHING))


def check_targets(state, names):
    """Refuse a wanted volume that exists and was not made by converting this very path, and another name
    for a path converted already (its copy would be the old data, not what the applications wrote since)."""
    for path, volume in sorted(state.converted_volumes(state.holder.name).items()):
        source = ((volume.get('Labels') or {}).get(pv_labels.CONVERTED_VOLUME))
        if path in names and volume.get('Name') != names[path] and path in state.paths and \
                source == state.paths[path].name:
            raise Refusal('Refusing to convert %s: its %s was converted into volume %s already, and volume_names asks '
                          'for %s; a new copy would hold the data as it was then, not what was written into %s since. '
                          'Name %s in volume_names. %s' % (state.holder.name, path, volume.get('Name'), names[path],
                                                           volume.get('Name'), volume.get('Name'), NOTHING))
    for path, name in sorted(names.items()):
        volume = state.targets.get(path)
        if volume is not None and not is_ours(volume, state.holder.name, path):
            raise Refusal('Refusing to convert %s: volume %s exists already and was not made from its %s; a '
                          'conversion never writes into a volume that holds other data. Choose another name in '
                          'volume_names. %s' % (state.holder.name, name, path, NOTHING))


def check_convertible(state, names):
    check_data_container(state)
    check_holders(state)
    check_targets(state, names)
