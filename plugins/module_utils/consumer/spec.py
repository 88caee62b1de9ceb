# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consumer-container concern shared by volumes_from and bind_mount.

A consumer is an ordinary container that mounts storage. The spec options create it
when missing and recreate it when they change; options left out keep the existing
container's values.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import shlex

from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import check_image_reference
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import check_name, normal_path, string_map, user_labels

RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped']

CONSUMER_ARGS = dict(
    container=dict(type='str', required=True),
    running=dict(type='bool'),
    image=dict(type='str'),
    command=dict(type='raw'),
    entrypoint=dict(type='raw'),
    env=dict(type='dict'),
    user=dict(type='str'),
    working_dir=dict(type='str'),
    labels=dict(type='dict'),
    network_mode=dict(type='str'),
    restart_policy=dict(type='str', choices=RESTART_POLICIES),
    release_volumes=dict(type='bool', default=False),
)


def command_list(value, option):
    """A command as a list of strings (a string is split like a shell would)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise InputError('%s: cannot split %r into words: %s.' % (option, value, exc))
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) and not isinstance(item, bool)
                                       for item in value):
        return [str(item) for item in value]
    raise InputError('%s must be a string or a list of strings, got %r.' % (option, value))


def parse_env(value):
    """Environment as {name: value}; names must not hold "=" (YAML booleans are refused)."""
    env = string_map(value, 'env')
    for key in env or {}:
        if '=' in key:
            raise InputError('env: variable name %r must not contain "=".' % key)
    return env


def env_dict(env_list):
    result = {}
    for item in env_list or []:
        key, dummy, value = item.partition('=')
        result[key] = value
    return result


class ConsumerSpec(object):
    """The consumer's own options (None means: keep the existing container's value)."""

    OPTIONS = ('image', 'command', 'entrypoint', 'env', 'user', 'working_dir', 'labels',
               'network_mode', 'restart_policy')

    def __init__(self, container, running=None, image=None, command=None, entrypoint=None, env=None,
                 user=None, working_dir=None, labels=None, network_mode=None, restart_policy=None,
                 release_volumes=False):
        self.name = check_name(container, 'container name')
        self.release_volumes = bool(release_volumes)
        self.running = running
        self.image = check_image_reference(image)
        self.command = command_list(command, 'command') or None
        self.entrypoint = command_list(entrypoint, 'entrypoint')
        self.env = parse_env(env)
        self.user = user
        if working_dir is not None and (not isinstance(working_dir, str) or not working_dir.startswith('/')):
            raise InputError('working_dir must be an absolute path, got %r.' % working_dir)
        # compared as the engine stores it: /a/../b is /b, /tmp/ is /tmp
        self.working_dir = normal_path(working_dir)
        self.labels = user_labels(labels)
        self.network_mode = network_mode
        if restart_policy is not None and restart_policy not in RESTART_POLICIES:
            raise InputError('restart_policy must be one of %s, got %r.' % (', '.join(RESTART_POLICIES), restart_policy))
        self.restart_policy = restart_policy

    @classmethod
    def from_params(cls, params):
        return cls(params['container'], running=params.get('running'),
                   release_volumes=params.get('release_volumes'),
                   **dict((option, params.get(option)) for option in cls.OPTIONS))

    def differences(self, current, image_id):
        """Spec options that differ from the existing container, as readable lines."""
        config = current.raw.get('Config') or {}
        host = current.raw.get('HostConfig') or {}
        found = []

        def differ(option, wanted, have):
            if wanted is not None and wanted != have:
                found.append('%s: %r wanted, %r found' % (option, wanted, have))

        if self.image is not None and image_id is not None and image_id != current.image_id:
            found.append('image: %s is a different image than the container has' % self.image)
        differ('command', self.command, config.get('Cmd'))
        differ('entrypoint', self.entrypoint, config.get('Entrypoint'))
        have_env = env_dict(config.get('Env'))
        for key, value in sorted((self.env or {}).items()):
            differ('env.%s' % key, value, have_env.get(key))
        differ('user', self.user, config.get('User') or '')
        differ('working_dir', self.working_dir, normal_path(config.get('WorkingDir') or ''))
        for key, value in sorted((self.labels or {}).items()):
            differ('labels.%s' % key, value, (config.get('Labels') or {}).get(key))
        have_network = host.get('NetworkMode')
        if self.network_mode in ('bridge', 'default') and have_network in ('bridge', 'default'):
            have_network = self.network_mode
        differ('network_mode', self.network_mode, have_network)
        differ('restart_policy', self.restart_policy, ((host.get('RestartPolicy') or {}).get('Name') or 'no'))
        return found
