# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Layout options; mirrors LAYOUT_ARGS in module_utils/layout/spec.py (which the filter
    layout_problems and a ``layout`` dict are read with too). Each item takes the options of its single module."""

    DOCUMENTATION = r'''
options:
  volumes:
    description:
      - Named volumes, each a dict with the options of M(persistent.volumes.volume).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The volume's name, see O(persistent.volumes.volume#module:name).
        type: str
        required: true
        aliases: [volume_name]
      state:
        description: See O(persistent.volumes.volume#module:state).
        type: str
        default: present
        choices: [present, absent]
      driver:
        description: The volume driver.
        type: str
        default: local
      driver_options:
        description: See O(persistent.volumes.volume#module:driver_options).
        type: dict
        default: {}
        aliases: [driver_opts]
      labels:
        description: See O(persistent.volumes.volume#module:labels).
        type: dict
      recreate:
        description: See O(persistent.volumes.volume#module:recreate).
        type: str
        default: never
        choices: [never, options-changed]
  data_containers:
    description:
      - Data-only containers, each a dict with the options of M(persistent.volumes.data_container).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The container's name.
        type: str
        required: true
      volumes:
        description: Its volumes, see O(persistent.volumes.data_container#module:volumes).
        type: list
        elements: raw
        default: []
      image:
        description: See O(persistent.volumes.data_container#module:image).
        type: str
      pull:
        description: See O(persistent.volumes.data_container#module:pull).
        type: str
        default: missing
        choices: [missing, always, never]
      labels:
        description: See O(persistent.volumes.data_container#module:labels).
        type: dict
      state:
        description: See O(persistent.volumes.data_container#module:state).
        type: str
        default: present
        choices: [present, absent]
      remove_volumes:
        description: See O(persistent.volumes.data_container#module:remove_volumes).
        type: bool
        default: false
      force:
        description: See O(persistent.volumes.data_container#module:force).
        type: bool
        default: false
      allow_sensitive:
        description: See O(persistent.volumes.data_container#module:allow_sensitive).
        type: bool
        default: false
      adopt:
        description: See O(persistent.volumes.data_container#module:adopt).
        type: bool
        default: false
      release_volumes:
        description: See O(persistent.volumes.data_container#module:release_volumes).
        type: bool
        default: false
  consumers:
    description:
      - Consumer containers, each a dict with the consumer options of M(persistent.volumes.volumes_from),
        its C(from) and C(exclusive), and C(binds), a list of M(persistent.volumes.bind_mount) options.
      - Wiring and bind mounts of one consumer change in one recreation.
    type: list
    elements: dict
    default: []
    suboptions:
      container:
        description: The consumer container's name.
        type: str
        required: true
      from:
        description:
          - The data containers to take volumes from, see O(persistent.volumes.volumes_from#module:from).
          - When omitted, the consumer keeps its C(--volumes-from) wiring as it is.
        type: list
        elements: raw
      exclusive:
        description:
          - See O(persistent.volumes.volumes_from#module:exclusive). When omitted, O(exclusive) of the
            layout applies.
        type: bool
      binds:
        description: Host directories mounted into the consumer, each with the options of M(persistent.volumes.bind_mount).
        type: list
        elements: dict
        default: []
        suboptions:
          source:
            description: The host directory, see O(persistent.volumes.bind_mount#module:source). Required with O(consumers[].binds[].state=present).
            type: str
          target:
            description: Where it is mounted in the container.
            type: str
            required: true
          read_only:
            description: Mount it read-only.
            type: bool
            default: false
          propagation:
            description: Mount propagation.
            type: str
            choices: [private, rprivate, shared, rshared, slave, rslave]
          selinux_relabel:
            description: See O(persistent.volumes.bind_mount#module:selinux_relabel).
            type: str
            choices: [z, Z]
          create_source:
            description: See O(persistent.volumes.bind_mount#module:create_source).
            type: bool
            default: true
          owner:
            description: Owner of the host directory, a user name or a uid.
            type: raw
          group:
            description: Group of the host directory, a group name or a gid.
            type: raw
          mode:
            description: Mode of the host directory, see O(persistent.volumes.bind_mount#module:mode).
            type: raw
          state:
            description: V(present) ensures the mount; V(absent) removes the mount at its target.
            type: str
            default: present
            choices: [present, absent]
          allow_sensitive:
            description: See O(persistent.volumes.bind_mount#module:allow_sensitive).
            type: bool
            default: false
      volumes:
        description:
          - Named volumes mounted into the consumer, each C(name:/path), C(name:/path:ro) or C(name:/path:rw), as
            C(docker run -v) and Compose write them; a consumer converted by M(persistent.volumes.convert) is
            described this way.
          - A volume the consumer mounts at that path already (anonymous, from its image, or another named
            volume) is refused rather than dropped. Other binds are kept. A volume that does not exist
            is created empty by the engine; declare it in O(volumes) to choose its options.
        type: list
        elements: str
        default: []
      running:
        description: See O(persistent.volumes.volumes_from#module:running).
        type: bool
      image:
        description: See O(persistent.volumes.volumes_from#module:image).
        type: str
      command:
        description: See O(persistent.volumes.volumes_from#module:command).
        type: raw
      entrypoint:
        description: See O(persistent.volumes.volumes_from#module:entrypoint).
        type: raw
      env:
        description: See O(persistent.volumes.volumes_from#module:env).
        type: dict
      user:
        description: See O(persistent.volumes.volumes_from#module:user).
        type: str
      working_dir:
        description: See O(persistent.volumes.volumes_from#module:working_dir).
        type: str
      labels:
        description: See O(persistent.volumes.volumes_from#module:labels).
        type: dict
      network_mode:
        description: See O(persistent.volumes.volumes_from#module:network_mode).
        type: str
      restart_policy:
        description: See O(persistent.volumes.volumes_from#module:restart_policy).
        type: str
        choices: ['no', on-failure, always, unless-stopped]
      release_volumes:
        description: See O(persistent.volumes.volumes_from#module:release_volumes).
        type: bool
        default: false
  exclusive:
    description:
      - The default of C(exclusive) for consumers that do not set it - V(true) makes each consumer's
        C(from) its whole C(--volumes-from) list.
    type: bool
    default: false
'''
