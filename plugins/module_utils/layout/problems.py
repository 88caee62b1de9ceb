# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What is wrong with a layout, found without asking any engine.

The role's preflight asks it on each host (engine_info's ``layout``), and the filter
``layout_problems`` on the controller: both read the lists with the layout module's own
parser, so they accept exactly what the layout module accepts.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.engine.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.engine.info import report_engine
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LayoutSpec


def layout_problems(layout, prefix=''):
    """What is wrong with ``layout`` (the options of the layout module: volumes, data_containers,
    consumers, exclusive), as messages; [] when nothing is. Every list is read with the layout
    module's own parser (types, choices, entries, names and paths used twice: its first
    complaint), and consumers wired to data containers the layout does not declare are named.
    ``prefix`` goes before the option names (the role's variables are data_volume_container_*)."""
    try:
        spec = LayoutSpec(layout)
    except InputError as exc:
        return [prefix + exc.msg]
    declared = [checked['name'] for dummy, checked, dummy2 in spec.data_containers]
    problems = []
    for where, dummy, item in spec.consumers:
        missing = [name for name, dummy in item.wiring or [] if name not in declared]
        if missing:
            problems.append('%s%s: wired to %s, which %s not declared in %sdata_containers (declared: %s).'
                            % (prefix, where, ', '.join(missing), 'is' if len(missing) == 1 else 'are', prefix,
                               ', '.join(declared) or 'none'))
    return problems


def check_layout(layout, prefix=''):
    """Raise InputError with every problem of ``layout`` (a dict of layout options, or None: nothing to check)."""
    if layout is None:
        return
    problems = layout_problems(layout, prefix)
    if problems:
        raise InputError(' '.join(problems), layout_problems=problems)


def check_host(engine):
    """engine_info's work: the layout it was given (if any), then the host's Python, SDK and engine."""
    check_layout(engine.params.get('layout'), engine.params.get('layout_prefix') or '')
    return report_engine(engine)
