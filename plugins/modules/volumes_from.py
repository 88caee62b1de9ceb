#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: volumes_from
short_description: Wire a consumer container to data containers with --volumes-from
version_added: 1.0.0
description:
  - Ensures a consumer container mounts the volumes of data containers, like
    C(docker run --volumes-from datacontainer ...).
  - Drift is judged on effective mounts, not on strings. When a data container was recreated or
    gained paths, a consumer that no longer mounts the data container's current volumes is
    recreated (never with its volumes removed) and started again if it was running.
  - A consumer the engine marked for removal (status C(dead) after a removal that failed
    half-way, or C(removing)) cannot be started again; it is recreated the same way.
  - Creates the consumer when it is missing (O(image) is then needed).
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.consumer
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  from:
    description:
      - The data containers to take volumes from. Each is V(name), V(name:ro), V(name:rw), or a dict
        with C(container) and C(mode) (V(ro) or V(rw), default V(rw)).
      - A missing data container fails the task, naming it. The consumer itself cannot be one of them.
    type: list
    elements: raw
    required: true
  exclusive:
    description:
      - V(false) keeps the consumer's other C(--volumes-from) wiring; V(true) makes O(from) the whole list.
    type: bool
    default: false
  state:
    description:
      - V(present) ensures the wiring; V(absent) removes the wiring to the listed containers (the
        volumes themselves are not touched).
    type: str
    default: present
    choices: [present, absent]
seealso:
  - module: persistent.volumes.data_container
  - module: persistent.volumes.bind_mount
'''

EXAMPLES = r'''
- name: docker run --volumes-from datacontainer busybox ... (created and started when missing)
  persistent.volumes.volumes_from:
    container: writer
    from:
      - datacontainer
    image: busybox:latest
    command: sleep infinity
    running: true

- name: A reporting consumer that may only read (created, not started, when missing)
  persistent.volumes.volumes_from:
    container: reporter
    from:
      - container: datacontainer
        mode: ro
    image: busybox:latest
    command: sleep infinity

- name: Unwire a consumer from an old data container
  persistent.volumes.volumes_from:
    container: writer
    from:
      - old_datacontainer
    state: absent
'''

RETURN = r'''
container:
  description: The consumer (name, id, image, labels, running).
  returned: always
  type: dict
  sample:
    name: writer
    running: true
volumes_from:
  description: The consumer's C(--volumes-from) entries after the task.
  returned: always
  type: list
  elements: str
  sample: ["datacontainer:rw"]
mounts:
  description: Container path to volume name (or host directory) in the consumer after the task.
  returned: always
  type: dict
  sample:
    /datastore: 0b6f2a34c1d84e5f9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f
recreated:
  description: Whether the consumer was recreated.
  returned: always
  type: bool
  sample: false
reasons:
  description: Why the consumer was (or would be) recreated.
  returned: always
  type: list
  elements: str
  sample: ["datacontainer has /logs, which writer does not mount"]
actions:
  description: The engine actions taken (or, in check mode, that would be taken), with their reasons.
  returned: always
  type: list
  elements: str
  sample: ["create consumer writer: missing"]
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 6
'''

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import CONSUMER_ARGS
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.volumes_from import converge_volumes_from
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule

ARGUMENT_SPEC = {
    'from': dict(type='list', elements='raw', required=True),
    'exclusive': dict(type='bool', default=False),
    'state': dict(type='str', default='present', choices=['present', 'absent']),
}


def main():
    engine = EngineModule([CONSUMER_ARGS, ARGUMENT_SPEC])
    engine.run(converge_volumes_from)


if __name__ == '__main__':
    main()
