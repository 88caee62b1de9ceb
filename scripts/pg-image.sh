#!/usr/bin/env bash
# The PostgreSQL image of the backup consistency tests (tests/system/test_backup_postgres.py):
# Debian 12 (bookworm) made with 'debootstrap --variant=minbase', Debian's postgresql installed
# inside it with apt-get, 'docker import'ed as local/pv-postgres:latest (no registry).
# Cached: the root's tarball in .build/pg-image/, stamped with this script's sha256; it is made
# again only when this script changes, and imported again only when the engine lacks the image
# (or has one made by another version of this script: the image carries the stamp as a label).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

IMAGE="${PV_PG_IMAGE:-local/pv-postgres:latest}"
CACHE="$REPO_ROOT/.build/pg-image"
TARBALL="$CACHE/root.tar"
MIRROR="${PV_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
STAMP="$(sha256sum "$0" | cut -c1-16)"
# One build at a time: make test starts this one early, in the background, and the stage that needs
# the image waits here for it.
one_at_a_time pg-image

have_image() {
    [ "$(docker_ image inspect -f '{{index .Config.Labels "pv.pg-image"}}' "$IMAGE" 2>/dev/null)" = "$STAMP" ]
}

# The container's command: a cluster made on first start in /pgdata/data (the data container's
# volume), then postgres as the user postgres (PID 1, so that the container's stop signal reaches it:
# create it with --stop-signal SIGINT, PostgreSQL's fast shutdown; 'docker import' cannot set
# STOPSIGNAL, and SIGTERM waits for every client to leave), listening on a Unix socket in /pgsock only.
# shellcheck disable=SC2016 # the script is written into the image as it is: it expands there
START_SCRIPT='#!/bin/sh
set -e
PG=$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)
mkdir -p /pgdata/data /pgsock
chown postgres:postgres /pgdata/data /pgsock
chmod 0700 /pgdata/data
if [ ! -s /pgdata/data/PG_VERSION ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups "$PG/initdb" --auth=trust --username=postgres \
        -D /pgdata/data >/dev/null
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups \
    "$PG/postgres" -D /pgdata/data -c listen_addresses= -c unix_socket_directories=/pgsock
'

make_root() {
    [ "$(id -u)" -eq 0 ] || die "the PostgreSQL image's root is made as root"
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "installing Debian's debootstrap"
        apt-get update </dev/null >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap </dev/null >&2
    fi
    local work="$CACHE/root.tmp"
    for m in dev proc; do
        if mountpoint -q "$work/$m" 2>/dev/null; then umount -l "$work/$m"; fi
    done
    rm -rf "$work" "$TARBALL.tmp"
    mkdir -p "$work"
    log "debootstrap --variant=minbase bookworm into $work (a few minutes)"
    debootstrap --variant=minbase bookworm "$work" "$MIRROR" >&2
    mount -t proc proc "$work/proc"
    mount --rbind /dev "$work/dev"
    # shellcheck disable=SC2064 # $work is fixed here
    trap "umount -l '$work/dev' 2>/dev/null || true; umount '$work/proc' 2>/dev/null || true" EXIT
    printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
    chmod 0755 "$work/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$work/etc/resolv.conf"
    log "apt-get install postgresql inside the root"
    chroot "$work" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        postgresql </dev/null >&2
    chroot "$work" apt-get clean
    rm -rf "$work"/var/lib/apt/lists/* "$work"/var/lib/postgresql/*/main "$work"/etc/postgresql/*/main
    printf '%s' "$START_SCRIPT" >"$work/usr/local/bin/pv-pg-start"
    chmod 0755 "$work/usr/local/bin/pv-pg-start"
    umount -l "$work/dev"
    umount "$work/proc"
    trap - EXIT
    tar -C "$work" --numeric-owner -cf "$TARBALL.tmp" .
    rm -rf "$work"
    mv "$TARBALL.tmp" "$TARBALL"
    echo "$STAMP" >"$CACHE/stamp"
}

if have_image; then
    log "$IMAGE present (script $STAMP)"
    exit 0
fi
mkdir -p "$CACHE"
if [ ! -s "$TARBALL" ] || [ "$(cat "$CACHE/stamp" 2>/dev/null)" != "$STAMP" ]; then
    t0=$SECONDS
    make_root
    log "root made in $((SECONDS - t0))s"
fi
log "importing $IMAGE"
docker_ import --change 'CMD ["/usr/local/bin/pv-pg-start"]' \
    --change "LABEL pv.pg-image=$STAMP" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$TARBALL" "$IMAGE" >/dev/null
have_image || die "$IMAGE was not imported"
log "$IMAGE built"
