# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the three benchmarks (bench.py, backup_bench.py, scale_bench.py) share: their error,
a log to stderr under each one's tag, and the load average they print."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import sys
import time


class BenchError(Exception):
    pass


def logger(tag):
    """A log function writing ``[tag HH:MM:SS] message`` lines to stderr."""
    def log(message):
        sys.stderr.write('[%s %s] %s\n' % (tag, time.strftime('%H:%M:%S'), message))
        sys.stderr.flush()
    return log


def loadavg():
    try:
        with open('/proc/loadavg') as handle:
            return [float(value) for value in handle.read().split()[:3]]
    except (OSError, ValueError):
        return None
