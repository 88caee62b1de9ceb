# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The benchmark's objects and engines: the lists both tools get, the clean-up, the check
that both left the same state, and the CPU time of engines and clients."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import resource

import docker

from bench_common import BenchError, logger

log = logger('bench')

MAIN_ENGINE = 'unix:///var/run/docker.sock'
IMAGE = 'local/busybox:latest'
PREFIX = {'peer': 'bench_cd_', 'ours': 'bench_pv_'}


def engine_pid(docker_host):
    """The pid of the engine on a Unix socket: its pid file lies next to the socket (docker.pid),
    as for /var/run/docker.sock and the lab hosts' /tmp/pvlab/hostI/run/docker.sock."""
    path = docker_host[len('unix://'):] if docker_host.startswith('unix://') else docker_host
    try:
        with open(os.path.join(os.path.dirname(path), 'docker.pid')) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def tree_cpu(pids):
    """CPU seconds (user + system, own and reaped children) of the processes and their descendants."""
    table = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry)] = (int(fields[1]), sum(int(value) for value in fields[11:15]))
    children = {}
    for pid, (ppid, dummy) in table.items():
        children.setdefault(ppid, []).append(pid)
    ticks, todo, seen = 0, [pid for pid in pids if pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        ticks += table[pid][1]
        todo.extend(children.get(pid, []))
    return ticks / float(os.sysconf('SC_CLK_TCK'))


def client_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- the objects --------------------------------------------------------------------------


def layout_vars(prefix, count):
    """The lists both playbooks get: the same objects, named with the tool's prefix."""
    data_containers = []
    consumers = []
    for index in range(1, count + 1):
        data = '%sdc_%02d' % (prefix, index)
        data_containers.append({'name': data, 'image': IMAGE, 'volumes': ['/data']})
        consumers.append({'container': '%sc_%02d' % (prefix, index), 'from': [data], 'image': IMAGE,
                          'command': ['sleep', '1000000']})
    return {'bench_data_containers': data_containers, 'bench_consumers': consumers}


def started_vars(prefix, count):
    """The same lists with every consumer started (the role scenario's comparison with the peer)."""
    lists = layout_vars(prefix, count)
    for consumer in lists['bench_consumers']:
        consumer['running'] = True
    return lists


def engine(docker_host):
    return docker.APIClient(base_url=docker_host, version='auto', timeout=120)


def own_containers(api, prefix):
    return [c for c in api.containers(all=True)
            if any(name.lstrip('/').startswith(prefix) and '/' not in name.lstrip('/') for name in c.get('Names') or [])]


def clean(docker_host, prefix):
    """Remove the benchmark's containers (force) and then the volumes they mounted."""
    api = engine(docker_host)
    try:
        mine = own_containers(api, prefix)
        volumes = set()
        for container in mine:
            for mount in container.get('Mounts') or []:
                if mount.get('Type') == 'volume' and mount.get('Name'):
                    volumes.add(mount['Name'])
        for container in mine:
            try:
                api.remove_container(container['Id'], force=True, v=True)
            except docker.errors.NotFound:
                pass
        for name in sorted(volumes):
            try:
                api.remove_volume(name)
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError as exc:
                log('WARNING: volume %s not removed: %s' % (name, exc.explanation or exc))
        left = own_containers(api, prefix)
        if left:
            raise BenchError('containers %s still exist after the clean-up on %s'
                             % (', '.join(c['Names'][0] for c in left), docker_host))
    finally:
        api.close()


def verify(docker_host, prefix, count, started=False):
    """Both tools must leave the same state: N data containers with a volume at /data, N
    consumers mounting that very volume; the data containers never started, the consumers
    running when ``started`` and else not."""
    api = engine(docker_host)
    try:
        containers = {c['Names'][0].lstrip('/'): c for c in own_containers(api, prefix)}
    finally:
        api.close()

    def data_volume(name, running=False):
        container = containers.get(name)
        if container is None:
            raise BenchError('%s: container %s missing' % (docker_host, name))
        if (container.get('State') == 'running') != running:
            should = 'run' if running else 'only be created'
            raise BenchError('%s: container %s is %s; it should %s' % (docker_host, name, container.get('State'), should))
        found = [m.get('Name') for m in container.get('Mounts') or []
                 if m.get('Destination') == '/data' and m.get('Type') == 'volume']
        if len(found) != 1:
            raise BenchError('%s: container %s does not mount one volume at /data (%s)' % (docker_host, name, found))
        return found[0]

    for index in range(1, count + 1):
        data = data_volume('%sdc_%02d' % (prefix, index))
        used = data_volume('%sc_%02d' % (prefix, index), started)
        if data != used:
            raise BenchError('%s: %sc_%02d mounts volume %s at /data, its data container has %s'
                             % (docker_host, prefix, index, used, data))
    if len(containers) != 2 * count:
        raise BenchError('%s: %d containers with prefix %s, expected %d' % (docker_host, len(containers), prefix, 2 * count))
