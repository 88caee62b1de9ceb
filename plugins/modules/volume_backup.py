#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: volume_backup
short_description: Back up a data container's volumes, or one volume, to an archive on the Docker host
version_added: 1.0.0
description:
  - Streams the content of a data container's volumes (all of them, or O(paths)), or of one named
    or anonymous volume, through the engine's archive endpoint into a tar archive at O(dest) on the
    managed host. No container is started, and the archive is never held in memory.
  - A volume that no container holds is read through a temporary container that is never started
    and always removed.
  - The archive is written to a temporary file beside O(dest) with mode C(0600) and moved into place
    atomically, then a manifest (O(dest) plus C(.manifest.json)) with each path, its volume, byte
    size and file count, and the archive's sha256. An interrupted backup leaves O(dest) as it was.
  - An existing archive whose manifest still matches the data (same content digest) is left alone
    and the task reports no change, unless O(force=true).
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    details:
      - Reads the data to tell whether a new archive would be written, and writes nothing.
  diff_mode:
    support: full
options:
  container:
    description:
      - The data container to back up. Mutually exclusive with O(volume).
    type: str
  paths:
    description:
      - The container paths to back up; all the container's volumes when omitted.
    type: list
    elements: str
  volume:
    description:
      - The volume (named or anonymous) to back up. Mutually exclusive with O(container).
    type: str
  dest:
    description:
      - The archive file on the managed host. Its directory must exist.
    type: path
    required: true
  compression:
    description:
      - Compression of the archive.
    type: str
    default: gzip
    choices: [none, gzip, xz]
  force:
    description:
      - Write a new archive even when the existing one still matches the data.
    type: bool
    default: false
seealso:
  - module: persistent.volumes.volume_restore
'''

EXAMPLES = r'''
- name: Back up the data container of the founding document
  persistent.volumes.volume_backup:
    container: datacontainer
    dest: /var/backups/datacontainer.tar.gz

- name: Back up one volume, uncompressed, every time
  persistent.volumes.volume_backup:
    volume: pgdata
    dest: /var/backups/pgdata.tar
    compression: none
    force: true
'''

RETURN = r'''
dest:
  description: The archive.
  returned: always
  type: str
  sample: /var/backups/datacontainer.tar.gz
manifest_path:
  description: The manifest beside the archive.
  returned: always
  type: str
  sample: /var/backups/datacontainer.tar.gz.manifest.json
sha256:
  description: The sha256 of the archive file.
  returned: when not in check mode
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
paths:
  description: Each backed-up path with its volume, member name in the archive, bytes and file count.
  returned: always
  type: list
  elements: dict
  sample:
    - path: /datastore
      volume: 0b6f2a34c1d84e5f9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f
      member: datastore
      bytes: 23
      files: 1
      entries: 2
manifest:
  description: The manifest written (or the existing one, when nothing changed).
  returned: always
  type: dict
  sample:
    format: persistent.volumes/backup/1
    compression: gzip
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    content_sha256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
    files: 1
    bytes: 23
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 4
'''

from ansible_collections.persistent.volumes.plugins.module_utils.backup_runner import (
    BACKUP_ARGS,
    BACKUP_EXCLUSIVE,
    BACKUP_ONE_OF,
    converge_backup,
)
from ansible_collections.persistent.volumes.plugins.module_utils.client import EngineModule


def main():
    engine = EngineModule([BACKUP_ARGS], mutually_exclusive=BACKUP_EXCLUSIVE, required_one_of=BACKUP_ONE_OF)
    engine.run(converge_backup)


if __name__ == '__main__':
    main()
