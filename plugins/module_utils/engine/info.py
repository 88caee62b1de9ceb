# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a managed node offers this collection: its Python, the Docker SDK there, and the
engine's version (the work of the engine_info module; the layout module checks the engine's
API version the same way when it is given one ``layout`` dict, as the role does). The SDK itself is checked before this runs (``client.check_sdk``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import platform
import sys

from ansible_collections.persistent.volumes.plugins.module_utils.engine.connection import docker
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import EngineError
from ansible_collections.persistent.volumes.plugins.module_utils.engine.sdk_version import (
    MINIMUM_API,
    MINIMUM_SDK,
    api_problem,
)


def engine_facts(version, docker_host):
    """The result keys for the engine's answer to ``GET /version``; EngineError when its API
    version is below the supported minimum."""
    problem = api_problem(version.get('ApiVersion'), version.get('Version'), docker_host)
    if problem:
        raise EngineError(problem, docker_host=docker_host, engine=version)
    return dict(engine=version, docker_host=docker_host, minimum_api_version=MINIMUM_API)


def report_engine(engine):
    """engine_info's work: the interpreter, the SDK and the engine, all read, nothing written."""
    result = engine_facts(engine.api.version(), engine.options.docker_host)
    result.update(
        changed=False,
        python=sys.executable,
        python_version=platform.python_version(),
        sdk_version=getattr(docker, '__version__', None),
        minimum_sdk_version=MINIMUM_SDK,
    )
    return result
