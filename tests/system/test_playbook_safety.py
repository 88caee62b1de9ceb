# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The data playbooks as a Galaxy user runs them: by their FQCN (ansible-playbook
persistent.volumes.backup), from a directory of their own, against an inventory of several hosts.

A restore or a migration on a group of several hosts that were not named is refused before
anything changes (DESIGN promise 11); --check predicts and changes nothing; the role's TLS
variables reach the engine; nothing is written inside the installed collection.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import subprocess
import tempfile

import pytest
import yaml

from conftest import RUN_ID, run_module, venv_tool
from lab import ExtraEngine
from tls_lab import Authority, TlsEngine, pick_addresses

REFUSED = 'A restore replaces data, and this run would restore on 2 hosts'


def installed_collection(ansible_env):
    for root in ansible_env['ANSIBLE_COLLECTIONS_PATH'].split(os.pathsep):
        path = os.path.join(root, 'ansible_collections', 'persistent', 'volumes')
        if os.path.isdir(path):
            return path
    raise AssertionError('the collection is not installed (make install)')


def snapshot(path):
    """Every file and directory below ``path`` with its size and modification time."""
    found = {}
    for directory, dirs, files in os.walk(path):
        for name in dirs + files:
            full = os.path.join(directory, name)
            info = os.lstat(full)
            found[os.path.relpath(full, path)] = (info.st_size, info.st_mtime_ns)
    return found


def inventory(tmp_path, hosts, **group_vars):
    """Group docker_hosts of hosts that run the modules here (local connection, the venv's python)."""
    group_vars.update(ansible_connection='local', ansible_python_interpreter=venv_tool('python'))
    path = tmp_path / 'inventory.yml'
    path.write_text(yaml.safe_dump({'docker_hosts': {'hosts': hosts, 'vars': group_vars}}))
    return str(path)


def playbook(ansible_env, cwd, inventory_path, name, *options):
    """ansible-playbook persistent.volumes.NAME, started in ``cwd`` as a user would."""
    proc = subprocess.run([venv_tool('ansible-playbook'), '-i', inventory_path, 'persistent.volumes.%s' % name]
                          + list(options), cwd=str(cwd), env=dict(ansible_env, PWD=str(cwd)), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=600, check=False)
    return proc.returncode, ' '.join(proc.stdout.decode().split())


def ok(result):
    code, output = result
    assert code == 0, output
    return output


def refused(result, message):
    code, output = result
    assert code != 0, output
    assert message in output, output
    return output


def data_container(name, **connection):
    args = dict(name=name, volumes=['/data'])
    args.update(connection)
    result = run_module('data_container', args)
    assert result['rc'] == 0, result


@pytest.fixture
def collection(ansible_env):
    """The installed collection must be the same after the test as before it."""
    path = installed_collection(ansible_env)
    before = snapshot(path)
    yield path
    after = snapshot(path)
    changed = sorted(set(before.items()) ^ set(after.items()))
    assert not changed, 'written inside the installed collection: %s' % changed[:10]


def test_restore_on_a_group_is_refused_unless_the_hosts_are_named(lab, tmp_path, ansible_env, collection):
    del collection
    name, backups = lab.name('dc'), str(tmp_path / 'backups')
    data_container(name)
    hosts = inventory(tmp_path, {'pv_a': {}, 'pv_b': {}})
    lab.write('/data/db', 'good', volumes_from=[name])
    ok(playbook(ansible_env, tmp_path, hosts, 'backup', '-l', 'pv_a', '-e', 'backup_containers=%s' % name,
                '-e', 'backup_dir=%s' % backups, '-e', 'backup_keep=2'))
    lab.write('/data/db', 'bad', volumes_from=[name])
    # pv_b restores what pv_a wrote (its archives are in pv_a's directory of the shared one).
    common = ['-e', 'restore_container=%s' % name, '-e', 'restore_dir=%s' % backups, '-e', 'restore_from_host=pv_a']

    output = refused(playbook(ansible_env, tmp_path, hosts, 'restore', *common), REFUSED)
    assert 'Nothing was changed' in output and 'ok=0' in output
    refused(playbook(ansible_env, tmp_path, hosts, 'restore', '--check', *common), REFUSED)
    assert lab.read('/data/db', volumes_from=[name]) == 'bad'

    # Named hosts, or all of them asked for: check mode predicts and changes nothing.
    output = ok(playbook(ansible_env, tmp_path, hosts, 'restore', '--check', '-e', 'restore_all_hosts=true', *common))
    assert output.count('would restore from') == 2 and 'changed=1' in output
    output = ok(playbook(ansible_env, tmp_path, hosts, 'restore', '--check', '-e', 'restore_hosts=pv_b', *common))
    assert 'would restore from' in output and 'pv_a : ok=' not in output and 'pv_b : ok=' in output
    assert lab.read('/data/db', volumes_from=[name]) == 'bad'

    output = ok(playbook(ansible_env, tmp_path, hosts, 'restore', '-l', 'pv_a', *common))
    assert 'restored from %s/pv_a/%s.' % (backups, name) in output
    assert lab.read('/data/db', volumes_from=[name]) == 'good'


def test_restore_on_a_group_of_one_host_needs_no_name(lab, tmp_path, ansible_env):
    name = lab.name('dc')
    data_container(name)
    hosts = inventory(tmp_path, {'pv_only': {}})
    output = refused(playbook(ansible_env, tmp_path, hosts, 'restore', '-e', 'restore_container=%s' % name,
                              '-e', 'restore_dir=%s' % tmp_path), 'No generation 0 of %s' % name)
    assert REFUSED not in output


def test_backup_check_mode_writes_nothing(lab, tmp_path, ansible_env, collection):
    del collection
    name, backups = lab.name('dc'), tmp_path / 'backups'
    data_container(name)
    hosts = inventory(tmp_path, {'pv_only': {}})
    options = ['-e', 'backup_containers=%s' % name, '-e', 'backup_dir=%s' % backups]
    output = ok(playbook(ansible_env, tmp_path, hosts, 'backup', '--check', *options))
    assert 'changed=3' in output, output  # the directory, the host's directory in it, the archive
    assert not backups.exists()
    output = ok(playbook(ansible_env, tmp_path, hosts, 'backup', *options))
    assert 'changed=3' in output and os.listdir(str(backups)) == ['pv_only']
    assert sorted(os.listdir(str(backups / 'pv_only'))) == [name + '.tar.gz', name + '.tar.gz.manifest.json']
    output = ok(playbook(ansible_env, tmp_path, hosts, 'backup', '--check', *options))
    assert 'changed=0' in output


def test_backup_and_restore_pair_with_their_defaults(lab, tmp_path, ansible_env):
    """backup.yml's default (one archive per container, keep 0) is what restore.yml's default
    (generation 0) restores, from the host's own directory."""
    name, backups = lab.name('dc'), str(tmp_path / 'backups')
    data_container(name)
    hosts = inventory(tmp_path, {'pv_only': {}})
    lab.write('/data/db', 'good', volumes_from=[name])
    ok(playbook(ansible_env, tmp_path, hosts, 'backup', '-e', 'backup_containers=%s' % name, '-e', 'backup_dir=%s' % backups))
    lab.write('/data/db', 'bad', volumes_from=[name])
    common = ['-e', 'restore_container=%s' % name, '-e', 'restore_dir=%s' % backups]
    output = ok(playbook(ansible_env, tmp_path, hosts, 'restore', '--check', *common))
    assert 'would restore from %s/pv_only/%s.tar.gz' % (backups, name) in output
    assert lab.read('/data/db', volumes_from=[name]) == 'bad'
    output = ok(playbook(ansible_env, tmp_path, hosts, 'restore', *common))
    assert 'restored from %s/pv_only/%s.tar.gz' % (backups, name) in output
    assert lab.read('/data/db', volumes_from=[name]) == 'good'


def test_storage_map_of_a_limited_run_is_written_where_the_user_is(lab, tmp_path, ansible_env, collection):
    del collection, lab
    hosts = inventory(tmp_path, {'pv_a': {}, 'pv_b': {}})
    output = ok(playbook(ansible_env, tmp_path, hosts, 'storage_map', '-l', 'pv_b', '-e', 'storage_map_include_usage=false'))
    page = tmp_path / 'storage-map.html'
    assert 'Storage map of 1 hosts written to %s' % page in output
    assert 'data-host="pv_b"' in page.read_text() and 'data-host="pv_a"' not in page.read_text()


@pytest.mark.parametrize('form', ['%s,%s', '["%s","%s"]', 'json'])
def test_backup_takes_the_containers_as_a_list_or_names(lab, tmp_path, ansible_env, form):
    first, second = lab.name('a'), lab.name('b')
    hosts = inventory(tmp_path, {'pv_only': {}})
    value = '{"backup_containers": ["%s", "%s"]}' % (first, second) if form == 'json' \
        else 'backup_containers=' + form % (first, second)
    output = ok(playbook(ansible_env, tmp_path, hosts, 'backup', '--check', '-e', value,
                         '-e', 'backup_dir=%s' % (tmp_path / 'none')))
    assert 'back up %s, %s into it' % (first, second) in output


@pytest.fixture(scope='module')
def target_engine():
    engine = ExtraEngine('pvm%s' % RUN_ID)
    engine.start()
    yield engine
    engine.stop()


def controller_temporaries():
    return set(glob.glob(os.path.join(tempfile.gettempdir(), 'persistent-volumes-migrate.*')))


def test_migrate_copies_to_one_named_host_only(lab, tmp_path, ansible_env, collection, target_engine):
    del collection
    name = lab.name('dc')
    data_container(name)
    lab.write('/data/db', 'moving', volumes_from=[name])
    hosts = inventory(tmp_path, {
        'pv_src': {'migrate_dir': str(tmp_path / 'src')},
        'pv_dst': {'migrate_dir': str(tmp_path / 'dst'), 'data_volume_container_docker_host': target_engine.docker_host},
    })
    temporaries = controller_temporaries()
    common = ['-e', 'migrate_container=%s' % name, '-e', 'migrate_source=pv_src']

    output = refused(playbook(ansible_env, tmp_path, hosts, 'migrate', '-e', 'migrate_target=docker_hosts', *common),
                     'migrate_target names pv_dst, pv_src')
    refused(playbook(ansible_env, tmp_path, hosts, 'migrate', '-e', 'migrate_target=pv_src', *common), 'Nothing was changed')
    assert not os.path.exists(str(tmp_path / 'src')) and 'Nothing was changed' in output
    refused(playbook(ansible_env, tmp_path, hosts, 'migrate', '-l', 'pv_dst', '-e', 'migrate_target=pv_dst', *common),
            'do not leave the source out with --limit')

    output = ok(playbook(ansible_env, tmp_path, hosts, 'migrate', '--check', '-e', 'migrate_target=pv_dst', *common))
    assert 'A real run would copy %s (its paths) from pv_src to pv_dst' % name in output
    assert not os.path.exists(str(tmp_path / 'src')) and not os.path.exists(str(tmp_path / 'dst'))
    target = target_engine_client(target_engine)
    assert not target.containers(all=True, filters={'name': name})

    output = ok(playbook(ansible_env, tmp_path, hosts, 'migrate', '-e', 'migrate_target=pv_dst', *common))
    assert '%s copied: 1 files, checksums match' % name in output
    assert target.containers(all=True, filters={'name': name})
    assert lab.read('/data/db', volumes_from=[name]) == 'moving'  # the source keeps its data
    assert controller_temporaries() == temporaries
    target.remove_container(name, v=True)


def target_engine_client(engine):
    import docker
    return docker.APIClient(base_url=engine.docker_host, version='auto', timeout=60)


@pytest.fixture(scope='module')
def tls(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp('pbtls'))
    host_ip, engine_ip = pick_addresses()
    authority = Authority(directory, 'pbtls')
    server = authority.issue('server', 'engine', ip_addresses=[engine_ip])
    client_cert, client_key = authority.issue('client', 'client', client=True)
    engine = TlsEngine('pvpbt%s' % RUN_ID, host_ip, engine_ip, authority.path, server[0], server[1])
    engine.start()
    yield dict(engine=engine, role_vars=dict(
        data_volume_container_docker_host=engine.docker_host, data_volume_container_tls=True,
        data_volume_container_validate_certs=True, data_volume_container_ca_path=authority.path,
        data_volume_container_client_cert=client_cert, data_volume_container_client_key=client_key,
        data_volume_container_timeout=30))
    engine.stop()


def test_backup_and_restore_reach_a_tls_engine_with_the_role_variables(tmp_path, ansible_env, tls):
    name, backups = 'pvt-%s-tlsdc' % RUN_ID, str(tmp_path / 'backups')
    role_vars = tls['role_vars']
    data_container(name, docker_host=role_vars['data_volume_container_docker_host'], validate_certs=True,
                   ca_path=role_vars['data_volume_container_ca_path'],
                   client_cert=role_vars['data_volume_container_client_cert'],
                   client_key=role_vars['data_volume_container_client_key'])
    hosts = inventory(tmp_path, {'pv_tls': {}}, **role_vars)
    output = ok(playbook(ansible_env, tmp_path, hosts, 'backup', '-e', 'backup_containers=%s' % name,
                         '-e', 'backup_dir=%s' % backups, '-e', 'backup_keep=2'))
    assert 'changed=3' in output  # the directory, the host's directory in it, the archive
    common = ['-e', 'restore_container=%s' % name, '-e', 'restore_dir=%s' % backups]
    output = ok(playbook(ansible_env, tmp_path, hosts, 'restore', '--check', *common))
    assert 'would restore from %s/pv_tls/%s.' % (backups, name) in output
    ok(playbook(ansible_env, tmp_path, hosts, 'restore', *common))

    plain = inventory(tmp_path, {'pv_tls': {}},
                      data_volume_container_docker_host=role_vars['data_volume_container_docker_host'])
    refused(playbook(ansible_env, tmp_path, plain, 'restore', *common),
            'Cannot talk to the Docker engine at %s' % role_vars['data_volume_container_docker_host'])
