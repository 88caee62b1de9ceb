# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A consistent backup: ``exec_before``, ``quiesce``, the read, the resume, ``exec_after``.

Observed with the source (``Consistency``: the running containers that write the volumes read,
from the engine's mounts, and the exec containers, checked to run), planned (``plan``: what a
real run does, which check mode returns), and carried out around the read (``around``):

1. ``exec_before``, in order, while every container still runs; the first that fails (non-zero
   exit, or the engine could not run it) ends the backup before anything is stopped or written.
2. ``quiesce`` (stop or pause) the writers, right before the read, unless the caller finds the
   earlier archive still holds the data (``quiesce_now`` is then never called: nothing is stopped
   for a backup that writes nothing).
3. the read and the write.
4. whatever happened in 1 to 3: the quiesced containers are started (unpaused) again, then
   ``exec_after`` runs, every command, after any failure too (it is the counterpart of
   ``exec_before``: an unlock, a dump's removal).

A failure in 4 fails the task (an application left down must not pass as a good night) and says
what the archive is; a failure in 1 to 3 keeps its message and gains what 4 could not do.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.backup.hooks import (
    check_containers,
    failed_entry,
    run_command,
    summary,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.quiesce import (
    quiesce_actions,
    resume,
    writers_of,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError, PersistentVolumesError
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan


class ExecFailed(EngineError):
    """An exec_before command failed: nothing was stopped or written."""


def source_volumes(source):
    """{volume name: Mountpoint} of what a backup reads."""
    return dict((item.volume, item.inspect.get('Mountpoint')) for item in source.items)


class Consistency(object):
    """What a backup does around its read, observed: ``writers`` (quiesce), ``before``/``after`` (exec)."""

    def __init__(self, api, spec, source):
        self.api, self.mode = api, spec.quiesce
        self.before, self.after = spec.exec_before, spec.exec_after
        check_containers(api, self.before + self.after)
        self.writers = []
        if self.mode != 'none':
            self.writers = writers_of(api.list_containers(), source_volumes(source))
        self.what = 'the data of %s' % (source.label.get('container') or 'volume %s' % source.label.get('volume'))
        self.quiesce_plan = Plan()
        self.names = quiesce_actions(self.quiesce_plan, self.writers, self.mode, self.what)
        self.quiesced, self.ran_before, self.ran_after = [], [], []
        self.resumed, self.resume_problems = set(), []

    @property
    def active(self):
        return bool(self.writers or self.before or self.after)

    def describe(self, read_actions, quiesces=True):
        """The whole run in order, as text: check mode's prediction (``quiesces`` False: the data is
        unchanged, nothing is stopped)."""
        names = self.names if quiesces else []
        resume_text = ['%s %s again' % ('unpause' if self.mode == 'pause' else 'start', name) for name in names]
        return ([c.describe() for c in self.before] + (self.quiesce_plan.describe() if quiesces else [])
                + list(read_actions) + resume_text + [c.describe() for c in self.after])

    def result(self, check_mode):
        """The result keys: ``quiesced`` (in check mode: would be) and the commands' results."""
        if check_mode:
            return dict(quiesce=self.mode, quiesced=list(self.names), exec_before=[c.as_result() for c in self.before],
                        exec_after=[c.as_result() for c in self.after])
        return dict(quiesce=self.mode, quiesced=list(self.quiesced), exec_before=list(self.ran_before),
                    exec_after=list(self.ran_after))

    def run_before(self):
        for command in self.before:
            entry = run_command(self.api, command)
            self.ran_before.append(entry)
            if failed_entry(entry):
                raise ExecFailed('%s failed: %s. The backup stopped there: no container was stopped and nothing was '
                                 'written.' % (command.where, summary(entry)))

    def quiesce_now(self, engine):
        """Stop (pause) the writers, each recorded as soon as it was asked, so that it is resumed."""
        for action in self.quiesce_plan.actions:
            self.quiesced.append(action.target)
            single = Plan()
            single.actions.append(action)
            engine.apply(single)

    def resume_now(self):
        """Start (unpause) the quiesced containers not resumed yet: right after the read, before the new
        archive is read back and older generations pruned. Problems are kept for ``finish``."""
        writers = [writer for writer in self.writers if writer.name in self.quiesced and writer.name not in self.resumed]
        self.resumed.update(writer.name for writer in writers)
        self.resume_problems += ['could not %s %s' % ('unpause' if self.mode == 'pause' else 'start', problem)
                                 for problem in resume(self.api, [writer.id for writer in writers], self.mode)]

    def finish(self):
        """Resume the quiesced containers (those not resumed yet), then run exec_after; the problems met (text)."""
        self.resume_now()
        problems = list(self.resume_problems)
        for command in self.after:
            entry = run_command(self.api, command)
            self.ran_after.append(entry)
            if failed_entry(entry):
                problems.append('%s failed: %s' % (command.where, summary(entry)))
        return problems

    def around(self, work):
        """``work()`` (which calls ``quiesce_now`` when it reads) between before and after; its result."""
        try:
            self.run_before()
            result = work()
        except PersistentVolumesError as exc:
            problems = self.finish()
            if problems:
                exc.msg = '%s Afterwards: %s.' % (exc.msg, '; '.join(problems))
            exc.details.update(self.result(False))
            raise
        except BaseException:  # a bug of ours, or the module interrupted: the containers still come back
            self.finish()
            raise
        problems = self.finish()
        if problems:
            what = ('the archive %s was written and is complete' % result['dest'] if result.get('changed')
                    else 'the earlier archive %s still holds this data' % result['dest'])
            details = dict(result, **self.result(False))
            details.pop('msg', None)
            raise EngineError('The backup itself succeeded (%s), but afterwards: %s.' % (what, '; '.join(problems)),
                              **details)
        result.update(self.result(False))
        return result
