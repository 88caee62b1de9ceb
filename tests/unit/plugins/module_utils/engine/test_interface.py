# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The engine interface is declared once and every engine, real or fake, implements all of it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import inspect
import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.engine.api import EngineAPI
from ansible_collections.persistent.volumes.plugins.module_utils.engine.cache import CachedAPI
from ansible_collections.persistent.volumes.plugins.module_utils.engine.interface import READS, WRITES, EngineInterface
from ansible_collections.persistent.volumes.tests.unit.fake_engine import FakeEngineAPI

CALLS = set(READS) | set(WRITES) | set(['forget', 'call_count'])
# EngineAPI's own members that are not engine calls: the SDK client, the connection options, the counters.
API_INTERNALS = set(['client', 'options', 'calls', 'kind'])
# Test classes that stand for the Docker SDK's client (below EngineAPI), not for an engine.
SDK_STAND_INS = set(['FakeClient'])
UNIT_TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def public_members(cls):
    return set(name for name in dir(cls) if not name.startswith('_'))


def test_the_interface_lists_every_call_of_the_engine_api():
    assert EngineInterface.__abstractmethods__ == CALLS
    assert public_members(EngineAPI) - API_INTERNALS == CALLS


@pytest.mark.parametrize('make', [
    pytest.param(lambda: EngineAPI(options=None), id='EngineAPI'),
    pytest.param(lambda: CachedAPI(FakeEngineAPI()), id='CachedAPI'),
    pytest.param(FakeEngineAPI, id='FakeEngineAPI'),
])
def test_each_engine_implements_the_whole_interface(make):
    engine = make()
    assert isinstance(engine, EngineInterface)
    assert not type(engine).__abstractmethods__


def test_an_engine_lacking_a_call_cannot_be_made():
    class Lacking(EngineInterface):  # pylint: disable=abstract-method
        def forget(self):
            return None

    with pytest.raises(TypeError, match='abstract'):
        Lacking()  # pylint: disable=abstract-class-instantiated


@pytest.mark.parametrize('name', sorted(CALLS - set(['call_count'])))
def test_signatures_match_the_interface(name):
    declared = inspect.signature(getattr(EngineInterface, name))
    for cls in (EngineAPI, FakeEngineAPI):
        assert inspect.signature(getattr(cls, name)) == declared, cls.__name__


def test_cached_api_passes_every_call_through():
    """Each call of CachedAPI reaches the wrapped engine with its arguments (reads that are cached: once)."""
    fake = FakeEngineAPI(volumes=['v'])
    cached = CachedAPI(fake)
    cached.archive_head('c', '/p', limit=10)
    cached.pull_image('app:1', 'app', '1')
    cached.stop_container('c', timeout=3)
    assert fake.calls[:3] == [('archive_head', 'c', '/p'), ('pull_image', 'app:1', 'app', '1'), ('stop_container', 'c', 3)]
    assert cached.call_count == fake.call_count


def engine_fakes():
    """(file, class) of every class in tests/unit that defines an engine call."""
    found = []
    for root, dummy, files in os.walk(UNIT_TESTS):
        for filename in files:
            if not filename.endswith('.py'):
                continue
            path = os.path.join(root, filename)
            with open(path) as source:
                tree = ast.parse(source.read(), path)
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    methods = set(item.name for item in node.body if isinstance(item, ast.FunctionDef))
                    if methods & CALLS and node.name not in SDK_STAND_INS:
                        found.append((os.path.relpath(path, UNIT_TESTS), node))
    return found


def test_every_engine_fake_of_the_unit_tests_is_a_declared_fake():
    """A fake engine subclasses FakeEngineAPI (or another fake that does), so it has every call."""
    fakes = engine_fakes()
    names = set(node.name for dummy, node in fakes) | set(['FakeEngineAPI', 'EngineInterface'])
    strays = ['%s: %s' % (path, node.name) for path, node in fakes
              if node.name not in ('FakeEngineAPI', 'Lacking')
              and not any(getattr(base, 'id', None) in names for base in node.bases)]
    assert len(fakes) > 5
    assert strays == []
