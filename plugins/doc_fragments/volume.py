# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Named volume options; mirrors VOLUME_ARGS in module_utils/volume/spec.py."""

    DOCUMENTATION = r'''
options:
  name:
    description:
      - The volume's name. Letters, digits, C(_), C(.) and C(-), starting with a letter or
        digit, at least 2 characters.
    type: str
    required: true
    aliases: [volume_name]
  state:
    description:
      - V(present) creates the volume when missing.
      - V(absent) removes it, but only when no container uses it; otherwise the task fails
        and names the containers.
    type: str
    default: present
    choices: [present, absent]
  driver:
    description:
      - The volume driver.
    type: str
    default: local
  driver_options:
    description:
      - Options passed to the driver, for example C(type), C(device) and C(o) for the V(local) driver.
      - Only the keys given are compared with an existing volume.
      - Values must be strings (numbers are turned into their decimal text).
    type: dict
    default: {}
    aliases: [driver_opts]
  labels:
    description:
      - Labels of the volume. Only the keys given are compared with an existing volume;
        labels that the engine or other tools added are not a difference.
      - Values must be strings (numbers are turned into their decimal text).
    type: dict
  recreate:
    description:
      - What to do with an existing volume whose driver, driver options or labels differ from the task.
      - V(never) leaves it as it is, warns, and reports the difference in C(drift) and C(diff).
      - V(options-changed) removes it and creates it again with the wanted options. B(Its content
        is lost.) Refused while any container uses the volume.
    type: str
    default: never
    choices: [never, options-changed]
'''
