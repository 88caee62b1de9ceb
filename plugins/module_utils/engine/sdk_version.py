# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The versions this collection needs on a managed node, and the messages when they are not there.

``MINIMUM_SDK`` is the oldest release of the Docker SDK for Python (``docker``) that works
with the ``requests`` and ``urllib3`` that pip installs next to it today: every older
release (7.0.0, 6.x, 5.x, ...) fails on a Unix socket with "Not supported URL scheme
http+docker" since requests 2.32. The same version is declared in the connection doc
fragment, README.md, requirements.txt and the role's preflight (a unit test keeps them
equal); ``scripts/oldest.sh`` installs exactly this version.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

MINIMUM_SDK = '7.1.0'
MINIMUM_API = '1.41'


def version_tuple(text):
    """``'7.1.0'`` -> ``(7, 1, 0)``; the leading numbers of ``'7.2.0.dev3'`` too; None when none."""
    found = re.match(r'\s*v?(\d+(?:\.\d+)*)', '%s' % (text or ''))
    if not found:
        return None
    return tuple(int(part) for part in found.group(1).split('.'))


def at_least(version, minimum):
    """True when ``version`` (text) is ``minimum`` (text) or newer; False when unreadable."""
    have, need = version_tuple(version), version_tuple(minimum)
    if have is None:
        return False
    width = max(len(have), len(need))
    return have + (0,) * (width - len(have)) >= need + (0,) * (width - len(need))


def install_command(python):
    """The command that installs a supported SDK for the interpreter ``python``."""
    return "%s -m pip install 'docker>=%s'" % (python, MINIMUM_SDK)


# A system Python (Debian 12, Ubuntu 24.04) refuses pip installs (PEP 668): the playbook makes a venv.
PREPARE_HINT = ('(a system Python that refuses it as "externally-managed-environment": run the playbook '
                'persistent.volumes.prepare_hosts, which makes a venv with the SDK, and set '
                'ansible_python_interpreter to the venv\'s python)')


def fix_hint(python):
    """How to get a supported SDK for the interpreter ``python``."""
    return '%s %s' % (install_command(python), PREPARE_HINT)


def missing_sdk_hint(python):
    """What to add to ``missing_required_lib``'s message: the version and the command."""
    return ('This collection needs the Docker SDK for Python %s or newer; install it with: %s'
            % (MINIMUM_SDK, fix_hint(python)))


def sdk_problem(version, python):
    """None when the Docker SDK ``version`` is supported; else the message, naming the SDK,
    the interpreter ``python`` and the command that fixes it."""
    if at_least(version, MINIMUM_SDK):
        return None
    return ('The Docker SDK for Python (docker) on %s is version %s; this collection needs %s or newer '
            '(older releases cannot reach the engine with the requests library pip installs today: '
            '"Not supported URL scheme http+docker"). Install it with: %s'
            % (python, version or 'unknown', MINIMUM_SDK, fix_hint(python)))


def api_problem(api_version, engine_version, docker_host):
    """None when the engine's API version is supported; else the message naming the engine."""
    if at_least(api_version, MINIMUM_API):
        return None
    return ('The Docker engine at %s (version %s) speaks API %s; this collection needs API %s or newer '
            '(Docker Engine 20.10 or newer).'
            % (docker_host, engine_version or 'unknown', api_version or 'unknown', MINIMUM_API))
