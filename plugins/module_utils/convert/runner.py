# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The convert module's work: spec, observe, refuse, plan; then copy and prove, then rewire each consumer.

Every consumer is recreated by the consumer pipeline (consumer/runner.py: the whole-inspect
replica, the crash-safe swap, the rollback when the replacement cannot start) with a request
that drops its --volumes-from entry of the data container and binds the named volumes at the
same paths (read-only where the entry or the data container's mount was). No consumer is
touched before every copy is proved; consumers stopped for the copy are started again whatever
happens.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import choose_access
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import start_again
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.named_volumes import NamedVolumes
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import ConsumerRequest, converge_consumer
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.convert.copy import VolumeCopy
from ansible_collections.persistent.volumes.plugins.module_utils.convert.observe import ConvertState
from ansible_collections.persistent.volumes.plugins.module_utils.convert.planner import CopyPlanner
from ansible_collections.persistent.volumes.plugins.module_utils.convert.refusals import check_convertible, check_data_container
from ansible_collections.persistent.volumes.plugins.module_utils.convert.spec import ConvertSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.image.choice import DEFAULT_IMAGE
from ansible_collections.persistent.volumes.plugins.module_utils.plan.appliers import APPLIERS
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import COPY_VOLUME, REMOVE_CONTAINER


def consumer_binds(state, names, mode):
    binds = []
    for path, name in sorted(names.items()):
        read_only = mode == 'ro' or state.paths[path].read_only
        binds.append('%s:%s%s' % (name, path, ':ro' if read_only else ''))
    return binds


def consumer_requests(state, names, ran):
    """(logical consumer name, its ConsumerRequest), once per consumer."""
    modes = {}
    for consumer in state.consumers:
        modes[consumer.name] = 'ro' if consumer.mode == 'ro' or modes.get(consumer.name) == 'ro' else 'rw'
    return [(name, ConsumerRequest(ConsumerSpec(name, running=True if name in ran else None),
                                   wiring=[(state.holder.name, mode)], wiring_state='absent',
                                   binds=[NamedVolumes(consumer_binds(state, names, mode))]))
            for name, mode in sorted(modes.items())]


class Conversion(object):
    """One data container's conversion, observed and planned; ``run`` carries it out (or predicts it)."""

    def __init__(self, engine, spec, state):
        self.engine, self.spec, self.state = engine, spec, state
        check_data_container(state)
        self.names = spec.names_for(sorted(state.paths))
        state.observe_targets(self.names)
        check_convertible(state, self.names)
        self.copier = CopyPlanner(state, spec, self.names)
        self.access = None
        if self.copier.to_copy:
            self.access = choose_access(engine, spec.method, [engine.api.inspect_volume(state.paths[path].name)
                                                              for path in self.copier.to_copy])
        self.plan = self.copier.plan(engine.api.inspect_image(DEFAULT_IMAGE) is not None)
        self.copy = VolumeCopy(state.holder.name, self.access)
        self.results = {}

    def _copy_and_rewire(self):
        appliers = dict(APPLIERS)
        appliers[COPY_VOLUME] = self.copy
        self.engine.apply(self.plan, appliers)
        for name, request in consumer_requests(self.state, self.names, self.copier.ran):
            try:
                self.results[name] = converge_consumer(self.engine, request)
            except PersistentVolumesError as exc:
                exc.msg = ('Converting %s: consumer %s: %s The named volumes hold the proved copy; %s keeps its '
                           'volumes and is not removed. The next run goes on from here.'
                           % (self.spec.container, name, exc.msg, self.spec.container))
                exc.details['changed'] = True
                raise

    def run(self):
        if self.engine.check_mode:
            self.engine.apply(self.plan)
            for name, request in consumer_requests(self.state, self.names, self.copier.ran):
                self.results[name] = converge_consumer(self.engine, request)
        else:
            try:
                self._copy_and_rewire()
            finally:
                for problem in start_again(self.engine.api, self.copier.stopped):
                    self.engine.warn('quiesce=stop: could not start %s again' % problem)
        removal = self.remove_plan()
        self.engine.apply(removal)
        return self.result(removal)

    def remove_plan(self):
        plan = Plan()
        if self.spec.remove_data_container:
            plan.add(REMOVE_CONTAINER, self.state.holder.name, 'remove_data_container=true', id=self.state.holder.id,
                     text='remove data container %s (its volumes are kept: %s)'
                     % (self.state.holder.name, ', '.join(sorted(m.name for m in self.state.paths.values()))))
        return plan

    def result(self, removal):
        changed = self.plan.changed or removal.changed or any(r.get('changed') for r in self.results.values())
        volumes = {}
        for path, name in sorted(self.names.items()):
            volumes[path] = dict(volume=name, previous_volume=self.state.paths[path].name,
                                 copied=path in self.copier.to_copy)
            volumes[path].update(self.copy.done.get(path, {}))
        result = dict(changed=changed, container=dict(name=self.state.holder.name, id=self.state.holder.id,
                                                      removed=removal.changed),
                      volumes=volumes, consumers=dict((name, dict(recreated=r.get('recreated', False),
                                                                  running=(r.get('container') or {}).get('running'),
                                                                  actions=r.get('actions', [])))
                                                      for name, r in self.results.items()),
                      actions=self.plan.describe() + [a for r in self.results.values() for a in r.get('actions', [])]
                      + removal.describe(),
                      stopped=list(self.copier.stopped))
        if self.access is not None:
            result['access'] = self.access.as_result()
        if self.engine.diff_mode:
            result['diff'] = self.diff(volumes)
        return result

    def diff(self, volumes):
        before = dict(data_container=self.state.holder.name, volumes={}, consumers={})
        after = dict(data_container=None if self.spec.remove_data_container else self.state.holder.name,
                     volumes={}, consumers={})
        for path, entry in volumes.items():
            before['volumes'][path] = entry['previous_volume'] if entry['copied'] else entry['volume']
            after['volumes'][path] = entry['volume']
        for name, r in self.results.items():
            if r.get('diff'):
                before['consumers'][name] = dict(r['diff'].get('before') or {})
                if name in self.copier.stopped:
                    before['consumers'][name]['running'] = True  # as it was before quiesce stopped it
                after['consumers'][name] = r['diff'].get('after')
        return dict(before=before, after=after)


def already_converted(engine, spec, state):
    """The data container is gone: no change when a conversion of it made volumes, else a clear failure."""
    found = state.converted_volumes(spec.container)
    if not found:
        raise InputError('Container %r does not exist, and no volume was converted from it.' % spec.container)
    return dict(changed=False, container=dict(name=spec.container, removed=True),
                volumes=dict((path, dict(volume=v.get('Name'), copied=False)) for path, v in sorted(found.items())),
                consumers={}, actions=[], stopped=[])


def converge_convert(engine):
    spec = ConvertSpec(engine.params)
    state = ConvertState(engine.api, spec)
    if state.holder is None:
        return already_converted(engine, spec, state)
    return Conversion(engine, spec, state).run()
