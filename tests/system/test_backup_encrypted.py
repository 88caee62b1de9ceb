# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backups encrypted with age (``encrypt_to``) and their restore (``identity_file``), on the real
engine and the real ``age`` of Debian's package: a round trip on both paths, idempotence, check
mode, two recipients, a wrong identity, a tampered ciphertext and hostile archives, each refused
with nothing changed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import subprocess

import pytest

from conftest import failed, run_module
from test_restore_hostile import GOOD, HOSTILE, LAST, craft, make_target, ok, state

AGE_MAGIC = b'age-encryption.org/v1\n'


TIDY_ALL_HELD = True


def identity(directory, name):
    """(identity file, its recipient), made by age-keygen."""
    path = os.path.join(str(directory), name + '.key')
    subprocess.run(['age-keygen', '-o', path], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    recipient = subprocess.run(['age-keygen', '-y', path], check=True, stdout=subprocess.PIPE).stdout.decode().strip()
    return path, recipient


def sha256_file(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def manifest_of(path):
    with open(path + '.manifest.json') as handle:
        return json.load(handle)


def listing(directory):
    return sorted(os.listdir(str(directory)))


@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_encrypted_round_trip(lab, api, tmp_path, method):
    keys = tmp_path / 'keys'
    keys.mkdir()
    key, recipient = identity(keys, 'ops')
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    lab.write('/data/f', 'secret-payload-1', volumes_from=[source])
    dest = str(tmp_path / 'app.tar.gz')
    args = dict(container=source, dest=dest, method=method, encrypt_to=[recipient])
    first = ok(run_module('volume_backup', args))
    assert first['changed'] is True and first['method'] == method
    with open(dest, 'rb') as handle:
        raw = handle.read()
    assert raw.startswith(AGE_MAGIC) and b'secret-payload-1' not in raw
    manifest = manifest_of(dest)
    assert manifest['sha256'] == first['sha256'] == sha256_file(dest) and manifest['size'] == len(raw)
    assert manifest['encryption']['recipients'] == [recipient] and manifest['encryption']['tool'] == 'age'
    assert manifest['encryption']['plaintext_sha256'] != manifest['sha256']
    assert not [name for name in listing(tmp_path) if name.startswith('.')], listing(tmp_path)  # no FIFO, no partial
    # unchanged data: no change, in check mode and for real (the plaintext's digest, nothing decrypted)
    assert ok(run_module('volume_backup', args, check=True))['changed'] is False
    assert ok(run_module('volume_backup', args))['changed'] is False and sha256_file(dest) == first['sha256']
    restored = lab.name('restored')
    ok(run_module('data_container', dict(name=restored, volumes=['/data'])))
    again = dict(src=dest, container=restored, identity_file=key, method=method)
    predicted = ok(run_module('volume_restore', again, check=True))  # decrypted and checked, nothing written
    assert predicted['changed'] is True and lab.run('cat /data/f', volumes_from=[restored])[0] != 0
    result = ok(run_module('volume_restore', again))
    assert result['changed'] is True
    assert lab.read('/data/f', volumes_from=[restored]) == 'secret-payload-1'
    assert ok(run_module('volume_restore', again))['changed'] is False
    assert not [name for name in listing(tmp_path) if name.startswith('.')], listing(tmp_path)
    with open(key) as handle:  # the identity's path may be named in results, never its content
        secret = [line for line in handle.read().splitlines() if line.startswith('AGE-SECRET-KEY-')][0]
    assert secret not in json.dumps(result)


def test_encrypted_backup_check_mode_and_other_recipients(lab, api, tmp_path):
    one, r1 = identity(tmp_path, 'one')
    dummy, r2 = identity(tmp_path, 'two')
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    lab.write('/data/f', 'v1', volumes_from=[source])
    backups = tmp_path / 'b'
    backups.mkdir()
    dest = str(backups / 'app.tar')
    predicted = ok(run_module('volume_backup', dict(container=source, dest=dest, encrypt_to=[r1]), check=True))
    assert predicted['changed'] is True and listing(backups) == []
    ok(run_module('volume_backup', dict(container=source, dest=dest, encrypt_to=[r1])))
    before = sha256_file(dest)
    # the same data to other recipients is written again; in clear too
    assert ok(run_module('volume_backup', dict(container=source, dest=dest, encrypt_to=[r1, r2]),
                         check=True))['changed'] is True
    assert sha256_file(dest) == before
    assert ok(run_module('volume_backup', dict(container=source, dest=dest, encrypt_to=[r2, r1])))['changed'] is True
    assert ok(run_module('volume_backup', dict(container=source, dest=dest, encrypt_to=[r1, r2])))['changed'] is False
    assert ok(run_module('volume_backup', dict(container=source, dest=dest)))['changed'] is True
    assert 'encryption' not in manifest_of(dest)


def test_two_recipients_either_restores(lab, api, tmp_path):
    one, r1 = identity(tmp_path, 'one')
    two, r2 = identity(tmp_path, 'two')
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    lab.write('/data/f', 'for-both', volumes_from=[source])
    dest = str(tmp_path / 'app.tar.xz')
    ok(run_module('volume_backup', dict(container=source, dest=dest, compression='xz', encrypt_to=[r1, r2])))
    for key, suffix in ((one, 'one'), (two, 'two')):
        volume = lab.name('vol-' + suffix)
        ok(run_module('volume_restore', dict(src=dest, volume=volume, identity_file=key)))
        assert lab.read('/data/f', binds=['%s:/data' % volume]) == 'for-both'


def test_encrypted_restore_refusals_change_nothing(lab, api, tmp_path):
    mine, recipient = identity(tmp_path, 'mine')
    other, dummy = identity(tmp_path, 'other')
    target = make_target(api, lab.prefix)
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    lab.write('/data/f', 'new-data', volumes_from=[source])
    backups = tmp_path / 'b'
    backups.mkdir()
    dest = str(backups / 'app.tar.gz')
    ok(run_module('volume_backup', dict(container=source, dest=dest, encrypt_to=[recipient])))
    before = state(lab, api, target)
    for check in (True, False):
        failed(run_module('volume_restore', dict(src=dest, container=target), check=check),
               'is encrypted with age (to %s); give identity_file' % recipient)
        failed(run_module('volume_restore', dict(src=dest, container=target, identity_file=other), check=check),
               'Refusing to restore %s: age cannot decrypt it with the identity file %s' % (dest, other),
               'no identity matched any of the recipients', 'Nothing was changed.')
        failed(run_module('volume_restore', dict(src=dest, container=target, identity_file=str(tmp_path / 'none')),
                          check=check), 'identity_file %s is not a file' % (tmp_path / 'none'))
    with open(dest, 'r+b') as handle:  # one byte of the ciphertext flipped
        handle.seek(-20, 2)
        byte = handle.read(1)
        handle.seek(-20, 2)
        handle.write(bytes([byte[0] ^ 1]))
    failed(run_module('volume_restore', dict(src=dest, container=target, identity_file=mine)),
           'The archive %s does not match its manifest' % dest)
    manifest = manifest_of(dest)
    manifest['sha256'] = sha256_file(dest)  # a manifest forged to match: age's own authentication refuses
    with open(dest + '.manifest.json', 'w') as handle:
        json.dump(manifest, handle)
    failed(run_module('volume_restore', dict(src=dest, container=target, identity_file=mine)),
           'age cannot decrypt it with the identity file', 'Nothing was changed.')
    assert state(lab, api, target) == before and listing(backups) == ['app.tar.gz', 'app.tar.gz.manifest.json']


def encrypt_crafted(path, recipient):
    """The crafted archive at ``path`` encrypted to ``recipient``, its manifest made to say so."""
    plaintext_sha256, plaintext_size = sha256_file(path), os.path.getsize(path)
    subprocess.run(['age', '-r', recipient, '-o', path + '.age', path], check=True)
    os.rename(path + '.age', path)
    manifest = manifest_of(path)
    manifest.update(sha256=sha256_file(path), size=os.path.getsize(path),
                    encryption=dict(tool='age', recipients=[recipient], plaintext_sha256=plaintext_sha256,
                                    plaintext_size=plaintext_size))
    with open(path + '.manifest.json', 'w') as handle:
        json.dump(manifest, handle)
    return path


ENCRYPTED_HOSTILE = [row for row in HOSTILE if row[0] in ('absolute', 'dotdot-deep', 'symlink-then-write-through',
                                                          'hardlink-outside', 'character-device')]


@pytest.mark.parametrize('name, members, compression, message', ENCRYPTED_HOSTILE,
                         ids=[row[0] for row in ENCRYPTED_HOSTILE])
def test_hostile_encrypted_archive_is_refused_on_the_decrypted_stream(lab, api, tmp_path, name, members, compression,
                                                                      message):
    key, recipient = identity(tmp_path, 'k')
    target = make_target(api, lab.prefix)
    src = encrypt_crafted(craft(tmp_path, GOOD + members + LAST, compression), recipient)
    before = state(lab, api, target)
    for method in ('direct', 'engine'):
        for check in (True, False):
            failed(run_module('volume_restore', dict(src=src, container=target, method=method, identity_file=key),
                              check=check), 'Refusing to restore %s: %s.' % (src, message))
    assert state(lab, api, target) == before
    assert not [n for n in os.listdir(str(tmp_path)) if n.startswith('.')]


def test_backup_refused_without_age(lab, api, tmp_path):
    dummy, recipient = identity(tmp_path, 'k')
    source = lab.name('src')
    ok(run_module('data_container', dict(name=source, volumes=['/data'])))
    backups = tmp_path / 'b'
    backups.mkdir()
    hide = ('import ansible.module_utils.basic as _b\n_real = _b.AnsibleModule.get_bin_path\n'
            '_b.AnsibleModule.get_bin_path = lambda self, name, *a, **k: None if name == "age" else _real(self, name, *a, **k)\n')
    for check in (True, False):
        failed(run_module('volume_backup', dict(container=source, dest=str(backups / 'a.tar'), encrypt_to=[recipient]),
                          check=check, preamble=hide),
               'encrypt_to needs the age tool on the Docker host (on Debian and Ubuntu the package "age"',
               'nothing was changed')
    failed(run_module('volume_backup', dict(container=source, dest=str(backups / 'a.tar'), encrypt_to=['age1nope'])),
           "encrypt_to: 'age1nope' is not an age X25519 recipient")
    assert listing(backups) == []
