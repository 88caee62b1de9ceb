# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The engine interface, declared once: every call the collection makes to an engine.

``EngineAPI`` (api.py) implements it on the Docker SDK, ``CachedAPI`` (cache.py) on top of
another implementation, and the unit tests' fakes in memory. A class that lacks one of these
methods cannot be instantiated (``abc``), and a unit test checks each implementation.
``READS`` and ``WRITES`` name the calls by what they do (``CachedAPI`` passes the reads it
does not cache through, and brings its listing up to date after each write).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import abc

# The calls that only read, and those that change the engine.
READS = ('list_volumes', 'inspect_volume', 'disk_usage', 'list_containers', 'inspect_container',
         'container_changes', 'list_networks', 'archive_head', 'archive_stream', 'version', 'info',
         'inspect_image')
WRITES = ('create_volume', 'remove_volume', 'create_container', 'create_container_raw', 'connect_network',
          'remove_container', 'rename_container', 'start_container', 'stop_container', 'pause_container',
          'unpause_container', 'exec_command', 'put_archive', 'import_image', 'pull_image')
# Bytes of a command's output kept (exec_command).
OUTPUT_TAIL = 4096


class EngineInterface(abc.ABC):
    """What an engine answers; the arguments are those of ``EngineAPI``."""

    @abc.abstractmethod
    def forget(self):
        """Drop whatever is kept between calls (a cache); the next reads ask the engine."""

    @property
    @abc.abstractmethod
    def call_count(self):
        """How many calls reached the engine."""

    # --- volumes -------------------------------------------------------------
    @abc.abstractmethod
    def list_volumes(self):
        """The raw volume listing."""

    @abc.abstractmethod
    def inspect_volume(self, name):
        """The volume's inspect, None when there is no such volume."""

    @abc.abstractmethod
    def create_volume(self, name, driver, driver_options, labels):
        """Create a volume; its inspect."""

    @abc.abstractmethod
    def remove_volume(self, name):
        """Remove a volume (never forced)."""

    @abc.abstractmethod
    def disk_usage(self):
        """``docker system df``'s answer."""

    # --- containers ----------------------------------------------------------
    @abc.abstractmethod
    def list_containers(self, filters=None):
        """All containers (running or not), as ``GET /containers/json`` lists them."""

    @abc.abstractmethod
    def inspect_container(self, name_or_id):
        """The container's inspect, None when there is no such container."""

    @abc.abstractmethod
    def container_changes(self, name_or_id):
        """What changed in the container's own layer: [{Path, Kind}]."""

    @abc.abstractmethod
    def create_container(self, name, image, binds=None, volumes_from=None, labels=None, **config):
        """Create (never start) a container."""

    @abc.abstractmethod
    def create_container_raw(self, name, body):
        """Create a container from a whole create request."""

    @abc.abstractmethod
    def connect_network(self, network, container, endpoint):
        """Attach a container to a network with the endpoint settings given."""

    @abc.abstractmethod
    def list_networks(self):
        """The raw network listing."""

    @abc.abstractmethod
    def remove_container(self, name_or_id):
        """Remove a container (never its volumes, never forced)."""

    @abc.abstractmethod
    def rename_container(self, name_or_id, new_name):
        """Rename a container."""

    @abc.abstractmethod
    def start_container(self, name_or_id):
        """Start a container."""

    @abc.abstractmethod
    def stop_container(self, name_or_id, timeout=None):
        """Stop a container."""

    @abc.abstractmethod
    def pause_container(self, name_or_id):
        """Pause a container's processes."""

    @abc.abstractmethod
    def unpause_container(self, name_or_id):
        """Let a paused container's processes run again."""

    @abc.abstractmethod
    def exec_command(self, container, command, user=None, keep=OUTPUT_TAIL):
        """Run ``command`` in the running container; (exit code, the last ``keep`` bytes of its output)."""

    # --- archives --------------------------------------------------------------
    @abc.abstractmethod
    def archive_head(self, container, path, limit=16384):
        """The beginning of the tar stream of ``path`` in the container."""

    @abc.abstractmethod
    def archive_stream(self, container, path):
        """The tar stream of ``path`` in the container, as an iterator of chunks."""

    @abc.abstractmethod
    def put_archive(self, container, path, data):
        """Extract the tar ``data`` into ``path`` of the container."""

    # --- the engine itself -------------------------------------------------------
    @abc.abstractmethod
    def version(self):
        """``GET /version``."""

    @abc.abstractmethod
    def info(self):
        """``GET /info``."""

    # --- images ------------------------------------------------------------------
    @abc.abstractmethod
    def inspect_image(self, reference):
        """The image's inspect, None when there is no such image."""

    @abc.abstractmethod
    def import_image(self, data, repository, tag, changes):
        """Import a tar as an image."""

    @abc.abstractmethod
    def pull_image(self, reference, repository, tag):
        """Pull ``repository`` at ``tag`` (a tag or a digest); ``reference`` as written, for messages."""
