# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every YAML example of the README, the role's README and the modules' EXAMPLES runs as written.

Each test runs them on an engine of its own (an extra engine of the lab, in its own network
namespace), so the examples keep their names (datacontainer, pgdata, ...). The test fills only
placeholders: the engine (the examples' docker_host, or none), host paths below /srv and
/var/backups (moved below the test's directory), the images (tagged in that engine from
local/busybox:latest, as no registry is reachable), the hosts a play names, the interpreter, and
the variables an example leaves to the user (the database password). Examples that are not plays
or tasks (requirements.yml, an EE definition, group variables) are read and checked.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import io
import os
import re
import subprocess
import tarfile

import docker
import pytest
import yaml

from conftest import DOCKER_HOST, IMAGE, RUN_ID, container_name, container_names, venv_tool
from lab import REPO, ExtraEngine

IMAGES = ('busybox:latest', 'postgres:16', 'registry.example.com/app:2.4', 'registry.example.com/backup:1',
          'example/web:1')
FOREVER = '["sleep", "2147483647"]'
HOST_PATHS = ('/srv/', '/var/backups/')
PLACEHOLDER_ENGINES = ('unix:///var/run/docker.sock', 'tcp://docker1.example.com:2376')
MODULE_ORDER = ('engine_info', 'volume', 'volume_info', 'data_container', 'volumes_from', 'bind_mount',
                'volume_backup', 'volume_restore', 'layout')
USER_VARS = {'billing_db_password': 'example-password'}


def stand_in(name, text):
    """A tar holding one executable file ``name``."""
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o755
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w') as archive:
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


PG_DUMPALL = stand_in('pg_dumpall', '#!/bin/sh\necho "-- a dump of every database (stand-in)"\n')


def module_examples(module):
    with open(os.path.join(REPO, 'plugins', 'modules', module + '.py')) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == 'EXAMPLES':
            return yaml.safe_load(node.value.value)
    raise AssertionError('%s has no EXAMPLES' % module)


def markdown_blocks(path):
    """(the line before the block, the parsed YAML) of each ```yaml block."""
    with open(os.path.join(REPO, path)) as handle:
        text = handle.read()
    found = []
    for match in re.finditer(r'([^\n]*)\n+```yaml\n(.*?)```', text, re.S):
        found.append((match.group(1), yaml.safe_load(match.group(2))))
    assert found, path
    return found


class Filler(object):
    """Fills the placeholders of an example for the engine and directory of one test."""

    def __init__(self, engine, root):
        self.engine, self.root = engine, root

    def path(self, value):
        if value.startswith(HOST_PATHS) or value + '/' in HOST_PATHS:
            return os.path.join(self.root, value.lstrip('/'))
        return value

    def fill(self, value):
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        if isinstance(value, dict):
            filled = dict((key, self.fill(item)) for key, item in value.items())
            if filled.get('docker_host', '').startswith(('tcp://', 'unix://')) \
                    and value.get('docker_host') in PLACEHOLDER_ENGINES:
                filled['docker_host'] = self.engine.docker_host
                filled.pop('validate_certs', None)  # the placeholder's TLS; the lab engine is a local socket
            return filled
        if isinstance(value, str):
            return self.path(value)
        return value

    def play(self, tasks, name='Examples'):
        return [dict(name=name, hosts='localhost', gather_facts=False,
                     vars=dict(USER_VARS, ansible_python_interpreter=venv_tool('python')),
                     module_defaults={'group/persistent.volumes.docker': dict(docker_host=self.engine.docker_host)},
                     tasks=self.fill(tasks))]

    def host_dirs(self, *paths):
        for path in paths:
            os.makedirs(self.path(path), exist_ok=True)


@pytest.fixture
def engine():
    """An engine of this test alone, with the examples' images (each runs a command forever)."""
    engine = ExtraEngine('pvx%s' % RUN_ID)
    engine.start()
    main = docker.APIClient(base_url=DOCKER_HOST, version='auto', timeout=120)
    client = docker.APIClient(base_url=engine.docker_host, version='auto', timeout=120)
    client.load_image(main.get_image(IMAGE))
    holder = client.create_container(IMAGE, command=['true'])
    # volume_backup's exec_before example dumps a database: a stand-in for the real pg_dumpall.
    client.put_archive(holder, '/bin', PG_DUMPALL)
    for reference in IMAGES:
        repository, tag = reference.rsplit(':', 1)
        client.commit(holder, repository=repository, tag=tag, changes=['CMD %s' % FOREVER])
    client.remove_container(holder)
    engine.client = client
    yield engine
    engine.stop()


def run(tmp_path, ansible_env, plays, *options, **files):
    play = tmp_path / 'play.yml'
    play.write_text(yaml.safe_dump(plays, sort_keys=False))
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(yaml.safe_dump(content, sort_keys=False))
    proc = subprocess.run([venv_tool('ansible-playbook'), str(play)] + list(options), cwd=str(tmp_path),
                          env=ansible_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900, check=False)
    output = proc.stdout.decode()
    assert proc.returncode == 0, output
    return output


def test_module_examples_run_as_written(engine, tmp_path, ansible_env):
    filler = Filler(engine, str(tmp_path))
    filler.host_dirs('/var/backups')
    # What the examples take as given: a consumer 'web' that exists (bind_mount), and the data
    # containers the volumes_from examples wire to.
    engine.client.create_container('example/web:1', name='web')
    # volume_backup's: a database's data container with a dump volume, the database on it, running.
    pg_data = {'name': 'pg_data', 'volumes': ['/var/lib/postgresql/data', '/dump']}
    setup = {'volume_backup': [{'name': 'A database data container', 'persistent.volumes.data_container': pg_data},
                               {'name': 'The database', 'persistent.volumes.volumes_from': {
                                   'container': 'postgres', 'image': 'postgres:16', 'from': ['pg_data'], 'running': True}}],
             'volumes_from': [{'name': 'The data containers the examples wire to', 'persistent.volumes.data_container':
                               {'name': name, 'volumes': ['/data']}, 'loop_control': {'label': name}}
                              for name in ('datacontainer', 'old_datacontainer')],
             # The named-volume restore example's data container, and its backup.
             'volume_restore': [{'name': 'A data container of a database on a named volume',
                                 'persistent.volumes.data_container': {'name': 'pgdata-container',
                                                                       'volumes': ['pgdata:/var/lib/postgresql/data']}},
                                {'name': 'Its backup', 'persistent.volumes.volume_backup': {
                                    'container': 'pgdata-container', 'dest': '/var/backups/pgdata-container.tar.gz'}}]}
    plays = []
    for module in MODULE_ORDER:
        plays += filler.play(setup.get(module, []) + module_examples(module), name='Examples of %s' % module)
    run(tmp_path, ansible_env, plays, '-i', 'localhost,', '-c', 'local')
    names = container_names(engine.client)
    for name in ('writer', 'reporter', 'uploader', 'billing_db', 'billing_reports', 'billing_data'):
        assert name in names, names
    running = [container_name(summary) for summary in engine.client.containers()]
    assert 'billing_db' in running and 'writer' in running
    assert os.path.exists(filler.path('/var/backups/pgdata.tar'))


def test_readme_examples_run_as_written(engine, tmp_path, ansible_env):
    filler = Filler(engine, str(tmp_path))
    filler.host_dirs('/var/backups', '/srv')
    ran = 0
    for before, example in markdown_blocks('README.md'):
        if isinstance(example, list) and 'hosts' in example[0]:
            plays = filler.fill(example)
            for play in plays:
                play['hosts'] = 'localhost'
                play.setdefault('vars', {})['ansible_python_interpreter'] = venv_tool('python')
            run(tmp_path, ansible_env, plays, '-i', 'localhost,', '-c', 'local')
            ran += 1
        elif isinstance(example, list):
            run(tmp_path, ansible_env, filler.play(example), '-i', 'localhost,', '-c', 'local')
            ran += 1
        elif 'collections' in example:        # requirements.yml
            assert example['collections'][0]['name'] == 'persistent.volumes'
        elif 'dependencies' in example:       # an EE definition
            assert example['version'] == 3
            assert example['dependencies']['galaxy']['collections'][0]['name'] == 'persistent.volumes'
        else:                                 # group variables
            assert example == {'ansible_python_interpreter': '/opt/docker-sdk/bin/python'}, (before, example)
            with open(os.path.join(REPO, 'playbooks', 'prepare_hosts.yml')) as handle:
                assert "prepare_venv | default('/opt/docker-sdk')" in handle.read()
    assert ran >= 4
    assert os.path.exists(os.path.join(str(tmp_path), 'localhost.svg'))


def test_role_readme_fleet_runs_as_written(engine, tmp_path, ansible_env):
    blocks = dict((before.strip('`:'), example) for before, example in
                  markdown_blocks('roles/data_volume_container/README.md'))
    filler = Filler(engine, str(tmp_path))
    filler.host_dirs('/srv/app-config')
    files = {'inventory/hosts.yml': blocks['inventory/hosts.yml'],
             'inventory/group_vars/docker_hosts.yml': filler.fill(blocks['inventory/group_vars/docker_hosts.yml'])}
    site = [example for example in blocks.values() if isinstance(example, list)]
    assert len(site) == 1 and site[0][0]['roles'][0]['role'] == 'persistent.volumes.data_volume_container'
    site = site[0]
    # The three hosts are one machine here: one at a time, the engine of this test, this interpreter.
    options = ['-i', 'inventory', '-f', '1', '-e', 'ansible_connection=local',
               '-e', 'ansible_python_interpreter=%s' % venv_tool('python'),
               '-e', 'data_volume_container_docker_host=%s' % engine.docker_host]
    run(tmp_path, ansible_env, site, '--check', '--diff', *options, **files)
    assert not engine.client.containers(all=True, filters={'name': 'app_data'})
    output = run(tmp_path, ansible_env, site, *options, **files)
    assert 'db1' in output and 'failed=0' in output
    assert engine.client.volumes(filters={'name': 'pgdata'})['Volumes']
    output = run(tmp_path, ansible_env, site, *options, **files)
    assert output.count('changed=0') == 3, output
