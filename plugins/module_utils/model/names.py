# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Names the collection gives the objects it creates, chosen while planning."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import os


def random_hex(size):
    """``size`` random bytes as hexadecimal digits."""
    return binascii.hexlify(os.urandom(size)).decode('ascii')


def replacement_name(name):
    """A fresh temporary name for the replacement of container ``name``."""
    return '%s.pv-%s' % (name, random_hex(3))


def new_volume_name():
    """A name for a volume made for a path that has none: 64 hex digits, as the engine names anonymous ones."""
    return random_hex(32)


def temporary_name(purpose):
    """A never-started helper container's name: ``pv-backup-<hex>``, ``pv-restore-<hex>``."""
    return 'pv-%s-%s' % (purpose, random_hex(6))
