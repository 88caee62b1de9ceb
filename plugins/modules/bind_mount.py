#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: bind_mount
short_description: Mount a host directory into a container, preparing the directory first
version_added: 1.0.0
description:
  - Ensures a consumer container mounts a host directory, like C(docker run -v /host/dir:/in/container).
  - Creates the host directory with the wanted owner, group and mode first (O(create_source)).
  - Refuses sensitive host paths unless O(allow_sensitive=true) - V(/), V(/etc), V(/boot), V(/proc),
    V(/sys), V(/dev), V(/root), the engine's data root and its socket, and anything whose real path
    (symlinks followed) is one of those or below V(/etc), V(/proc), V(/sys), V(/boot), V(/dev).
  - Never changes the owner or mode of an existing system directory (V(/usr), V(/var), V(/var/lib),
    V(/var/log), V(/home), V(/lib*), V(/bin), V(/sbin), V(/opt), V(/srv), V(/run), V(/tmp), ... and the
    sensitive paths above, symlinks followed) unless O(allow_sensitive=true); leave O(owner), O(group)
    and O(mode) unset to mount such a directory as it is.
  - Adding or removing the mount recreates the consumer (keeping its own volumes, its other mounts
    and every other setting) and starts it again if it was running.
  - A mount over a path that a C(--volumes-from) data container provides to the consumer is refused,
    because it would hide that data container's data there.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.consumer
  - persistent.volumes.bind_mount
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
seealso:
  - module: persistent.volumes.volumes_from
'''

EXAMPLES = r'''
- name: docker run -v /srv/www:/usr/share/nginx/html:ro (the consumer exists already)
  persistent.volumes.bind_mount:
    container: web
    source: /srv/www
    target: /usr/share/nginx/html
    read_only: true
    owner: www-data
    mode: "0755"

- name: Create the consumer too, and start it
  persistent.volumes.bind_mount:
    container: uploader
    image: busybox:latest
    command: sleep infinity
    running: true
    source: /srv/uploads
    target: /uploads
    selinux_relabel: z

- name: Remove the mount again
  persistent.volumes.bind_mount:
    container: web
    target: /usr/share/nginx/html
    state: absent
'''

RETURN = r'''
container:
  description: The consumer (name, id, image, labels, running).
  returned: always
  type: dict
  sample:
    name: web
    running: true
mounts:
  description: Container path to volume name or host directory in the consumer after the task.
  returned: always
  type: dict
  sample:
    /usr/share/nginx/html: /srv/www
volumes_from:
  description: The consumer's C(--volumes-from) entries (kept as they were).
  returned: always
  type: list
  elements: str
  sample: []
host_directory:
  description: The host directory (path, state, owner, group, mode) after the task.
  returned: when O(state=present) and O(create_source=true)
  type: dict
  sample:
    path: /srv/www
    state: directory
    owner: 33
    group: 0
    mode: "0755"
recreated:
  description: Whether the consumer was recreated.
  returned: always
  type: bool
  sample: true
reasons:
  description: Why the consumer was (or would be) recreated.
  returned: always
  type: list
  elements: str
  sample: ["bind mounts: ['/srv/www:/usr/share/nginx/html:ro'] wanted, [] found"]
actions:
  description: The actions taken (or, in check mode, that would be taken), with their reasons.
  returned: always
  type: list
  elements: str
  sample: ["create host directory /srv/www: missing"]
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 6
'''

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.bind_mount import (
    BIND_MOUNT_ARGS,
    BIND_MOUNT_REQUIRED_IF,
    converge_bind_mount,
)
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.options import CONSUMER_ARGS


def main():
    engine = EngineModule([CONSUMER_ARGS, BIND_MOUNT_ARGS], required_if=BIND_MOUNT_REQUIRED_IF)
    engine.run(converge_bind_mount)


if __name__ == '__main__':
    main()
