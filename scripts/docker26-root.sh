#!/usr/bin/env bash
# The Debian 13 (trixie) root of the Docker 26 lab engine: 'debootstrap --variant=minbase trixie',
# then Debian's docker.io installed inside it with apt-get. Kept in .build/docker26/root and
# reused: it is made once (into a temporary directory renamed when complete, so an interrupted
# run leaves nothing that looks finished). Prints the root's path.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

ROOT="$REPO_ROOT/.build/docker26/root"
MIRROR="${PV_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# One build at a time: make test starts this one early, in the background, and the Docker 26 stage
# waits here for it.
one_at_a_time docker26-root

if [ -x "$ROOT/usr/sbin/dockerd" ] && [ -e "$ROOT/.pv-complete" ]; then
    echo "$ROOT"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || die "the Debian 13 root is made as root"
if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing Debian's debootstrap"
    apt-get update </dev/null >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap </dev/null >&2
fi

work="$ROOT.tmp"
# A half-made root of an interrupted run: its mounts first, then the files.
for m in dev/pts dev proc sys; do
    if mountpoint -q "$work/$m" 2>/dev/null; then umount -l "$work/$m"; fi
done
rm -rf "$work"
mkdir -p "$work"
log "debootstrap --variant=minbase trixie into $work (a few minutes)"
debootstrap --variant=minbase trixie "$work" "$MIRROR" >&2

# apt-get inside the root needs /proc and /dev; nothing may start a service there.
mount -t proc proc "$work/proc"
mount --rbind /dev "$work/dev"
trap 'umount -l "$work/dev" 2>/dev/null || true; umount "$work/proc" 2>/dev/null || true' EXIT
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod 0755 "$work/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$work/etc/resolv.conf"
log "apt-get install docker.io inside the root"
chroot "$work" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    docker.io iptables ca-certificates </dev/null >&2
chroot "$work" apt-get clean
umount -l "$work/dev"
umount "$work/proc"
trap - EXIT
# The directories the engine's start binds the host's into (see docker26-up.sh).
mkdir -p "$work/oldroot"
# shellcheck disable=SC2016 # a dpkg-query format
chroot "$work" dpkg-query -W -f='${Version}\n' docker.io >"$work/.pv-complete"
rm -rf "$ROOT"
mv "$work" "$ROOT"
log "Debian 13 root ready: docker.io $(cat "$ROOT/.pv-complete")"
echo "$ROOT"
