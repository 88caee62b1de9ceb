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
  - The lists may instead come as one O(layout) dict, as the role
    P(persistent.volumes.data_volume_container#role) passes its variables in its one task per host - then the
    module itself reads them, before the engine's objects are looked at, with the checks
    P(persistent.volumes.engine_info#module) makes - every problem is named with O(layout_prefix), a
    consumer wired to a data container the layout does not declare is refused, and the engine must speak
    API 1.41 or newer.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.layout
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
options:
  layout:
    description:
      - The layout as one dict with the keys C(volumes), C(data_containers), C(consumers) and C(exclusive),
        each as the option of the same name takes it; instead of those options.
      - The module reads every list itself (types, choices, entries, names and container paths used twice - the
        first complaint), names each problem by O(layout_prefix), the list and the index (for example
        C(data_volume_container_consumers[0])), and refuses a consumer wired to a data container the
        layout does not declare, before anything is looked at.
    type: dict
    version_added: 1.1.0
  layout_prefix:
    description:
      - Put before the option names in the messages about O(layout) (the role passes
        V(data_volume_container_), the prefix of its variables).
    type: str
    default: ''
    version_added: 1.1.0
  backup:
    description:
      - Back up every data container the layout keeps (state V(present)) once the layout converged, in the same
        task, as M(persistent.volumes.volume_backup) backs it up (the same engine, the same guarantees), into
        C(<dir>/<host>/<name>.tar.gz) (C(.tar.xz), C(.tar)). Unchanged data writes no new archive.
      - Every option is checked with the task, before the layout changes anything. A backup that fails ends the
        task, which says what the layout and the earlier backups changed.
      - Results in RV(objects.backups); the role P(persistent.volumes.data_volume_container#role) takes its backups
        so, in its one task per host.
    type: dict
    version_added: 1.1.0
    suboptions:
      dir:
        description:
          - The backup directory on the managed host. It and C(<dir>/<host>) are made with mode C(0700) when they are
            missing; an existing directory keeps its owner and mode (it may be a system one, like C(/var/backups)).
        type: path
        required: true
      host:
        description:
          - The name of the host, as the inventory names it - the directory below O(backup.dir) and the host each
            manifest names (see the option C(host) of M(persistent.volumes.volume_backup)). Default the engine's ID.
        type: str
      compression:
        description: Compression of the archives.
        type: str
        default: gzip
        choices: [none, gzip, xz]
      keep:
        description: Keep this many dated archives of each data container (the option C(keep) of M(persistent.volumes.volume_backup)).
        type: int
      keep_daily:
        description: Keep the newest archive of each of the last N days (as M(persistent.volumes.volume_backup)).
        type: int
      keep_weekly:
        description: Keep the newest archive of each of the last N ISO weeks.
        type: int
      keep_monthly:
        description: Keep the newest archive of each of the last N calendar months.
        type: int
      encrypt_to:
        description: Encrypt the archives to these age recipients (as M(persistent.volumes.volume_backup)).
        type: list
        elements: str
      quiesce:
        description: What happens to the running containers that write the data while it is read (as M(persistent.volumes.volume_backup)).
        type: str
        default: none
        choices: [none, stop, pause]
      exec_before:
        description:
          - Commands run before a data container's backup, keyed by its name, each list as the option C(exec_before)
            of M(persistent.volumes.volume_backup) takes it. A name that is not a data container of the layout is refused.
        type: dict
        default: {}
      exec_after:
        description: Commands run after a data container's backup, keyed by its name, as O(backup.exec_before).
        type: dict
        default: {}
      copies_to:
        description:
          - Where copies of the archives are kept off the host (the role passes C(<backup host>:<dir>)). The archives that
            C(<dir>/<host>/.copies.json) does not record as copied there are returned in RV(pending_copies). The role
            writes that record once the backup host checked its copies.
        type: str
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

- name: A ledger's data container, and a nightly generation of it (a week of them)
  persistent.volumes.layout:
    data_containers:
      - name: ledger_data
        volumes: [/var/lib/ledger]
    backup:
      dir: /var/backups/volumes
      host: "{{ inventory_hostname }}"
      keep: 7
      quiesce: stop

- name: Adopt a host - read its current layout ...
  persistent.volumes.volume_info:
    include_layout: true
  register: current

- name: ... and converge it as it is (reports no change)
  persistent.volumes.layout: "{{ current.layout }}"
'''

RETURN = r'''
layout_problems:
  description: What is wrong with O(layout), each naming the item; the module fails with them.
  returned: when O(layout) has problems
  type: list
  elements: str
  version_added: 1.1.0
  sample: ["data_volume_container_consumers[0] (app): wired to app_data, which is not declared in data_volume_container_data_containers (declared: none)."]
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
    backups:
      description:
        - With O(backup), one entry per data container backed up (name, changed, actions, dest, manifest_path,
          generations, removed_generations, sha256, method, method_reason, quiesced, exec_before, exec_after), as
          M(persistent.volumes.volume_backup) returns them.
      type: list
      elements: dict
      returned: when O(backup) is set
      version_added: 1.1.0
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
pending_copies:
  description: The names of the archives of this host with no recorded copy at O(backup.copies_to).
  returned: when O(backup.copies_to) is set
  type: list
  elements: str
  sample: [app_data.20240102T030405Z.tar.gz]
  version_added: 1.1.0
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 9
'''

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.layout.backups import LAYOUT_BACKUP_ARGS
from ansible_collections.persistent.volumes.plugins.module_utils.layout.runner import converge_layout
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LAYOUT_ARGS

ARGUMENT_SPEC = dict(
    layout=dict(type='dict'),
    layout_prefix=dict(type='str', default=''),
    backup=dict(type='dict', options=LAYOUT_BACKUP_ARGS),
)


def main():
    engine = EngineModule([LAYOUT_ARGS, ARGUMENT_SPEC],
                          mutually_exclusive=[('layout', key) for key in sorted(LAYOUT_ARGS)])
    engine.run(converge_layout)


if __name__ == '__main__':
    main()
