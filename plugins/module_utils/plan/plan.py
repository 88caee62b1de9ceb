# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plans: the ordered actions (on the engine, the host, archives) that turn observed state into desired state.

A planner is pure: it reads a spec and an ``EngineState`` and returns a ``Plan`` (or
raises ``Refusal``/``InputError``). ``execute`` is the only step with side effects,
and check mode skips exactly that step, so check mode predicts what a real run does,
refusals included.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import checked_kind


class Action(object):
    """One write to make: ``kind`` (one of kinds.py's, checked here) names an applier, ``args`` its arguments.

    ``describe`` says ``<kind> <target>: <reason>``, or ``text`` when the action gives its own
    sentence (the archive actions, whose target is a file).
    """

    def __init__(self, kind, target, reason, text=None, **args):
        self.kind = checked_kind(kind)
        self.target = target
        self.reason = reason
        self.text = text
        self.args = args

    def describe(self):
        if self.text is not None:
            return self.text
        return '%s %s: %s' % (self.kind.replace('_', ' '), self.target, self.reason)

    def __repr__(self):
        return 'Action(%r, %r)' % (self.kind, self.target)


class Plan(object):
    """What to do, why, and the before/after views for diff mode.

    ``drift``: differences left alone (a volume with ``recreate: never``); ``recreated``:
    whether the plan replaces the container it is about; ``released``: volumes that container
    no longer mounts afterwards (``{path, volume, was_in}``), kept, never deleted.
    """

    def __init__(self, before=None, after=None):
        self.actions = []
        self.warnings = []
        self.before = before
        self.after = after
        self.drift = []
        self.recreated = False
        self.released = []

    def add(self, kind, target, reason, text=None, **args):
        self.actions.append(Action(kind, target, reason, text, **args))
        return self.actions[-1]

    def extend(self, other):
        """Append ``other``'s actions and warnings (a plan made of several)."""
        self.actions.extend(other.actions)
        self.warnings.extend(other.warnings)

    def warn(self, message):
        self.warnings.append(message)

    @property
    def changed(self):
        return bool(self.actions)

    @property
    def kinds(self):
        return [action.kind for action in self.actions]

    def describe(self):
        return [action.describe() for action in self.actions]

    def diff(self):
        return dict(before=self.before if self.before is not None else {},
                    after=self.after if self.after is not None else {})
