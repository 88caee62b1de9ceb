#!/usr/bin/env bash
# Scale ('make bench-scale'): volume_info and layout on an engine holding up to 1000 volumes and
# 300 containers; engine API calls and times per size, and whether the calls grow linearly.
#
#   bench/scale_run.sh [scale_bench.py options]   # e.g. --reps 1, --sizes 100:30,1000:300
#
# The benchmark gets an engine of its own, so that nothing else on this machine (the main
# engine, the lab's fleet in /tmp/pvlab) is touched: a dockerd in network namespace 'pvscale'
# with its data root, exec root and socket below /tmp/pvscale, started detached, given
# local/busybox:latest (scripts/image.sh), and stopped and removed when this script exits,
# whatever happens. bench/scale_bench.py fills it and measures; .build/bench/scale.json has it all.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
cd "$REPO_ROOT"

VENV=.venv
OUT=.build/bench
PKG_LINK=.build/pkg/ansible_collections/persistent/volumes
NETNS=pvscale
DIR=/tmp/pvscale
SOCK="unix://$DIR/docker.sock"
WAIT="${ENGINE_WAIT:-60}"

# scripts/lib.sh's docker_ (and scripts/image.sh) talk to PV_DOCKER_SOCK: this engine.
export PV_DOCKER_SOCK="$SOCK"
# shellcheck source-path=SCRIPTDIR/../scripts source=../scripts/lib.sh
. "$REPO_ROOT/scripts/lib.sh"

# Stop the benchmark's engine (if any, also one an interrupted run left) and remove its state.
engine_down() {
    if [ -s "$DIR/docker.pid" ]; then
        local pid cmdline t
        pid="$(cat "$DIR/docker.pid")"
        cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)"
        # Only the dockerd of this directory (a stale pid file may name another process now).
        if [[ "$cmdline" == *"--pidfile $DIR/docker.pid"* ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for ((t = 0; t < 30; t++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 1
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    ip netns delete "$NETNS" 2>/dev/null || true
    if [ -d "$DIR" ]; then
        # Mounts the engine may have left (overlay layers, its netns files), innermost first.
        { grep -o " $DIR/[^ ]*" /proc/mounts || true; } | sort -r | while read -r mnt; do
            umount -l "$mnt" 2>/dev/null || true
        done
        rm -rf "$DIR"
    fi
}

[ "$(id -u)" -eq 0 ] || die "the benchmark starts an engine of its own; run it as root"

scripts/apt-deps.sh
scripts/venv.sh
command -v nsenter >/dev/null || die "nsenter not found"
[ -x /usr/sbin/dockerd ] || die "/usr/sbin/dockerd not found (run 'make deps': docker.io)"

# As 'make pkg-link': .build/pkg/ansible_collections/persistent/volumes -> the work tree.
mkdir -p "$(dirname "$PKG_LINK")"
ln -sfn ../../../.. "$PKG_LINK"

engine_down
trap engine_down EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$DIR"
ip netns add "$NETNS"
ip -n "$NETNS" link set lo up
log "starting the benchmark's engine (netns $NETNS, socket $DIR/docker.sock)"
(cd / && exec setsid nsenter --net="/run/netns/$NETNS" /usr/sbin/dockerd \
    --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
    -H "$SOCK" </dev/null >"$DIR/dockerd.log" 2>&1) &
up=""
for ((t = 0; t < WAIT; t++)); do
    if docker_ info >/dev/null 2>&1; then
        up=yes
        break
    fi
    sleep 1
done
if [ -z "$up" ]; then
    tail -n 30 "$DIR/dockerd.log" >&2 || true
    die "the benchmark's engine did not answer within ${WAIT}s"
fi
scripts/image.sh

mkdir -p "$OUT" "$DIR/args"
# In the background, so that an INT or TERM sent to this script is handled at once (a
# foreground child would delay the trap until it ends): the benchmark is stopped, then the
# engine. Its argument files live below $DIR and go with the engine.
rc=0
PYTHONPATH="$REPO_ROOT/.build/pkg${PYTHONPATH:+:$PYTHONPATH}" \
    "$VENV/bin/python" "$BENCH_DIR/scale_bench.py" --docker-host "$SOCK" \
    --python "$REPO_ROOT/$VENV/bin/python" --pkg "$REPO_ROOT/.build/pkg" --out-dir "$OUT" \
    --tmp-dir "$DIR/args" "$@" </dev/null &
bench=$!
trap 'kill -TERM "$bench" 2>/dev/null || true; wait "$bench" || true; exit 130' INT
trap 'kill -TERM "$bench" 2>/dev/null || true; wait "$bench" || true; exit 143' TERM
wait "$bench" || rc=$?
log "stopping the benchmark's engine"
exit "$rc"
