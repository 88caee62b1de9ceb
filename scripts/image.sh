#!/usr/bin/env bash
# Make sure the engine has local/busybox:latest, a runnable image built with no
# registry: a rootfs holding Debian's static busybox and its applet links, imported.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

IMAGE="${IMAGE:-local/busybox:latest}"
BUSYBOX=/bin/busybox
APPLETS=(sh ls cat touch sleep mkdir echo id chown chmod stat sha256sum find wc rm cp mv
         tar du test true false)

one_at_a_time image
if docker_ image inspect "$IMAGE" >/dev/null 2>&1; then
    log "$IMAGE present"
    exit 0
fi

[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (run 'make deps': busybox-static)"
# A dynamically linked busybox would not run in an image without libc.
if command -v file >/dev/null && ! file -L "$BUSYBOX" | grep -q 'statically linked'; then
    die "$BUSYBOX is not statically linked (install busybox-static)"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
root="$tmp/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for a in "${APPLETS[@]}"; do
    ln -s busybox "$root/bin/$a"
done
# So that 'user: nobody' and names in id/chown/stat resolve.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

log "importing $IMAGE from $BUSYBOX"
tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
    docker_ import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null
docker_ run --rm "$IMAGE" sh -c 'echo ok' | grep -qx ok || die "$IMAGE does not run"
log "$IMAGE built"
