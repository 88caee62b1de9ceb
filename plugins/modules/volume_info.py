#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: volume_info
short_description: Report Docker volumes, who uses them, and how much space they take
version_added: 1.0.0
description:
  - Lists one volume or all of them, with the containers (running or stopped) that use each
    one and how (a mount of their own, or through C(--volumes-from)).
  - Tells anonymous volumes, dangling volumes (used by no container) and the data-only
    container holding each volume.
  - With O(include_usage=true), adds each volume's size from the engine's disk-usage endpoint.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
  - persistent.volumes.attributes.info_module
options:
  name:
    description:
      - The volume to report. When omitted, every volume of the engine is reported.
    type: str
    aliases: [volume_name]
  include_usage:
    description:
      - Add C(size_bytes) to each volume. This asks the engine to measure every volume's
        content, which takes time on large volumes.
    type: bool
    default: false
  include_layout:
    description:
      - Add C(layout), the host's current volumes, data containers and consumers in the shape the
        P(persistent.volumes.layout#module) module takes, so an existing host can be adopted.
      - Ignored when O(name) is given. Inspects every container of the engine once.
    type: bool
    default: false
seealso:
  - module: persistent.volumes.volume
  - module: persistent.volumes.layout
'''

EXAMPLES = r'''
- name: Is the database volume there, and who uses it?
  persistent.volumes.volume_info:
    name: pgdata
  register: pgdata_info

- name: Fail when something still writes to it
  ansible.builtin.assert:
    that: pgdata_info.volumes[0].used_by | rejectattr('read_only') | list | length == 0
  when: pgdata_info.exists

- name: Find the volumes nothing uses, with their sizes
  persistent.volumes.volume_info:
    include_usage: true
  register: all_volumes

- name: Show them
  ansible.builtin.debug:
    msg: "{{ all_volumes.volumes | selectattr('dangling') | map(attribute='name') | list }}"
'''

RETURN = r'''
exists:
  description: Whether the volume named by O(name) exists.
  returned: when O(name) is given
  type: bool
  sample: true
volumes:
  description: The volumes, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The volume's name (64 hexadecimal digits for an anonymous volume).
      type: str
      returned: always
    driver:
      description: The volume driver.
      type: str
      returned: always
    mountpoint:
      description: Where the volume's content lives on the Docker host.
      type: str
      returned: always
    labels:
      description: The volume's labels.
      type: dict
      returned: always
    options:
      description: The driver options the volume was created with.
      type: dict
      returned: always
    scope:
      description: V(local) or V(global), as the driver says.
      type: str
      returned: always
    created_at:
      description: When the engine created the volume.
      type: str
      returned: always
    anonymous:
      description: Whether this is an anonymous volume (created by the engine for a container path, not by name).
      type: bool
      returned: always
    used_by:
      description: The containers, running or stopped, that use the volume.
      type: list
      elements: dict
      returned: always
      contains:
        container:
          description: The container's name.
          type: str
          returned: always
        destination:
          description: Where it is mounted in that container.
          type: str
          returned: always
        read_only:
          description: Whether that container mounts it read-only.
          type: bool
          returned: always
        via:
          description:
            - V(mount) when the container mounts the volume itself.
            - V(volumes_from) when it gets the volume from another container through C(--volumes-from).
          type: str
          returned: always
    dangling:
      description: Whether no container at all uses the volume.
      type: bool
      returned: always
    data_container:
      description:
        - The name of the data-only container holding the volume, or null.
        - A container made by P(persistent.volumes.data_container#module), or else a container
          that was never started and mounts the volume itself.
      type: str
      returned: always
    converted_from:
      description:
        - For a named volume made by P(persistent.volumes.convert#module), where its data came from (its labels
          record it), else null.
      type: dict
      returned: always
      version_added: 1.1.0
      contains:
        container:
          description: The data container it was converted from.
          type: str
        path:
          description: The data container's path it held.
          type: str
        volume:
          description: The data container's volume at that path (kept by the conversion).
          type: str
    size_bytes:
      description: The size of the volume's content in bytes; null when the driver cannot tell.
      type: int
      returned: when O(include_usage=true)
    previous_of:
      description:
        - For a volume that keeps what a named volume held before M(persistent.volumes.volume_restore) wrote it
          in place (label C(persistent.volumes.previous-of)), that volume, the path it was restored at, the data
          container it was in (null for a volume restored alone) and when it was replaced (UTC).
      type: dict
      returned: when the volume keeps a named volume's earlier content
      contains:
        volume:
          description: The named volume whose earlier content this is.
          type: str
        path:
          description: The path restored.
          type: str
        was_in:
          description: The data container it was restored for.
          type: str
        replaced_at:
          description: When the restore replaced it.
          type: str
  sample:
    - name: pgdata
      driver: local
      mountpoint: /var/lib/docker/volumes/pgdata/_data
      labels: {}
      options: {}
      scope: local
      created_at: "2026-11-28T02:00:00Z"
      anonymous: false
      used_by:
        - container: pgdata_store
          destination: /var/lib/postgresql/data
          read_only: false
          via: mount
        - container: billing
          destination: /var/lib/postgresql/data
          read_only: false
          via: volumes_from
      dangling: false
      data_container: pgdata_store
      converted_from: null
      size_bytes: 48234496
layout:
  description:
    - The host's storage in the shape of the P(persistent.volumes.layout#module) options
      (C(volumes), C(data_containers), C(consumers)). Feeding it back to that module reports no change.
    - Anonymous volumes appear as paths of their data containers; bind mounts are listed with
      C(create_source=false), and with C(allow_sensitive=true) where the host path is sensitive.
  returned: when O(include_layout=true) and O(name) is not given
  type: dict
  sample:
    volumes:
      - name: pgdata
        driver: local
        driver_options: {}
        labels: {}
    data_containers:
      - name: datacontainer
        volumes: [/datastore]
        labels: {}
    consumers:
      - container: writer
        from: ["datacontainer:rw"]
        binds: []
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 3
'''

from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.volume.info import report_volumes

ARGUMENT_SPEC = dict(
    name=dict(type='str', aliases=['volume_name']),
    include_usage=dict(type='bool', default=False),
    include_layout=dict(type='bool', default=False),
)


def main():
    engine = EngineModule([ARGUMENT_SPEC])
    engine.run(report_volumes)


if __name__ == '__main__':
    main()
