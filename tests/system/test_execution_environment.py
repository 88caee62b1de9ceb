# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an execution environment built by ansible-builder (AWX, Automation Platform) gets from
the collection tarball 'make install' built: its Python and system requirements, through
'ansible-builder introspect', and through the build context 'ansible-builder create' renders
(no container runtime: the context's own steps are run here as its Containerfile runs them)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import subprocess

import pytest
import yaml

from conftest import venv_tool
from lab import REPO
from test_sdk_minimum import MINIMUM

SDK_LINE = 'docker>=%s  # from collection persistent.volumes' % MINIMUM
BUILDER = venv_tool('ansible-builder')

pytestmark = pytest.mark.skipif(not os.path.exists(BUILDER), reason='ansible-builder is not in this venv '
                                '(requirements-dev.txt has it; the oldest-versions venv has not)')


def run(*command, **kwargs):
    proc = subprocess.run(list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          stdin=subprocess.DEVNULL, timeout=300, check=False, **kwargs)
    assert proc.returncode == 0, '%s exited %d:\n%s' % (' '.join(command), proc.returncode, proc.stdout)
    return proc.stdout


@pytest.fixture(scope='module')
def tarball():
    found = glob.glob(os.path.join(REPO, '.build', 'dist', 'persistent-volumes-*.tar.gz'))
    assert len(found) == 1, 'make install builds exactly one tarball into .build/dist: %s' % found
    return found[0]


def install(ansible_env, requirement, path):
    """ansible-galaxy collection install into ``path`` alone (with the collections path of the
    tests set, it would find the collection installed there and do nothing)."""
    env = dict(ansible_env)
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    run(venv_tool('ansible-galaxy'), 'collection', 'install', '--force', '-p', path, *requirement, env=env)
    assert os.path.isfile(os.path.join(path, 'ansible_collections', 'persistent', 'volumes', 'MANIFEST.json'))
    return path


def test_introspect_finds_the_docker_sdk_and_the_system_packages(tmp_path, tarball, ansible_env):
    collections = install(ansible_env, [tarball], str(tmp_path / 'collections'))
    output = run(BUILDER, 'introspect', collections, '--write-pip', str(tmp_path / 'pip.txt'),
                 '--write-bindep', str(tmp_path / 'bindep.txt'))
    found = yaml.safe_load(output.split('\n', 1)[1])
    assert found['python'] == [SDK_LINE], output
    assert found['system'] == ['xz-libs [platform:rpm]  # from collection persistent.volumes',
                               'liblzma5 [platform:dpkg]  # from collection persistent.volumes'], output
    assert (tmp_path / 'pip.txt').read_text().splitlines() == [SDK_LINE]


def test_the_build_context_installs_the_docker_sdk(tmp_path, tarball, ansible_env):
    definition = {
        'version': 3,
        'images': {'base_image': {'name': 'registry.example.com/ee-minimal:latest'}},
        'dependencies': {
            'ansible_core': {'package_pip': 'ansible-core'},
            'ansible_runner': {'package_pip': 'ansible-runner'},
            'galaxy': {'collections': [{'name': tarball, 'type': 'file'}]},
        },
    }
    (tmp_path / 'execution-environment.yml').write_text(yaml.safe_dump(definition))
    context = tmp_path / 'context'
    run(BUILDER, 'create', '-f', str(tmp_path / 'execution-environment.yml'), '-c', str(context),
        '--output-filename', 'Containerfile')
    containerfile = (context / 'Containerfile').read_text()
    galaxy_step = ('ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml '
                   '--collections-path "/usr/share/ansible/collections"')
    introspect_step = ('$PYCMD /output/scripts/introspect.py introspect --write-bindep=/tmp/src/bindep.txt '
                       '--write-pip=/tmp/src/requirements.txt')
    assert galaxy_step in containerfile and introspect_step in containerfile, containerfile

    # The galaxy stage, then the builder stage's introspection, on this machine.
    build = context / '_build'
    collections = install(ansible_env, ['-r', str(build / 'requirements.yml')], str(tmp_path / 'ee'))
    run(venv_tool('python'), str(build / 'scripts' / 'introspect.py'), 'introspect', collections,
        '--write-pip', str(tmp_path / 'requirements.txt'), '--write-bindep', str(tmp_path / 'bindep.txt'))
    assert SDK_LINE in (tmp_path / 'requirements.txt').read_text().splitlines()
    assert 'xz-libs [platform:rpm]  # from collection persistent.volumes' in (tmp_path / 'bindep.txt').read_text()
