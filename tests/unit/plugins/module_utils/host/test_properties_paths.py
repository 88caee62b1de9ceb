# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property tests of host paths and archive members (hostile input).

Sensitive host paths stay sensitive whatever the spelling (``..``, ``.``, doubled and
trailing slashes, symlinks made in a temporary directory), and a bind request for one is
refused unless allowed; archive members that ``member_problem`` lets through stay inside
their root. Known bugs are kept as strict xfails with their failing examples.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import posixpath
import tarfile

import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import check_archive, member_problem
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.bind_mount import (
    BIND_MOUNT_ARGS,
    BindRequest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import PROPAGATIONS, split_bind
from ansible_collections.persistent.volumes.plugins.module_utils.host.paths import sensitive_reason
from ansible_collections.persistent.volumes.plugins.module_utils.spec.validation import normal_path

# Deterministic and database-less, applied per test (no global profile is loaded).
CI = settings(derandomize=True, database=None, deadline=None, max_examples=200,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(CI, max_examples=5)

DATA_ROOT = '/var/lib/docker'
ROOTS = ['/', '/etc', '/proc', '/sys', '/boot', '/dev', '/root', DATA_ROOT, '/var/run/docker.sock']
TREES = ('/etc', '/proc', '/sys', '/boot', '/dev', DATA_ROOT)
FORMS = ['direct', 'abs', 'rel', 'chain', 'parent']
SEPARATOR = st.sampled_from(['/', '/', '//', '/./', '/.//', '/pv-gone/../', '/./pv-gone/..//'])
SEPARATORS = st.lists(SEPARATOR, min_size=12, max_size=12)
LEAD = st.sampled_from(['/', '//', '///', '/../', '/./', '/../../'])
TRAIL = st.sampled_from(['', '/', '//', '/.', '/./', '/pv-gone/..'])
TAIL = st.lists(st.sampled_from(['pv-x', 'pv-sub', 'new dir', '\u00e9t\u00e9']), max_size=2)


@pytest.fixture(scope='module')
def farm(tmp_path_factory):
    """A fresh directory: links to every sensitive root (absolute, relative, chained, via
    its parent) and a safe corner (``safe``) with directories and links among them."""
    base = str(tmp_path_factory.mktemp('farm'))
    for index, root in enumerate(ROOTS):
        os.symlink(root, os.path.join(base, 'abs%d' % index))
        os.symlink(os.path.relpath(root, base), os.path.join(base, 'rel%d' % index))
        os.symlink('abs%d' % index, os.path.join(base, 'chain%d' % index))
        os.symlink(posixpath.dirname(root), os.path.join(base, 'parent%d' % index))
    safe = os.path.join(base, 'safe')
    for name in ('a', 'b', 'c'):
        os.makedirs(os.path.join(safe, name))
    os.symlink('a', os.path.join(safe, 'la'))
    os.symlink('../safe/b', os.path.join(safe, 'lb'))
    os.symlink(os.path.join(safe, 'c'), os.path.join(safe, 'lc'))
    return base


def spell(components, separators, lead='/', trail=''):
    """Join path components with the given separators (each one '/' or a decorated one)."""
    if not components:
        return lead + trail
    text = components[0]
    for index, component in enumerate(components[1:]):
        text += separators[index % len(separators)] + component
    return lead + text + trail


def sensitive_path(base, root, form, tail, separators, lead, trail):
    index = ROOTS.index(root)
    tail = list(tail) if root in TREES else []
    if form == 'direct' or (form == 'parent' and root == '/'):
        components = [part for part in root.split('/') if part]
        return spell(components + tail, separators, lead, trail)
    components = [part for part in base.split('/') if part]
    if form == 'parent':
        return spell(components + ['parent%d' % index, posixpath.basename(root)] + tail, separators, '/', trail)
    return spell(components + ['%s%d' % (form, index)] + tail, separators, '/', trail)


SENSITIVE = st.fixed_dictionaries(dict(root=st.sampled_from(ROOTS), form=st.sampled_from(FORMS), tail=TAIL,
                                       separators=SEPARATORS, lead=LEAD, trail=TRAIL))


@CI
@given(how=SENSITIVE)
@example(how=dict(root='/etc', form='rel', tail=[], separators=['//'] * 12, lead='/', trail='/.'))
@example(how=dict(root='/var/run/docker.sock', form='chain', tail=[], separators=['/./'] * 12, lead='/', trail=''))
@example(how=dict(root='/', form='direct', tail=[], separators=['/'] * 12, lead='/../', trail='/pv-gone/..'))
def test_sensitive_places_are_sensitive_however_spelled(farm, how):
    path = sensitive_path(farm, **how)
    assert sensitive_reason(path, DATA_ROOT) is not None, path


SAFE_PART = st.sampled_from(['a', 'b', 'c', 'la', 'lb', 'lc', 'new', 'x y', '\u00e9t\u00e9', '.', '..'])


def safe_components(parts):
    """Drop the '..' that would climb out of the safe corner."""
    kept, depth = [], 0
    for part in parts:
        if part == '..' and depth == 0:
            continue
        depth += -1 if part == '..' else 0 if part == '.' else 1
        kept.append(part)
    return kept


@CI
@given(parts=st.lists(SAFE_PART, max_size=6).map(safe_components), separators=SEPARATORS, trail=TRAIL)
@example(parts=['la', '..', 'lb', 'new'], separators=['//'] * 12, trail='/')
def test_paths_in_a_fresh_directory_are_not_sensitive(farm, parts, separators, trail):
    base = [part for part in farm.split('/') if part] + ['safe']
    assert sensitive_reason(spell(base + parts, separators, '/', trail), DATA_ROOT) is None


def bind_params(**kwargs):
    params = dict((name, spec.get('default')) for name, spec in BIND_MOUNT_ARGS.items())
    params.update(container='web', target='/data')
    params.update(kwargs)
    return params


@CI
@given(how=SENSITIVE, allow=st.booleans())
@example(how=dict(root='/', form='abs', tail=[], separators=['/'] * 12, lead='/', trail=''), allow=False)
def test_bind_request_for_a_sensitive_source_is_refused_unless_allowed(farm, how, allow):
    source = sensitive_path(farm, **how)
    normal = normal_path(source) == source
    try:
        request = BindRequest(bind_params(source=source, allow_sensitive=allow), [], DATA_ROOT)
    except Refusal as exc:
        assert not allow and 'Refusing to bind-mount %s into web' % source in exc.msg and 'allow_sensitive=true' in exc.msg
        return
    except InputError as exc:
        assert allow and not normal and exc.msg.startswith('source: host path %r is not normalised' % source)
        return
    assert allow and normal and request.bind == '%s:/data:rw' % source


@CI
@given(parts=st.lists(SAFE_PART.filter(lambda part: part not in ('.', '..')), max_size=5), read_only=st.booleans(),
       propagation=st.sampled_from([None] + PROPAGATIONS), relabel=st.sampled_from([None, 'z', 'Z']))
def test_bind_request_for_a_safe_source_round_trips_through_split_bind(farm, parts, read_only, propagation, relabel):
    source = '/'.join([farm, 'safe'] + parts)
    request = BindRequest(bind_params(source=source, read_only=read_only, propagation=propagation, selinux_relabel=relabel),
                          [], DATA_ROOT)
    options = set(option for option in ('ro' if read_only else None, propagation, relabel) if option)
    assert split_bind(request.bind) == (source, '/data', options)


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(exclude_characters='\x00')),
                       lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
                       max_leaves=4)
HOSTILE = st.one_of(JSONISH, st.sampled_from(['/srv/x', '/srv/x/', '/srv/a:b', 'srv', '/etc', '/srv/../etc', '0750', 'root']))


HOSTILE_FIELDS = st.fixed_dictionaries({}, optional=dict(source=HOSTILE, target=HOSTILE, owner=HOSTILE, group=HOSTILE,
                                                         mode=HOSTILE, state=st.sampled_from(['present', 'absent'])))


@CI
@given(fields=HOSTILE_FIELDS)
def test_bind_request_on_hostile_options_is_valid_or_refused_clearly(fields):
    try:
        BindRequest(bind_params(**fields), [], DATA_ROOT)
    except (InputError, Refusal) as exc:
        assert isinstance(exc.msg, str) and exc.msg and 'Traceback' not in exc.msg
        assert exc.msg.startswith(('source', 'target', 'Refusing to bind-mount')), exc.msg


@CI
@given(text=st.text())
def test_split_bind_never_fails(text):
    source, target, options = split_bind(text)
    assert isinstance(source, str) and isinstance(target, str) and 'rw' not in options


@FEW
@given(root=st.sampled_from(TREES))
@example(root='/etc')
def test_dot_dot_after_a_link_is_judged_where_it_leads(farm, root):
    assert sensitive_reason('%s/abs%d/..' % (farm, ROOTS.index(root)), DATA_ROOT) is not None


@FEW
@given(leaf=st.sampled_from(['cwd']))
@example(leaf='cwd')
def test_a_path_through_a_link_into_proc_is_sensitive(farm, leaf):
    here = os.getcwd()
    os.chdir(os.path.join(farm, 'safe'))
    try:
        assert sensitive_reason('%s/abs%d/self/%s' % (farm, ROOTS.index('/proc'), leaf), DATA_ROOT) is not None
    finally:
        os.chdir(here)


@FEW
@given(source=st.sampled_from(['/srv/\x00', '/\x00etc']))
@example(source='/srv/\x00x')
def test_bind_source_with_nul_is_refused_cleanly(source):
    with pytest.raises(InputError):
        BindRequest(bind_params(source=source), [], DATA_ROOT)


# --- archive members ----------------------------------------------------------------------
TYPES = [tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE,
         tarfile.BLKTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE, tarfile.GNUTYPE_SPARSE, b'x', b'\x00']
MEMBER_PART = st.sampled_from(['data', 'srv', 'logs', 'other', 'x', 'sub', '.', '..', '', '...', 'data..', '\u00e9'])
MEMBER_PATH = st.builds(lambda lead, parts: lead + '/'.join(parts), st.sampled_from(['', '', '', '/', './', '//']),
                        st.lists(MEMBER_PART, min_size=1, max_size=5))
ROOT_SETS = st.lists(st.sampled_from(['data', 'srv/logs', 'other']), min_size=1, max_size=3, unique=True)


def member(name, kind, linkname):
    made = tarfile.TarInfo(name)
    made.type, made.linkname = kind, linkname
    return made


def parts_of(path):
    return [part for part in path.split('/') if part not in ('', '.')]


def resolve(start, link):
    """Components of ``link`` followed from ``start`` (components), or None when it climbs above the top."""
    here = [] if link.startswith('/') else list(start)
    for part in parts_of(link):
        if part == '..':
            if not here:
                return None
            here.pop()
        else:
            here.append(part)
    return here


def under(components, root):
    return components is not None and components[:len(parts_of(root))] == parts_of(root)


@CI
@given(name=MEMBER_PATH, kind=st.sampled_from(TYPES), linkname=MEMBER_PATH, roots=ROOT_SETS)
@example(name='data/l', kind=tarfile.SYMTYPE, linkname='../data', roots=['data'])
@example(name='data', kind=tarfile.SYMTYPE, linkname='/data', roots=['data'])
def test_a_member_let_through_stays_inside_its_root(name, kind, linkname, roots):
    problem = member_problem(member(name, kind, linkname), roots)
    if problem is not None:
        assert isinstance(problem, str) and problem
        return
    assert not name.startswith('/') and '..' not in name.split('/')
    assert kind in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE)
    root = next((root for root in roots if under(parts_of(name), root)), None)
    assert root is not None
    if kind == tarfile.SYMTYPE:
        assert under(resolve(parts_of(name)[:-1], linkname), root)
    if kind == tarfile.LNKTYPE:
        assert not linkname.startswith('/') and under(resolve([], linkname), root) and '..' not in linkname.split('/')


def physical(links, components):
    """Resolve ``components`` through the archive's symlinks (``links``: path tuple -> target); None above the top."""
    here, todo, hops = [], list(components), 0
    while todo:
        part = todo.pop(0)
        if part == '..':
            if not here:
                return None
            here.pop()
            continue
        here.append(part)
        target = links.get(tuple(here))
        if target is not None:
            hops += 1
            assume(hops < 40)
            here.pop()
            here = [] if target.startswith('/') else here
            todo = parts_of(target) + todo
    return here


ARCHIVE_MEMBER = st.tuples(st.lists(st.sampled_from(['x', 'y', 'sub']), min_size=1, max_size=2).map('/'.join),
                           st.sampled_from([tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.SYMTYPE]),
                           st.lists(st.sampled_from(['.', '..', 'x', 'y', 'sub', '/data']), max_size=3).map('/'.join))


@settings(CI, max_examples=100)
@given(members=st.lists(ARCHIVE_MEMBER, max_size=4, unique_by=lambda item: item[0]))
@example(members=[('x', tarfile.SYMTYPE, '.'), ('y', tarfile.SYMTYPE, 'x/..')])
def test_an_accepted_archive_has_no_link_escaping_its_root(tmp_path_factory, members):
    path = os.path.join(str(tmp_path_factory.getbasetemp()), 'chain.tar')
    with tarfile.open(path, 'w') as out:
        out.addfile(member('data', tarfile.DIRTYPE, ''))
        for name, kind, linkname in members:
            out.addfile(member('data/' + name, kind, linkname if kind == tarfile.SYMTYPE else ''))
    try:
        with open(path, 'rb') as handle:
            check_archive(path, dict(sha256=hashlib.sha256(handle.read()).hexdigest()), ['data'])
    except Refusal:
        return
    links = dict((tuple(['data'] + name.split('/')), linkname) for name, kind, linkname in members if kind == tarfile.SYMTYPE)
    for name, kind, dummy in members:
        assert under(physical(links, ['data'] + name.split('/')), 'data'), name
