# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""volume_info results (include_usage, include_layout) of made-up hosts, in the module's shape."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

ANON = 'a' * 64
OLD_ANON = 'f' * 64
MIB = 1024 * 1024


def use(container, destination, read_only=False, via='mount'):
    return dict(container=container, destination=destination, read_only=read_only, via=via)


def volume(name, used_by=(), data_container=None, size=None, anonymous=False):
    return dict(name=name, driver='local', mountpoint='/var/lib/docker/volumes/%s/_data' % name, labels={},
                options={}, scope='local', created_at='2026-11-28T02:00:00Z', anonymous=anonymous,
                used_by=list(used_by), dangling=not used_by, data_container=data_container, size_bytes=size)


def small_host():
    """Two data containers (one with a bind entry), two consumers, a container with a volume
    of its own, a consumer bind mount, and two dangling volumes (one anonymous)."""
    volumes = [
        volume(ANON, [use('dc-db', '/backup'), use('db', '/backup', via='volumes_from')], 'dc-db', 2048, True),
        volume('cachevol', [use('cache', '/cache')], size=0),
        volume('old-data', size=5 * MIB),
        volume(OLD_ANON, size=None, anonymous=True),
        volume('pgdata', [use('dc-db', '/var/lib/postgresql/data'),
                          use('db', '/var/lib/postgresql/data', via='volumes_from')], 'dc-db', 48 * MIB),
        volume('www', [use('dc-www', '/srv/www'), use('web', '/srv/www', True, 'volumes_from')], 'dc-www', 1536),
    ]
    layout = dict(
        volumes=[dict(name=n, driver='local', driver_options={}, labels={}) for n in ('cachevol', 'old-data', 'pgdata', 'www')],
        data_containers=[dict(name='dc-db', volumes=['/backup', 'pgdata:/var/lib/postgresql/data'], labels={}),
                         dict(name='dc-www', volumes=['www:/srv/www', '/srv/conf:/etc/app:ro'], labels={})],
        consumers=[{'container': 'db', 'from': ['dc-db:rw'], 'binds': []},
                   {'container': 'web', 'from': ['dc-www:ro'],
                    'binds': [dict(source='/var/log/web', target='/logs', read_only=False, create_source=False)]}],
    )
    return dict(changed=False, volumes=volumes, layout=layout, api_calls=12)


def hundred_volumes():
    """100 volumes: 30 data containers with two each, 25 consumers (some wired to two data
    containers), 5 containers mounting a volume of their own, 35 dangling volumes."""
    volumes, data_containers, consumers = [], [], []
    for d in range(30):
        holder = 'store-%02d' % d
        takers = ['app-%02d' % c for c in range(25) if c % 30 == d or (c + 7) % 30 == d and c % 3 == 0]
        entries = []
        for k, path in enumerate(('/var/lib/app/data', '/var/log/app')):
            name = 'store-%02d-%s' % (d, 'data' if k == 0 else 'logs')
            uses = [use(holder, path)] + [use(t, path, via='volumes_from') for t in takers]
            volumes.append(volume(name, uses, holder, (d + 1) * (k + 1) * 3 * MIB))
            entries.append('%s:%s' % (name, path))
        data_containers.append(dict(name=holder, volumes=entries, labels={}))
    for c in range(25):
        froms = ['store-%02d:rw' % c] + (['store-%02d:ro' % ((c + 7) % 30)] if c % 3 == 0 else [])
        consumers.append({'container': 'app-%02d' % c, 'from': froms, 'binds': []})
    for c in range(5):
        volumes.append(volume('cache-%d' % c, [use('worker-%d' % c, '/cache')], size=c * MIB))
    for n in range(35):
        volumes.append(volume('%064x' % (n + 1) if n % 5 == 0 else 'leftover-%02d' % n, size=n * 100 * 1024,
                              anonymous=n % 5 == 0))
    return dict(volumes=sorted(volumes, key=lambda v: v['name']),
                layout=dict(volumes=[], data_containers=data_containers, consumers=consumers))
