# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which engine answers (Docker or Podman, from ``GET /version``), and what it cannot do faithfully.

Podman serves the Docker API through ``podman system service`` and says so in its version's
``Components`` ("Podman Engine"). Measured on Podman 4.3.1 (Debian 12, API 1.41), its archive
endpoint is not faithful for volumes:

- a read (``GET /containers/{id}/archive``) gives every member owner and group 0, whatever
  the files' real owners, running container or not;
- a read through a container that is not running names the volume's root ``""`` and its
  content ``/f`` (not ``datastore``, ``datastore/f``);
- a write (``PUT .../archive``) through a container that is not running, at ``/`` with
  members ``datastore/...``, answers 200 and lands in the container's own layer, not in the
  volume mounted at ``/datastore``.

Podman also lists, in a container's ``HostConfig.Binds``, the mounts it has through
``VolumesFrom`` (``<volume>:/datastore:rw,rprivate,nosuid,nodev,rbind``), which Docker never
does; taken as the container's own binds, they kept a consumer on a data container's old
volume after the data container was recreated. They are dropped from the inspect data
(``as_docker_reports``), so that Binds means the same on every engine; so are the options Podman
writes into every bind (``rprivate``, ``rbind``; ``nosuid``, ``nodev`` for volumes), which made a
consumer with a bind of its own differ from its spec on every run. Its ulimits are named
``RLIMIT_NOFILE`` in inspect, which its create refuses ("invalid ulimit type"). Its default network is
``bridge`` in the network listing and ``podman`` in a container's inspect: renamed likewise.

So on Podman the collection never reads or writes volume data through the archive endpoint:
the direct path (the volume's directory, on the engine's machine) is the only one, and what
would need the endpoint is refused before the first write, naming the engine.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.engine.binds import bind_destination, split_volumes_from

PODMAN_COMPONENT = 'Podman Engine'
PODMAN_NETWORK = 'podman'     # Podman's default network, as a container's inspect names it
DEFAULT_NETWORK = 'bridge'    # ... and as Podman's network listing (and Docker) name it
ARCHIVE_ENDPOINT_GAPS = ('its archive endpoint reads every owner and group of a volume\'s files as 0, and through a '
                         'container that is not running it names a volume\'s members "" and "/..." and writes into '
                         'the container\'s own layer instead of the volume')


class EngineKind(object):
    """``name`` (Docker or Podman), ``version``, ``api_version`` of the engine's ``/version`` answer."""

    def __init__(self, version):
        version = version or {}
        components = [c.get('Name') for c in version.get('Components') or [] if isinstance(c, dict)]
        self.podman = PODMAN_COMPONENT in components
        self.name = 'Podman' if self.podman else 'Docker'
        self.version = version.get('Version') or 'unknown'
        self.api_version = version.get('ApiVersion') or 'unknown'

    @property
    def label(self):
        """'Podman 4.3.1 (API 1.41)'."""
        return '%s %s (API %s)' % (self.name, self.version, self.api_version)

    @property
    def archive_endpoint_problem(self):
        """Why volume data cannot go through this engine's archive endpoint (None when it can)."""
        if self.podman:
            return '%s: %s' % (self.label, ARCHIVE_ENDPOINT_GAPS)
        return None


def engine_kind(api):
    """The EngineKind of the engine ``api`` talks to (one ``GET /version``)."""
    return EngineKind(api.version())


def refuse_archive_endpoint(kind, what, instead):
    """Refuse ``what`` (which needs the archive endpoint) on an engine whose endpoint is not faithful."""
    problem = kind.archive_endpoint_problem
    if problem:
        raise Refusal('Refusing to %s through the engine on %s. %s; nothing was changed.' % (what, problem, instead))


def from_names(raw):
    """The containers ``raw`` (inspect data) takes volumes from: ``name`` of each ``name[:mode]``."""
    return [split_volumes_from(entry)[0] for entry in (raw.get('HostConfig') or {}).get('VolumesFrom') or []]


# Options Podman writes into every bind string that Docker's never hold (its defaults): the
# propagation rprivate and rbind always, nosuid and nodev for volumes.
PODMAN_BIND_DEFAULTS = ('rprivate', 'rbind')
PODMAN_VOLUME_DEFAULTS = ('nosuid', 'nodev')


def docker_bind(bind):
    """A bind string as Podman reports it (``v:/d:rw,rprivate,nosuid,nodev,rbind``), as Docker does (``v:/d:rw``)."""
    parts = bind.split(':')
    if len(parts) < 3:
        return bind
    dropped = PODMAN_BIND_DEFAULTS + (() if parts[0].startswith('/') else PODMAN_VOLUME_DEFAULTS)
    options = [option for option in parts[-1].split(',') if option not in dropped]
    return ':'.join(parts[:-1] + [','.join(options)]) if options else ':'.join(parts[:-1])


def may_differ(raw):
    """True when ``raw`` (inspect data) holds something Podman reports otherwise than Docker."""
    host = raw.get('HostConfig') or {}
    networks = (raw.get('NetworkSettings') or {}).get('Networks') or {}
    podman_ulimits = any(str(u.get('Name', '')).startswith('RLIMIT_') for u in host.get('Ulimits') or [])
    podman_binds = any(docker_bind(bind) != bind for bind in host.get('Binds') or [])
    return bool(from_names(raw) and host.get('Binds')) or PODMAN_NETWORK in networks or podman_ulimits or podman_binds


def as_docker_reports(raw, destinations):
    """``raw`` (a container's inspect data, from Podman) as Docker reports it: without the Binds at
    ``destinations`` (the paths its VolumesFrom containers mount, which Podman lists among the
    Binds) and without the options Podman adds to every bind (``docker_bind``), ulimits named as
    create takes them (``nofile``, not ``RLIMIT_NOFILE``), and its default network under the name the
    network listing gives it (``bridge``)."""
    raw = copy.deepcopy(raw)
    host = raw.get('HostConfig') or {}
    if host.get('Binds'):
        host['Binds'] = [docker_bind(bind) for bind in host['Binds'] if bind_destination(bind) not in destinations]
    for ulimit in host.get('Ulimits') or []:
        if str(ulimit.get('Name', '')).startswith('RLIMIT_'):
            ulimit['Name'] = ulimit['Name'][len('RLIMIT_'):].lower()
    networks = (raw.get('NetworkSettings') or {}).get('Networks') or {}
    if PODMAN_NETWORK in networks and DEFAULT_NETWORK not in networks and host.get('NetworkMode') == DEFAULT_NETWORK:
        networks[DEFAULT_NETWORK] = networks.pop(PODMAN_NETWORK)
    return raw
