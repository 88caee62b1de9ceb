#!/usr/bin/env bash
# Stop the extra engines scripts/fleet-up.sh started, and remove their state.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LAB=/tmp/pvlab
[ -d "$LAB" ] || exit 0
for dir in "$LAB"/host*; do
    [ -d "$dir" ] || continue
    host="$(basename "$dir")"
    if [ -s "$dir/docker.pid" ]; then
        pid="$(cat "$dir/docker.pid")"
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for ((t = 0; t < 30; t++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 1
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    ip netns delete "pv$host" 2>/dev/null || true
    # Mounts an engine may have left (overlay layers, its netns files).
    { grep -o " $dir/[^ ]*" /proc/mounts || true; } | sort -r | while read -r mnt; do
        umount -l "$mnt" 2>/dev/null || true
    done
    rm -rf "$dir"
done
log "fleet engines stopped"
