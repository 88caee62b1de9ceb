#!/usr/bin/env bash
# Run by scripts/fleet-up.sh inside a lab host's new mount and UTS namespaces (unshare):
# give the host its own /run (so /var/run), /var/lib/docker, /etc/hosts and hostname.
#
#   fleet-host-mounts.sh HOST_DIR HOSTNAME
#
# The namespace starts as a copy of the lab machine's mounts. The copies below /run,
# /var/lib/docker and /tmp (the machine's engine's layers and network namespaces, other
# engines' state, earlier hosts' namespace files) are dropped first, in this namespace
# only (its propagation is private), so that the host holds none of them.
set -euo pipefail
dir="$1"
name="$2"
awk '$5 ~ "^/run(/|$)" || $5 ~ "^/var/lib/docker(/|$)" || $5 ~ "^/tmp/" { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r mnt; do
        umount -l "$mnt" 2>/dev/null || true
    done
mount --bind "$dir/run" /run
mkdir -p /var/lib/docker
mount --bind "$dir/data" /var/lib/docker
mount --bind "$dir/hosts" /etc/hosts
hostname "$name"
