#!/usr/bin/env bash
# Remove the lab hosts scripts/fleet-up.sh made: stop their sshd, engine and whatever
# else runs in them, drop their namespaces and veth pairs, and remove their state.
# The login user, its sudoers line and the hosts' Python (.build/lab/host-python) stay
# for the next fleet-up.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=fleet-lib.sh
. "$(dirname "$0")/fleet-lib.sh"

[ -d "$LAB" ] || exit 0
for dir in "$LAB"/host*; do
    [ -d "$dir" ] || continue
    host="$(basename "$dir")"
    stop_sshd "$host"
    stop_engine "$host"
    # shellcheck disable=SC2046 # one pid per word
    stop_pids $(host_pids "$host")
    # An engine of an older lab ran in this namespace with its pid file next to its socket.
    if [ -s "$dir/docker.pid" ]; then
        stop_pids "$(cat "$dir/docker.pid")"
    fi
    umount "$LAB_NS/$host" "$LAB_NS/$host.uts" 2>/dev/null || true
    ip netns delete "$(host_netns "$host")" 2>/dev/null || true
    ip link delete "pvlab-h$(host_index "$host")" 2>/dev/null || true
    # Mounts an engine of an older lab left in this namespace (overlay layers, netns files).
    { grep -o " $dir/[^ ]*" /proc/mounts || true; } | sort -r | while read -r mnt; do
        umount -l "$mnt" 2>/dev/null || true
    done
    rm -rf "$dir"
done
umount "$LAB_NS" 2>/dev/null || true
rm -rf "$LAB"
log "lab hosts removed"
