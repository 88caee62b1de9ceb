#!/usr/bin/env bash
# Start N extra Docker engines ("fleet hosts"), each in its own network namespace with
# its own data root, exec root and socket, give each the local busybox image, and write
# an inventory with one host per engine (docker_host set per host).
#
#   scripts/fleet-up.sh [N]        # default 3; engines start fresh (empty) every time
#
# Hosts are host1..hostN with sockets /tmp/pvlab/hostI/docker.sock (short paths: the
# engine's containerd sockets live below the exec root). The inventory is written to
# .build/lab/fleet.yml (group docker_hosts). scripts/fleet-down.sh stops them.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

COUNT="${1:-3}"
LAB=/tmp/pvlab
INVENTORY="$REPO_ROOT/.build/lab/fleet.yml"
WAIT="${ENGINE_WAIT:-60}"

[ "$(id -u)" -eq 0 ] || die "starting engines needs root"
command -v nsenter >/dev/null || die "nsenter not found"
command -v ip >/dev/null || die "ip not found (run 'make deps': iproute2)"

"$REPO_ROOT/scripts/fleet-down.sh"
mkdir -p "$LAB" "$(dirname "$INVENTORY")"

for ((i = 1; i <= COUNT; i++)); do
    host="host$i"
    dir="$LAB/$host"
    mkdir -p "$dir"
    ip netns add "pv$host"
    ip -n "pv$host" link set lo up
    log "starting engine $host (socket $dir/docker.sock)"
    (cd / && exec setsid nsenter --net="/run/netns/pv$host" /usr/sbin/dockerd \
        --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
        -H "unix://$dir/docker.sock" </dev/null >"$dir/dockerd.log" 2>&1) &
done

for ((i = 1; i <= COUNT; i++)); do
    host="host$i"
    dir="$LAB/$host"
    up=""
    for ((t = 0; t < WAIT; t++)); do
        if PV_DOCKER_SOCK="unix://$dir/docker.sock" docker_ info >/dev/null 2>&1; then
            up=yes
            break
        fi
        sleep 1
    done
    if [ -z "$up" ]; then
        tail -n 30 "$dir/dockerd.log" >&2 || true
        die "engine $host did not answer within ${WAIT}s"
    fi
    PV_DOCKER_SOCK="unix://$dir/docker.sock" "$REPO_ROOT/scripts/image.sh"
done

{
    echo "# Written by scripts/fleet-up.sh: one host per extra engine."
    echo "docker_hosts:"
    echo "  hosts:"
    for ((i = 1; i <= COUNT; i++)); do
        echo "    host$i:"
        echo "      data_volume_container_docker_host: unix://$LAB/host$i/docker.sock"
    done
    echo "  vars:"
    echo "    ansible_connection: local"
    echo "    ansible_python_interpreter: $REPO_ROOT/.venv/bin/python"
} >"$INVENTORY"
log "$COUNT engines up; inventory ${INVENTORY#"$REPO_ROOT"/}"
