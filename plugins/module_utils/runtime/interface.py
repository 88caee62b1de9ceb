# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a module's work runs on, declared once: ``ModuleEngine``.

``EngineModule`` (module.py, a whole module run) and the layout's ``SubEngine``
(layout/runner.py, one item of a layout) implement it; the converge functions of the
single modules take either. Besides the calls below, an implementation has the
attributes ``api`` (an ``EngineInterface``), ``params`` (the task's options) and
``options`` (the ``ConnectionOptions``); a unit test checks both implementations.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import abc

from ansible_collections.persistent.volumes.plugins.module_utils.plan.execute import apply_plan

ATTRIBUTES = ('api', 'params', 'options')


class ModuleEngine(abc.ABC):
    """A module run against one engine: its options, check and diff mode, warnings, and ``apply``."""

    @property
    @abc.abstractmethod
    def check_mode(self):
        """True when the task runs in check mode: plans are made, not carried out."""

    @property
    @abc.abstractmethod
    def diff_mode(self):
        """True when the task reports before/after."""

    @abc.abstractmethod
    def warn(self, message):
        """Report ``message`` as a warning of the task (once)."""

    def apply(self, plan, appliers=None):
        """Execute ``plan`` (unless in check mode) and return (the common result keys, the answers)."""
        return apply_plan(self, plan, appliers)
