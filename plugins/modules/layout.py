#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: layout
short_description: Converge a Docker host's whole storage - volumes, data containers, consumers - in one task
version_added: 1.0.0
description:
  - Converges every named volume, data-only container and consumer of a host in one module run,
    with one listing of the engine's state.
  - Each item takes the options of its single module (M(persistent.volumes.volume),
    M(persistent.volumes.data_container), M(persistent.volumes.volumes_from) and
    M(persistent.volumes.bind_mount)) and is converged by the same engine, with the same
    guarantees. Items are handled in order - volumes, then data containers, then consumers.
  - Every item is validated before anything is looked at, so bad input changes nothing.
  - Every item is planned before the first write - a real run first plans the whole layout as check
    mode does, consumers against the data containers the run will create - so a refusal anywhere, or a
    consumer whose C(from) names a container that neither exists nor is in O(data_containers), changes
    nothing.
  - When the engine fails an action after others were carried out, the task fails with C(changed=true),
    C(actions_done) and C(actions_left) (each prefixed with its item).
  - P(persistent.volumes.volume_info#module) returns a host's current state in this shape
    (its C(layout) key), so an existing host can be adopted.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.layout
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    details:
      - Consumers are planned against the data containers as the run would leave them.
  diff_mode:
    support: full
seealso:
  - module: persistent.volumes.volume_info
  - module: persistent.volumes.data_container
  - module: persistent.volumes.volumes_from
'''

EXAMPLES = r'''
- name: The billing host's storage
  persistent.volumes.layout:
    volumes:
      - name: pgdata
        labels:
          app: billing
    data_containers:
      - name: billing_data
        volumes:
          - pgdata:/var/lib/postgresql/data
          - /var/log/postgresql
    consumers:
      - container: billing_db
        from: [billing_data]
        image: postgres:16
        env:
          # the official image refuses to initialise without it; keep it in a vault
          POSTGRES_PASSWORD: "{{ billing_db_password }}"
        running: true
      - container: billing_reports
        from: ["billing_data:ro"]
        image: busybox:latest
        command: sleep infinity
        binds:
          - source: /srv/reports
            target: /reports
            mode: "0750"

- name: Adopt a host - read its current layout ...
  persistent.volumes.volume_info:
    include_layout: true
  register: current

- name: ... and converge it as it is (reports no change)
  persistent.volumes.layout: "{{ current.layout }}"
'''

RETURN = r'''
objects:
  description:
    - Per-object results, in the order handled. (Not named C(results), which Ansible keeps for loops.)
  returned: always
  type: dict
  contains:
    volumes:
      description: One entry per volume (name, changed, actions, volume, used_by, drift).
      type: list
      elements: dict
      returned: always
    data_containers:
      description: One entry per data container (name, changed, actions, volumes, recreated, released_volumes, consumers).
      type: list
      elements: dict
      returned: always
    consumers:
      description: One entry per consumer (name, changed, actions, volumes_from, mounts, recreated, reasons, host_directories).
      type: list
      elements: dict
      returned: always
  sample:
    volumes:
      - name: pgdata
        changed: false
        actions: []
    data_containers: []
    consumers: []
summary:
  description: Counts of objects, changed objects and recreated containers.
  returned: always
  type: dict
  sample:
    changed: 1
    unchanged: 4
    recreated: 1
    volumes: {total: 1, changed: 0}
    data_containers: {total: 1, changed: 1}
    consumers: {total: 2, changed: 0}
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 9
'''

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.layout.runner import converge_layout
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LAYOUT_ARGS


def main():
    engine = EngineModule([LAYOUT_ARGS])
    engine.run(converge_layout)


if __name__ == '__main__':
    main()
