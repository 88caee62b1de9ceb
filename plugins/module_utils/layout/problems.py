# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What is wrong with a layout, found without asking any engine.

The layout module asks it when its lists come as one ``layout`` dict (the role passes its
variables so, in its one task per host), engine_info with its ``layout`` option, and the
filter ``layout_problems`` on the controller: all read the lists with the layout module's own
parser, so they accept exactly what the layout module accepts.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError
from ansible_collections.persistent.volumes.plugins.module_utils.engine.info import report_engine
from ansible_collections.persistent.volumes.plugins.module_utils.layout.spec import LayoutSpec


# The keys of a layout given as one dict; each list's items are read by LayoutSpec, naming the item.
LAYOUT_KEYS = dict(
    volumes=dict(type='list', elements='raw', default=[]),
    data_containers=dict(type='list', elements='raw', default=[]),
    consumers=dict(type='list', elements='raw', default=[]),
    exclusive=dict(type='bool', default=False),
)


def layout_keys(layout):
    """``layout`` (a dict of layout options) with its keys checked and defaults applied, or InputError."""
    if not isinstance(layout, dict):
        raise InputError('layout must be a dict with the keys %s, got %s.'
                         % (', '.join(sorted(LAYOUT_KEYS)), type(layout).__name__))
    unknown = sorted('%s' % key for key in layout if key not in LAYOUT_KEYS)
    if unknown:
        raise InputError('layout: unknown key%s %s; the keys are %s.'
                         % ('s' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(sorted(LAYOUT_KEYS))))
    result = ArgumentSpecValidator(LAYOUT_KEYS).validate(dict(layout))
    if result.error_messages:
        raise InputError('layout: %s' % '; '.join(result.error_messages))
    return result.validated_parameters


def parse_layout(layout, prefix=''):
    """(LayoutSpec, problems) of ``layout``: the spec is None when the parser refused it."""
    try:
        spec = LayoutSpec(layout)
    except InputError as exc:
        return None, [prefix + exc.msg]
    return spec, undeclared_sources(spec, prefix)


def undeclared_sources(spec, prefix):
    """Every consumer of ``spec`` wired to a data container the layout does not declare, as messages."""
    declared = [checked['name'] for dummy, checked, dummy2 in spec.data_containers]
    problems = []
    for where, dummy, item in spec.consumers:
        missing = [name for name, dummy in item.wiring or [] if name not in declared]
        if missing:
            problems.append('%s%s: wired to %s, which %s not declared in %sdata_containers (declared: %s).'
                            % (prefix, where, ', '.join(missing), 'is' if len(missing) == 1 else 'are', prefix,
                               ', '.join(declared) or 'none'))
    return problems


def layout_problems(layout, prefix=''):
    """What is wrong with ``layout`` (the options of the layout module: volumes, data_containers,
    consumers, exclusive), as messages; [] when nothing is. Every list is read with the layout
    module's own parser (types, choices, entries, names and paths used twice: its first
    complaint), and consumers wired to data containers the layout does not declare are named.
    ``prefix`` goes before the option names (the role's variables are data_volume_container_*)."""
    return parse_layout(layout, prefix)[1]


def check_layout(layout, prefix=''):
    """The LayoutSpec of ``layout`` (a dict of layout options, or None: nothing to check, None returned);
    InputError with every problem it has."""
    if layout is None:
        return None
    spec, problems = parse_layout(layout_keys(layout), prefix)
    if problems:
        raise InputError(' '.join(problems), layout_problems=problems)
    return spec


def check_host(engine):
    """engine_info's work: the layout it was given (if any), then the host's Python, SDK and engine."""
    check_layout(engine.params.get('layout'), engine.params.get('layout_prefix') or '')
    return report_engine(engine)
