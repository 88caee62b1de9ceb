# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every consumer option, declared once (the idea of community.docker's ``Option`` table, our own code).

Each ``ConsumerOption`` holds the option's argument spec and documentation (the doc fragment
``persistent.volumes.consumer`` says the same: a unit test compares them), how the task's value is
read (``parse``), where the engine keeps it in an inspect (``observe``) and how the two compare
(``compare``: the whole value, or a dict key by key, other keys kept), and how it goes into a create
request (``request``: into ``Config`` and ``HostConfig``, on top of the old container's for a
replacement). ``CONSUMER_ARGS``, ``ConsumerSpec``, its ``differences``, the create request of a new
consumer and the replica of an old one all read this table.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import shlex

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.image.reference import check_image_reference
from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import (
    check_name,
    normal_path,
    string_map,
    user_labels,
)

RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped']


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


def merged_env(env_list, updates):
    """``Env`` with ``updates`` applied in place (new names at the end); the order is kept."""
    updates = dict(updates or {})
    merged = []
    for item in env_list or []:
        key = item.partition('=')[0]
        merged.append('%s=%s' % (key, updates.pop(key)) if key in updates else item)
    merged.extend('%s=%s' % item for item in sorted(updates.items()))
    return merged


def parse_working_dir(value):
    if value is not None and (not isinstance(value, str) or not value.startswith('/')):
        raise InputError('working_dir must be an absolute path, got %r.' % value)
    # compared as the engine stores it: /a/../b is /b, /tmp/ is /tmp
    return normal_path(value)


def parse_restart_policy(value):
    if value is not None and value not in RESTART_POLICIES:
        raise InputError('restart_policy must be one of %s, got %r.' % (', '.join(RESTART_POLICIES), value))
    return value


def restart_policy_request(old, restart_policy):
    """``HostConfig.RestartPolicy`` for ``restart_policy`` (a policy name): the old one, retry count
    included, when the name is the same; else the named policy."""
    if old and (old.get('Name') or 'no') == restart_policy:
        return copy.deepcopy(old)
    return {'Name': '' if restart_policy == 'no' else restart_policy, 'MaximumRetryCount': 0}


def _config(raw):
    return raw.get('Config') or {}


def _host(raw):
    return raw.get('HostConfig') or {}


def _set_config(key):
    def request(config, host, wanted):
        if wanted is not None:
            config[key] = wanted
    return request


def _request_env(config, host, wanted):
    if wanted:
        config['Env'] = merged_env(config.get('Env'), wanted)


def _request_labels(config, host, wanted):
    labels = pv_labels.user_labels(config.get('Labels'))  # the collection's own are set by the planner
    labels.update(wanted or {})
    config['Labels'] = labels


def _request_network_mode(config, host, wanted):
    if wanted is not None:
        host['NetworkMode'] = wanted


def _request_restart_policy(config, host, wanted):
    if wanted is not None:
        host['RestartPolicy'] = restart_policy_request(host.get('RestartPolicy'), wanted)


def _compare_network_mode(wanted, have):
    """bridge and default are one network mode."""
    return wanted in ('bridge', 'default') and have in ('bridge', 'default') or wanted == have


class ConsumerOption(object):
    """One option of a consumer. ``observe`` None: not compared here (the image is compared by ID,
    ``running`` is a state); ``request`` None: not part of the create request."""

    def __init__(self, name, spec, doc, parse=None, observe=None, compare='equal', request=None):
        self.name = name
        self.spec = spec
        self.doc = doc
        self.parse = parse or (lambda value: value)
        self.observe = observe
        self.compare = compare
        self.request = request

    def differences(self, wanted, raw):
        """[(label, wanted, found)] where the container's value is not what the task wants."""
        if wanted is None or self.observe is None:
            return []
        have = self.observe(raw)
        if self.compare == 'keys':
            return [('%s.%s' % (self.name, key), value, (have or {}).get(key))
                    for key, value in sorted(wanted.items()) if value != (have or {}).get(key)]
        same = self.compare(wanted, have) if callable(self.compare) else wanted == have
        return [] if same else [(self.name, wanted, have)]


OPTIONS = (
    ConsumerOption('container', dict(type='str', required=True), ["The consumer container's name."],
                   parse=lambda value: check_name(value, 'container name')),
    ConsumerOption('running', dict(type='bool'), [
        'V(true) starts the consumer, V(false) stops it.',
        'When omitted, a running consumer that has to be recreated is started again afterwards, and a new '
        'consumer is created without being started.']),
    ConsumerOption('image', dict(type='str'), [
        "The consumer's image. Needed to create a missing consumer.",
        'Given for an existing consumer, a different image makes it be recreated.'],
        parse=check_image_reference),
    ConsumerOption('command', dict(type='raw'), [
        'The command (a string is split like a shell would, or a list of strings).',
        'When omitted, an existing consumer keeps its command.'],
        parse=lambda value: command_list(value, 'command') or None,
        observe=lambda raw: _config(raw).get('Cmd'), request=_set_config('Cmd')),
    ConsumerOption('entrypoint', dict(type='raw'), [
        'The entrypoint (a string or a list of strings). When omitted, it is kept.'],
        parse=lambda value: command_list(value, 'entrypoint'),
        observe=lambda raw: _config(raw).get('Entrypoint'), request=_set_config('Entrypoint')),
    ConsumerOption('env', dict(type='dict'), [
        'Environment variables to set. Values must be strings. Variables not listed are kept.'],
        parse=parse_env, observe=lambda raw: env_dict(_config(raw).get('Env')), compare='keys',
        request=_request_env),
    ConsumerOption('user', dict(type='str'), ['The user the consumer runs as. When omitted, it is kept.'],
                   observe=lambda raw: _config(raw).get('User') or '', request=_set_config('User')),
    ConsumerOption('working_dir', dict(type='str'), [
        'The working directory (absolute). When omitted, it is kept.',
        'Compared as the engine stores it - V(/srv/app/) and V(/srv/x/../app) are V(/srv/app).'],
        parse=parse_working_dir, observe=lambda raw: normal_path(_config(raw).get('WorkingDir') or ''),
        request=_set_config('WorkingDir')),
    ConsumerOption('labels', dict(type='dict'), [
        'Labels to set. Values must be strings; labels not listed are kept. Keys starting with '
        'C(persistent.volumes.) are the collection\'s own and refused.'],
        parse=user_labels, observe=lambda raw: _config(raw).get('Labels'), compare='keys',
        request=_request_labels),
    ConsumerOption('network_mode', dict(type='str'), [
        'The network mode (V(bridge), V(host), V(none), a network name, V(container:<name>)). '
        'When omitted, it is kept.'],
        observe=lambda raw: _host(raw).get('NetworkMode'), compare=_compare_network_mode,
        request=_request_network_mode),
    ConsumerOption('restart_policy', dict(type='str', choices=RESTART_POLICIES), [
        'The restart policy. When omitted, it is kept.'],
        parse=parse_restart_policy, observe=lambda raw: (_host(raw).get('RestartPolicy') or {}).get('Name') or 'no',
        request=_request_restart_policy),
    ConsumerOption('release_volumes', dict(type='bool', default=False), [
        'A consumer that has to be recreated may hold a volume its data containers no longer provide (the data '
        'container was removed with C(force) and made again, or a path\'s source changed). When no other '
        'container holds that volume, the recreation is refused, because the data would be reachable through '
        'no container.',
        'V(true) lets the volume go. It is never deleted; it is reported in C(released_volumes).'],
        parse=bool),
)

BY_NAME = dict((option.name, option) for option in OPTIONS)

# What a task may change on a consumer's container (running is a state, release_volumes a permission).
SPEC_OPTIONS = tuple(option.name for option in OPTIONS if option.name not in ('container', 'running', 'release_volumes'))

CONSUMER_ARGS = dict((option.name, dict(option.spec)) for option in OPTIONS)


def apply_options(config, host, values):
    """Put each option of ``values`` ({option: wanted value, None keeps}) into the create request's
    ``config`` and ``host`` (a new consumer's, empty; a replacement's, the old container's)."""
    for option in OPTIONS:
        if option.request is not None:
            option.request(config, host, values.get(option.name))
