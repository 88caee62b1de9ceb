# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a consumer task must not do, found while planning (so check mode refuses the same way).

* A replacement the engine does not let a client make faithfully: a running container
  started with ``--rm`` (stopping it removes it, so it could not be put back), one whose
  network, PID or IPC namespace other containers share (``network_mode``, ``--pid`` or
  ``--ipc container:<it>``: they would be left pointing at a container that is gone, and could
  never start again), one on a network that no longer exists.
* A bind mount over a path a ``--volumes-from`` source provides: it would hide that data
  container's data in the consumer.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal


class NoFacts(object):
    """Engine facts for a planner that has no engine (unit tests of other concerns)."""

    def image(self, reference):
        return None

    def host_name(self):
        return None

    def dependents(self, container):
        return []

    def networks(self):
        return None

    def layer_changes(self, container):
        return []


def check_recreatable(current, facts):
    """Refuse, before anything changes, a recreation that could not give back the same container."""
    host = current.raw.get('HostConfig') or {}
    if host.get('AutoRemove') and current.running:
        raise Refusal('Refusing to recreate %s: it runs with auto-remove (docker run --rm), so stopping it '
                      'removes it, and it could not be put back if its replacement failed to start. Recreate it '
                      'without --rm first (or stop it, which removes it, and let this task create it anew); '
                      'nothing was changed.' % current.name)
    dependents = facts.dependents(current)
    if dependents:
        raise Refusal(sharers_message(current.name, dependents))


# HostConfig key -> (what the namespace is called, the docker run option that shares it)
NAMESPACES = (('NetworkMode', 'network', 'network_mode'), ('PidMode', 'PID', '--pid'), ('IpcMode', 'IPC', '--ipc'))


def namespace_sharers(container, others):
    """[(name, namespace)] of the containers among ``others`` (inspect data, or list entries, which
    give NetworkMode only) that share a namespace of ``container`` (``container:<its name, ID or ID
    prefix>``, as the engine resolves it)."""
    def names_it(mode):
        kind, dummy, ref = (mode or '').partition(':')
        ref = ref.lstrip('/')
        return kind == 'container' and bool(ref) and (
            ref == container.name or container.id.startswith(ref) and all(c in '0123456789abcdef' for c in ref))

    found = []
    for other in others:
        if other.get('Id') == container.id:
            continue
        host = other.get('HostConfig') or {}
        name = (other.get('Name') or (other.get('Names') or [''])[0]).lstrip('/')
        found.extend((name, label) for key, label, dummy in NAMESPACES if names_it(host.get(key)))
    return sorted(set(found))


def sharers_message(name, dependents):
    """The refusal for ``dependents`` ([(container, namespace)]) sharing namespaces of ``name``."""
    parts = []
    for key, label, option in NAMESPACES:
        names = sorted(other for other, namespace in dependents if namespace == label)
        if names:
            parts.append('%s share%s its %s namespace (%s container:%s)'
                         % (', '.join(names), 's' if len(names) == 1 else '', label, option, name))
    others = sorted(set(other for other, dummy in dependents))
    one = len(others) == 1
    return ('Refusing to recreate %s: %s, and a replacement is a new container, which %s would not follow: %s '
            'could not start again. Remove or recreate %s without container:%s first; nothing was changed.'
            % (name, '; '.join(parts), 'it' if one else 'they', 'it' if one else 'they', ', '.join(others), name))


def check_networks(current, names, facts):
    """Refuse a replacement on a network that no longer exists (create or connect would fail half-way)."""
    known = facts.networks()
    if known is None:
        return
    missing = sorted(name for name in names if name not in known)
    if missing:
        raise Refusal('Refusing to recreate %s: it is attached to network%s %s, which no longer exist%s, so its '
                      'replacement could not be. Create %s again (or disconnect %s from %s); nothing was changed.'
                      % (current.name, 's' if len(missing) > 1 else '', ', '.join(missing),
                         '' if len(missing) > 1 else 's', 'them' if len(missing) > 1 else 'it', current.name,
                         'them' if len(missing) > 1 else 'it'))


def overlaps(binds, pairs, sources, destination):
    """{(path, source name)} where a host directory's bind mount covers a path a --volumes-from source
    provides (a volume of the consumer's own bound there is judged with its volumes)."""
    targets = set(destination(bind) for bind in binds if bind.startswith('/'))
    found = set()
    for name, dummy in pairs:
        source = sources.get(name)
        for path in (source.mounts if source is not None else ()):
            if path in targets:
                found.add((path, name))
    return found


def check_binds_over_sources(name, wanted, current, destination):
    """Refuse a bind mount the task adds over a path a --volumes-from source provides (or the other way).

    ``wanted`` and ``current`` are (binds, pairs, sources); ``current`` None for a new consumer.
    An overlap the consumer has already is left alone: it is not this task's doing.
    """
    have = overlaps(*current, destination=destination) if current is not None else set()
    new = sorted(overlaps(*wanted, destination=destination) - have)
    if new:
        path, source = new[0]
        raise Refusal('Refusing to bind-mount over %s in %s: %s provides %s through --volumes-from, and a bind '
                      'mount there would hide that data container\'s data. Choose another target (or unwire %s); '
                      'nothing was changed.' % (path, name, source, path, source))
