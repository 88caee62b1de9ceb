#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: convert
short_description: Turn a data container into named volumes and rewire its consumers to them, losing nothing
version_added: 1.1.0
description:
  - Moves the data of one data container (the founding document's C(docker create -v /datastore --name
    datacontainer ...)) into named volumes, as Docker's documentation and Compose use them
    (C(-v appdata:/path)), and recreates every container wired to it with C(--volumes-from) so that it
    mounts those named volumes at the same paths instead.
  - For each path of the data container, a named volume is created (labels
    C(persistent.volumes.converted-from), C(persistent.volumes.converted-path) and
    C(persistent.volumes.converted-volume) record where it came from; M(persistent.volumes.volume_info)
    shows them), the data is copied (on the direct path when the module can prove the volumes' directories
    belong to the engine, through the engine's archive endpoint otherwise, as
    M(persistent.volumes.volume_backup) decides) and the copy is proved equal to the original by its content
    digest (sha256 of the canonical archive form - names, types, modes, owners, times, link targets, extended
    attributes and contents). No consumer is touched before every copy is proved.
  - Each consumer (a C(:ro) entry stays read-only) is then recreated with the named volumes bound at the same
    paths in place of its C(--volumes-from) entry of the data container, with the whole-inspect recreation,
    crash-safe swap and rollback of M(persistent.volumes.volumes_from); its other settings, networks and
    other wiring are kept. A consumer that ran runs again. A replacement that cannot start is rolled back,
    the old consumer is put back and started, and the task fails; the data container is kept.
  - While a named volume is being filled, a never-started container labelled
    C(persistent.volumes.temporary=convert) holds it; it is created in the same request as the volume and
    removed once the copy is proved. A run that dies before that leaves it behind, and the next run takes
    the unfinished volume back (it holds only an unproved copy) and copies again. A volume of this conversion
    without such a holder is finished; it is never written again, so a re-run keeps whatever the
    applications wrote into it since.
  - Refused before anything is written, in check mode too, naming what is in the way - a data container that
    runs or is not a data container (it has been started, is wired with C(--volumes-from) itself, has a
    command of its own); a path that is a bind mount; a container that holds one of its volumes otherwise
    than through C(--volumes-from) of this data container (another data container, a chain of
    C(--volumes-from), a mount by the volume's name), or a consumer that also mounts one of them at a second
    path or mounts something of its own over one of its paths; a wanted volume name that exists and was not
    made by converting this very path.
  - Idempotent; a second run changes nothing. Once the data container is removed (O(remove_data_container)),
    a run for it reports the volumes it was converted into, with no change.
options:
  container:
    description:
      - Name of the data container to convert.
    type: str
    required: true
  volume_names:
    description:
      - Map from each path of the data container to the named volume it becomes.
      - Paths not listed get C(<container>-<path>), the path's characters other than letters, digits, C(_)
        and C(.) replaced by C(-) (C(dbdata) and C(/datastore) give C(dbdata-datastore)).
    type: dict
    default: {}
  remove_data_container:
    description:
      - Remove the data container once every consumer is rewired. Its volumes are never removed (they are
        reported in RV(volumes)); without this, the data container is kept, unwired, as a fallback.
    type: bool
    default: false
  quiesce:
    description:
      - C(stop) stops the consumers that run while the data is copied (a copy of a volume being written is not
        the data) and starts them again afterwards whatever happens; they stay stopped until their
        replacement runs, so nothing is written to the old volumes between the copy and the rewiring.
      - C(none) stops nothing; only for data that nothing writes meanwhile.
      - The consumers running when the named volumes were created are recorded in a label of the volumes
        (C(persistent.volumes.converted-running)), so that a run after a crash starts them again too.
    type: str
    choices: [stop, none]
    default: stop
  method:
    description:
      - How the data is read and written, as in M(persistent.volumes.volume_backup). C(auto) takes the direct
        path when the module can prove it, C(direct) refuses otherwise, C(engine) always goes through the
        engine's archive endpoint (the copy is spooled in a temporary file of the managed host).
    type: str
    choices: [auto, direct, engine]
    default: auto
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    details:
      - Predicts the volumes, copies, stops and recreations (refusals included) without writing anything.
  diff_mode:
    support: full
    details:
      - Shows each path's volume and each consumer's wiring and mounts before and after.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
'''

EXAMPLES = r'''
- name: The founding document's datacontainer becomes the named volume datacontainer-datastore
  persistent.volumes.convert:
    container: datacontainer

- name: Choose the volume's name, remove the data container once its consumers are rewired
  persistent.volumes.convert:
    container: dbdata
    volume_names:
      /var/lib/postgresql/data: pgdata
    remove_data_container: true
'''

RETURN = r'''
container:
  description: The data container (C(removed) when this run or an earlier one removed it).
  returned: always
  type: dict
volumes:
  description:
    - Path -> C(volume) (the named volume), C(previous_volume) (the data container's volume, kept),
      C(copied) (this run copied it); after a copy also C(method), C(content_sha256), C(bytes), C(files),
      C(entries).
  returned: always
  type: dict
  sample: {"/datastore": {"volume": "datacontainer-datastore", "previous_volume": "9f0c...", "copied": true}}
consumers:
  description: Consumer name -> C(recreated), C(running), C(actions).
  returned: always
  type: dict
stopped:
  description: Consumers stopped for the copy (quiesce=stop) and started again.
  returned: always
  type: list
  elements: str
access:
  description: C(method) (direct or engine) and C(method_reason), when something was copied.
  returned: when a path is copied
  type: dict
actions:
  description: What was done (or, in check mode, would be).
  returned: always
  type: list
  elements: str
'''

from ansible_collections.persistent.volumes.plugins.module_utils.archive.locality import METHODS
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import QUIESCE_CHOICES
from ansible_collections.persistent.volumes.plugins.module_utils.convert.runner import converge_convert
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule

ARGUMENT_SPEC = dict(
    container=dict(type='str', required=True),
    volume_names=dict(type='dict', default={}),
    remove_data_container=dict(type='bool', default=False),
    quiesce=dict(type='str', default='stop', choices=list(QUIESCE_CHOICES)),
    method=dict(type='str', default='auto', choices=METHODS),
)


def main():
    engine = EngineModule([ARGUMENT_SPEC])
    engine.run(converge_convert)


if __name__ == '__main__':
    main()
