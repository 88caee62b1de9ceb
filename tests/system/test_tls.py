# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS: engines that demand client certificates, made by the tests (see tls_lab.py).

Two engines run with ``--tlsverify``, each in its own network namespace and reached over
a veth pair: one whose certificate names its IP address, and one whose certificate names
only ``engine.test`` (for ``tls_hostname``). The modules must work with the connection
options and their environment fallbacks, fail with a clear message when a certificate
does not fit, and never show the client key, not even with ``-vvv``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import subprocess
import time

import docker
import pytest

from conftest import DOCKER_HOST, RUN_ID, run_module, venv_tool
from tls_lab import KEY_MARKER, Authority, TlsEngine, host_network_state, key_body_lines, pick_addresses

# Variables of the test runner's own environment that would change what is tested:
# the DOCKER_* fallbacks, and the CA bundles that requests prefers to ca_path (see
# test_ca_path_wins_over_requests_ca_bundle).
FOREIGN_ENV = ('DOCKER_HOST', 'DOCKER_TLS', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS_HOSTNAME',
               'DOCKER_API_VERSION', 'DOCKER_TIMEOUT', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')


class Pki(object):
    """All certificates of this module, in one temporary directory."""

    def __init__(self, directory):
        self.directory = directory
        self.addresses = pick_addresses()
        named_addresses = pick_addresses()
        while named_addresses == self.addresses:
            named_addresses = pick_addresses()
        self.named_addresses = named_addresses
        authority = Authority(directory, 'good')
        wrong = Authority(directory, 'wrong')
        self.ca = authority.path
        self.wrong_ca = wrong.path
        self.server = authority.issue('server', 'engine', dns_names=['localhost'],
                                      ip_addresses=[self.addresses[1], '127.0.0.1'])
        self.named_server = authority.issue('named', 'engine.test', dns_names=['engine.test'])
        self.client_cert, self.client_key = authority.issue('client', 'client', client=True,
                                                            key_prefix=KEY_MARKER + '\n')
        self.stranger_cert, self.stranger_key = wrong.issue('stranger', 'client', client=True,
                                                            key_prefix=KEY_MARKER + '\n')
        # DOCKER_CERT_PATH layout, as the docker CLI expects it.
        self.cert_dir = os.path.join(directory, 'docker-cert-path')
        os.mkdir(self.cert_dir)
        for source, name in ((self.ca, 'ca.pem'), (self.client_cert, 'cert.pem'), (self.client_key, 'key.pem')):
            shutil.copy(source, os.path.join(self.cert_dir, name))
        self.key_lines = key_body_lines(self.client_key) + key_body_lines(self.stranger_key)


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return Pki(str(tmp_path_factory.mktemp('tls')))


def _main_engine_answers(wait=20):
    """The main engine answers (other suites may briefly take its socket away)."""
    deadline = time.time() + wait
    while True:
        try:
            client = docker.APIClient(base_url=DOCKER_HOST, version='auto', timeout=10)
            client.version()
            client.close()
            return True
        except Exception:  # pylint: disable=broad-except
            if time.time() > deadline:
                return False
            time.sleep(0.5)


@pytest.fixture(scope='module')
def host_network():
    """docker0 as it was before the TLS engines started; checked again after they stop."""
    before = host_network_state()
    yield before
    assert host_network_state() == before, 'the TLS engines changed the main engine\'s docker0'
    assert _main_engine_answers(), 'the main engine does not answer after the TLS tests'


def _engine(host_network, name, addresses, pki, server):
    del host_network  # only ordering: the state is taken before any engine starts
    engine = TlsEngine(name, addresses[0], addresses[1], pki.ca, server[0], server[1])
    engine.start()
    return engine


@pytest.fixture(scope='module')
def tls_engine(host_network, pki):
    """Certificate for its IP address."""
    engine = _engine(host_network, 'pvtls%s' % RUN_ID, pki.addresses, pki, pki.server)
    yield engine
    engine.stop()


@pytest.fixture(scope='module')
def named_engine(host_network, pki):
    """Certificate for engine.test only; reached by IP address."""
    engine = _engine(host_network, 'pvtln%s' % RUN_ID, pki.named_addresses, pki, pki.named_server)
    yield engine
    engine.stop()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in FOREIGN_ENV:
        monkeypatch.delenv(name, raising=False)


def engine_client(engine):
    """The engine's own unix socket: to look at what the modules did."""
    return docker.APIClient(base_url='unix://' + engine.socket, version='auto', timeout=30)


def tls_args(pki, engine, **changes):
    args = dict(docker_host=engine.docker_host, validate_certs=True, ca_path=pki.ca,
                client_cert=pki.client_cert, client_key=pki.client_key, timeout=20)
    args.update(changes)
    return dict((key, value) for key, value in args.items() if value is not None)


def volume_name(suffix):
    return 'pvt-%s-tls-%s' % (RUN_ID, suffix)


def assert_no_key_material(pki, text):
    assert KEY_MARKER not in text
    assert 'PRIVATE KEY' not in text
    for line in pki.key_lines:
        assert line not in text, 'a line of a private key appears in the output'


def assert_clear_failure(pki, result, engine):
    """rc 1, the docker_host named, no traceback, no key material anywhere in the result."""
    assert result['rc'] == 1, result
    assert result['msg'].startswith('Cannot talk to the Docker engine at %s: ' % engine.docker_host), result['msg']
    assert 'Traceback' not in result['msg'] and 'exception' not in result, result
    assert_no_key_material(pki, json.dumps(result))


# --- the options work --------------------------------------------------------------

def test_main_engine_network_untouched_while_tls_engines_run(host_network, tls_engine, named_engine):
    assert tls_engine.process.poll() is None and named_engine.process.poll() is None
    assert host_network_state() == host_network
    assert _main_engine_answers()


def test_volume_lifecycle_with_verified_tls(pki, tls_engine):
    args = tls_args(pki, tls_engine)
    name = volume_name('life')
    created = run_module('volume', dict(args, name=name, labels={'tier': 'tls'}))
    assert created['rc'] == 0 and created['changed'], created
    assert created['volume']['Labels'] == {'tier': 'tls'}
    engine = engine_client(tls_engine)
    assert engine.inspect_volume(name)['Labels'] == {'tier': 'tls'}

    again = run_module('volume', dict(args, name=name, labels={'tier': 'tls'}))
    assert again['rc'] == 0 and not again['changed'], again

    info = run_module('volume_info', dict(args, name=name))
    assert info['rc'] == 0 and info['exists'], info
    assert [v['name'] for v in info['volumes']] == [name]
    assert info['volumes'][0]['labels'] == {'tier': 'tls'}

    predicted = run_module('volume', dict(args, name=name, state='absent'), check=True)
    assert predicted['rc'] == 0 and predicted['changed'], predicted
    assert engine.inspect_volume(name)['Name'] == name
    removed = run_module('volume', dict(args, name=name, state='absent'))
    assert removed['rc'] == 0 and removed['changed'], removed
    assert name not in [v['Name'] for v in engine.volumes().get('Volumes') or []]
    # The main engine never saw it.
    assert name not in [v['Name'] for v in docker.APIClient(base_url=DOCKER_HOST, version='auto').volumes()
                        .get('Volumes') or []]


def test_aliases_of_the_options(pki, tls_engine):
    args = dict(docker_url=tls_engine.docker_host, tls_verify=True, tls_ca_cert=pki.ca,
                tls_client_cert=pki.client_cert, tls_client_key=pki.client_key)
    result = run_module('volume_info', args)
    assert result['rc'] == 0, result


def test_tls_without_verifying_the_engine(pki, tls_engine):
    """``tls: true`` alone: encrypted, engine certificate not checked, client cert still sent."""
    args = tls_args(pki, tls_engine, validate_certs=False, tls=True, ca_path=pki.wrong_ca)
    name = volume_name('noverify')
    result = run_module('volume', dict(args, name=name))
    assert result['rc'] == 0 and result['changed'], result
    assert engine_client(tls_engine).inspect_volume(name)['Name'] == name


def test_data_container_over_tls(pki, tls_engine):
    """The default image is built through the API, the container created and never started."""
    args = tls_args(pki, tls_engine)
    name = volume_name('holder')
    created = run_module('data_container', dict(args, name=name, volumes=['/data', volume_name('dcvol') + ':/named']))
    assert created['rc'] == 0 and created['changed'], created
    state = engine_client(tls_engine).inspect_container(name)
    assert not state['State']['Running'] and state['State']['StartedAt'].startswith('0001-')
    assert sorted(m['Destination'] for m in state['Mounts']) == ['/data', '/named']
    again = run_module('data_container', dict(args, name=name, volumes=['/data', volume_name('dcvol') + ':/named']))
    assert again['rc'] == 0 and not again['changed'], again
    info = run_module('volume_info', dict(args, name=volume_name('dcvol')))
    assert info['rc'] == 0 and info['volumes'][0]['data_container'] == name, info


def test_environment_fallbacks(pki, tls_engine, monkeypatch):
    """DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)."""
    monkeypatch.setenv('DOCKER_HOST', tls_engine.docker_host)
    monkeypatch.setenv('DOCKER_TLS_VERIFY', '1')
    monkeypatch.setenv('DOCKER_CERT_PATH', pki.cert_dir)
    name = volume_name('env')
    created = run_module('volume', {'name': name})
    assert created['rc'] == 0 and created['changed'], created
    assert engine_client(tls_engine).inspect_volume(name)['Name'] == name
    again = run_module('volume', {'name': name})
    assert again['rc'] == 0 and not again['changed'], again
    listed = run_module('volume_info', {})
    assert listed['rc'] == 0 and name in [v['name'] for v in listed['volumes']], listed


def test_task_options_win_over_the_environment(pki, tls_engine, monkeypatch):
    """DOCKER_CERT_PATH holds the right files, but the task's ca_path (the wrong CA) is used."""
    monkeypatch.setenv('DOCKER_CERT_PATH', pki.cert_dir)
    result = run_module('volume_info', {'docker_host': tls_engine.docker_host, 'validate_certs': True,
                                        'ca_path': pki.wrong_ca})
    assert_clear_failure(pki, result, tls_engine)
    assert 'certificate verify failed' in result['msg']


def test_tls_hostname(pki, named_engine):
    """The certificate names only engine.test; the engine is reached by IP address."""
    args = tls_args(pki, named_engine, tls_hostname='engine.test')
    name = volume_name('named')
    created = run_module('volume', dict(args, name=name))
    assert created['rc'] == 0 and created['changed'], created
    info = run_module('volume_info', dict(args, name=name))
    assert info['rc'] == 0 and info['exists'], info
    assert engine_client(named_engine).inspect_volume(name)['Name'] == name


def test_tls_hostname_without_verification(pki, named_engine):
    result = run_module('volume_info', tls_args(pki, named_engine, validate_certs=False, tls=True, ca_path=None,
                                                tls_hostname='engine.test'))
    assert result['rc'] == 0, result


def test_tls_hostname_from_environment_and_fixed_api_version(pki, named_engine, monkeypatch):
    monkeypatch.setenv('DOCKER_TLS_HOSTNAME', 'engine.test')
    result = run_module('volume_info', tls_args(pki, named_engine, api_version='1.41'))
    assert result['rc'] == 0, result


@pytest.mark.parametrize('tls_hostname', [None, 'other.test'])
def test_certificate_for_another_name_is_refused(pki, named_engine, tls_hostname):
    result = run_module('volume_info', tls_args(pki, named_engine, tls_hostname=tls_hostname))
    assert_clear_failure(pki, result, named_engine)
    assert 'TLS' in result['msg']
    assert "match" in result['msg'], result['msg']


# --- clear failures ------------------------------------------------------------------

def test_wrong_ca(pki, tls_engine):
    result = run_module('volume', dict(tls_args(pki, tls_engine, ca_path=pki.wrong_ca), name=volume_name('wrongca')))
    assert_clear_failure(pki, result, tls_engine)
    assert 'TLS handshake failed' in result['msg'] and 'certificate verify failed' in result['msg'], result['msg']
    assert not result['changed']
    assert volume_name('wrongca') not in [v['Name'] for v in engine_client(tls_engine).volumes().get('Volumes') or []]


def test_engine_certificate_against_the_system_store(pki, tls_engine):
    """validate_certs without ca_path: the system's CAs do not know the test CA."""
    result = run_module('volume_info', tls_args(pki, tls_engine, ca_path=None))
    assert_clear_failure(pki, result, tls_engine)
    assert 'certificate verify failed' in result['msg']


def test_client_cert_without_key(pki, tls_engine):
    result = run_module('volume_info', tls_args(pki, tls_engine, client_key=None))
    assert result['rc'] == 1
    assert result['msg'] == ('Invalid connection options: client_cert and client_key must be given together '
                             '(got only client_cert).')
    assert_no_key_material(pki, json.dumps(result))


def test_key_without_cert(pki, tls_engine):
    result = run_module('volume_info', tls_args(pki, tls_engine, client_cert=None))
    assert result['rc'] == 1
    assert 'got only client_key' in result['msg']
    assert_no_key_material(pki, json.dumps(result))


def test_key_path_that_does_not_exist(pki, tls_engine):
    missing = os.path.join(pki.directory, 'no-such-key.pem')
    result = run_module('volume_info', tls_args(pki, tls_engine, client_key=missing))
    assert result['rc'] == 1
    # client_key is no_log: even its path is masked, so key content given by mistake never shows
    assert result['msg'] == 'Invalid connection options: client_key: ******** is not a readable file.'


def test_cert_path_without_key_file(pki, tls_engine, tmp_path, monkeypatch):
    """A DOCKER_CERT_PATH that lacks key.pem."""
    for name in ('ca.pem', 'cert.pem'):
        shutil.copy(os.path.join(pki.cert_dir, name), str(tmp_path / name))
    monkeypatch.setenv('DOCKER_CERT_PATH', str(tmp_path))
    result = run_module('volume_info', {'docker_host': tls_engine.docker_host, 'validate_certs': True})
    assert result['rc'] == 1
    assert 'client_cert and client_key must be given together (got only client_cert)' in result['msg']


def test_no_client_certificate(pki, tls_engine):
    result = run_module('volume_info', tls_args(pki, tls_engine, client_cert=None, client_key=None))
    assert_clear_failure(pki, result, tls_engine)
    assert 'TLS handshake failed' in result['msg'], result['msg']


def test_no_client_certificate_says_which_options_are_missing(pki, tls_engine):
    result = run_module('volume_info', tls_args(pki, tls_engine, client_cert=None, client_key=None))
    assert result['rc'] == 1
    assert 'client_cert' in result['msg'], result['msg']


@pytest.mark.parametrize('case', ['stranger', 'mismatched', 'swapped'])
def test_client_certificate_that_does_not_fit(pki, tls_engine, case):
    """Signed by another CA; a key that is not the certificate's; cert and key swapped."""
    cert, key = dict(stranger=(pki.stranger_cert, pki.stranger_key),
                     mismatched=(pki.client_cert, pki.stranger_key),
                     swapped=(pki.client_key, pki.client_cert))[case]
    result = run_module('volume_info', tls_args(pki, tls_engine, client_cert=cert, client_key=key))
    assert_clear_failure(pki, result, tls_engine)
    assert 'TLS handshake failed' in result['msg'], result['msg']


def test_plain_http_to_a_tls_engine(pki, tls_engine):
    result = run_module('volume_info', {'docker_host': tls_engine.docker_host})
    assert_clear_failure(pki, result, tls_engine)
    assert 'HTTPS' in result['msg']


@pytest.mark.parametrize('mode', ['validate_certs', 'tls'])
def test_ca_path_wins_over_requests_ca_bundle(pki, tls_engine, monkeypatch, mode):
    """A CA bundle in the environment (common on managed hosts) must not replace the task's choice."""
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', pki.wrong_ca)
    if mode == 'tls':
        args = tls_args(pki, tls_engine, validate_certs=False, tls=True, ca_path=None)
    else:
        args = tls_args(pki, tls_engine)
    result = run_module('volume_info', args)
    assert result['rc'] == 0, result['msg']


# --- key material never shows ----------------------------------------------------------

def test_key_content_instead_of_a_path_is_not_shown(pki, tls_engine):
    with open(pki.client_key) as handle:
        content = handle.read()
    result = run_module('volume_info', tls_args(pki, tls_engine, client_key=content))
    assert result['rc'] == 1
    assert 'client_key' in result['msg']
    assert_no_key_material(pki, json.dumps(result))


PLAYBOOK = '''
- name: The TLS engine, verbosely
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/persistent.volumes.docker:
      docker_host: %(docker_host)s
      validate_certs: true
      ca_path: %(ca)s
      client_cert: %(cert)s
      client_key: %(key)s
      timeout: 20
  tasks:
    - name: Create a volume
      persistent.volumes.volume:
        name: %(name)s
      register: created
    - name: Report it
      persistent.volumes.volume_info:
        name: %(name)s
      register: info
    - name: Use the wrong CA
      persistent.volumes.volume_info:
        ca_path: %(wrong_ca)s
      register: wrong
      ignore_errors: true
    - name: Mismatched key
      persistent.volumes.volume_info:
        client_key: %(stranger_key)s
      register: mismatched
      ignore_errors: true
    - name: Show what was registered
      ansible.builtin.debug:
        msg: "{{ [created, info, wrong, mismatched] }}"
    - name: Check
      ansible.builtin.assert:
        that:
          - created is changed
          - info.exists
          - wrong is failed
          - "'certificate verify failed' in wrong.msg"
          - mismatched is failed
'''


def test_no_key_material_with_vvv(pki, tls_engine, tmp_path, ansible_env):
    path = tmp_path / 'play.yml'
    path.write_text(PLAYBOOK % dict(docker_host=tls_engine.docker_host, ca=pki.ca, cert=pki.client_cert,
                                    key=pki.client_key, wrong_ca=pki.wrong_ca, stranger_key=pki.stranger_key,
                                    name=volume_name('vvv')))
    env = dict((key, value) for key, value in ansible_env.items() if key not in FOREIGN_ENV)
    env['ANSIBLE_DISPLAY_ARGS_TO_STDOUT'] = '1'
    proc = subprocess.run([venv_tool('ansible-playbook'), '-vvv', '-i', 'localhost,', '-c', 'local', str(path)],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, check=False)
    output = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 0, output
    # -vvv did show the invocations; client_key is no_log, so even its path is masked there.
    assert '"invocation"' in output and '"client_key": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in output, output
    assert_no_key_material(pki, output)
