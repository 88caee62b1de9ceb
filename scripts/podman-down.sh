#!/usr/bin/env bash
# Stop the lab's Podman engine that podman-up.sh started (its pid file's process group) and
# remove its network namespace. Its storage (images, volumes) stays for the next podman-up.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=podman-lib.sh
. "$(dirname "$0")/podman-lib.sh"

if [ -s "$PODMAN_PIDFILE" ]; then
    pid="$(cat "$PODMAN_PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping podman system service (pid $pid)"
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 30; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$PODMAN_PIDFILE"
fi
rm -f "$PODMAN_SOCK"
ip netns delete "$PODMAN_NETNS" 2>/dev/null || true
log "Podman stopped"
