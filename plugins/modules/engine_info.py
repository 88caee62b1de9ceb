#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: engine_info
short_description: Check that a host can run this collection's modules, and report its Docker engine
version_added: 1.0.0
description:
  - Checks, on the managed node, what every other module of this collection needs there, and
    reports it.
  - The Python that runs the module must import the Docker SDK for Python (C(docker)) 7.1.0 or
    newer. Otherwise the module fails naming the SDK version found, the interpreter, the
    command that installs a supported SDK for that interpreter, and the playbook
    C(persistent.volumes.prepare_hosts), which makes a venv with the SDK on hosts whose system
    Python refuses pip installs (PEP 668, "externally-managed-environment").
  - The Docker engine at O(docker_host) must answer, with API version 1.41 or newer. Otherwise the
    module fails naming the engine, and what it answered or why it did not.
  - With O(layout), it also reads a layout (the options of P(persistent.volumes.layout#module)) with
    the layout module's own parser, without looking at the engine's objects, and fails before the
    engine is asked anything, naming what is wrong - the parser's first complaint, or else every
    consumer wired to a data container the layout does not declare.
  - P(persistent.volumes.layout#module) makes the same checks when its lists come as one O(layout) dict,
    as the role P(persistent.volumes.data_volume_container#role) passes them, before it changes anything.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
  - persistent.volumes.attributes.info_module
options:
  layout:
    description:
      - A layout to check, as P(persistent.volumes.layout#module) takes it - a dict with the keys
        C(volumes), C(data_containers), C(consumers) and C(exclusive).
      - Every list is read with the layout module's parser (types, choices, entries, names and container
        paths used twice), and every consumer wired to a data container the layout does not declare is
        named. Nothing is changed and no engine object is looked at.
    type: dict
  layout_prefix:
    description:
      - Put before the option names in the messages about O(layout) (the role passes
        V(data_volume_container_), the prefix of its variables).
    type: str
    default: ''
seealso:
  - module: persistent.volumes.volume_info
  - module: persistent.volumes.layout
'''

EXAMPLES = r'''
- name: Before changing a host, check its lists, its Python and its engine
  persistent.volumes.engine_info:
    layout:
      data_containers:
        - name: app_data
          volumes:
            - /data
      consumers:
        - container: app
          from:
            - app_data

- name: Can this host run the collection's modules?
  persistent.volumes.engine_info:
  register: docker_host_facts

- name: Show the engine
  ansible.builtin.debug:
    msg: "{{ docker_host_facts.engine.Version }} (API {{ docker_host_facts.engine.ApiVersion }}),
      Docker SDK {{ docker_host_facts.sdk_version }} on {{ docker_host_facts.python }}"
'''

RETURN = r'''
layout_problems:
  description: What is wrong with O(layout), each naming the item; the module fails with them.
  returned: when O(layout) has problems
  type: list
  elements: str
  sample: ["data_volume_container_consumers[0] (app): wired to app_data, which is not declared in data_volume_container_data_containers (declared: none)."]
python:
  description: The interpreter that ran the module.
  returned: success
  type: str
  sample: /usr/bin/python3
python_version:
  description: Its version.
  returned: success
  type: str
  sample: 3.11.2
sdk_version:
  description: The version of the Docker SDK for Python that interpreter imports.
  returned: success
  type: str
  sample: 7.1.0
minimum_sdk_version:
  description: The oldest Docker SDK for Python this collection supports.
  returned: success
  type: str
  sample: 7.1.0
docker_host:
  description: The engine that was asked.
  returned: success
  type: str
  sample: unix:///var/run/docker.sock
engine:
  description: The engine's answer to C(GET /version), as it gives it (C(Version), C(ApiVersion),
    C(MinAPIVersion), C(Os), C(Arch), C(KernelVersion), C(Components), ...).
  returned: success
  type: dict
  sample:
    Version: 20.10.24+dfsg1
    ApiVersion: "1.41"
    MinAPIVersion: "1.12"
    Os: linux
    Arch: amd64
minimum_api_version:
  description: The oldest engine API version this collection supports.
  returned: success
  type: str
  sample: "1.41"
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 2
'''

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.layout.problems import check_host

ARGUMENT_SPEC = dict(
    layout=dict(type='dict'),
    layout_prefix=dict(type='str', default=''),
)


def main():
    engine = EngineModule([ARGUMENT_SPEC])
    engine.run(check_host)


if __name__ == '__main__':
    main()
