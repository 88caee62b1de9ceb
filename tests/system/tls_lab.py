# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Certificates made by the tests, and a Docker engine that demands them (``--tlsverify``).

The certificates come from the ``cryptography`` package, which ansible-core itself needs,
so it is always in the venv. The engine runs in its own network namespace, like the lab's
other extra engines, and is reached over a veth pair whose two addresses are a /30 of
198.18.0.0/15 made for it; ``host_network_state`` lets a test check that the main engine's
``docker0`` is untouched.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import docker
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Put before the PEM armour of client keys: PEM readers skip text before '-----BEGIN',
# so the key still works, and the marker is easy to look for in any output.
KEY_MARKER = 'pv-tls-test-key-marker-7f3a9c'


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, u'persistent.volumes tests'),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(path, data, mode=0o644):
    with open(path, 'wb') as handle:
        handle.write(data)
    os.chmod(path, mode)
    return path


class Authority(object):
    """A certificate authority that issues server and client certificates into ``directory``."""

    def __init__(self, directory, common_name):
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        public = self.key.public_key()
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(public).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.path = _write(os.path.join(directory, '%s-ca.pem' % common_name),
                           self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, stem, common_name, dns_names=(), ip_addresses=(), client=False, key_prefix=''):
        """Write ``<stem>-cert.pem`` and ``<stem>-key.pem`` (RSA, PKCS#8); return their paths."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(self.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH if client
                                                  else ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        names = [x509.DNSName(name) for name in dns_names]
        names += [x509.IPAddress(ipaddress.ip_address(address)) for address in ip_addresses]
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        cert_path = _write(os.path.join(self.directory, '%s-cert.pem' % stem),
                           cert.public_bytes(serialization.Encoding.PEM))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        key_path = _write(os.path.join(self.directory, '%s-key.pem' % stem),
                          key_prefix.encode('ascii') + key_pem, mode=0o600)
        return cert_path, key_path


def key_body_lines(key_path):
    """The base64 lines of the PEM body of a key file (what must never be shown)."""
    with open(key_path) as handle:
        lines = [line.strip() for line in handle]
    begin = next(i for i, line in enumerate(lines) if line.startswith('-----BEGIN'))
    end = next(i for i, line in enumerate(lines) if line.startswith('-----END'))
    return [line for line in lines[begin + 1:end] if line]


def pick_addresses():
    """A free /30 of 198.18.0.0/15 (the benchmarking range, never routed): (host side, engine side)."""
    proc = subprocess.run(['ip', '-4', '-o', 'addr', 'show'], stdout=subprocess.PIPE, check=True)
    used = set()
    for line in proc.stdout.decode().splitlines():
        address = ipaddress.ip_interface(line.split()[3])
        used.add(address.network)
        used.add(ipaddress.ip_network('%s/30' % address.ip, strict=False))
    while True:
        network = ipaddress.ip_network('198.18.%d.%d/30' % (random.randint(1, 254), 4 * random.randint(0, 63)))
        if not any(network.overlaps(other) for other in used):
            return str(network[1]), str(network[2])


def host_network_state():
    """What the main engine needs from the host's network: docker0 with its addresses (None if absent)."""
    proc = subprocess.run(['ip', '-o', 'addr', 'show', 'dev', 'docker0'], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        return None
    return sorted(line.split()[3] for line in proc.stdout.decode().splitlines())


def _ip(*args):
    subprocess.run(('ip',) + args, check=True, stdin=subprocess.DEVNULL)


class TlsEngine(object):
    """A dockerd that demands client certificates (``--tlsverify``), reached over a veth pair.

    The engine runs in its own network namespace ``name`` (an engine in the host's namespace
    deletes the main engine's ``docker0``, even with ``--bridge=none``) and listens on
    ``tcp://<engine_ip>:2376``; the host end of the veth pair carries ``host_ip``. It also
    listens on a unix socket, used only to see that it is up.
    """

    PORT = 2376

    def __init__(self, name, host_ip, engine_ip, ca_path, cert_path, key_path):
        self.name = name
        self.host_ip = host_ip
        self.engine_ip = engine_ip
        self.ca_path = ca_path
        self.cert_path = cert_path
        self.key_path = key_path
        self.root = tempfile.mkdtemp(prefix='pv-%s-' % name, dir='/tmp')
        self.socket = os.path.join(self.root, 'docker.sock')
        self.docker_host = 'tcp://%s:%d' % (engine_ip, self.PORT)
        self.process = None
        self._netns = '/run/netns/%s' % name
        self._host_if = '%sh' % name[:14]
        self._engine_if = '%se' % name[:14]

    @property
    def log_path(self):
        return os.path.join(self.root, 'dockerd.log')

    def log_tail(self, size=3000):
        try:
            with open(self.log_path) as handle:
                return handle.read()[-size:]
        except IOError:
            return ''

    def _in_netns(self, *command):
        return ['nsenter', '--net=%s' % self._netns] + list(command)

    def start(self, timeout=60):
        """Make the namespace and the veth pair, start the engine, wait until it serves its API."""
        try:
            self._start(timeout)
        except Exception:
            self.stop()
            raise

    def _start(self, timeout):
        _ip('netns', 'add', self.name)
        _ip('link', 'add', self._host_if, 'type', 'veth', 'peer', 'name', self._engine_if, 'netns', self.name)
        _ip('addr', 'add', self.host_ip + '/30', 'dev', self._host_if)
        _ip('link', 'set', self._host_if, 'up')
        for command in (('addr', 'add', self.engine_ip + '/30', 'dev', self._engine_if),
                        ('link', 'set', self._engine_if, 'up'), ('link', 'set', 'lo', 'up')):
            subprocess.run(self._in_netns('ip', *command), check=True, stdin=subprocess.DEVNULL)
        log = open(self.log_path, 'wb')
        # Detached from our stdio (DESIGN.md, The lab), in its own process group for stop().
        # Nothing runs in this engine, so it needs no bridge, iptables rules or forwarding.
        self.process = subprocess.Popen(
            self._in_netns('dockerd',
                           '--data-root', os.path.join(self.root, 'data'),
                           '--exec-root', os.path.join(self.root, 'exec'),
                           '--pidfile', os.path.join(self.root, 'docker.pid'),
                           '--bridge=none', '--iptables=false', '--ip-masq=false', '--ip-forward=false',
                           '--tlsverify', '--tlscacert', self.ca_path, '--tlscert', self.cert_path,
                           '--tlskey', self.key_path,
                           '-H', 'unix://' + self.socket, '-H', self.docker_host),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline and self.process.poll() is None:
            if self._serves():
                return
            time.sleep(0.3)
        raise RuntimeError('TLS engine %s did not start:\n%s' % (self.name, self.log_tail()))

    def _serves(self):
        """The API answers on the unix socket and the TLS port accepts connections."""
        try:
            client = docker.APIClient(base_url='unix://' + self.socket, version='auto', timeout=5)
            client.version()
            client.close()
            socket.create_connection((self.engine_ip, self.PORT), timeout=5).close()
            return True
        except Exception:  # not up yet  # pylint: disable=broad-except
            return False

    def stop(self):
        """Stop the engine (its whole process group), remove its namespace, veth pair and directories."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for command in (['ip', 'link', 'delete', self._host_if], ['ip', 'netns', 'delete', self.name],
                        ['umount', '-R', self.root]):
            subprocess.run(command, check=False, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)
