# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The copy plan of a conversion: for each path still to copy, a never-started holder creates the named
volume (with the labels that record its origin) in the same request, the consumers that run are stopped
(quiesce), the data is copied and proved, the holder removed. A holder left by a run that died before
its copy was proved marks that volume unfinished: it is taken back and the copy done again. A volume of
this conversion with no holder is finished and never written again."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.stream import member_root
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import stop_for_copy
from ansible_collections.persistent.volumes.plugins.module_utils.convert.observe import HOLDER, recorded_running
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.names import temporary_name
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    BUILD_DATA_IMAGE,
    COPY_VOLUME,
    CREATE_CONSUMER,
    REMOVE_CONTAINER,
    REMOVE_VOLUME,
)


def holder_body(volume, path, origin, running):
    """A never-started container whose create request also creates ``volume``, labelled with its origin."""
    labels = {pv_labels.CONVERTED_FROM: origin.name, pv_labels.CONVERTED_PATH: path,
              pv_labels.CONVERTED_VOLUME: origin.mounts[path].name, pv_labels.CONVERTED_RUNNING: ','.join(running)}
    mount = dict(Type='volume', Source=volume, Target='/' + member_root(path), ReadOnly=False,
                 VolumeOptions=dict(Labels=labels))
    return dict(Image=DEFAULT_IMAGE, Labels={pv_labels.TEMPORARY: HOLDER, pv_labels.CONVERTED_FROM: origin.name},
                HostConfig=dict(Mounts=[mount]))


class CopyPlanner(object):
    """Which paths to copy, what an earlier run left, and the plan doing it (nothing written here)."""

    def __init__(self, state, spec, names):
        self.state = state
        self.spec = spec
        self.names = names
        self.stale = dict((path, state.holders_of(name)) for path, name in names.items())
        self.to_copy = sorted(path for path, name in names.items()
                              if state.targets.get(path) is None or self.stale[path])
        wired = set(consumer.name for consumer in state.consumers)
        recorded = set()
        for volume in state.targets.values():
            recorded |= recorded_running(volume)
        self.ran = sorted((recorded & wired) | set(c.name for c in state.consumers if c.detail.running))
        self.stopped = []

    def plan(self, image_present):
        plan = Plan()
        for path in self.to_copy:
            for holder in self.stale[path]:
                plan.add(REMOVE_CONTAINER, holder.name, 'left by an interrupted conversion', id=holder.id,
                         text='remove %s, left by a conversion that did not finish copying %s' % (holder.name, path))
            if self.stale[path]:
                plan.add(REMOVE_VOLUME, self.names[path], 'its copy was never proved', only_if_unused=True,
                         text='remove volume %s, whose copy of %s was never proved (copied again)'
                         % (self.names[path], path))
        if self.to_copy and not image_present:
            plan.add(BUILD_DATA_IMAGE, DEFAULT_IMAGE, 'missing', text='build image %s (empty, from no registry)'
                     % DEFAULT_IMAGE)
        holders = {}
        for path in self.to_copy:
            holders[path] = temporary_name(HOLDER)
            plan.add(CREATE_CONSUMER, holders[path], 'create volume %s' % self.names[path],
                     text='create volume %s (labelled as made from %s:%s), held by a container never started'
                     % (self.names[path], self.state.holder.name, path),
                     body=holder_body(self.names[path], path, self.state.holder, self.ran))
        if self.to_copy:
            self.stopped = stop_for_copy(plan, [c.detail for c in self.state.consumers], self.spec.quiesce,
                                         'the data of %s' % self.state.holder.name)
        for path in self.to_copy:
            plan.add(COPY_VOLUME, self.names[path], 'copy %s' % path,
                     text='copy %s:%s into volume %s and prove the copy (content sha256)'
                     % (self.state.holder.name, path, self.names[path]),
                     path=path, holder=holders[path], source=self.state.paths[path].name)
            plan.add(REMOVE_CONTAINER, holders[path], 'the copy of %s is proved' % path)
        return plan
