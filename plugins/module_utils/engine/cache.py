# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An EngineAPI that answers reads from one listing, for modules that handle many objects.

The layout module converges a whole host in one run. Every planner asks the engine the
same questions the single modules ask; this wrapper answers them from one listing of
volumes and containers and one inspection per container. What this run writes is
kept up to date: a created volume joins the volume listing, a created container is
inspected once and joins the container listing; any other write (and any failed one)
makes it forget what it knows. A name the container listing does not hold is answered
"no such container" without asking; another client creating it meanwhile makes the
create answer 409, and the module looks again. In check mode the layout puts a data
container's predicted state in place of the real one (``predict``), so that consumers
are planned against what a real run would have created.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.persistent.volumes.plugins.module_utils.engine.interface import EngineInterface

# A name the engine may take for an ID prefix: always asked.
HEX = re.compile(r'^[0-9a-fA-F]+\Z')


def summary_from_inspect(raw):
    """The entry ``GET /containers/json`` lists for the container that ``raw`` inspects."""
    config = raw.get('Config') or {}
    return {
        'Id': raw.get('Id'),
        'Names': ['/' + (raw.get('Name') or '').lstrip('/')],
        'Image': config.get('Image'),
        'ImageID': raw.get('Image'),
        'Labels': config.get('Labels') or {},
        'State': (raw.get('State') or {}).get('Status'),
        'Mounts': list(raw.get('Mounts') or []),
    }


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


def _read_through(name):
    """A read this cache does not keep: asked of the wrapped API each time."""
    def read(self, *args, **kwargs):
        return getattr(self._api, name)(*args, **kwargs)
    read.__name__ = name
    read.__doc__ = 'Passed through to the wrapped API.'
    return read


def _write_through(name):
    """A write: passed through, then what is known is brought up to date (``_written``)."""
    def write(self, *args, **kwargs):
        return self._write(name, *args, **kwargs)
    write.__name__ = name
    write.__doc__ = 'Passed through to the wrapped API; the cache follows (see _written).'
    return write


class CachedAPI(EngineInterface):
    """An EngineAPI that answers the reads below from one listing (see the module's docstring).

    Cached: ``list_volumes``, ``inspect_volume``, ``list_containers``, ``inspect_container``,
    ``inspect_image``, ``info``. Passed through: the other reads (``version``, ``disk_usage``,
    ``list_networks``, ``archive_head``, ``archive_stream``). Writes are passed through and
    bring the cache up to date (or make it forget).
    """

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

    # --- reads passed through, writes passed through (see _written) -------------------
    version = _read_through('version')
    disk_usage = _read_through('disk_usage')
    list_networks = _read_through('list_networks')
    container_changes = _read_through('container_changes')
    archive_head = _read_through('archive_head')
    archive_stream = _read_through('archive_stream')

    create_volume = _write_through('create_volume')
    remove_volume = _write_through('remove_volume')
    create_container = _write_through('create_container')
    create_container_raw = _write_through('create_container_raw')
    connect_network = _write_through('connect_network')
    remove_container = _write_through('remove_container')
    rename_container = _write_through('rename_container')
    start_container = _write_through('start_container')
    stop_container = _write_through('stop_container')
    pause_container = _write_through('pause_container')
    unpause_container = _write_through('unpause_container')
    exec_command = _write_through('exec_command')
    put_archive = _write_through('put_archive')
    import_image = _write_through('import_image')
    pull_image = _write_through('pull_image')

    @property
    def call_count(self):
        return self._api.call_count

    def _write(self, name, *args, **kwargs):
        try:
            answer = getattr(self._api, name)(*args, **kwargs)
        except Exception:
            self.forget(images=True)
            raise
        self._written(name, args, answer)
        return answer

    def _written(self, name, args, answer):
        """Bring what is known up to date after the write ``name(*args)`` answered ``answer``."""
        if name == 'create_volume' and isinstance(answer, dict) and answer.get('Name'):
            if self._volumes is not None:
                self._volumes = [raw for raw in self._volumes if raw.get('Name') != answer['Name']] + [answer]
                self._volume_index = None
        elif name in ('create_container', 'create_container_raw') and isinstance(answer, dict) and answer.get('Id'):
            self._volumes = self._volume_index = None  # the engine may have made anonymous volumes
            self._refresh(answer['Id'], new=True)
        elif name in ('start_container', 'stop_container') and args:
            self._refresh(args[0], new=False)
        else:
            self.forget(images=name in ('import_image', 'pull_image'))

    def _refresh(self, name_or_id, new):
        """Inspect the container this run just created (``new``) or started/stopped, and put it
        into the listing in place of what was known of it."""
        if self._containers is None:
            self.forget()
            return
        raw = self._api.inspect_container(name_or_id)
        known = [summary for summary in self._containers if raw and summary.get('Id') == raw.get('Id')]
        if not raw or (not new and not known):
            self.forget()
            return
        self._inspected = dict((key, value) for key, value in self._inspected.items()
                               if not value or value.get('Id') != raw.get('Id'))
        self._inspected.pop(name_or_id, None)
        self._containers = [summary for summary in self._containers if summary.get('Id') != raw.get('Id')]
        self._containers.append(summary_from_inspect(raw))
        self._filtered = {}
        self._remember(raw)

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

    def forget_predictions(self):
        """Answer from what the engine has again, after a rehearsal in check mode."""
        self._predicted = {}

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
            if self._unlisted(name_or_id):
                return None
            raw = self._api.inspect_container(name_or_id)
            self._inspected[name_or_id] = raw
            self._remember(raw)
        return self._inspected[name_or_id]

    def _remember(self, raw):
        if raw:
            self._inspected[raw.get('Id')] = raw
            self._inspected[(raw.get('Name') or '').lstrip('/')] = raw

    def _unlisted(self, name):
        """True when the container listing surely has no container of that name."""
        if self._containers is None or not name or HEX.match(name):
            return False
        wanted = '/' + name.lstrip('/')
        return not any(wanted in (summary.get('Names') or []) for summary in self._containers)

    def inspect_image(self, reference):
        if reference not in self._images:
            self._images[reference] = self._api.inspect_image(reference)
        return self._images[reference]

    def info(self):
        if self._info is None:
            self._info = self._api.info()
        return self._info
