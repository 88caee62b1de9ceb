# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The errors the engine raises, and how SDK and transport errors become messages.

Every failure a user can see is one of three kinds:

* ``InputError``: the task's options are wrong; nothing was looked at or changed.
* ``Refusal``: the task is valid but doing it would lose data (or is otherwise
  unsafe); raised while planning, so check mode refuses the same way.
* ``EngineError``: the Docker engine could not be reached or said no.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re


class PersistentVolumesError(Exception):
    """Base class: ``msg`` is what the user reads, ``details`` goes to the result."""

    def __init__(self, msg, **details):
        super(PersistentVolumesError, self).__init__(msg)
        self.msg = msg
        self.details = details


class InputError(PersistentVolumesError):
    """Bad task input."""


class Refusal(PersistentVolumesError):
    """A valid request the collection will not carry out (it would lose data)."""


class EngineError(PersistentVolumesError):
    """The engine could not be reached, or answered with an error."""


def _reason_from_exception(exc):
    text = str(exc)
    lowered = text.lower()
    if 'no such file or directory' in lowered or 'filenotfounderror' in lowered:
        return 'the socket does not exist (is the Docker engine running?)'
    if 'permission denied' in lowered:
        return 'permission denied on the socket (run as root or as a member of the docker group)'
    if 'connection refused' in lowered:
        return 'connection refused (is the Docker engine listening there?)'
    if 'read timed out' in lowered or 'timed out' in lowered:
        return 'the engine did not answer in time'
    if any(marker in lowered for marker in ('certificate verify failed', 'sslerror', '[ssl', 'ssl:', 'tlsv1')):
        found = re.search(r'\[SSL[^\]]*\][^)\'"]*', text)
        return 'TLS handshake failed: %s' % (found.group(0).strip() if found else text)
    return text


def connection_error(exc, docker_host, timeout=None, client_cert=None):
    """Turn a failure to talk to the engine into an ``EngineError`` naming the host."""
    reason = _reason_from_exception(exc)
    if reason == 'the engine did not answer in time' and timeout:
        reason = 'the engine did not answer within timeout=%s seconds' % timeout
    lowered = str(exc).lower()
    if not client_cert and ('bad certificate' in lowered or 'certificate required' in lowered):
        reason += ' (the engine requires a client certificate: set client_cert and client_key)'

    return EngineError('Cannot talk to the Docker engine at %s: %s' % (docker_host, reason),
                       docker_host=docker_host)


def api_error(exc, action):
    """Turn an ``APIError`` of the SDK into an ``EngineError`` saying what was tried."""
    status = getattr(exc, 'status_code', None)
    explanation = getattr(exc, 'explanation', None) or str(exc)
    if isinstance(explanation, bytes):
        explanation = explanation.decode('utf-8', 'replace')
    status_text = ' (HTTP %s)' % status if status else ''
    return EngineError('The Docker engine refused to %s%s: %s' % (action, status_text, explanation),
                       status_code=status)
