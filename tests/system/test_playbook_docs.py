# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each playbook's header lists exactly the variables the playbook reads from the user (its
templates, conditions and host patterns, less what it registers, sets or defines itself), and
the README names each of them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest
import yaml
from jinja2 import Environment, meta

from lab import REPO

PLAYBOOKS = ('backup', 'restore', 'migrate', 'storage_map', 'prepare_hosts')
# Keys whose value is a bare Jinja expression, not a template.
EXPRESSIONS = ('when', 'that', 'failed_when', 'changed_when', 'until')
# What Ansible itself defines.
MAGIC = {'ansible_play_hosts_all', 'ansible_limit', 'ansible_check_mode', 'inventory_hostname', 'hostvars', 'groups',
         'playbook_dir', 'omit', 'item', 'ansible_playbook_python', 'lookup', 'query', 'ansible_facts'}
ROLE_PREFIX = 'data_volume_container'


def documented(text):
    """The names after '# Variables' in the header: '#   name  text' lines; '_x' after a
    data_volume_container_ name stands for data_volume_container_x."""
    names, header = set(), text.split('\n- name:')[0]
    lines = header.split('# Variables', 1)[1].splitlines()[1:]
    for line in lines:
        match = re.match(r'^#   ([a-z_][a-z0-9_, ]*?)(?:\s{2,}|,?$)', line)
        if not match:
            continue
        for name in (part.strip() for part in match.group(1).split(',')):
            if name.startswith('_'):
                name = ROLE_PREFIX + name
            if name:
                names.add(name)
    return names


class Anything(dict):
    """Every filter and test name is known: only the variables matter here."""

    def __contains__(self, name):
        return True

    def get(self, name, default=None):
        return lambda *args, **kwargs: None


class Reads(object):
    """Names read by templates and expressions, and names the playbook defines itself."""

    def __init__(self):
        self.env = Environment()
        self.env.filters, self.env.tests = Anything(), Anything()
        self.read, self.defined = set(), set()

    def template(self, text, expression=False):
        if expression:
            text = '{{ %s }}' % text
        if '{{' in text or '{%' in text:
            self.read |= meta.find_undeclared_variables(self.env.parse(text))

    def walk(self, value, key=None):
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                self.walk(sub_value, sub_key)
        elif isinstance(value, list):
            for item in value:
                self.walk(item, key)
        elif isinstance(value, str):
            self.template(value, expression=key in EXPRESSIONS and '{{' not in value)

    def task(self, task):
        for part in ('block', 'rescue', 'always'):
            for inner in task.get(part, []):
                self.task(inner)
        self.defined.add(task.get('register', ''))
        self.defined |= set(task.get('vars', {}))
        self.defined |= set(task.get('ansible.builtin.set_fact', {}) or {})
        self.walk(task)

    def play(self, play):
        self.defined |= set(play.get('vars', {}))
        for key, value in play.items():
            if key in ('tasks', 'pre_tasks', 'post_tasks', 'handlers'):
                for task in value:
                    self.task(task)
            elif key != 'vars':
                self.walk(value, key)
        self.walk(play.get('vars', {}))

    def user_variables(self):
        return self.read - self.defined - MAGIC


@pytest.mark.parametrize('name', PLAYBOOKS)
def test_header_lists_the_variables_the_playbook_reads(name):
    with open(os.path.join(REPO, 'playbooks', name + '.yml')) as handle:
        text = handle.read()
    reads = Reads()
    for play in yaml.safe_load(text):
        reads.play(play)
    listed = documented(text)
    assert listed == reads.user_variables(), dict(undocumented=sorted(reads.user_variables() - listed),
                                                  not_read=sorted(listed - reads.user_variables()))


@pytest.mark.parametrize('name', PLAYBOOKS)
def test_readme_names_every_variable(name):
    with open(os.path.join(REPO, 'playbooks', name + '.yml')) as handle:
        listed = documented(handle.read())
    with open(os.path.join(REPO, 'README.md')) as handle:
        readme = handle.read()
    missing = sorted(variable for variable in listed
                     if not variable.startswith(ROLE_PREFIX) and '`%s`' % variable not in readme)
    assert not missing, missing
