#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: data_container
short_description: Ensure a data-only ("data volume") container exists, without ever losing its volumes
version_added: 1.0.0
description:
  - Creates a container that only holds volumes, like C(docker create -v /datastore --name data image).
    It is never started; consumers mount its volumes with C(--volumes-from) (see
    M(persistent.volumes.volumes_from)).
  - When the wanted volumes, image or labels change, the container is recreated and, for every
    path still wanted, re-attached to the very volume it had before, anonymous volumes and the
    image's C(VOLUME) paths included. Paths dropped from O(volumes) keep their volumes; they are
    reported in RV(released_volumes), never deleted.
  - A change that would leave a volume holding data that no other container holds (a path dropped,
    or given another volume) is refused unless O(release_volumes=true), as consumers refuse it.
  - An existing container of that name that is not a data-only container - it has been started,
    takes volumes from others (C(--volumes-from)), or has a command of its own - is not recreated
    or removed unless O(adopt=true). A running container is always refused.
  - Recreation is crash-safe. The replacement is created first under a temporary name, sharing the
    volumes, then the old container is removed, then the replacement is renamed. A replacement left
    by an interrupted run is recognised by its labels and the next run finishes the job.
  - A replacement that never took the name (its run crashed, or lost a race with another run) is
    removed by the next run. The fresh volumes it made for itself are removed with it only when
    they are empty and no other container uses them; otherwise they are kept and reported in
    RV(released_volumes).
  - O(state=absent) refuses while other containers use its volumes and names them.
  - A restore stays restored. M(persistent.volumes.volume_restore) writes a named volume in place, so the task
    that declares it changes nothing afterwards. A path whose volume a restore filled (label
    C(persistent.volumes.restored-from)) while the task declares another source there is kept as it is, with
    a warning naming the path and what to do, unless O(release_volumes=true). A restore into one of its volumes
    that was interrupted is reported by a warning until M(persistent.volumes.volume_restore) finishes it.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.data_container
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
seealso:
  - module: persistent.volumes.volume
  - module: persistent.volumes.volume_info
'''

EXAMPLES = r'''
- name: The founding document's data container (docker create -v /datastore --name datacontainer)
  persistent.volumes.data_container:
    name: datacontainer
    volumes:
      - /datastore

- name: A data container for a database, with a named volume owned by the postgres user
  persistent.volumes.data_container:
    name: pgdata_store
    labels:
      app: billing
    volumes:
      - path: /var/lib/postgresql/data
        source: pgdata
        owner: 999
        group: 999
        mode: "0700"
      - /var/log/postgresql

- name: Remove it and its anonymous volumes, once no consumer uses them
  persistent.volumes.data_container:
    name: datacontainer
    state: absent
    remove_volumes: true
'''

RETURN = r'''
container:
  description: The container (in check mode, the container as it would be).
  returned: always
  type: dict
  contains:
    name:
      description: Its name.
      type: str
      returned: when present
    id:
      description: Its ID.
      type: str
      returned: when present and not in check mode
    image:
      description: The image it was created from.
      type: str
      returned: when present
    labels:
      description: Its labels.
      type: dict
      returned: when present
  sample:
    name: datacontainer
    id: 4f5c0d4b6a3e
    image: persistent-volumes/data-only:1
    labels: {}
volumes:
  description:
    - Container path to volume name (or host directory for a bind mount).
    - In check mode, a volume still to be created shows as V((new anonymous volume\)).
  returned: always
  type: dict
  sample:
    /datastore: 0b6f2a34c1d84e5f9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f
recreated:
  description: Whether the container was recreated (its volumes re-attached).
  returned: always
  type: bool
  sample: false
released_volumes:
  description: Volumes at paths no longer wanted. They still exist, with their data.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path it was mounted at.
      type: str
      returned: always
    volume:
      description: The volume's name.
      type: str
      returned: always
    was_in:
      description: The container that had it.
      type: str
      returned: always
  sample: []
consumers:
  description: Names of the other containers that use this container's volumes.
  returned: always
  type: list
  elements: str
  sample: [web]
consumer_mounts:
  description: How each consumer uses the volumes (container, destination, read_only, via).
  returned: always
  type: list
  elements: dict
  sample:
    - container: web
      destination: /datastore
      read_only: false
      via: volumes_from
actions:
  description: The engine actions taken (or, in check mode, that would be taken), with their reasons.
  returned: always
  type: list
  elements: str
  sample: ["create container datacontainer: missing"]
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 6
'''

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.runner import converge_data_container
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.spec import DATA_CONTAINER_ARGS


def main():
    engine = EngineModule([DATA_CONTAINER_ARGS])
    engine.run(converge_data_container)


if __name__ == '__main__':
    main()
