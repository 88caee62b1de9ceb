# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/storage_map.yml on the lab fleet, and its page checked in headless Chromium.

The fleet: two lab hosts reached over SSH with become, as users reach theirs (scripts/fleet-up.sh:
host1 with the founding pattern, bind mounts and dangling volumes, host2 with a hundred volumes),
a host whose SSH port is closed (unreachable) and a host whose engine is not there. The page and
screenshots go to .build/storage-map/: storage-map.png (the top of the page), hundred-volumes.png
(host2 alone, its top) and hundred-volumes-picture.png (its whole picture).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os
import re
import socket
import subprocess
import sys
import tarfile

import pytest

from conftest import IMAGE, RUN_ID, own_problems, run_module, venv_tool
from page_check import chromium, dump_dom, read_dom, screenshot
from lab import Fleet

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import human_size

NO_BROWSER = "Debian's chromium is not installed (make deps installs it)"

PLAYBOOK = os.path.join(os.getcwd(), 'playbooks', 'storage_map.yml')
SHOTS = os.path.join(os.getcwd(), '.build', 'storage-map')
KiB = 1024


def closed_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def put_file(client, container, directory, size):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode='w') as archive:
        info = tarfile.TarInfo('payload')
        info.size = size
        archive.addfile(info, io.BytesIO(b'x' * size))
    client.put_archive(container, directory, data.getvalue())


def layout(engine, **items):
    result = run_module('layout', dict(items, docker_host=engine.docker_host))
    assert result['rc'] == 0 and result['changed'], result
    return result


def build_small(engine, client):
    """The founding pattern with bind mounts, a container with a volume of its own, and two
    dangling volumes (one anonymous)."""
    for directory in ('conf', 'logs'):
        os.makedirs(os.path.join(engine.root, directory))
    app = dict(image=IMAGE, command=['sleep', '3600'], running=False)
    layout(engine, data_containers=[
        dict(name='dc-db', volumes=['pgdata:/var/lib/postgresql/data', '/backup']),
        dict(name='dc-www', volumes=['www:/srv/www', '%s/conf:/etc/app:ro' % engine.root]),
    ], consumers=[
        dict(app, container='db', **{'from': ['dc-db']}),
        dict(app, container='web', binds=[dict(source=engine.root + '/logs', target='/logs', create_source=False)],
             **{'from': ['dc-www:ro']}),
    ])
    client.create_container(IMAGE, ['sleep', '3600'], name='cache',
                            host_config=client.create_host_config(binds=['cachevol:/cache']))
    client.start('cache')
    client.create_volume('old-data')
    client.create_volume()
    put_file(client, 'dc-db', '/var/lib/postgresql/data', 40 * KiB)
    put_file(client, 'dc-db', '/backup', 3 * KiB)


def build_hundred(engine, client):
    """100 volumes: 20 data containers with two named volumes each, 10 consumers, 55 dangling
    named volumes and 5 dangling anonymous ones."""
    layout(engine, data_containers=[
        dict(name='store-%02d' % n, volumes=['store-%02d-data:/var/lib/app' % n, 'store-%02d-logs:/var/log/app' % n])
        for n in range(20)
    ], consumers=[
        {'container': 'app-%02d' % n, 'image': IMAGE, 'command': ['sleep', '3600'], 'running': False,
         'from': ['store-%02d' % n] + (['store-%02d:ro' % (n + 10)] if n % 2 else [])}
        for n in range(10)
    ])
    for n in range(0, 20, 3):
        put_file(client, 'store-%02d' % n, '/var/lib/app', (n + 1) * 16 * KiB)
    for n in range(55):
        client.create_volume('leftover-%02d' % n)
    for n in range(5):
        client.create_volume()


def facts(client):
    """What the engine has: data containers (never started, made by the collection), volumes, dangling ones."""
    containers = [client.inspect_container(c['Id']) for c in client.containers(all=True)]
    used = set(m.get('Name') for c in containers for m in c['Mounts'] if m.get('Name'))
    volumes = set(v['Name'] for v in client.volumes()['Volumes'])
    data = set(c['Name'].lstrip('/') for c in containers
               if 'persistent.volumes.data-container' in (c['Config'].get('Labels') or {}))
    sizes = dict((v['Name'], v['UsageData']['Size']) for v in client.df()['Volumes'])
    return dict(data_containers=data, volumes=volumes, dangling=volumes - used,
                size=sum(sizes.values()), dangling_size=sum(sizes[name] for name in volumes - used))


class LabHost(object):
    """A lab host as the builders see it: its engine's socket from this machine, and a directory
    for its host paths (the lab's hosts share this machine's filesystem)."""

    def __init__(self, name, socket_url, root):
        self.name = name
        self.docker_host = socket_url
        self.root = root


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    with Fleet(count=2) as lab:
        hosts = dict(small=lab.hosts[0], hundred=lab.hosts[1])
        engines = dict((name, LabHost(host, lab.sockets[host], str(tmp_path_factory.mktemp('host-' + name))))
                       for name, host in hosts.items())
        clients = dict((name, lab.api(host)) for name, host in hosts.items())
        try:
            build_small(engines['small'], clients['small'])
            build_hundred(engines['hundred'], clients['hundred'])
            yield dict((name, dict(engine=engines[name], host=hosts[name], inventory=lab.inventory,
                                   **facts(clients[name]))) for name in engines)
        finally:
            for client in clients.values():
                client.close()


def inventory(fleet, path):
    """The lab's own inventory (its hosts over SSH), and one of two more hosts that cannot be read."""
    local = '      ansible_connection: local\n      ansible_python_interpreter: %s\n' % sys.executable
    text = 'docker_hosts:\n  hosts:\n'
    text += '    lab-down:\n%s      data_volume_container_docker_host: unix:///nonexistent/pv-%s.sock\n' % (local, RUN_ID)
    text += ('    lab-gone:\n      ansible_host: 127.0.0.1\n      ansible_port: %d\n      ansible_user: nobody\n'
             '      ansible_ssh_common_args: -o BatchMode=yes -o ConnectTimeout=5\n' % closed_port())
    path.write_text(text)
    return [fleet['small']['inventory'], str(path)]


def play(inventories, work, ansible_env, *options):
    """ansible-playbook storage_map.yml started in ``work`` (the shell's PWD too); its output."""
    env = dict(ansible_env, PWD=str(work))
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the lab's inventory names its hosts' Python
    sources = [option for inventory_path in inventories for option in ('-i', inventory_path)]
    proc = subprocess.run([venv_tool('ansible-playbook')] + sources + [PLAYBOOK] + list(options), env=env,
                          cwd=str(work), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False)
    output = proc.stdout.decode()
    assert proc.returncode == 0, output
    return output


@pytest.fixture(scope='module')
def page(fleet, tmp_path_factory, ansible_env):
    """The page written for the fleet (at the default place: the directory the play was started
    in), its rendered DOM (sorted by size, descending) and the play's output."""
    if chromium() is None:
        pytest.skip(NO_BROWSER)
    work = tmp_path_factory.mktemp('storage-map')
    dest = str(work / 'storage-map.html')
    output = play(inventory(fleet, work / 'fleet.yml'), work, ansible_env)
    assert 'written to %s' % dest in output
    with open(dest) as handle:
        html = handle.read()
    os.makedirs(SHOTS, exist_ok=True)
    with open(os.path.join(SHOTS, 'storage-map.html'), 'w') as handle:
        handle.write(html)
    screenshot('file://' + dest, os.path.join(SHOTS, 'storage-map.png'), height=1400)
    hundred = fleet['hundred']['host']
    screenshot('file://' + dest + '#host=' + hundred, os.path.join(SHOTS, 'hundred-volumes.png'), height=1400)
    picture = float(re.findall(r'<svg [^>]*height="([0-9.]+)"[^>]*aria-label="%s"' % hundred, html)[0])
    screenshot('file://' + dest + '#host=' + hundred, os.path.join(SHOTS, 'hundred-volumes-picture.png'),
               height=int(picture) + 200)
    return dict(html=html, dom=read_dom(dump_dom('file://' + dest + '#sort=size-desc')), output=output)


def names(dom, host, inside, **where):
    """data-name values of the elements of ``host``'s section in its svg or table."""
    found = set()
    for element in dom:
        if element.host != host or element.inside != inside or 'data-name' not in element.attrs:
            continue
        if all(value in element.classes if key == 'cls' else element.attrs.get(key) == value
               for key, value in where.items()):
            found.add(element.attrs['data-name'])
    return found


@pytest.mark.parametrize('name', ['small', 'hundred'])
def test_every_object_in_picture_and_table(fleet, page, name):
    dom, host, expected = page['dom'], fleet[name]['host'], fleet[name]
    assert expected['data_containers'] and expected['dangling']
    assert names(dom, host, 'svg', **{'data-kind': 'volume'}) == expected['volumes']
    assert names(dom, host, 'svg', **{'data-kind': 'data_container'}) == expected['data_containers']
    assert names(dom, host, 'svg', cls='pv-dangling') == expected['dangling']
    assert expected['volumes'] | expected['data_containers'] <= names(dom, host, 'table')
    dangling_rows = [e for e in dom if e.host == host and e.tag == 'tr' and 'dangling' in e.classes]
    assert len(dangling_rows) == len(expected['dangling'])
    assert len([e for e in dom if e.tag == 'section' and e.attrs.get('data-host') == host]) == 1


def test_small_host_edges_and_bind_mounts(fleet, page):
    edges = set((e.attrs['data-source'], e.attrs['data-target'], e.attrs['data-path'], 'pv-ro' in e.classes)
                for e in page['dom'] if e.host == fleet['small']['host'] and e.tag == 'g' and 'pv-edge' in e.classes)
    root = fleet['small']['engine'].root
    assert {('db', 'dc-db', '', False), ('web', 'dc-www', '', True), ('cache', 'cachevol', '/cache', False),
            ('dc-db', 'pgdata', '/var/lib/postgresql/data', False), ('dc-www', root + '/conf', '/etc/app', True),
            ('web', root + '/logs', '/logs', False)} <= edges
    labels = [e.text for e in page['dom'] if e.host == fleet['small']['host'] and 'pv-edge-label' in e.classes]
    assert '/etc/app (ro)' in labels and 'volumes-from (ro)' in labels


def test_fleet_summary_lists_hosts_not_reached(fleet, page):
    dom = page['dom']
    cell = dict((e.attrs['data-key'], e.text.strip()) for e in dom if e.tag == 'td' and e.attrs.get('data-key'))
    volumes = len(fleet['small']['volumes']) + len(fleet['hundred']['volumes'])
    dangling = len(fleet['small']['dangling']) + len(fleet['hundred']['dangling'])
    assert (cell['hosts'], cell['volumes'], cell['dangling_volumes'], cell['missed']) == (
        '2 read of 4', str(volumes), str(dangling), '2')
    size = fleet['small']['size'] + fleet['hundred']['size']
    assert size > 1024 * KiB and (cell['size'], cell['dangling_size']) == (human_size(size), '0 B')
    missed = dict((e.attrs['data-host'], e.text) for e in dom if e.tag == 'li' and e.attrs.get('data-host'))
    assert sorted(missed) == ['lab-down', 'lab-gone']
    assert '(unreachable)' in missed['lab-gone'] and 'Connection refused' in missed['lab-gone']
    assert 'Cannot talk to the Docker engine at unix:///nonexistent/pv-%s.sock' % RUN_ID in missed['lab-down']
    assert 'lab-gone' in page['output'] and 'failed=0' in page['output']


def test_tables_sort_in_the_browser(fleet, page):
    sorted_by = [e for e in page['dom'] if e.tag == 'th' and e.attrs.get('aria-sort')]
    assert sorted(e.attrs['aria-sort'] for e in sorted_by) == ['descending'] * 3  # the hosts' table and two hosts
    rows = [e for e in page['dom'] if e.host == fleet['small']['host'] and e.tag == 'td' and e.inside == 'table'
            and e.attrs.get('data-sort') is not None and e.attrs.get('class') == 'num']
    sizes = [int(e.attrs['data-sort']) for e in rows]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] >= 40 * KiB


def test_page_fetches_nothing(page):
    html = page['html']
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"" in html
    for marker in ('<link', '<img', '<iframe', 'src=', '@import', 'url(', '@font-face'):
        assert marker not in html, marker
    assert re.findall(r'https?://[^"\s<]+', html) == ['http://www.w3.org/2000/svg'] * 2


def test_screenshots_written(page):
    for name in ('storage-map.png', 'hundred-volumes.png', 'hundred-volumes-picture.png'):
        with open(os.path.join(SHOTS, name), 'rb') as handle:
            assert handle.read(8) == b'\x89PNG\r\n\x1a\n'


def test_dest_and_a_fleet_without_any_engine(tmp_path, ansible_env):
    """storage_map_dest is where the page goes; a fleet that cannot be read still gets its page."""
    (tmp_path / 'run').mkdir()
    inventory_path = tmp_path / 'down.yml'
    inventory_path.write_text('docker_hosts:\n  hosts:\n    lab-down:\n      ansible_connection: local\n'
                              '      ansible_python_interpreter: %s\n      data_volume_container_docker_host: '
                              'unix:///nonexistent/pv-%s.sock\n' % (sys.executable, RUN_ID))
    dest = tmp_path / 'out' / 'map.html'
    dest.parent.mkdir()
    play([str(inventory_path)], tmp_path / 'run', ansible_env, '-e', 'storage_map_dest=%s' % dest)
    html = dest.read_text()
    assert not (tmp_path / 'run' / 'storage-map.html').exists()
    assert '<li data-host="lab-down"><b>lab-down</b>:' in html and '0 read of 1' in html
    assert '<section class="host"' not in html


@pytest.mark.parametrize('name', ['storage_graph', 'storage_rows', 'storage_summary'])
def test_filter_docs_render(name, ansible_env):
    proc = subprocess.run([venv_tool('ansible-doc'), '-t', 'filter', 'persistent.volumes.%s' % name], env=ansible_env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, check=False)
    assert proc.returncode == 0 and not own_problems(proc.stderr.decode()), proc.stderr.decode()
    text = proc.stdout.decode()
    for heading in ('OPTIONS', 'EXAMPLES', 'RETURN VALUES', 'volume_info'):
        assert heading in text, heading
