#!/usr/bin/env bash
# Reuse or start the Docker 26 lab engine: Debian 13's docker.io (scripts/docker26-root.sh makes
# its root), with that root as its real root, in a network namespace of its own, detached.
# Prints the engine's DOCKER_HOST (unix://...).
#
# As DESIGN.md ("Engines users run") has it: a plain chroot is not enough (runc would give
# containers the host's root), so dockerd runs in a mount namespace of its own (unshare -m)
# where the root is bound onto itself and pivot_root'ed to, with proc mounted and the host's
# /sys, /dev and /tmp bound in (bind-mount sources under /tmp are the same directories for
# the tests and the engine). Its state lives in /tmp/<name>/: the data root, the socket and
# the pid file have the same path inside the root and on the machine, so the Mountpoints it
# reports are real host paths, as on a stock host. Its network namespace is entered with
# 'nsenter --net=' (never 'ip netns exec', which remounts /sys and loses the cgroups).
#
# By default dockerd is started as Debian 13's systemd units start it (docker.socket): a listener,
# tests/system/socket_activation.py (Debian's python3), owns the listening socket and hands it to
# 'dockerd -H fd://'. PV_ENGINE_ACTIVATION=direct starts dockerd on its own socket instead.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source-path=SCRIPTDIR source=docker26-lib.sh
. "$(dirname "$0")/docker26-lib.sh"

if docker26_answers; then
    log "Docker 26 lab engine answers on $D26_HOST"
    echo "$D26_HOST"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || die "the Docker 26 lab engine is started as root"
ROOT="$("$REPO_ROOT/scripts/docker26-root.sh")"

# A dead engine of an earlier run: its processes (by the pid files it wrote), then its mounts.
docker26_stop_processes
mkdir -p "$D26_DIR/data" "$D26_DIR/exec"
rm -f "$D26_DIR/docker.sock"
if [ ! -e "/run/netns/$D26_NAME" ]; then
    ip netns add "$D26_NAME"
fi
ip -n "$D26_NAME" link set lo up

# Runs (host's /bin/sh) in the new mount namespace: the root becomes /, then dockerd is exec'ed.
# shellcheck disable=SC2016 # expanded by the inner shell
inner='set -e
mount --bind "$1" "$1"
cd "$1"
pivot_root . oldroot
mount -t proc proc /proc
mount -t tmpfs -o mode=0755 tmpfs /run
mount --rbind /oldroot/sys /sys
mount --rbind /oldroot/dev /dev
mount --rbind /oldroot/tmp /tmp
umount -l /oldroot
shift
exec "$@"'

dockerd_args=(--exec-root "$D26_DIR/exec" --pidfile "$D26_DIR/docker.pid")
# PV_D26_DATA_ROOT=default: dockerd's default, /var/lib/docker inside the root, which it reports as
# DockerRootDir though on this machine that path is another engine's (the direct path must see it).
if [ "${PV_D26_DATA_ROOT:-}" != default ]; then
    dockerd_args+=(--data-root "$D26_DIR/data")
fi
if [ "${PV_ENGINE_ACTIVATION:-socket}" = socket ]; then
    # The listener (the host's Python) binds the socket, then execs the command above as its child.
    launcher=(/usr/bin/python3 "$REPO_ROOT/tests/system/socket_activation.py"
              --socket "$D26_DIR/docker.sock" --pidfile "$D26_DIR/listener.pid" --)
    dockerd_args+=(-H fd://)
else
    launcher=()
    dockerd_args+=(-H "$D26_HOST")
fi
log "starting Docker 26 (root $ROOT, netns $D26_NAME, state $D26_DIR, ${PV_ENGINE_ACTIVATION:-socket} start)"
setsid nsenter --net="/run/netns/$D26_NAME" "${launcher[@]}" \
    unshare -m --propagation private /bin/sh -c "$inner" sh "$ROOT" /usr/sbin/dockerd "${dockerd_args[@]}" \
    </dev/null >"$D26_DIR/dockerd.log" 2>&1 &

for _ in $(seq 1 120); do
    if docker26_answers; then
        log "Docker 26 lab engine answers on $D26_HOST: $(docker26_ version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
        echo "$D26_HOST"
        exit 0
    fi
    sleep 0.5
done
tail -n 30 "$D26_DIR/dockerd.log" >&2 || true
die "the Docker 26 lab engine did not answer on $D26_HOST within 60s (log: $D26_DIR/dockerd.log)"
