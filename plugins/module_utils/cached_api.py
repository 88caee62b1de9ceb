# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An EngineAPI that answers reads from one listing, for modules that handle many objects.

The layout module converges a whole host in one run. Every planner asks the engine the
same questions the single modules ask; this wrapper answers them from one listing of
volumes and containers and one inspection per container, and forgets what it knows
as soon as anything is written. In check mode the layout puts a data container's
predicted state in place of the real one (``predict``), so that consumers are planned
against what a real run would have created.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

WRITES = ('create_volume', 'remove_volume', 'create_container', 'create_container_raw', 'remove_container',
          'rename_container', 'start_container', 'stop_container', 'put_archive', 'import_image', 'pull_image')


def _matches(summary, filters):
    for key, value in (filters or {}).items():
        if key == 'label':
            label, has_value, wanted = value.partition('=')
            labels = summary.get('Labels') or {}
            if label not in labels or (has_value and labels[label] != wanted):
                return False
        elif key == 'volume':
            if not any(value in (mount.get('Name'), mount.get('Destination')) for mount in summary.get('Mounts') or []):
                return False
        else:
            raise ValueError('filter %s is not supported here' % key)
    return True


class CachedAPI(object):
    def __init__(self, api):
        self._api = api
        self._volumes = None
        self._volume_index = None
        self._containers = None
        self._filtered = {}
        self._inspected = {}
        self._images = {}
        self._info = None
        self._predicted = {}

    def __getattr__(self, name):
        target = getattr(self._api, name)
        if name in WRITES:
            def write(*args, **kwargs):
                self.forget(images=name in ('import_image', 'pull_image'))
                try:
                    return target(*args, **kwargs)
                finally:
                    self.forget(images=name in ('import_image', 'pull_image'))
            return write
        return target

    def forget(self, images=False):
        self._volumes = None
        self._volume_index = None
        self._containers = None
        self._filtered = {}
        self._inspected = {}
        if images:
            self._images = {}

    def predict(self, name, raw):
        """Answer inspections of ``name`` with ``raw`` (check mode only)."""
        self._predicted[name] = raw

    def list_volumes(self):
        if self._volumes is None:
            self._volumes = self._api.list_volumes()
        return list(self._volumes)

    def inspect_volume(self, name):
        if self._volume_index is None:
            self._volume_index = dict((raw.get('Name'), raw) for raw in self.list_volumes())
        return self._volume_index.get(name)

    def list_containers(self, filters=None):
        if self._containers is None:
            self._containers = self._api.list_containers()
        key = tuple(sorted((filters or {}).items()))
        if key not in self._filtered:
            self._filtered[key] = [summary for summary in self._containers if _matches(summary, filters)]
        return list(self._filtered[key])

    def inspect_container(self, name_or_id):
        if name_or_id in self._predicted:
            return self._predicted[name_or_id]
        if name_or_id not in self._inspected:
            raw = self._api.inspect_container(name_or_id)
            self._inspected[name_or_id] = raw
            if raw:
                self._inspected[raw.get('Id')] = raw
                self._inspected[(raw.get('Name') or '').lstrip('/')] = raw
        return self._inspected[name_or_id]

    def inspect_image(self, reference):
        if reference not in self._images:
            self._images[reference] = self._api.inspect_image(reference)
        return self._images[reference]

    def info(self):
        if self._info is None:
            self._info = self._api.info()
        return self._info
