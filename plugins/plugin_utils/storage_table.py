# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The storage map's table (one row per use of a volume or host path) and a host's summary."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.plugin_utils.storage_model import (
    BIND,
    DATA_CONTAINER,
    HOST_PATH,
    VOLUME,
    build_model,
    human_size,
)


def _row(storage, kind, container=None, path=None, read_only=False, via=None, volume=None):
    volume = volume or {}
    return dict(storage=storage, kind=kind, size_bytes=volume.get('size_bytes'),
                size=human_size(volume.get('size_bytes')) if 'size_bytes' in volume else '',
                anonymous=bool(volume.get('anonymous')), dangling=bool(volume.get('dangling')),
                data_container=volume.get('data_container'), container=container, path=path,
                mode=('ro' if read_only else 'rw') if container else '', via=via,
                converted_from=_origin(volume.get('converted_from')))


def _origin(converted):
    """``container:/path`` a converted volume's data came from, or None."""
    return '%s:%s' % (converted['container'], converted.get('path')) if converted else None


def storage_rows(result):
    """One row per (volume or host path, container using it); a dangling volume has one row
    without a container. Sorted by storage, then container and path."""
    model = build_model(result)
    volumes = result if isinstance(result, list) else result['volumes']
    rows = []
    for volume in volumes:
        uses = volume.get('used_by') or []
        for use in uses:
            rows.append(_row(volume['name'], VOLUME, use['container'], use.get('destination'), use.get('read_only'),
                             (use.get('via') or 'mount').replace('_', '-'), volume))
        if not uses:
            rows.append(_row(volume['name'], VOLUME, volume=volume))
    for edge in model.edges:
        if edge.kind == BIND:
            rows.append(_row(model.nodes[edge.target].name, HOST_PATH, model.nodes[edge.source].name, edge.path,
                             edge.read_only, BIND))
    for row in rows:
        row['container_kind'] = model.nodes['c:' + row['container']].kind if row['container'] else None
    return sorted(rows, key=lambda row: (row['kind'] != VOLUME, row['storage'], row['container'] or '', row['path'] or ''))


def storage_summary(result):
    """Counts and sizes of one host: volumes, dangling volumes, containers, host paths."""
    model = build_model(result)
    volumes = model.of_kind(VOLUME)
    dangling = [node for node in volumes if node.dangling]
    summary = dict(
        volumes=len(volumes),
        anonymous_volumes=len([node for node in volumes if node.anonymous]),
        dangling_volumes=len(dangling),
        data_containers=len(model.of_kind(DATA_CONTAINER)),
        containers=len(model.of_kind('container')),
        host_paths=len(model.of_kind(HOST_PATH)),
        sizes_known=model.sizes_known,
        size_bytes=sum(node.size or 0 for node in volumes),
        dangling_size_bytes=sum(node.size or 0 for node in dangling),
    )
    summary['size'] = human_size(summary['size_bytes']) if model.sizes_known else '?'
    summary['dangling_size'] = human_size(summary['dangling_size_bytes']) if model.sizes_known else '?'
    return summary
