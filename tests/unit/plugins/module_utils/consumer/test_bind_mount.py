# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.bind_mount import (
    BIND_MOUNT_ARGS,
    BindRequest,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.mounts import split_bind
from ansible_collections.persistent.volumes.plugins.module_utils.spec.mounts import STRING_FORMS

DATA_ROOT = '/var/lib/docker'
REFUSED = ('Refusing to bind-mount %s into web: %s. Mounting it would expose or endanger the Docker host; '
           'set allow_sensitive=true if that is really meant. Nothing was changed.')


def params(**kwargs):
    base = dict((name, spec.get('default')) for name, spec in BIND_MOUNT_ARGS.items())
    base.update(container='web', source='/srv/data', target='/data')
    base.update(kwargs)
    return base


def request(sockets=(), data_root=DATA_ROOT, **kwargs):
    return BindRequest(params(**kwargs), list(sockets), data_root)


@pytest.mark.parametrize('bind, expected', [
    ('/s:/d', ('/s', '/d', set())),
    ('/s:/d:rw', ('/s', '/d', set())),
    ('/s:/d:ro', ('/s', '/d', {'ro'})),
    ('/s:/d:ro,Z', ('/s', '/d', {'ro', 'Z'})),
    ('/s:/d:rw,rshared,z', ('/s', '/d', {'rshared', 'z'})),
    ('/s:/d:', ('/s', '/d', set())),
    ('vol:/d:ro', ('vol', '/d', {'ro'})),
    ('/d', ('/d', '/d', set())),
])
def test_split_bind(bind, expected):
    assert split_bind(bind) == expected


@pytest.mark.parametrize('left, right, equal', [
    ('/s:/d', '/s:/d:rw', True),
    ('/s:/d:ro,Z', '/s:/d:Z,ro', True),
    ('/s:/d:rw,rslave', '/s:/d:rslave', True),
    ('/s:/d:ro', '/s:/d:rw', False),
    ('/s:/d:ro', '/s:/d:ro,z', False),
    ('/s:/d', '/t:/d', False),
    ('/s:/d', '/s:/e', False),
])
def test_bind_options_are_order_insensitive(left, right, equal):
    assert (split_bind(left) == split_bind(right)) is equal


@pytest.mark.parametrize('kwargs, bind', [
    ({}, '/srv/data:/data:rw'),
    ({'read_only': True}, '/srv/data:/data:ro'),
    ({'propagation': 'rshared'}, '/srv/data:/data:rw,rshared'),
    ({'read_only': True, 'propagation': 'rslave', 'selinux_relabel': 'Z'}, '/srv/data:/data:ro,rslave,Z'),
    ({'selinux_relabel': 'z'}, '/srv/data:/data:rw,z'),
    ({'source': '/etc', 'allow_sensitive': True}, '/etc:/data:rw'),
    ({'source': '/var/lib/docker/volumes', 'allow_sensitive': True}, '/var/lib/docker/volumes:/data:rw'),
])
def test_bind_string(kwargs, bind):
    assert request(**kwargs).bind == bind


@pytest.mark.parametrize('have, kwargs, expected', [
    ([], {}, ['/srv/data:/data:rw']),
    (['/srv/data:/data:rw'], {}, ['/srv/data:/data:rw']),
    (['/srv/data:/data'], {}, ['/srv/data:/data']),
    (['/x:/x', '/srv/data:/data:Z,ro'], {'read_only': True, 'selinux_relabel': 'Z'}, ['/x:/x', '/srv/data:/data:Z,ro']),
    (['/srv/data:/data:ro'], {}, ['/srv/data:/data:rw']),
    (['/old:/data:rw', '/x:/x:rw'], {}, ['/x:/x:rw', '/srv/data:/data:rw']),
    (['myvol:/data:rw', '/x:/x:rw'], {}, ['/x:/x:rw', '/srv/data:/data:rw']),
    (['/srv/data:/other:rw'], {}, ['/srv/data:/other:rw', '/srv/data:/data:rw']),
    (['/srv/data:/data:rw', '/x:/x:rw'], {'state': 'absent'}, ['/x:/x:rw']),
    (['/old:/data:ro', '/x:/x:rw'], {'state': 'absent', 'source': None}, ['/x:/x:rw']),
    (['/x:/x:rw'], {'state': 'absent'}, ['/x:/x:rw']),
    ([], {'state': 'absent'}, []),
])
def test_binds(have, kwargs, expected):
    before = list(have)
    assert request(**kwargs).binds(have) == expected
    assert have == before


@pytest.mark.parametrize('kwargs, error, message', [
    ({'target': 'data'}, InputError, "target: container path 'data' is relative; it must be absolute, like /data."),
    ({'target': '/'}, InputError, 'target: cannot mount over the container root /.'),
    ({'target': '/data/'}, InputError, "target: container path '/data/' is not normalised; write '/data'."),
    ({'target': '/a:b'}, InputError, "target: container path '/a:b' contains a colon; a path cannot hold one "
                                     '(use the forms %s).' % STRING_FORMS),
    ({'target': None}, InputError, 'target: the container path must be a non-empty string, got None.'),
    ({'source': None}, InputError, 'source must be an absolute host path, got None.'),
    ({'source': 'srv/data'}, InputError, "source must be an absolute host path, got 'srv/data'."),
    ({'source': 'myvol'}, InputError, "source must be an absolute host path, got 'myvol'."),
    ({'source': '/srv//data'}, InputError, "source: host path '/srv//data' is not normalised; write '/srv/data'."),
    ({'source': '/srv/a:b'}, InputError, "source: host path '/srv/a:b' contains a colon, which the engine cannot mount."),
    ({'mode': 'u+rwx'}, InputError, 'source: mode must be an octal string like "0750" (symbolic modes are not '
                                    "supported), got 'u+rwx'."),
    ({'mode': '17777'}, InputError, "source: mode '17777' is out of range (0000 to 7777)."),
    ({'owner': True}, InputError, 'source: owner must be a user/group name or a number, got True.'),
    ({'group': -1}, InputError, 'source: group -1 is out of range.'),
    ({'owner': 'no-such-user-pv'}, InputError,
     "source: owner 'no-such-user-pv' does not resolve to a user on the Docker host; give a numeric id."),
    ({'source': '/'}, Refusal, REFUSED % ('/', '/ is a system directory')),
    ({'source': '/etc'}, Refusal, REFUSED % ('/etc', '/etc is a system directory')),
    ({'source': '/etc/'}, Refusal, REFUSED % ('/etc/', '/etc is a system directory')),
    ({'source': '/srv/../etc'}, Refusal, REFUSED % ('/srv/../etc', '/etc is a system directory')),
    ({'source': '/etc/ssl'}, Refusal, REFUSED % ('/etc/ssl', '/etc/ssl is below /etc')),
    ({'source': '/proc'}, Refusal, REFUSED % ('/proc', '/proc is a system directory')),
    ({'source': '/sys/fs/cgroup'}, Refusal, REFUSED % ('/sys/fs/cgroup', '/sys/fs/cgroup is below /sys')),
    ({'source': '/dev'}, Refusal, REFUSED % ('/dev', '/dev is a system directory')),
    ({'source': '/boot'}, Refusal, REFUSED % ('/boot', '/boot is a system directory')),
    ({'source': '/root'}, Refusal, REFUSED % ('/root', '/root is a system directory')),
    ({'source': '/var/lib/docker'}, Refusal,
     REFUSED % ('/var/lib/docker', "/var/lib/docker is the engine's data root /var/lib/docker or inside it")),
    ({'source': '/var/lib/docker/volumes/v/_data'}, Refusal,
     REFUSED % ('/var/lib/docker/volumes/v/_data',
                "/var/lib/docker/volumes/v/_data is the engine's data root /var/lib/docker or inside it")),
    ({'source': '/run/docker.sock'}, Refusal, REFUSED % ('/run/docker.sock', "/run/docker.sock is the engine's socket")),
    ({'source': '/srv/engine/docker.sock', 'sockets': ['/srv/engine/docker.sock']}, Refusal,
     REFUSED % ('/srv/engine/docker.sock', "/srv/engine/docker.sock is the engine's socket")),
])
def test_refusals(kwargs, error, message):
    with pytest.raises(error) as caught:
        request(**kwargs)
    assert caught.value.msg == message


def test_absent_needs_no_source_and_ignores_sensitivity():
    assert request(state='absent', source='/etc').binds(['/etc:/data:ro']) == []
    assert request(state='absent', source=None).host_actions() == ([], None, None)


def test_symlinked_source_is_refused(tmp_path):
    source = str(tmp_path / 'config')
    os.symlink('/etc', source)
    with pytest.raises(Refusal) as caught:
        request(source=source)
    assert caught.value.msg == REFUSED % (source, '%s resolves to /etc; /etc is a system directory' % source)
    assert request(source=source, allow_sensitive=True).bind == source + ':/data:rw'


def test_source_behind_an_unreadable_link_is_refused(monkeypatch):
    real_realpath = os.path.realpath

    def realpath(path, *args, **kwargs):
        if path.startswith('/proc/1/'):
            raise PermissionError(13, 'Permission denied', path)
        return real_realpath(path, *args, **kwargs)

    monkeypatch.setattr(os.path, 'realpath', realpath)
    with pytest.raises(Refusal) as caught:
        request(source='/proc/1/root')
    assert caught.value.msg == REFUSED % ('/proc/1/root', '/proc/1/root is below /proc')


@pytest.fixture
def source(tmp_path):
    path = tmp_path / 'data'
    path.mkdir()
    os.chmod(str(path), 0o755)
    return str(path)


def test_missing_source_is_created(tmp_path):
    missing = str(tmp_path / 'new' / 'data')
    actions, before, after = request(source=missing, owner='1000', group=1000, mode='0750').host_actions()
    assert [(a.kind, a.target, a.reason, a.args) for a in actions] == [
        ('create_host_directory', missing, 'missing', dict(owner=1000, group=1000, mode=0o750))]
    assert before == dict(path=missing, state='absent')
    assert after == dict(path=missing, state='directory', owner=1000, group=1000, mode='0750')
    actions, before, after = request(source=missing).host_actions()
    assert actions[0].args == dict(owner=None, group=None, mode=None)
    assert after == dict(path=missing, state='directory', owner=0, group=0, mode='0755')


def test_existing_source_with_other_attributes_is_changed(source):
    uid, gid = os.getuid(), os.getgid()
    actions, before, after = request(source=source, mode='0750', owner=4242).host_actions()
    assert [(a.kind, a.target, a.reason, a.args) for a in actions] == [
        ('set_host_attributes', source, 'owner 4242 wanted, %d found; mode 0750 wanted, 0755 found' % uid,
         dict(owner=4242, group=None, mode=0o750))]
    assert before == dict(path=source, state='directory', owner=uid, group=gid, mode='0755')
    assert after == dict(before, owner=4242, mode='0750')


@pytest.mark.parametrize('kwargs', [
    {}, {'mode': '0755'}, {'mode': 0o755}, {'owner': 'uid', 'group': 'gid', 'mode': '755'},
])
def test_existing_source_that_matches_needs_nothing(source, kwargs):
    ids = {'uid': os.getuid(), 'gid': os.getgid()}
    kwargs = dict((key, ids.get(value, value)) for key, value in kwargs.items())
    actions, before, after = request(source=source, **kwargs).host_actions()
    assert (actions, before == after) == ([], True)
    assert before['state'] == 'directory'


@pytest.mark.parametrize('source, kwargs, changes, reason', [
    pytest.param('/usr', dict(owner=65534, mode='0700'), 'owner/mode', '/usr is a system directory', id='usr'),
    pytest.param('/home', dict(mode='0700'), 'mode', '/home is a system directory', id='home'),
    pytest.param('/var/log', dict(group=65534), 'group', '/var/log is a system directory', id='var-log'),
    pytest.param('/etc', dict(mode='0700', allow_sensitive=False), None, None, id='sensitive-refused-earlier'),
])
def test_owner_and_mode_of_system_directories_are_kept(source, kwargs, changes, reason):
    if changes is None:
        with pytest.raises(Refusal, match='^Refusing to bind-mount /etc into web'):
            request(source=source, **kwargs)
        return
    with pytest.raises(Refusal) as caught:
        request(source=source, **kwargs).host_actions()
    message = caught.value.msg
    assert message.startswith('Refusing to change %s of the existing host directory %s (' % (changes, source)), message
    assert message.endswith(') for web: %s, and the Docker host depends on its owner and mode. Leave owner, group and '
                            'mode unset to mount it as it is, or set allow_sensitive=true if that change is really '
                            'meant; nothing was changed.' % reason), message
    actions, dummy, dummy = request(source=source, allow_sensitive=True, **kwargs).host_actions()
    assert [a.kind for a in actions] == ['set_host_attributes']


def test_system_directory_that_already_matches_is_mounted_as_it_is():
    here = os.stat('/usr')
    actions, before, after = request(source='/usr', owner=here.st_uid, mode='%o' % (here.st_mode & 0o7777)).host_actions()
    assert (actions, before == after) == ([], True)


def test_create_source_false_prepares_nothing(tmp_path):
    assert request(source=str(tmp_path / 'missing'), create_source=False).host_actions() == ([], None, None)
