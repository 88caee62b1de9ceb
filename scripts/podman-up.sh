#!/usr/bin/env bash
# Make sure the lab's Podman engine answers on its own socket, as a user runs Podman for
# Docker clients: Debian's podman, rootful, `podman system service -t 0 unix://SOCKET`.
# - Reused when its socket answers already.
# - Else started detached (setsid, stdio from/to /dev/null and its log), in a network
#   namespace of its own (pv-podman: its bridge and firewall rules never meet the main
#   engine's), with a storage root and run root of its own (never /var/lib/containers).
# - Containers start only with ulimits the machine allows: a containers.conf.d entry sets
#   default_ulimits from the machine's hard nofile limit (Podman's default is higher, and
#   every start then fails with "error setting rlimit type 7").
# - local/busybox:latest is imported into it (scripts/image.sh through its socket; Podman
#   names it localhost/local/busybox:latest).
# Prints nothing on stdout; PODMAN_WAIT (60) seconds at most for the socket to answer.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=podman-lib.sh
. "$(dirname "$0")/podman-lib.sh"
cd "$REPO_ROOT"

WAIT="${PODMAN_WAIT:-60}"

podman_answers() { DOCKER_SOCK="$PODMAN_HOST" docker_ info >/dev/null 2>&1; }

write_conf() {
    local nofile conf tmp
    nofile="$(ulimit -Hn)"
    [ "$nofile" = unlimited ] && nofile=1048576
    conf="$PODMAN_CONF_DIR/50-persistent-volumes-lab.conf"
    mkdir -p "$PODMAN_CONF_DIR"
    tmp="$(mktemp "$conf.XXXXXX")"
    # No systemd and no journald on these machines: cgroupfs and a file for events.
    cat >"$tmp" <<EOF
# Written by persistent.volumes' scripts/podman-up.sh for its lab engine.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
    chmod 0644 "$tmp"
    mv -f "$tmp" "$conf"
}

start_service() {
    [ "$(id -u)" -eq 0 ] || die "the lab's Podman is rootful: starting it needs root"
    command -v podman >/dev/null || die "podman not found (run 'make deps')"
    mkdir -p "$PODMAN_DIR" "$PODMAN_ROOT" "$(dirname "$PODMAN_LOG")"
    rm -f "$PODMAN_SOCK"
    if ! ip netns list | grep -qw "$PODMAN_NETNS"; then
        ip netns add "$PODMAN_NETNS"
        ip -n "$PODMAN_NETNS" link set lo up
    fi
    echo "=== $(date -u '+%Y-%m-%dT%H:%M:%SZ') podman-up.sh starting podman system service ===" >>"$PODMAN_LOG"
    log "starting podman system service on $PODMAN_HOST (log: ${PODMAN_LOG#"$REPO_ROOT"/})"
    (cd / && exec setsid nsenter --net="/run/netns/$PODMAN_NETNS" \
        podman "${PODMAN_GLOBAL[@]}" system service -t 0 "$PODMAN_HOST" \
        </dev/null >>"$PODMAN_LOG" 2>&1) &
    echo $! >"$PODMAN_PIDFILE"
}

if podman_answers; then
    log "Podman already answers on $PODMAN_HOST; reusing it"
else
    write_conf
    start_service
    pid="$(cat "$PODMAN_PIDFILE")"
    for ((i = 0; i < WAIT; i++)); do
        if podman_answers; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            log "podman system service (pid $pid) exited; last lines of $PODMAN_LOG:"
            tail -n 30 "$PODMAN_LOG" >&2 || true
            exit 1
        fi
        sleep 1
    done
    podman_answers || { tail -n 30 "$PODMAN_LOG" >&2 || true; die "Podman did not answer within ${WAIT}s"; }
    log "Podman up: $(DOCKER_SOCK="$PODMAN_HOST" docker_ version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
fi
PV_DOCKER_SOCK="$PODMAN_HOST" "$REPO_ROOT/scripts/image.sh"
