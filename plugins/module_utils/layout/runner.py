# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The layout module's work: volumes, then data containers, then consumers, in one run.

Each item is converged by the very function its single module uses, on a ``SubEngine``
that shares the module's connection and a ``CachedAPI`` (one listing of the engine's
state). All items are validated before anything is looked at, and all of them are
planned before the first write: a real run first rehearses the whole layout as check
mode does (consumers planned against the data containers the run would leave), so a
refusal or a missing container anywhere changes nothing. When the rehearsal finds
nothing to change, its result is the run's; otherwise the run carries the layout out,
from the same cached listing. A failure after a write reports ``changed``, the actions
done and the actions left (the rehearsal's for the items not reached).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.bind_mount import (
    BindRequest,
    check_remote,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.cache import CachedAPI
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.interface import ModuleEngine
from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import CONNECTION_KEYS
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.named_volumes import NamedVolumes
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import (
    ConsumerRequest,
    converge_consumer,
)
from ansible_collections.persistent.volumes.plugins.module_utils.model.container import inspect_named
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.runner import converge_data_container
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import engine_paths
from ansible_collections.persistent.volumes.plugins.module_utils.engine.info import engine_facts
from ansible_collections.persistent.volumes.plugins.module_utils.layout.backups import layout_backups
from ansible_collections.persistent.volumes.plugins.module_utils.layout.problems import check_layout
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LayoutSpec
from ansible_collections.persistent.volumes.plugins.module_utils.volume.runner import converge_volume

KEEP = {
    'volume': ('volume', 'used_by', 'drift'),
    'data_container': ('volumes', 'recreated', 'released_volumes', 'consumers'),
    'consumer': ('volumes_from', 'mounts', 'recreated', 'reasons', 'released_volumes', 'host_directories'),
}


class SubEngine(ModuleEngine):
    """The ModuleEngine (runtime/interface.py) the single-object converge functions get, for one layout item."""

    def __init__(self, run, api, params):
        self.run = run
        self.api = api
        self.params = params
        self.options = run.engine.options
        self.module = getattr(run.engine, 'module', None)  # the AnsibleModule (a backup's age tool runs with it)
        self.plans = []

    @property
    def check_mode(self):
        return self.run.check_mode

    @property
    def diff_mode(self):
        return self.run.engine.diff_mode

    def warn(self, message):
        self.run.warn(message)

    def apply(self, plan, appliers=None):
        self.plans.append(plan)
        return super(SubEngine, self).apply(plan, appliers)


def predicted_raw(name, plan, existing):
    """The inspect data a data container will have once ``plan`` is carried out (check mode)."""
    raw = dict(existing or {'Id': 'predicted-%s' % name, 'Config': {'Labels': {}}, 'HostConfig': {},
                            'State': {'Status': 'created', 'Running': False}})
    raw['Name'] = '/' + name
    mounts = []
    for wanted in plan.wanted:
        origin = '(new anonymous volume for %s)' % wanted.path if wanted.new else wanted.origin
        mounts.append(dict(Type=wanted.type, Name=origin if wanted.type == 'volume' else None,
                           Source=origin if wanted.type == 'bind' else None,
                           Destination=wanted.path, RW=not wanted.spec.read_only))
    raw['Mounts'] = mounts
    return raw


class LayoutRun(object):
    """One pass over the layout: a rehearsal (``check_mode`` true in a real run) or the run itself."""

    def __init__(self, engine, api=None, check_mode=None, rehearsal=None):
        self.engine = engine
        self.api = api or CachedAPI(engine.api)
        self.check_mode = engine.check_mode if check_mode is None else check_mode
        self.rehearsal = rehearsal  # the rehearsal's planned actions: [(where, [action, ...])]
        self.planned = []
        self.warnings = []
        self.connection = dict((key, engine.params.get(key)) for key in CONNECTION_KEYS)
        self.results = dict(volumes=[], data_containers=[], consumers=[])
        self.diff = dict(before=dict(volumes={}, data_containers={}, consumers={}),
                         after=dict(volumes={}, data_containers={}, consumers={}))

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)

    def sub(self, params):
        merged = dict(params)
        merged.update(self.connection)
        return SubEngine(self, self.api, merged)

    def record(self, kind, group, name, result, where):
        entry = dict(name=name, changed=bool(result.get('changed')), actions=list(result.get('actions') or []))
        self.planned.append((where, entry['actions']))
        for key in KEEP[kind]:
            if key in result:
                entry[key] = result[key]
        self.results[group].append(entry)
        if 'diff' in result:
            self.diff['before'][group][name] = result['diff'].get('before')
            self.diff['after'][group][name] = result['diff'].get('after')

    def step(self, where, work):
        try:
            return work()
        except PersistentVolumesError as exc:
            details = dict(exc.details)
            details['objects'] = self.results
            if not self.check_mode:
                self.account(where, details)
            raise type(exc)('%s: %s' % (where, exc.msg), **details)

    def account(self, where, details):
        """What the run did before it failed at ``where`` and what it left undone."""
        done = ['%s: %s' % (item, action) for item, actions in self.planned for action in actions]
        done += ['%s: %s' % (where, action) for action in details.get('actions_done') or []]
        left = details.get('actions_left')
        if left is None:
            left = dict(self.rehearsal or []).get(where, [])
        left = ['%s: %s' % (where, action) for action in left]
        items = [item for item, dummy in self.rehearsal or []]
        after = items[items.index(where) + 1:] if where in items else []
        left += ['%s: %s' % (item, action) for item, actions in self.rehearsal or [] if item in after
                 for action in actions]
        details.update(changed=bool(done), actions_done=done, actions_left=left)

    def bind_requests(self, spec):
        """Every consumer's bind requests, checked (sensitive paths too) before anything changes."""
        requests = {}
        sockets = data_root = None
        for where, dummy, item in spec.consumers:
            binds = []
            if item.binds:
                check_remote(self.engine, [bind['source'] for bind in item.binds
                                           if bind.get('state') == 'present' and bind.get('create_source')])
                if sockets is None:
                    sockets, data_root = engine_paths(self.sub({}))
                for index, bind in enumerate(item.binds):
                    bind = dict(bind, container=item.spec.name)
                    binds.append(self.step(where, lambda: BindRequest(bind, sockets, data_root,
                                                                      where='binds[%d].' % index)))
            requests[item.spec.name] = binds + ([NamedVolumes(item.named)] if item.named else [])
        return requests

    def run(self, spec):
        binds = self.bind_requests(spec)
        for where, params, item in spec.volumes:
            result = self.step(where, lambda: converge_volume(self.sub(params)))
            self.record('volume', 'volumes', item.name, result, where)
        for where, params, item in spec.data_containers:
            sub = self.sub(params)
            result = self.step(where, lambda: converge_data_container(sub))
            self.record('data_container', 'data_containers', item.name, result, where)
            if self.check_mode and result.get('changed') and item.state == 'present':
                existing = inspect_named(self.api, item.name)
                self.api.predict(item.name, predicted_raw(item.name, sub.plans[-1], existing))
        for where, params, item in spec.consumers:
            request = ConsumerRequest(item.spec, wiring=item.wiring, exclusive=item.exclusive,
                                      binds=binds[item.spec.name])
            result = self.step(where, lambda: converge_consumer(self.sub(params), request))
            self.record('consumer', 'consumers', item.spec.name, result, where)
        return self.report()

    def report(self):
        summary = dict(changed=0, unchanged=0, recreated=0)
        for group, entries in self.results.items():
            summary[group] = dict(total=len(entries), changed=sum(1 for e in entries if e['changed']))
            summary['changed'] += summary[group]['changed']
            summary['unchanged'] += summary[group]['total'] - summary[group]['changed']
            summary['recreated'] += sum(1 for e in entries if e.get('recreated'))
        result = dict(changed=summary['changed'] > 0, objects=self.results, summary=summary)
        if self.engine.diff_mode:
            result['diff'] = self.diff
        return result


def layout_spec(engine):
    """The layout to converge. Given as the four list options, ansible-core checked them. Given as one
    ``layout`` dict (the role's one task per host), the lists are read here, every problem named with
    ``layout_prefix`` (the role's variable names), consumers wired to undeclared data containers
    refused, and the engine's API version checked, all before the engine's objects are looked at."""
    layout = engine.params.get('layout')
    if layout is None:
        return LayoutSpec(engine.params, checked=True)
    spec = check_layout(layout, engine.params.get('layout_prefix') or '')
    engine_facts(engine.api.version(), engine.options.docker_host)
    return spec


def converge_items(engine, spec):
    """The layout's volumes, data containers and consumers: rehearsed, then carried out when anything changes."""
    rehearsal = LayoutRun(engine, check_mode=True)
    result = rehearsal.run(spec)
    if engine.check_mode or not result['changed']:
        for message in rehearsal.warnings:
            engine.warn(message)
        return result
    rehearsal.api.forget_predictions()
    run = LayoutRun(engine, api=rehearsal.api, rehearsal=rehearsal.planned)
    try:
        return run.run(spec)
    finally:
        for message in run.warnings:
            engine.warn(message)


def converge_layout(engine):
    spec = layout_spec(engine)
    backups = layout_backups(engine, spec)  # checked before anything is looked at
    result = converge_items(engine, spec)
    if backups is None:
        return result
    run = LayoutRun(engine, api=engine.api)  # the engine as the layout left it, not the rehearsal's listing
    try:
        return backups.run(run, result)
    finally:
        for message in run.warnings:
            engine.warn(message)
