# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the system tests: a real Docker engine, never a mock.

``make system`` starts the engine, imports ``local/busybox:latest``, installs the
collection into .collections and puts the work tree on PYTHONPATH; these fixtures
run modules the way Ansible does (a JSON args file) and ``ansible-playbook`` itself.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

import docker
import pytest

from lab import ExtraEngine
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import container_name

# The engine under test and its runnable image: the machine's engine unless a make stage of another
# engine (system-docker26, system-podman) names its own; the modules read DOCKER_HOST as usual.
IMAGE = os.environ.get('PV_TEST_IMAGE', 'local/busybox:latest')
DOCKER_HOST = os.environ.get('PV_TEST_DOCKER_HOST', 'unix:///var/run/docker.sock')
if 'PV_TEST_DOCKER_HOST' in os.environ:
    os.environ['DOCKER_HOST'] = DOCKER_HOST
RUN_ID = uuid.uuid4().hex[:6]
# The command of the lab's long-lived containers: it runs until stopped, and a stop ends it at once, as
# an application that handles SIGTERM does. (A bare 'sleep' is PID 1 without a handler: the engine waits
# its whole stop timeout, 10 s, before it kills it, on every stop a test or a module makes.)
LOOP = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait; done']


def short_image(reference):
    """An image reference as the tests write it: Podman writes out docker.io/ (and localhost/)."""
    for prefix in ('docker.io/library/', 'docker.io/', 'localhost/'):
        if reference and reference.startswith(prefix):
            return reference[len(prefix):]
    return reference


def raw_binds(api, container):
    """The container's HostConfig.Binds as Docker reports them (Podman adds rprivate, rbind, ...)."""
    from ansible_collections.persistent.volumes.plugins.module_utils.engine.kind import docker_bind
    return [docker_bind(bind) for bind in api.inspect_container(container)['HostConfig'].get('Binds') or []]


def on_podman(api):
    return any(c.get('Name') == 'Podman Engine' for c in api.version().get('Components') or [])


def warnings_of(result):
    """Warning texts, whatever shape this ansible-core gives them."""
    texts = []
    for warning in result.get('warnings') or []:
        if isinstance(warning, dict):
            warning = (warning.get('event') or {}).get('msg') or warning.get('msg') or str(warning)
        texts.append(warning)
    return texts


def failed(result, *fragments):
    """A clear refusal: the module failed, changed nothing, no traceback, and its message
    holds every fragment."""
    assert result['rc'] != 0 and result.get('failed') and not result.get('changed'), result
    assert 'Traceback' not in result['msg'], result['msg']
    for fragment in fragments:
        assert fragment in result['msg'], result['msg']
    return result


def run_module(module, args, check=False, diff=False, python=None, preamble=''):
    """Run a module of the collection as Ansible would, return its JSON result plus ``rc``."""
    payload = dict(args)
    payload['_ansible_check_mode'] = check
    payload['_ansible_diff'] = diff
    code = (preamble + 'import runpy, sys; sys.argv = ["module", sys.argv[1]]; '
            'runpy.run_module("ansible_collections.persistent.volumes.plugins.modules.%s", '
            'run_name="__main__")' % module)
    # The arguments go in a file, as Ansible hands them: ansible-core takes a long argument for a
    # path first, and one over 255 characters fails there (ENAMETOOLONG).
    with tempfile.NamedTemporaryFile('w', suffix='.json', prefix='pvt-args-') as args_file:
        json.dump({'ANSIBLE_MODULE_ARGS': payload}, args_file)
        args_file.flush()
        proc = subprocess.run([python or sys.executable, '-c', code, args_file.name],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, check=False)
    out = proc.stdout.decode()
    try:
        result = json.loads(out[out.index('{'):])
    except ValueError:
        raise AssertionError('module %s printed no JSON (rc=%s)\nstdout: %s\nstderr: %s'
                             % (module, proc.returncode, out, proc.stderr.decode()))
    result['rc'] = proc.returncode
    result['warning_texts'] = warnings_of(result)
    return result


@pytest.fixture(scope='session')
def api():
    client = docker.APIClient(base_url=DOCKER_HOST, version='auto', timeout=120)
    client.inspect_image(IMAGE)  # 'make image' builds it; fail early and clearly if missing
    yield client
    _cleanup(client, 'pvt-%s-' % RUN_ID)
    client.close()


def container_names(api, prefix='', **filters):
    """The names of the engine's containers (all of them, or those ``filters`` match) that start with
    ``prefix``, sorted. A container may have no name at all: one whose removal an engine's stop cut
    short stays listed, 'Removal In Progress', with empty ``Names`` (it goes by its ID here)."""
    listed = api.containers(all=True, filters=filters or None)
    return sorted(name for name in (container_name(summary) for summary in listed) if name.startswith(prefix))


def _cleanup(client, prefix):
    for summary in client.containers(all=True):
        if any(name.lstrip('/').startswith(prefix) for name in summary.get('Names') or []):
            client.remove_container(summary['Id'], force=True)
    for volume in client.volumes().get('Volumes') or []:
        if volume['Name'].startswith(prefix) or (volume.get('Labels') or {}).get('pvtest') == RUN_ID:
            client.remove_volume(volume['Name'], force=True)


HEX64 = re.compile(r'^[0-9a-f]{64}$')


ANONYMOUS_FOR = 'persistent.volumes.anonymous-for'
HELPER_LABELS = ('persistent.volumes.temporary', 'persistent.volumes.journal')


def remove_test_objects(api, prefixes, volumes=(), all_held=False):
    """The one clean-up after a test: the containers named with one of ``prefixes``, the collection's
    helpers (temporaries, journals) holding a volume that goes, the volumes named with a prefix or
    made for one (anonymous-for), ``volumes``, and the volumes those containers mounted: their
    anonymous ones, or every one with ``all_held``. A volume still used elsewhere stays."""
    doomed = set(volumes)
    for volume in api.volumes().get('Volumes') or []:
        owner = (volume.get('Labels') or {}).get(ANONYMOUS_FOR, '')
        if any(volume['Name'].startswith(prefix) or owner.startswith(prefix) for prefix in prefixes):
            doomed.add(volume['Name'])
    for summary in api.containers(all=True):
        held = set(m['Name'] for m in summary.get('Mounts') or [] if m.get('Type', 'volume') == 'volume' and m.get('Name'))
        labels = summary.get('Labels') or {}
        named = any(n.lstrip('/').startswith(prefix) for n in summary.get('Names') or [] for prefix in prefixes)
        if named or (any(labels.get(label) for label in HELPER_LABELS) and held & doomed):
            doomed |= set(name for name in held if all_held or HEX64.match(name))
            api.remove_container(summary['Id'], force=True)
    for name in doomed:
        try:
            api.remove_volume(name, force=True)
        except docker.errors.APIError:
            pass  # gone already, or still used elsewhere: not this test's to take


def remove_lab_objects(api, prefix, volumes=()):
    """Containers named ``prefix...``, and the anonymous volumes they and the collection made for them."""
    remove_test_objects(api, [prefix], volumes)


class Tidy(set):
    """What a test's clean-up takes besides the lab's own objects: the volume names added to this set,
    and the name ``prefixes`` (the lab's first; a test may add more)."""

    def __init__(self, prefix):
        super(Tidy, self).__init__()
        self.prefixes = [prefix]


def wait_until(condition, what, timeout=60, interval=0.1):
    """Wait until ``condition()`` returns something true, and return it; fail saying ``what`` did not
    happen within ``timeout`` seconds. For the tests that wait for the engine (no fixed sleeps)."""
    deadline = time.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError('%s did not happen within %s s' % (what, timeout))
        time.sleep(interval)


def sh(api, container, script):
    """Run ``sh -c script`` inside a running container; (exit code, output)."""
    exec_id = api.exec_create(container, ['sh', '-c', script])
    output = api.exec_start(exec_id).decode().strip()
    return api.exec_inspect(exec_id)['ExitCode'], output


class Lab(object):
    """Names unique to this test run, and containers that read and write volumes."""

    def __init__(self, client, test_name):
        self.api = client
        self.prefix = 'pvt-%s-%s-' % (RUN_ID, test_name[:20].replace('_', '-').strip('-'))
        self.tidy = Tidy(self.prefix)

    def name(self, suffix):
        return self.prefix + suffix

    def container(self, name, binds=None, volumes=None, volumes_from=None, start=False, command=None):
        """Create (and maybe start) a long-lived container; returns its name."""
        host_config = self.api.create_host_config(binds=binds or [], volumes_from=volumes_from or None)
        self.api.create_container(IMAGE, command=command or LOOP, name=name,
                                  volumes=volumes or None, host_config=host_config,
                                  labels={'pvtest': RUN_ID})
        if start:
            self.api.start(name)
        return name

    def run(self, script, binds=None, volumes_from=None):
        """Run ``sh -c script`` in a throwaway container; return (exit code, output)."""
        name = self.name('run-' + uuid.uuid4().hex[:6])
        self.container(name, binds=binds, volumes_from=volumes_from, command=['sh', '-c', script])
        try:
            self.api.start(name)
            code = self.api.wait(name, timeout=60)['StatusCode']
            output = self.api.logs(name).decode()
        finally:
            self.api.remove_container(name, v=False, force=True)
        return code, output

    def write(self, path, text, binds=None, volumes_from=None):
        code, output = self.run('echo %s > %s && cat %s' % (text, path, path), binds=binds,
                                volumes_from=volumes_from)
        assert code == 0, output
        return output.strip()

    def read(self, path, binds=None, volumes_from=None):
        code, output = self.run('cat %s' % path, binds=binds, volumes_from=volumes_from)
        assert code == 0, output
        if not output:
            # An engine may answer logs before it has stored a container's output (seen once on Docker 26:
            # '' from a cat that exited 0). Read once more: a file that is really empty reads '' again, and
            # the caller's assertion says so.
            code, output = self.run('cat %s' % path, binds=binds, volumes_from=volumes_from)
            assert code == 0, output
        return output.strip()

    def volume_exists(self, name):
        return any(v['Name'] == name for v in self.api.volumes().get('Volumes') or [])


@pytest.fixture
def lab(api, request):
    """The test's names; afterwards the one clean-up takes its objects (``remove_test_objects``). A test
    file that sets ``TIDY_ALL_HELD = True`` has every volume its containers mounted removed too (the
    backup and restore files make named volumes under other names)."""
    made = Lab(api, request.node.name)
    yield made
    remove_test_objects(api, made.tidy.prefixes, made.tidy, all_held=getattr(request.module, 'TIDY_ALL_HELD', False))
    _cleanup(api, made.prefix)


@pytest.fixture
def tidy(lab):
    """The set of extra volume names (and ``tidy.prefixes``) the lab's clean-up removes after the test."""
    return lab.tidy


@pytest.fixture(scope='session')
def empty_engine(tmp_path_factory):
    """A second, empty engine in its own network namespace (for 'no volumes at all')."""
    engine = ExtraEngine('pvt%s' % RUN_ID)
    engine.start()
    yield engine
    engine.stop()


@pytest.fixture(scope='session')
def ansible_env():
    env = dict(os.environ)
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', os.path.join(os.getcwd(), '.collections'))
    env.pop('PYTHONPATH', None)  # play the installed collection, not the work tree
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_FORCE_COLOR'] = '0'
    env['ANSIBLE_RETRY_FILES_ENABLED'] = '0'
    env['ANSIBLE_LOCALHOST_WARNING'] = '0'
    env['ANSIBLE_INVENTORY_UNPARSED_WARNING'] = '0'
    return env


def venv_tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


# A Python warning as the warnings module prints it: 'FILE:LINE: CATEGORY: message', then the
# source line, indented.
PYTHON_WARNING = re.compile(r'^(?P<file>\S.*?\.py):\d+: (?P<category>\w*Warning): ')
COLLECTION_PATH = re.compile(r'ansible_collections/persistent/volumes/|^plugins/')


def own_problems(stderr):
    """What a tool (ansible-doc, ansible-playbook) wrote to stderr that is about this collection:
    everything but a Python warning raised in another project's file (a dependency's deprecation
    notice, e.g. cryptography's about ansible-core's DSA import) and the source line under it."""
    kept, skip_source = [], False
    for line in stderr.splitlines():
        if skip_source and line.startswith(' '):
            skip_source = False
            continue
        skip_source = False
        match = PYTHON_WARNING.match(line)
        if match and not COLLECTION_PATH.search(match.group('file')):
            skip_source = True
            continue
        if line.strip():
            kept.append(line)
    return '\n'.join(kept)
