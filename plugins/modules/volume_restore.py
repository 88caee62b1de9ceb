#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: volume_restore
short_description: Restore a backup archive into a data container or a new volume, keeping what was there
version_added: 1.0.0
description:
  - Restores an archive made by M(persistent.volumes.volume_backup) from the managed host.
  - Verifies the archive's sha256 against its manifest, checks every member, and compares each path's
    counts and content digest with the manifest; refuses absolute member names, C(..), symbolic or hard
    links that lead outside their path, device and fifo members, and archives larger than the free space
    of the engine's data root. A restore that only fills fresh volumes on the direct path reads the archive
    once - it checks it while it fills them (nothing sees them before the swap) and, on any mismatch,
    removes them and reports no change; every other restore (an existing volume, one restored in place,
    through the engine) checks the whole archive before its first write.
  - Into a data container (O(container)), each path keeps its kind. A path held by a named volume
    (C(pgdata:/data)) is restored into that very volume, so that the declared layout and the data agree
    afterwards and the next converge (the role's nightly run) changes nothing; see the named volume steps
    below. A path held by an anonymous volume (or missing from the container) gets a fresh volume, filled
    while a temporary container that is never started holds it (on the direct path the module writes the
    volume's directory itself, through the engine the archive endpoint writes it); then the data container is
    recreated with it, with the crash-safe swap of M(persistent.volumes.data_container). The previous volume is
    kept and reported in RV(previous_volumes). Containers wired to the data container with C(--volumes-from)
    are recreated to mount the restored data, and started again if they were running. A path that is a bind
    mount of a host directory is refused (a restore writes volumes), before anything is written.
  - Only data containers are restored into, never a running container nor one that is not a data
    container (it has been started, is wired with C(--volumes-from), or has a command of its own);
    those are refused before anything is read or written, in check mode too.
  - Into a volume (O(volume)), a volume that does not exist is created and filled, an empty one is filled,
    one that already holds exactly the archive's data is left alone, and one that holds other data is
    restored in place as a named volume of a data container is.
  - A named volume is restored in place in this order, each step recorded so that a run that dies at any
    step is finished (the same archive) or undone (any other archive) by the next run of this module, and
    reported by M(persistent.volumes.data_container) and M(persistent.volumes.layout) as a warning until then.
    A journal, a container that is never started, holds the volume and records the restore; the volume's
    current content is copied into a new volume C(<name>.previous-<UTC time>-<hex>), labelled
    C(persistent.volumes.previous-of=<name>) (and C(was-in), C(replaced-by), C(replaced-at),
    C(restored-path)), read back and compared; the running containers that use the volume are stopped (one
    that runs with C(--rm) is refused, as stopping it would remove it); the volume is emptied, filled from
    the archive and compared with the manifest; the stopped containers are started again
    (RV(restarted)); the journal is removed. An empty volume keeps nothing. Reported in RV(previous_volumes),
    and listed by M(persistent.volumes.volume_info) with its labels.
  - O(method) chooses the path as M(persistent.volumes.volume_backup) does; on the direct path, runs of
    zeros are written as holes (sparse files stay sparse), and nothing is reached through a symlink
    on the disk. An archive made on either path restores on either path.
  - A path whose data already is the archive's (the same content digest over names, content, owners,
    modes and modification times) is left alone, so restoring the same archive again reports no change.
    Owners, modes and modification times survive the round trip.
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
      - Verifies and checks the archive, and predicts the restore (refusals included), without writing
        anything to the host or the engine.
  diff_mode:
    support: none
options:
  src:
    description:
      - The archive on the managed host.
    type: path
    required: true
  manifest:
    description:
      - Its manifest. Default O(src) plus C(.manifest.json).
    type: path
  identity_file:
    description:
      - For an archive encrypted with age (P(persistent.volumes.volume_backup#module) O(persistent.volumes.volume_backup#module:encrypt_to)),
        a file on the Docker host holding an age identity of one of its recipients (as C(age-keygen) writes it).
      - Before anything else, the archive's sha256 must be its manifest's and C(age) (Debian's package C(age)) must
        decrypt it whole with this identity, into a private temporary file beside the archive (mode C(0600) in a
        directory of mode C(0700), removed when the restore ends; it needs as much free space there as the archive
        takes); otherwise the restore is refused and nothing is changed. The checks of a hostile archive and the
        fill then read the decrypted archive before the first write. Check mode writes no file; its checks read
        the decrypted stream through a FIFO. The identity file is passed to C(age) by its path only, its content
        never read into a result.
      - An encrypted archive without it is refused, naming its recipients.
    type: path
    version_added: 1.1.0
  container:
    description:
      - The data container to restore into. Mutually exclusive with O(volume).
    type: str
  volume:
    description:
      - A new volume to restore into (the archive must hold one path, or choose one with O(paths)).
    type: str
  paths:
    description:
      - The archive's paths to restore; all when omitted.
    type: list
    elements: str
  add_paths:
    description:
      - Into a data container, a restore only fills paths the data container mounts already; a path of the
        archive it does not have is refused, naming it, because the data container and the consumers wired
        to it would gain a mount there (an archive whose manifest names C(/usr/local/bin) would put its files
        into the applications).
      - V(true) adds such paths to the data container; the containers wired to it mount them once their
        wiring is converged again (M(persistent.volumes.volumes_from), the role's next run).
    type: bool
    default: false
  method:
    description:
      - V(auto) writes the volumes' directories directly when the module can prove they are the engine's
        (see M(persistent.volumes.volume_backup)), else goes through the engine's archive endpoint.
        V(direct) fails, saying why, when it cannot be proved; V(engine) always uses the endpoint.
    type: str
    default: auto
    choices: [auto, direct, engine]
seealso:
  - module: persistent.volumes.volume_backup
'''

EXAMPLES = r'''
- name: Restore last night's backup into the data container (the previous volumes are kept)
  persistent.volumes.volume_restore:
    src: /var/backups/datacontainer.tar.gz
    container: datacontainer

- name: Restore into the data container of a database on a named volume (pgdata:/var/lib/postgresql/data)
  persistent.volumes.volume_restore:
    src: /var/backups/pgdata-container.tar.gz
    container: pgdata-container
  register: restored
  # restored.previous_volumes[0].volume: pgdata.previous-<time>-<hex>, what pgdata held before

- name: Restore a volume backup into a new volume
  persistent.volumes.volume_restore:
    src: /var/backups/pgdata.tar
    volume: pgdata_restored
'''

RETURN = r'''
method:
  description: The path that read and wrote the data, V(direct) or V(engine).
  returned: always
  type: str
  sample: direct
method_reason:
  description: Why that path was taken.
  returned: always
  type: str
  sample: "auto: local engine (pid 812) owns the volume directories"
restored:
  description: The paths restored by this run (empty when the data is already this archive's).
  returned: always
  type: list
  elements: str
  sample: [/datastore]
volumes:
  description: The volume of each restored path (a named volume is its own; other paths get a new one).
  returned: when restoring into a container
  type: dict
  sample:
    /datastore: 6c1f0e8f3b0a4d5e9c7b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d
previous_volumes:
  description:
    - The volumes that keep what those paths held before, with their data. For a path of a data container
      held by an anonymous volume, the volume it had (C(was_in) the data container); for a named volume,
      the new volume its earlier content was copied into (C(was_in) the data container, or the volume itself
      when restoring into a volume).
  returned: always
  type: list
  elements: dict
  sample:
    - path: /datastore
      volume: 0b6f2a34c1d84e5f9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f
      was_in: datacontainer
restarted:
  description:
    - Containers that were running with a restored named volume, stopped while it was written, then started
      again (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [app]
consumers:
  description:
    - Containers wired to the data container that were recreated to mount the restored data (in check
      mode, those that would be).
  returned: when something is restored into a container
  type: list
  elements: str
  sample: [app]
actions:
  description: What was done (or, in check mode, would be done).
  returned: when something is restored into a container
  type: list
  elements: str
  sample: ["create container datacontainer.pv-1a2b3c: recreate: volumes changed"]
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 12
'''

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import METHODS
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule
from ansible_collections.persistent.volumes.plugins.module_utils.restore.runner import converge_restore

ARGUMENT_SPEC = dict(
    src=dict(type='path', required=True),
    manifest=dict(type='path'),
    container=dict(type='str'),
    volume=dict(type='str'),
    paths=dict(type='list', elements='str'),
    add_paths=dict(type='bool', default=False),
    method=dict(type='str', default='auto', choices=METHODS),
    identity_file=dict(type='path'),
)
MUTUALLY_EXCLUSIVE = [('container', 'volume')]
REQUIRED_ONE_OF = [('container', 'volume')]


def main():
    engine = EngineModule([ARGUMENT_SPEC], mutually_exclusive=MUTUALLY_EXCLUSIVE, required_one_of=REQUIRED_ONE_OF)
    engine.run(converge_restore)


if __name__ == '__main__':
    main()
