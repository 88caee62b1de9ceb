# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bind_mount module's work: a host directory mounted into a consumer."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import (
    ConsumerRequest,
    converge_consumer,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import PROPAGATIONS, bind_destination, split_bind
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import (
    HostDirectory,
    engine_paths,
    sensitive_reason,
    system_directory_reason,
)
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import (
    check_container_path,
    check_host_path,
    check_printable,
    parse_id,
    parse_mode,
)
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Action
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import (
    CREATE_HOST_DIRECTORY,
    SET_HOST_ATTRIBUTES,
)

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


class BindRequest(object):
    """The bind mount the task wants, checked."""

    def __init__(self, params, engine_sockets, data_root, where=''):
        self.target = check_container_path(params['target'], where + 'target')
        self.state = params.get('state') or 'present'
        self.source = params.get('source')
        self.create_source = params.get('create_source')
        self.owner = parse_id(params.get('owner'), 'owner', 'source')
        self.group = parse_id(params.get('group'), 'group', 'source')
        self.mode = parse_mode(params.get('mode'), 'source')
        self.container = params.get('container')
        self.allow_sensitive = bool(params.get('allow_sensitive'))
        self.engine_paths = (data_root, engine_sockets)
        if self.state == 'absent':
            return
        if not isinstance(self.source, str) or not self.source.startswith('/'):
            raise InputError('source must be an absolute host path, got %r.' % (self.source,))
        check_printable(self.source, 'source', 'host path')
        reason = sensitive_reason(self.source, data_root, engine_sockets)
        if reason and not self.allow_sensitive:
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
        if self.state == 'absent':
            # Only a host directory is removed; a volume bound at the target stays.
            return [bind for bind in have if bind_destination(bind) != self.target or not bind.startswith('/')]
        others = [bind for bind in have if bind_destination(bind) != self.target]
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
            return [Action(CREATE_HOST_DIRECTORY, self.source, 'missing', owner=self.owner, group=self.group,
                           mode=self.mode)], here.as_dict(), after
        differences = here.differences(self.owner, self.group, self.mode)
        if not differences:
            return [], here.as_dict(), after
        self.check_system_directory(differences)
        for key, value in (('owner', self.owner), ('group', self.group)):
            if value is not None:
                after[key] = value
        if self.mode is not None:
            after['mode'] = '%04o' % self.mode
        return [Action(SET_HOST_ATTRIBUTES, self.source, '; '.join(differences), owner=self.owner,
                       group=self.group, mode=self.mode)], here.as_dict(), after

    def check_system_directory(self, differences):
        """Owner and mode of the operating system's directories are not changed by accident."""
        reason = system_directory_reason(self.source, *self.engine_paths)
        if reason and not self.allow_sensitive:
            raise Refusal('Refusing to change %s of the existing host directory %s (%s) for %s: %s, and the Docker '
                          'host depends on its owner and mode. Leave owner, group and mode unset to mount it as '
                          'it is, or set allow_sensitive=true if that change is really meant; nothing was changed.'
                          % ('/'.join(d.split()[0] for d in differences), self.source,
                             '; '.join(differences), self.container, reason))


def check_remote(engine, sources):
    """Host directories can only be prepared when the engine is on this host."""
    if sources and not engine.options.is_local:
        raise InputError('docker_host %s is not a local socket, so this module cannot prepare the host directory '
                         '%s on the Docker host; prepare it there yourself and set create_source=false.'
                         % (engine.options.docker_host, ', '.join(sources)))


def converge_bind_mount(engine):
    params = engine.params
    spec = ConsumerSpec.from_params(params)
    if params.get('state') != 'absent' and params.get('create_source'):
        check_remote(engine, [params.get('source')])
    sockets, data_root = engine_paths(engine) if params.get('state') != 'absent' else ([], None)
    request = BindRequest(params, sockets, data_root)
    return converge_consumer(engine, ConsumerRequest(spec, binds=[request]))
