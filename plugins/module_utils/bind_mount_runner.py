# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bind_mount module's work: a host directory mounted into a consumer."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer_plan import (
    ConsumerPlanner,
    bind_destination,
    split_volumes_from,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer_runner import (
    consumer_result,
    observe_consumer,
    wanted_image,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer_spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.host_paths import (
    HostDirectory,
    normal_path,
    sensitive_reason,
)
from ansible_collections.persistent.volumes.plugins.module_utils.mount_spec import (
    check_container_path,
    check_host_path,
    parse_id,
    parse_mode,
)
from ansible_collections.persistent.volumes.plugins.module_utils.plan import Action

PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']

BIND_MOUNT_ARGS = dict(
    source=dict(type='str'),
    target=dict(type='str', required=True),
    read_only=dict(type='bool', default=False),
    propagation=dict(type='str', choices=PROPAGATIONS),
    selinux_relabel=dict(type='str', choices=['z', 'Z']),
    create_source=dict(type='bool', default=True),
    owner=dict(type='raw'),
    group=dict(type='raw'),
    mode=dict(type='raw'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    allow_sensitive=dict(type='bool', default=False),
)

BIND_MOUNT_REQUIRED_IF = [('state', 'present', ['source'])]


def split_bind(bind):
    parts = bind.split(':')
    options = set(parts[2].split(',')) if len(parts) > 2 and parts[2] else set()
    options.discard('rw')
    return parts[0], parts[1] if len(parts) > 1 else parts[0], options


class BindRequest(object):
    """The bind mount the task wants, checked."""

    def __init__(self, params, engine_sockets, data_root):
        self.target = check_container_path(params['target'], 'target')
        self.state = params.get('state') or 'present'
        self.source = params.get('source')
        self.create_source = params.get('create_source')
        self.owner = parse_id(params.get('owner'), 'owner', 'source')
        self.group = parse_id(params.get('group'), 'group', 'source')
        self.mode = parse_mode(params.get('mode'), 'source')
        if self.state == 'absent':
            return
        if not isinstance(self.source, str) or not self.source.startswith('/'):
            raise InputError('source must be an absolute host path, got %r.' % (self.source,))
        reason = sensitive_reason(self.source, data_root, engine_sockets)
        if reason and not params.get('allow_sensitive'):
            raise Refusal('Refusing to bind-mount %s into %s: %s. Mounting it would expose or endanger the '
                          'Docker host; set allow_sensitive=true if that is really meant. Nothing was changed.'
                          % (self.source, params['container'], reason))
        check_host_path(self.source, 'source')
        options = ['ro' if params.get('read_only') else 'rw']
        if params.get('propagation'):
            options.append(params['propagation'])
        if params.get('selinux_relabel'):
            options.append(params['selinux_relabel'])
        self.bind = '%s:%s:%s' % (self.source, self.target, ','.join(options))

    def binds(self, have):
        """The consumer's binds with this request applied (an equal bind is kept as written)."""
        others = [bind for bind in have if bind_destination(bind) != self.target]
        if self.state == 'absent':
            return others
        for bind in have:
            if bind_destination(bind) == self.target and split_bind(bind) == split_bind(self.bind):
                return list(have)
        return others + [self.bind]

    def host_actions(self):
        """Actions preparing the host directory, and its before/after views."""
        if self.state == 'absent' or not self.create_source:
            return [], None, None
        here = HostDirectory(self.source)
        after = dict(here.as_dict())
        if not here.exists:
            after.update(state='directory', owner=self.owner if self.owner is not None else 0,
                         group=self.group if self.group is not None else 0,
                         mode='%04o' % (self.mode if self.mode is not None else 0o755))
            return [Action('create_host_directory', self.source, 'missing', owner=self.owner, group=self.group,
                           mode=self.mode)], here.as_dict(), after
        differences = here.differences(self.owner, self.group, self.mode)
        if not differences:
            return [], here.as_dict(), after
        for key, value in (('owner', self.owner), ('group', self.group)):
            if value is not None:
                after[key] = value
        if self.mode is not None:
            after['mode'] = '%04o' % self.mode
        return [Action('set_host_attributes', self.source, '; '.join(differences), owner=self.owner,
                       group=self.group, mode=self.mode)], here.as_dict(), after


def converge_bind_mount(engine):
    params = engine.params
    spec = ConsumerSpec.from_params(params)
    api = engine.api
    local = engine.options.is_local
    if not local and params.get('create_source') and params.get('state') != 'absent':
        raise InputError('docker_host %s is not a local socket, so this module cannot prepare the host directory '
                         '%s on the Docker host; prepare it there yourself and set create_source=false.'
                         % (engine.options.docker_host, params.get('source')))
    data_root = api.info().get('DockerRootDir') if params.get('state') != 'absent' else None
    socket = engine.options.docker_host[len('unix://'):] if engine.options.docker_host.startswith('unix://') else None
    request = BindRequest(params, [normal_path(socket)] if socket else [], data_root)
    holder, leftovers, current, old_sources = observe_consumer(api, spec.name)
    if current is None and request.state == 'absent':
        return dict(changed=False, container={}, volumes_from=[], mounts={}, recreated=False, reasons=[])
    have = list(((current.raw.get('HostConfig') or {}).get('Binds') or [])) if current else []
    pairs = [(old_sources[name].name if old_sources.get(name) else name, mode)
             for name, mode in (split_volumes_from(entry) for entry in (current.volumes_from if current else []))]
    gone = [name for name, dummy in pairs if old_sources.get(name) is None]
    if gone:
        raise InputError('%s is wired to %s, which no longer exist%s; fix its wiring with '
                         'persistent.volumes.volumes_from first.' % (spec.name, ', '.join(gone), 's' if len(gone) == 1 else ''))
    image, image_action = wanted_image(api, spec)
    planner = ConsumerPlanner(spec, holder, leftovers, image, old_sources, dict(old_sources), pairs,
                              request.binds(have), replacement_name=engine.replacement_name(spec.name),
                              image_action=image_action)
    plan = planner.plan()
    host_actions, host_before, host_after = request.host_actions()
    plan.actions[0:0] = host_actions
    if host_before is not None:
        plan.before = dict(plan.before, host_directory=host_before)
        plan.after = dict(plan.after, host_directory=host_after)
    result = consumer_result(engine, plan, spec)
    if host_after is not None:
        result['host_directory'] = host_after if engine.check_mode else HostDirectory(request.source).as_dict()
    return result
