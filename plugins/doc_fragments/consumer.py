# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Consumer container options; mirrors CONSUMER_ARGS in module_utils/consumer_spec.py."""

    DOCUMENTATION = r'''
options:
  container:
    description:
      - The consumer container's name.
    type: str
    required: true
  running:
    description:
      - V(true) starts the consumer, V(false) stops it.
      - When omitted, a running consumer that has to be recreated is started again afterwards, and a
        new consumer is created without being started.
    type: bool
  image:
    description:
      - The consumer's image. Needed to create a missing consumer.
      - Given for an existing consumer, a different image makes it be recreated.
    type: str
  command:
    description:
      - The command (a string is split like a shell would, or a list of strings).
      - When omitted, an existing consumer keeps its command.
    type: raw
  entrypoint:
    description:
      - The entrypoint (a string or a list of strings). When omitted, it is kept.
    type: raw
  env:
    description:
      - Environment variables to set. Values must be strings. Variables not listed are kept.
    type: dict
  user:
    description:
      - The user the consumer runs as. When omitted, it is kept.
    type: str
  working_dir:
    description:
      - The working directory (absolute). When omitted, it is kept.
    type: str
  labels:
    description:
      - Labels to set. Values must be strings; labels not listed are kept. Keys starting with
        C(persistent.volumes.) are the collection's own and refused.
    type: dict
  network_mode:
    description:
      - The network mode (V(bridge), V(host), V(none), a network name, V(container:<name>)).
        When omitted, it is kept.
    type: str
  restart_policy:
    description:
      - The restart policy. When omitted, it is kept.
    type: str
    choices: ['no', on-failure, always, unless-stopped]
  release_volumes:
    description:
      - A consumer that has to be recreated may hold a volume its data containers no longer provide
        (the data container was removed with C(force) and made again, or a path's source changed).
        When no other container holds that volume, the recreation is refused, because the data would
        be reachable through no container.
      - V(true) lets the volume go. It is never deleted; it is reported in C(released_volumes).
    type: bool
    default: false
notes:
  - A consumer is recreated (never with its volumes removed) when its wiring or spec options change,
    or when it no longer mounts the volumes its data containers hold. The replacement is created
    first, then the old consumer is stopped and removed, then the replacement is renamed and, if the
    old one was running, started. Volumes the consumer holds itself (anonymous volumes, image
    C(VOLUME) paths) are re-attached by name.
  - Recreation keeps the consumer's configuration (ports, host options, environment, command, ...);
    only the consumer's primary network is kept, further networks have to be connected again.
'''
