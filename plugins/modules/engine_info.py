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
    newer. Otherwise the module fails naming the SDK version found, the interpreter, and the
    command that installs a supported SDK for that interpreter.
  - The Docker engine at O(docker_host) must answer, with API version 1.41 or newer. Otherwise the
    module fails naming the engine, and what it answered or why it did not.
  - The role P(persistent.volumes.data_volume_container#role) runs it once per host before it
    changes anything.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
  - persistent.volumes.attributes.info_module
options: {}
seealso:
  - module: persistent.volumes.volume_info
  - module: persistent.volumes.layout
'''

EXAMPLES = r'''
- name: Can this host run the collection's modules?
  persistent.volumes.engine_info:
  register: docker_host_facts

- name: Show the engine
  ansible.builtin.debug:
    msg: "{{ docker_host_facts.engine.Version }} (API {{ docker_host_facts.engine.ApiVersion }}),
      Docker SDK {{ docker_host_facts.sdk_version }} on {{ docker_host_facts.python }}"
'''

RETURN = r'''
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

from ansible_collections.persistent.volumes.plugins.module_utils.engine.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.engine.info import report_engine


def main():
    engine = EngineModule([])
    engine.run(report_engine)


if __name__ == '__main__':
    main()
