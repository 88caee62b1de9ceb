# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An EngineProxy (see proxy.py) that can make the engine slow, or make requests wait at a gate.

``delay(pattern, seconds)``: every request whose first line matches is forwarded at once
(the engine does the work), but the engine's answer reaches the client only ``seconds``
later, as from an engine that is slow to answer. ``gate(pattern)``: the first matching
request waits in the proxy until the test opens the gate, then goes on to the engine (two
clients can be made to race exactly). The rules of ``intercept`` (close, hold) work too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import threading

from proxy import EngineProxy


class Delay(object):
    """Answer every request matching ``pattern`` ``seconds`` late."""

    def __init__(self, pattern, seconds):
        self.pattern = re.compile(pattern)
        self.seconds = seconds
        self.lines = []         # the requests delayed so far


class Gate(object):
    """Keep the first request matching ``pattern`` until ``open()``."""

    def __init__(self, pattern):
        self.pattern = re.compile(pattern)
        self.reached = threading.Event()
        self.opened = threading.Event()
        self.line = None

    def wait(self, timeout=60):
        """Wait until a request is at the gate."""
        return self.reached.wait(timeout)

    def open(self):
        self.opened.set()


class SlowProxy(EngineProxy):
    """EngineProxy with slow answers (``delay``) and gates (``gate``)."""

    def __init__(self, path=None, upstream=None, gate_timeout=120):
        kwargs = {} if upstream is None else dict(upstream=upstream)
        super(SlowProxy, self).__init__(path, **kwargs)
        self._delays = []
        self._gates = []
        self.gate_timeout = gate_timeout

    def delay(self, pattern, seconds):
        rule = Delay(pattern, seconds)
        with self._lock:
            self._delays.append(rule)
        return rule

    def gate(self, pattern):
        rule = Gate(pattern)
        with self._lock:
            self._gates.append(rule)
        return rule

    def stop(self):
        with self._lock:
            gates = list(self._gates)
        for gate in gates:   # nobody waits at a gate for ever
            gate.open()
        super(SlowProxy, self).stop()

    def _slowdown(self, line):
        """Wait at a matching gate; return the seconds to delay the answer by (0: none)."""
        with self._lock:
            gate = next((g for g in self._gates if not g.reached.is_set() and g.pattern.search(line)), None)
            if gate is not None:
                gate.line = line
                gate.reached.set()
            delay = next((d for d in self._delays if d.pattern.search(line)), None)
            if delay is not None:
                delay.lines.append(line)
        if gate is not None:
            gate.opened.wait(self.gate_timeout)
        return delay.seconds if delay is not None else 0

    def _start_answers(self, upstream, client):
        pending = []    # delays of the answers still to come, one per request, in order
        super(SlowProxy, self)._start_answers(upstream, client, _delayer(pending, self._stopping))
        return lambda line: pending.append(self._slowdown(line))


def _delayer(pending, stopping):
    """What the pump does before each chunk of the engine's answers: the first bytes of each
    answer wait its delay.

    HTTP/1.1 without pipelining: a client sends its next request on a connection only
    once it has read the whole answer to the previous one. So when bytes come from the
    engine while a delay is pending, they begin the answer to the request of that delay;
    the rest of that answer finds nothing pending and goes at once.
    """
    def wait():
        seconds = pending.pop(0) if pending else 0
        if seconds:
            stopping.wait(seconds)
    return wait
