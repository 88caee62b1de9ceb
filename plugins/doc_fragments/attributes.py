# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Attributes shared by the collection's modules."""

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode and predict the change, refusals included, without changing anything.
  diff_mode:
    description: Returns the before and after state of what it manages in diff mode.
'''

    ACTIONGROUP_DOCKER = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/persistent.volumes.docker) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - persistent.volumes.docker
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
'''
