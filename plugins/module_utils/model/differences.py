# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Comparing what a task asks for with what the engine has."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class DifferenceTracker(object):
    """Records each option whose wanted value differs from the observed one."""

    def __init__(self):
        self._differences = []

    def add(self, name, wanted=None, observed=None):
        self._differences.append(dict(name=name, wanted=wanted, observed=observed))

    def compare(self, name, wanted, observed):
        """Record ``name`` when ``wanted`` is set and differs from ``observed``."""
        if wanted is not None and wanted != observed:
            self.add(name, wanted=wanted, observed=observed)

    def compare_subset(self, name, wanted, observed):
        """Record each key of the dict ``wanted`` whose value ``observed`` lacks.

        Keys present only in ``observed`` are not differences: the engine and other
        tools add their own labels and options.
        """
        observed = observed or {}
        for key in sorted(wanted or {}):
            if observed.get(key) != wanted[key]:
                self.add('%s.%s' % (name, key), wanted=wanted[key], observed=observed.get(key))

    def __bool__(self):
        return bool(self._differences)

    __nonzero__ = __bool__

    def describe(self):
        """One line per difference: ``labels.tier: 'db' wanted, 'web' found``."""
        return ['%s: %r wanted, %r found' % (item['name'], item['wanted'], item['observed'])
                for item in self._differences]
