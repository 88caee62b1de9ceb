#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: volume
short_description: Ensure a named Docker volume exists, or is removed when nothing uses it
version_added: 1.0.0
description:
  - Creates a named Docker volume with the given driver, driver options and labels.
  - An existing volume that differs from the task is left as it is by default (a volume's
    options cannot be changed without deleting its data); the module warns and shows the
    difference in diff mode.
  - Never deletes a volume that any container, running or stopped, still uses; the
    message names those containers and where they mount it. Check mode refuses the same way.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.volume
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - With O(recreate=never), a volume that differs from the task reports the difference
        in C(diff) while C(changed) stays false.
seealso:
  - module: persistent.volumes.volume_info
'''

EXAMPLES = r'''
- name: Ensure the volume for the database exists
  persistent.volumes.volume:
    name: pgdata
    labels:
      app: billing
      tier: db

- name: A volume on an NFS export, through the local driver
  persistent.volumes.volume:
    name: shared_media
    driver_options:
      type: nfs
      o: "addr=192.0.2.10,rw"
      device: ":/exports/media"

- name: Remove a volume that nothing uses any more (fails, naming the users, if something does)
  persistent.volumes.volume:
    name: old_cache
    state: absent

- name: Replace a volume whose options changed; its data is deliberately discarded
  persistent.volumes.volume:
    name: scratch
    labels:
      purpose: scratch
    recreate: options-changed

- name: Talk to another engine, for every module of the collection at once
  module_defaults:
    group/persistent.volumes.docker:
      docker_host: tcp://docker1.example.com:2376
      validate_certs: true
  block:
    - name: Ensure the volume exists on that engine
      persistent.volumes.volume:
        name: pgdata
'''

RETURN = r'''
volume:
  description:
    - The volume's inspect data as the engine returns it; in check mode, the data the new volume would have.
    - Empty when O(state=absent).
  returned: always
  type: dict
  sample:
    Name: pgdata
    Driver: local
    Mountpoint: /var/lib/docker/volumes/pgdata/_data
    Labels:
      app: billing
    Options: {}
    Scope: local
used_by:
  description: The containers, running or stopped, that use the volume, as found before the task acted.
  returned: always
  type: list
  elements: dict
  contains:
    container:
      description: The container's name.
      type: str
      returned: always
    destination:
      description: Where the volume is mounted in the container.
      type: str
      returned: always
    read_only:
      description: Whether the container mounts it read-only.
      type: bool
      returned: always
    via:
      description: V(mount) when the container mounts the volume itself, V(volumes_from) when it gets it from another container.
      type: str
      returned: always
  sample:
    - container: billing
      destination: /var/lib/postgresql/data
      read_only: false
      via: mount
drift:
  description: The differences between the task and the existing volume, one line each.
  returned: when the existing volume differs from the task
  type: list
  elements: str
  sample: ["labels.tier: 'db' wanted, 'web' found"]
actions:
  description: The engine actions taken (or, in check mode, that would be taken), with their reasons.
  returned: always
  type: list
  elements: str
  sample: ["create volume pgdata: missing"]
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 3
'''

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.volume.runner import converge_volume
from ansible_collections.persistent.volumes.plugins.module_utils.volume.spec import VOLUME_ARGS


def main():
    engine = EngineModule([VOLUME_ARGS])
    engine.run(converge_volume)


if __name__ == '__main__':
    main()
