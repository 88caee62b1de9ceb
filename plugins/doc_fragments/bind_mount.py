# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Bind mount options; mirrors BIND_MOUNT_ARGS in module_utils/consumer/bind_mount.py."""

    DOCUMENTATION = r'''
options:
  source:
    description:
      - The host directory (absolute, normalised). Required with O(state=present).
    type: str
  target:
    description:
      - Where it is mounted in the container (absolute, normalised).
    type: str
    required: true
  read_only:
    description:
      - Mount it read-only.
    type: bool
    default: false
  propagation:
    description:
      - Mount propagation.
    type: str
    choices: [private, rprivate, shared, rshared, slave, rslave]
  selinux_relabel:
    description:
      - SELinux relabelling, passed through to the engine - V(z) shared between containers, V(Z) private.
    type: str
    choices: [z, Z]
  create_source:
    description:
      - Create the host directory when missing, and give it O(owner), O(group) and O(mode).
      - Needs a local O(docker_host) (a Unix socket); with a remote engine the module cannot reach
        the Docker host's file system, so prepare the directory there and set V(false).
    type: bool
    default: true
  owner:
    description:
      - Owner of the host directory, a user name or a uid.
    type: raw
  group:
    description:
      - Group of the host directory, a group name or a gid.
    type: raw
  mode:
    description:
      - Mode of the host directory, an octal string like V("0750") or V("0o750").
      - An unquoted number is refused when it reads two ways (unquoted V(750) is the number 750, and
        YAML 1.1 turns an unquoted V(0644) into 420); one whose digits are not octal (an unquoted V(0750)
        arrives as 488) is taken as it is.
    type: raw
  state:
    description:
      - V(present) ensures the mount; V(absent) removes the mount at O(target) from the container
        (the host directory is left alone).
    type: str
    default: present
    choices: [present, absent]
  allow_sensitive:
    description:
      - Allow mounting a sensitive host path, and changing the owner or mode of an existing system
        directory.
    type: bool
    default: false
'''
