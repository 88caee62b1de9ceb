# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's own code shows users no Python warning: every plugin file imports, in a fresh
interpreter with every warning enabled, without a warning raised in one of its files (a
dependency's own notices, such as cryptography's about ansible-core, are not the collection's)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

PLUGINS = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'plugins'))
PREFIX = 'ansible_collections.persistent.volumes.plugins'

PROBE = '''
import importlib, json, sys, warnings
seen = []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    for name in sys.argv[1:]:
        importlib.import_module(name)
    seen = [dict(file=w.filename, line=w.lineno, category=w.category.__name__, message=str(w.message))
            for w in caught]
print(json.dumps(seen))
'''


def plugin_modules():
    names = []
    for root, dirs, files in os.walk(PLUGINS):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in sorted(files):
            if name.endswith('.py') and name != '__init__.py':
                relative = os.path.relpath(os.path.join(root, name[:-3]), PLUGINS)
                names.append('.'.join([PREFIX] + relative.split(os.sep)))
    return names


def test_plugins_import_without_warnings_of_their_own():
    names = plugin_modules()
    assert len(names) > 50
    proc = subprocess.run([sys.executable, '-c', PROBE] + names, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)), timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    own = [w for w in json.loads(proc.stdout.decode())
           if 'ansible_collections/persistent/volumes/' in w['file'].replace(os.sep, '/')]
    assert not own, own
