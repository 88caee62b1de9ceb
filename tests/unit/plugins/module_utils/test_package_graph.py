# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The packages of plugins/module_utils import each other without a cycle, and the engine (and the
errors below it) import nothing above them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os

PREFIX = 'ansible_collections.persistent.volumes.plugins.module_utils.'
MODULE_UTILS = os.path.join(os.path.dirname(os.path.abspath(__file__)), *(['..'] * 4 + ['plugins', 'module_utils']))


def package_graph():
    """{package: the other packages it imports}, from the import statements of every file."""
    graph = {}
    for package in sorted(os.listdir(MODULE_UTILS)):
        directory = os.path.join(MODULE_UTILS, package)
        if not os.path.isdir(directory) or package.startswith(('_', '.')):
            continue
        imported = graph.setdefault(package, set())
        for filename in os.listdir(directory):
            if filename.endswith('.py'):
                with open(os.path.join(directory, filename)) as source:
                    tree = ast.parse(source.read())
                for node in ast.walk(tree):
                    names = [node.module or ''] if isinstance(node, ast.ImportFrom) else \
                        [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                    imported.update(name[len(PREFIX):].split('.')[0] for name in names if name.startswith(PREFIX))
        imported.discard(package)
    return graph


def cycle_from(graph, start):
    """A path start -> ... -> start, or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        package, path = stack.pop()
        for other in sorted(graph.get(package, ())):
            if other == start:
                return path + [start]
            if other not in seen:
                seen.add(other)
                stack.append((other, path + [other]))
    return None


def test_no_package_cycle():
    graph = package_graph()
    assert len(graph) > 10
    cycles = [' -> '.join(cycle) for cycle in (cycle_from(graph, package) for package in graph) if cycle]
    assert cycles == []


def test_the_engine_and_the_errors_are_at_the_bottom():
    graph = package_graph()
    assert graph['engine'] <= set(['errors'])
    assert not graph.get('errors')
