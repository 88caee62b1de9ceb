# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""convert: a data container becomes named volumes, its consumers rewired, nothing lost.

A data container with two paths holding awkward data (hard link, symbolic link, sparse file,
owners and modes, an empty directory) and three consumers: one wired read-only, one made by
``docker run`` with many settings on two networks, one that never ran. Check mode predicts
and changes nothing; the conversion copies on each path (direct, engine), proves the copy,
and rewires every consumer: the data is read back through each one, the application is
the same container over its whole inspect but for the wiring, and a re-run changes nothing.
Refusals name what is in the way and change nothing, in check mode too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import tempfile

import pytest

from app_lab import inspect_differences, lab_network, run_as_root
from conftest import IMAGE, LOOP, RUN_ID, container_names, failed, run_module, sh, venv_tool
import test_faithful_recreation as faithful
from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_table import storage_rows


BRIDGE_CHOSEN = ('NetworkSettings.EndpointID', 'NetworkSettings.IPAddress', 'NetworkSettings.MacAddress')
ORIGIN = 'persistent.volumes.converted-from'
DATA = ('echo precious > /datastore/f && ln /datastore/f /datastore/hard && ln -s ../etc/passwd /datastore/sym && '
        'mkdir -m 0750 /datastore/empty && chown 1000:1000 /datastore/empty && '
        'dd if=/dev/zero of=/datastore/sparse bs=1 count=1 seek=1048575 2>/dev/null && '
        'chmod 0711 /datastore && mkdir -p /var/lib/db/x && echo rows > /var/lib/db/x/table')
LISTING = 'ls -lnR --full-time /datastore /var/lib/db; cat /datastore/f /var/lib/db/x/table; readlink /datastore/sym'


@pytest.fixture
def networks(lab, api):
    with lab_network(api, lab, 'front', subnet=True) as front, lab_network(api, lab, 'back') as back:
        yield [front, back]


def convert(name, check=False, diff=False, **args):
    return run_module('convert', dict(args, container=name), check=check, diff=diff)


def data_container(lab, suffix='dc', paths=('/datastore', '/var/lib/db')):
    name = lab.name(suffix)
    assert run_module('data_container', {'name': name, 'volumes': list(paths)})['rc'] == 0
    if '/var/lib/db' in paths:
        code, output = lab.run(DATA, volumes_from=[name])
        assert code == 0, output
    return name


def state(api, names, prefix=None):
    """What a check-mode run must leave as it was: each container's ID, status and mounts, and the volumes."""
    found = {}
    for name in names:
        info = api.inspect_container(name)
        found[name] = (info['Id'], info['State']['Status'], sorted((m['Destination'], m.get('Name')) for m in info['Mounts']))
    prefix = prefix or names[0].rsplit('-', 1)[0]
    found['volumes'] = sorted(v['Name'] for v in api.volumes().get('Volumes') or [] if v['Name'].startswith(prefix))
    return found


def listing(output):
    """What ls shows of the data, less the blocks allocated (``total``), which are not data."""
    code, text = output
    assert code == 0, text
    return [line for line in text.strip().splitlines() if not line.startswith('total ')]


def mounted(api, name):
    return dict((m['Destination'], (m.get('Name'), m['RW'])) for m in api.inspect_container(name)['Mounts'])


@pytest.fixture
def scene(lab, api, networks):
    """The data container, and its consumers: read-only (running), the application (docker run), one never started."""
    data = data_container(lab)
    before = listing(lab.run(LISTING, volumes_from=[data]))
    reader = lab.container(lab.name('reader'), volumes_from=[data + ':ro'], start=True, command=LOOP)
    app = run_app_wired(lab, networks, data)
    idle = lab.container(lab.name('idle'), volumes_from=[data])
    return dict(data=data, listing=before, reader=reader, app=app, idle=idle)


def run_app_wired(lab, networks, data):
    """The application of the faithful-recreation tests, made by ``docker run`` and wired to ``data``."""
    original = faithful.docker_cli

    def with_wiring(*args):
        if args and args[0] == 'run' and '--hostname' in args:
            at = list(args).index(IMAGE)
            args = tuple(list(args[:at]) + ['--volumes-from', data] + list(args[at:]))
        original(*args)
    faithful.docker_cli = with_wiring
    try:
        app, dummy, dummy = faithful.run_app(lab, networks)
    finally:
        faithful.docker_cli = original
    return app


@pytest.mark.parametrize('method', ['direct', 'engine'])
def test_a_data_container_becomes_named_volumes(lab, api, scene, method):
    data, reader, app, idle = scene['data'], scene['reader'], scene['app'], scene['idle']
    consumers = [reader, app, idle]
    assert run_as_root(api, app, 'echo mine > /own/f') == (0, '')
    before = dict((name, api.inspect_container(name)) for name in consumers)
    old = mounted(api, data)
    untouched = state(api, [data] + consumers, lab.prefix)

    predicted = convert(data, check=True, diff=True, method=method)
    assert predicted['rc'] == 0 and predicted['changed'] is True, predicted
    assert state(api, [data] + consumers, lab.prefix) == untouched   # check mode wrote nothing
    assert 'copy %s:/datastore into volume %s-datastore and prove the copy (content sha256)' % (data, data) \
        in predicted['actions']
    assert sorted(predicted['consumers']) == sorted(consumers)
    assert predicted['diff']['after']['volumes'] == {'/datastore': data + '-datastore', '/var/lib/db': data + '-var-lib-db'}

    done = convert(data, diff=True, method=method)
    assert done['rc'] == 0 and done['changed'] is True, done
    assert done['access']['method'] == method
    assert sorted(done['stopped']) == sorted([reader, app])
    for path, volume in (('/datastore', data + '-datastore'), ('/var/lib/db', data + '-var-lib-db')):
        entry = done['volumes'][path]
        assert entry['volume'] == volume and entry['previous_volume'] == old[path][0] and entry['copied'] is True
        labels = api.inspect_volume(volume)['Labels']
        assert labels[ORIGIN] == data and labels['persistent.volumes.converted-path'] == path
        assert labels['persistent.volumes.converted-volume'] == old[path][0]
    assert done['diff']['before']['consumers'][app]['running'] is True

    # every consumer mounts the named volumes at the same paths, the read-only one read-only
    want = {'/datastore': (data + '-datastore', True), '/var/lib/db': (data + '-var-lib-db', True)}
    assert dict((p, mounted(api, app)[p]) for p in want) == want
    assert dict((p, mounted(api, idle)[p]) for p in want) == want
    assert dict((p, mounted(api, reader)[p]) for p in want) == dict((p, (v, False)) for p, (v, dummy) in want.items())
    for name in consumers:
        assert api.inspect_container(name)['HostConfig']['VolumesFrom'] in (None, [])
    # the data is the same, read back through each consumer (the idle one through --volumes-from of it)
    assert listing(sh(api, reader, LISTING)) == scene['listing']
    assert listing(run_as_root(api, app, LISTING)) == scene['listing']
    assert listing(lab.run(LISTING, volumes_from=[idle])) == scene['listing']
    assert sh(api, reader, 'echo no > /datastore/g')[0] != 0
    assert run_as_root(api, app, 'cat /own/f') == (0, 'mine')
    # the same containers in every other setting, running as they did
    after = dict((name, api.inspect_container(name)) for name in consumers)
    for name in consumers:
        differ = inspect_differences(before[name], after[name])
        if before[name]['Config']['Hostname'] == before[name]['Id'][:12]:  # the engine's default, its new ID now
            assert after[name]['Config']['Hostname'] == after[name]['Id'][:12]
            differ.remove('Config.Hostname')
        # the default bridge's legacy top-level copies of what MAY_DIFFER allows per network (engine-chosen)
        differ = [path for path in differ if path not in BRIDGE_CHOSEN]
        assert differ == [], name
        assert after[name]['State']['Running'] is before[name]['State']['Running'], name
        ro = ':ro' if name == reader else ''
        assert set(['%s-datastore:/datastore%s' % (data, ro), '%s-var-lib-db:/var/lib/db%s' % (data, ro)]) <= \
            set(after[name]['HostConfig']['Binds'])
    assert after[idle]['State']['Status'] == 'created'
    # the data container is kept, unwired, with its volumes, as a fallback
    assert mounted(api, data) == old
    assert api.containers(all=True, filters={'label': 'persistent.volumes.temporary=convert'}) == []

    # writes go to the named volume; a re-run changes nothing and copies nothing again
    assert run_as_root(api, app, 'echo later > /datastore/f') == (0, '')
    again = convert(data, method=method)
    assert again['rc'] == 0 and again['changed'] is False and again['actions'] == [], again
    assert all(entry['copied'] is False for entry in again['volumes'].values())
    assert sh(api, reader, 'cat /datastore/f') == (0, 'later')
    assert dict((n, api.inspect_container(n)['Id']) for n in consumers) == dict((n, after[n]['Id']) for n in consumers)


def test_remove_data_container_keeps_its_volumes_then_no_change(lab, api):
    data = data_container(lab, paths=('/datastore',))
    lab.write('/datastore/f', 'precious', volumes_from=[data])
    app = lab.container(lab.name('app'), volumes_from=[data], start=True, command=LOOP)
    old = mounted(api, data)['/datastore'][0]
    done = convert(data, remove_data_container=True, volume_names={'/datastore': lab.name('appdata')})
    assert done['rc'] == 0 and done['changed'] is True and done['container']['removed'] is True, done
    assert api.containers(all=True, filters={'name': '^/%s$' % data}) == []
    assert api.inspect_volume(old)['Name'] == old   # never deleted
    assert sh(api, app, 'cat /datastore/f') == (0, 'precious')
    assert mounted(api, app)['/datastore'] == (lab.name('appdata'), True)
    again = convert(data, remove_data_container=True, volume_names={'/datastore': lab.name('appdata')})
    assert again['rc'] == 0 and again['changed'] is False, again
    assert again['volumes'] == {'/datastore': {'volume': lab.name('appdata'), 'copied': False}}
    api.remove_volume(old)


def test_quiesce_none_leaves_consumers_running(lab, api):
    data = data_container(lab, paths=('/datastore',))
    lab.write('/datastore/f', 'precious', volumes_from=[data])
    app = lab.container(lab.name('app'), volumes_from=[data], start=True, command=LOOP)
    done = convert(data, quiesce='none')
    assert done['rc'] == 0 and done['changed'] is True and done['stopped'] == [], done
    assert not any('stop %s while' % app in action for action in done['actions'])
    assert sh(api, app, 'cat /datastore/f') == (0, 'precious')


def test_a_data_container_without_consumers_is_converted_once(lab, api):
    data = data_container(lab, paths=('/datastore',))
    lab.write('/datastore/f', 'precious', volumes_from=[data])
    assert convert(data)['changed'] is True
    volume = data + '-datastore'
    assert lab.read('/datastore/f', binds=['%s:/datastore' % volume]) == 'precious'
    lab.write('/datastore/f', 'written since', binds=['%s:/datastore' % volume])
    again = convert(data)
    assert again['rc'] == 0 and again['changed'] is False, again
    assert lab.read('/datastore/f', binds=['%s:/datastore' % volume]) == 'written since'   # never copied over


def refusal_scene(lab, api, case):
    """A data container and what is in the way of its conversion; (data container name, args, fragments)."""
    data = data_container(lab, paths=('/datastore',)) if case != 'bind' else None
    if case == 'bind':
        data = lab.name('dc')
        # (Not /tmp: under Docker 26's lab engine it holds the engine's data root, which is never bound.)
        host_dir = tempfile.mkdtemp(prefix='pvt-bind-', dir='/var/tmp')
        assert run_module('data_container', {'name': data, 'volumes': ['/datastore', '%s:/hostdir' % host_dir]})['rc'] == 0
        return data, {}, ['/hostdir (host directory %s)' % host_dir, 'is a bind mount']
    volume = mounted(api, data)['/datastore'][0]
    if case == 'running':
        other = lab.name('started')
        lab.container(other, volumes=['/x'], start=True, command=LOOP)
        return other, {}, ['Refusing to convert %s: it is running' % other]
    if case == 'by_name':
        other = lab.container(lab.name('other'), binds=['%s:/elsewhere' % volume], command=LOOP)
        return data, {}, ['%s mounts volume %s' % (other, volume), 'without being wired to %s' % data]
    if case == 'second_path':
        app = lab.container(lab.name('app'), binds=['%s:/again' % volume], volumes_from=[data], command=LOOP)
        return data, {}, ['%s mounts volume %s' % (app, volume), 'at /again too, by its name']
    if case == 'chain':
        app = lab.container(lab.name('app'), volumes_from=[data], command=LOOP)
        chained = lab.container(lab.name('chained'), volumes_from=[app], command=LOOP)
        return data, {}, ['%s mounts volume %s' % (chained, volume), 'without being wired']
    if case == 'other_data_container':
        other = lab.name('dc2')
        assert run_module('data_container', {'name': other, 'volumes': ['%s:/datastore' % volume]})['rc'] == 0
        return data, {}, ['%s mounts volume %s' % (other, volume)]
    if case == 'shadowed':
        app = lab.container(lab.name('app'), volumes=['/datastore'], binds=[lab.name('own') + ':/datastore'],
                            volumes_from=[data], command=LOOP)
        return data, {}, ['%s mounts %s of its own at /datastore' % (app, lab.name('own'))]
    if case == 'foreign_volume':
        api.create_volume(lab.name('taken'), labels={'pvtest': RUN_ID})
        return data, {'volume_names': {'/datastore': lab.name('taken')}}, [
            'volume %s exists already and was not made from its /datastore' % lab.name('taken')]
    if case == 'renamed':
        assert convert(data)['changed'] is True
        return data, {'volume_names': {'/datastore': lab.name('again')}}, [
            'its /datastore was converted into volume %s-datastore already, and volume_names asks for %s'
            % (data, lab.name('again'))]
    if case == 'unknown_path':
        return data, {'volume_names': {'/nowhere': 'xx'}}, ['volume_names: /nowhere is no path of data container']
    if case == 'bad_name':
        return data, {'volume_names': {'/datastore': 'x'}}, ["Invalid volume_names['/datastore'] volume name 'x'"]
    if case == 'same_name':
        two = data_container(lab, 'dc2')
        return two, {'volume_names': {'/datastore': lab.name('v'), '/var/lib/db': lab.name('v')}}, [
            'volume_names: /datastore and /var/lib/db would both become volume %s' % lab.name('v')]
    if case == 'not_data_only':
        other = lab.name('ran')
        lab.container(other, volumes=['/x'], command=['true'])
        api.start(other)
        api.wait(other, timeout=30)
        return other, {}, ['Refusing to convert %s: it is not a data container (it has been started' % other]
    raise AssertionError(case)


@pytest.mark.parametrize('case', ['bind', 'running', 'by_name', 'second_path', 'chain', 'other_data_container',
                                  'shadowed', 'foreign_volume', 'renamed', 'unknown_path', 'bad_name', 'same_name',
                                  'not_data_only'])
def test_what_cannot_be_converted_faithfully_is_refused(lab, api, case):
    data, args, fragments = refusal_scene(lab, api, case)
    names = container_names(api, lab.prefix)
    untouched = state(api, names, lab.prefix)
    for check in (True, False):
        result = convert(data, check=check, **args)
        failed(result, *fragments)
        assert state(api, names, lab.prefix) == untouched


def test_a_missing_data_container_is_named(lab):
    failed(convert(lab.name('nothing')), "Container %r does not exist, and no volume was converted from it." % lab.name('nothing'))


def test_a_converted_host_is_described_and_kept_by_layout(lab, api):
    data = data_container(lab, paths=('/datastore',))
    lab.write('/datastore/f', 'precious', volumes_from=[data])
    app = lab.container(lab.name('app'), volumes_from=[data], start=True, command=LOOP)
    old = mounted(api, data)['/datastore'][0]
    assert convert(data)['changed'] is True
    volume = data + '-datastore'

    info = run_module('volume_info', {'include_layout': True})
    entry = [v for v in info['volumes'] if v['name'] == volume][0]
    assert entry['converted_from'] == {'container': data, 'path': '/datastore', 'volume': old}
    assert [v for v in info['volumes'] if v['name'] == old][0]['converted_from'] is None
    item = [c for c in info['layout']['consumers'] if c['container'] == app][0]
    assert item['volumes'] == ['%s:/datastore' % volume] and item['from'] == []
    rows = [row for row in storage_rows(info) if row['storage'] == volume]
    assert rows and all(row['converted_from'] == '%s:/datastore' % data for row in rows)

    kept = run_module('layout', {'consumers': [item]})
    assert kept['rc'] == 0 and kept['changed'] is False, kept

    # a consumer declared with a named volume: created, then no change
    new = lab.name('new')
    consumer = dict(container=new, image=IMAGE, command=LOOP, running=True, volumes=['%s:/data:ro' % volume])
    for check in (True, False):
        made = run_module('layout', {'consumers': [consumer]}, check=check)
        assert made['rc'] == 0 and made['changed'] is True, made
    assert mounted(api, new)['/data'] == (volume, False)
    assert sh(api, new, 'cat /data/f') == (0, 'precious')
    assert run_module('layout', {'consumers': [consumer]})['changed'] is False
    # another volume where one is mounted is refused (never dropped silently), and so is a host path
    failed(run_module('layout', {'consumers': [dict(consumer, volumes=['%s:/data' % lab.name('other')])]}),
           'Refusing to mount %s over /data in %s: the container holds volume %s there' % (lab.name('other'), new, volume))
    failed(run_module('layout', {'consumers': [dict(consumer, volumes=['/etc:/data'])]}),
           "consumers[0] (%s): Invalid volumes[0] volume name '/etc'" % new)


def test_the_convert_playbook_backs_up_first_then_converts(lab, api, tmp_path, ansible_env):
    data = data_container(lab, paths=('/datastore',))
    lab.write('/datastore/f', 'precious', volumes_from=[data])
    app = lab.container(lab.name('app'), volumes_from=[data], start=True, command=LOOP)
    backups = tmp_path / 'backups'
    extra = json.dumps(dict(convert_hosts='localhost', data_volume_container_backup_dir=str(backups),
                            ansible_python_interpreter=venv_tool('python'),
                            convert_containers=[{'container': data, 'volume_names': {'/datastore': lab.name('appdata')}}]))
    playbook = os.path.join(os.getcwd(), 'playbooks', 'convert.yml')

    def play():
        proc = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook, '-e', extra],
                              env=ansible_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False)
        return proc.returncode, proc.stdout.decode()

    code, output = play()
    assert code == 0, output
    archives = sorted(path.name for path in backups.iterdir() if path.name.endswith('.tar.gz'))
    assert len(archives) == 1 and archives[0].startswith(data + '.'), archives
    assert mounted(api, app)['/datastore'] == (lab.name('appdata'), True)
    assert sh(api, app, 'cat /datastore/f') == (0, 'precious')
    code, output = play()
    assert code == 0 and 'changed=0' in output, output
    assert sorted(path.name for path in backups.iterdir() if path.name.endswith('.tar.gz')) == archives
