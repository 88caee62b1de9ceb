# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one wrapper every module is built on.

``EngineModule`` merges the connection options with a module's own argument specs,
builds the ``AnsibleModule``, reports a missing Docker SDK with
``missing_required_lib`` and one older than the supported minimum by name (see
``sdk_version``), connects lazily, and runs the module's work function,
turning the engine's errors into ``fail_json`` with a readable ``msg``.
``apply`` (interface.py) carries out a ``Plan`` and fills ``changed``, ``diff`` and warnings, with
check mode guarding only the side effects.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import sys
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import (
    CONNECTION_ARGS,
    DOCKER_IMPORT_ERROR,
    ConnectionOptions,
    docker,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.api import EngineAPI
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import (
    EngineError,
    InputError,
    PersistentVolumesError,
)
from ansible_collections.persistent.volumes.plugins.module_utils.engine.sdk_version import missing_sdk_hint, sdk_problem
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.interface import ModuleEngine


def merge_argument_specs(*specs):
    """Merge argument-spec dicts, refusing an option defined twice."""
    merged = {}
    for spec in specs:
        for key, value in spec.items():
            if key in merged:
                raise ValueError('option %s is defined twice' % key)
            merged[key] = value
    return merged


def check_sdk(module, sdk):
    """Fail ``module`` naming the SDK, the interpreter and the fix when ``sdk`` (the imported
    ``docker`` package) is older than the collection supports: such an SDK cannot reach the
    engine, and the connection error would otherwise blame the engine."""
    version = getattr(sdk, '__version__', None)
    problem = sdk_problem(version, sys.executable)
    if problem:
        module.fail_json(msg=problem, sdk_version=version, python=sys.executable)


class EngineModule(ModuleEngine):
    """An AnsibleModule talking to one Docker engine (what it offers a module's work: interface.py)."""

    def __init__(self, argument_specs, **kwargs):
        kwargs.setdefault('supports_check_mode', True)
        spec = merge_argument_specs(CONNECTION_ARGS, *argument_specs)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if docker is None:
            self.module.fail_json(msg='%s %s' % (missing_required_lib('docker (the Docker SDK for Python)'),
                                                 missing_sdk_hint(sys.executable)),
                                  exception=DOCKER_IMPORT_ERROR)
        check_sdk(self.module, docker)
        self.params = self.module.params
        self.options = ConnectionOptions(self.params)
        self.api = EngineAPI(self.options)
        self.warnings = []

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff  # pylint: disable=protected-access

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)
            self.module.warn(message)

    def _work_with_retries(self, work, attempts=3):
        """Run ``work``; when an action failed because another client changed the same objects
        meanwhile (the module looked and saw it: ``race``, see races.py), look again and converge
        from what is there now. A run that wrote before such a failure reports a change."""
        wrote = False
        for attempt in range(attempts):
            try:
                result = work(self)
                if wrote:
                    result['changed'] = True
                return result
            except PersistentVolumesError as exc:
                wrote = wrote or bool(exc.details.get('changed'))
                race = exc.details.get('race')
                if not race or attempt == attempts - 1:
                    exc.details['changed'] = wrote
                    raise
                status = exc.details.get('status_code')
                self.warn('Another client changed the same objects at the same time: %s (the engine answered %s: '
                          '%s). Looked at the engine again and converged from there.'
                          % (race, 'with a conflict' if status == 409 else '"not found"', exc.msg))
                self.api.forget()
        raise EngineError('unreachable')  # pragma: no cover

    def run(self, work):
        """Run ``work(self)``, which returns the result dict; exit or fail accordingly."""
        problems = self.options.problems()
        if problems:
            self.module.fail_json(msg='Invalid connection options: %s.' % '; '.join(problems))
        try:
            result = self._work_with_retries(work)
        except PersistentVolumesError as exc:
            details = dict(exc.details)
            details.setdefault('changed', False)  # execute() sets it when actions were done
            if isinstance(exc, InputError):
                details['invalid_input'] = True
            self.module.fail_json(msg=exc.msg, **details)
        except Exception as exc:  # pylint: disable=broad-except
            # A bug of ours: a readable msg, the traceback only in 'exception'.
            self.module.fail_json(msg='Unexpected error (%s): %s' % (type(exc).__name__, exc),
                                  exception=traceback.format_exc(), changed=False)
        result.setdefault('changed', False)
        result['api_calls'] = self.api.call_count
        self.module.exit_json(**result)
