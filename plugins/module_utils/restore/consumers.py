# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consumers of a restored data container: they follow the restore, each by its own pipeline."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import ConsumerRequest, converge_consumer
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail


def wired_to(api, name, paths):
    """Containers wired to ``name`` that mount one of ``paths`` (they follow a restore)."""
    found = []
    for summary in api.list_containers():
        raw = api.inspect_container(summary['Id'])
        if not raw:
            continue
        consumer = ContainerDetail(raw)
        if consumer.name != name and any(entry.split(':')[0] in (name,) for entry in consumer.volumes_from) \
                and paths & set(consumer.mounts):
            found.append(consumer.name)
    return sorted(found)


def rewire_consumers(engine, name):
    """Recreate the containers wired to ``name`` so that they mount the restored volumes.

    The volumes they mounted before are the data container's previous ones, which the
    restore keeps and reports; letting them go here is what the restore asked for.
    """
    recreated = []
    for summary in engine.api.list_containers():
        raw = engine.api.inspect_container(summary['Id'])
        if not raw:
            continue
        consumer = ContainerDetail(raw)
        if consumer.name == name or not any(entry.split(':')[0] in (name, raw.get('Id')) for entry in consumer.volumes_from):
            continue
        request = ConsumerRequest(ConsumerSpec(consumer.name, release_volumes=True))
        if converge_consumer(engine, request).get('changed'):
            recreated.append(consumer.name)
    return recreated
