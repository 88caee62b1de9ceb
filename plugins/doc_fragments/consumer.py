# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Consumer container options: the option table of module_utils/consumer/options.py, which
    CONSUMER_ARGS is made from (tests/unit/.../consumer/test_consumer_options.py keeps them equal)."""

    DOCUMENTATION = r'''
options:
  container:
    description:
      - The consumer container's name.
    type: str
    required: true
  running:
    description:
      - V(true) starts the consumer, V(false) stops it.
      - When omitted, a running consumer that has to be recreated is started again afterwards, and a
        new consumer is created without being started.
    type: bool
  image:
    description:
      - The consumer's image. Needed to create a missing consumer.
      - Given for an existing consumer, a different image makes it be recreated.
    type: str
  command:
    description:
      - The command (a string is split like a shell would, or a list of strings).
      - When omitted, an existing consumer keeps its command.
    type: raw
  entrypoint:
    description:
      - The entrypoint (a string or a list of strings). When omitted, it is kept.
    type: raw
  env:
    description:
      - Environment variables to set. Values must be strings. Variables not listed are kept.
    type: dict
  user:
    description:
      - The user the consumer runs as. When omitted, it is kept.
    type: str
  working_dir:
    description:
      - The working directory (absolute). When omitted, it is kept.
      - Compared as the engine stores it - V(/srv/app/) and V(/srv/x/../app) are V(/srv/app).
    type: str
  labels:
    description:
      - Labels to set. Values must be strings; labels not listed are kept. Keys starting with
        C(persistent.volumes.) are the collection's own and refused.
    type: dict
  network_mode:
    description:
      - The network mode (V(bridge), V(host), V(none), a network name, V(container:<name>)).
        When omitted, it is kept.
    type: str
  restart_policy:
    description:
      - The restart policy. When omitted, it is kept.
    type: str
    choices: ['no', on-failure, always, unless-stopped]
  release_volumes:
    description:
      - A consumer that has to be recreated may hold a volume its data containers no longer provide
        (the data container was removed with C(force) and made again, or a path's source changed).
        When no other container holds that volume, the recreation is refused, because the data would
        be reachable through no container.
      - V(true) lets the volume go. It is never deleted; it is reported in C(released_volumes).
    type: bool
    default: false
notes:
  - A consumer is recreated (never with its volumes removed) when its wiring or spec options change,
    or when it no longer mounts the volumes its data containers hold. Volumes the consumer holds
    itself (anonymous volumes, image C(VOLUME) paths) are re-attached by name.
  - Its own C(--mount) entries (C(HostConfig.Mounts)) go into the replacement as mounts, unchanged -
    volume subpath (C(volume-subpath), Docker 26 and API 1.45 or newer), C(volume-nocopy), volume
    driver options and labels, tmpfs size and mode, bind propagation, non-recursive and recursive
    read-only (API 1.44 or newer), consistency; an anonymous C(--mount) volume keeps the very volume
    it had. Its C(-v) binds (C(HostConfig.Binds)) stay binds. What an engine's API does not have
    (Docker 20.10, API 1.41 - subpath, read-only recursion) cannot be on its containers to begin
    with.
  - The replacement is the same container in every setting but the ones the task changes. It is
    built from the whole C(docker inspect) of the old container (all of C(Config) and C(HostConfig),
    settings this collection does not know included) - hostname and domainname, user, working
    directory, environment, labels, command, healthcheck, stop signal and timeout, exposed and
    published ports, restart policy (O(restart_policy) with the policy it has keeps its retry
    count), resources and limits, ulimits, tmpfs, devices, capabilities,
    security options, log options, extra hosts, DNS settings, init, and so on. Only what the engine
    chooses itself is left to it, for the new container - a hostname that was the old container's
    ID, the short-ID alias, addresses that were not fixed; a new O(image) brings its own defaults
    (environment, command, labels, ports, volumes) for what the old image had provided. When O(image)
    is omitted and the old image's tag now names another image, the replacement runs the old image
    by its ID, with a warning.
  - The replacement is on every network the old container was on, before it starts, each with its
    aliases, static IPv4 and IPv6 addresses, links and driver options, so it comes up on all of them
    at once and its peers resolve its aliases to it. V(host), V(none) and V(container:<name>) network
    modes are kept as they are. C(actions) lists the networks it is attached to; the diff shows
    them before and after.
  - Refused before anything changes, naming the setting (check mode refuses the same way) - a
    running container started with C(--rm) (stopping it removes it, so it could not be put back),
    a container whose network, PID or IPC namespace other containers share (C(network_mode),
    C(--pid) or C(--ipc container:<it>) - they would be left pointing at a container that is gone,
    and could never start again; the message names them), a container on a network that no
    longer exists, and a host directory's bind mount over a path a C(--volumes-from) source
    provides (it would hide that data container's data).
  - A swap never leaves the application down because of the new spec. When the replacement is to
    run (the old container ran, or O(running=true)), the replacement is created under a temporary
    name and attached to its networks; then the old container is stopped (within its own stop
    timeout), renamed to C(<name>.pv-<hex>-old), the replacement takes the name and is started,
    and only then is the old container removed. If the engine refuses to start the replacement
    (a command or user that does not exist, for example), the replacement is removed, the old
    container gets its name back and is started again - its static addresses and ports with it -
    and the task fails naming the cause. A replacement whose process starts but exits at once (a
    failing command under C(--init), for example) counts as started.
  - What the old container's processes wrote outside its volumes, bind mounts and tmpfs (its own
    container layer) is not carried over - the replacement starts from the image, as with any tool
    that recreates a container. The task warns, in check mode too, naming the paths (from the
    engine's C(docker diff)); keep data that must survive in a volume.
  - A new consumer that cannot start (with O(running=true)) is removed again, with the empty
    anonymous volumes its creation made (it never ran, so they hold nothing); the task fails
    naming the cause, and nothing is left on the engine.
  - Recreation is crash-safe. A replacement carries the labels C(persistent.volumes.replaces),
    C(persistent.volumes.was-running) and, when it is to run, C(persistent.volumes.previous) (the
    old container's temporary name); the next run recognises a swap a crash interrupted and
    finishes it when the replacement runs, or puts the old container back first when it does not.
  - Containers made by C(docker-compose) - running C(docker-compose up) again with the same file
    leaves the rewired container alone (its labels, compose's configuration hash included, are
    kept). Compose recreates a service from its file when the file changes; so that its recreation
    keeps the wiring, add each data container to the service's C(volumes_from) list as
    C(container:<data container>) (and the host directories to its C(volumes)). Compose then recreates the container
    once, itself, with the same volumes, and this collection reports no change afterwards.
  - Containers made by C(community.docker.docker_container) - running the same task again leaves
    the rewired container alone (it compares only the options the task gives). If that task lists
    the data containers in its C(volumes_from), write them as the engine records them,
    C(<data container>:rw) or C(<data container>:ro); a bare C(<data container>) differs from the
    engine's record, and docker_container then recreates the container from its own definition,
    giving the container's own anonymous volumes fresh empty ones.
'''
