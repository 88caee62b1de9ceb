# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's size rules for plugins/: no function over 40 lines, no file over 600.

A function's length counts from its ``def`` line to its last line, docstring and comments
included; a method is named Class.method, a nested function outer.inner. Prints the longest
function and file, and every one over its limit (then exits 1).
"""

import ast
import os
import sys

FUNCTION_LIMIT = 40
FILE_LIMIT = 600


def functions(path):
    """(length, dotted name) of every function in the file ``path``."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    found = []

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((child.end_lineno - child.lineno + 1, prefix + child.name))
                walk(child, prefix + child.name + '.')
            elif isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + '.')
            else:
                walk(child, prefix)

    walk(tree, '')
    return found


def python_files(root):
    for directory, dummy, names in sorted(os.walk(root)):
        for name in sorted(names):
            if name.endswith('.py'):
                yield os.path.join(directory, name)


def main(root='plugins'):
    longest, largest, over = (0, None), (0, None), []
    for path in python_files(root):
        with open(path) as handle:
            lines = len(handle.read().splitlines())
        largest = max(largest, (lines, path))
        if lines > FILE_LIMIT:
            over.append('%s: %d lines (file limit %d)' % (path, lines, FILE_LIMIT))
        for length, name in functions(path):
            longest = max(longest, (length, '%s %s' % (path, name)))
            if length > FUNCTION_LIMIT:
                over.append('%s %s: %d lines (function limit %d)' % (path, name, length, FUNCTION_LIMIT))
    print('longest function: %s, %d lines; largest file: %s, %d lines' % (longest[1], longest[0], largest[1],
                                                                          largest[0]))
    for line in over:
        print('OVER: ' + line)
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
