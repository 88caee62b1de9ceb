#!/usr/bin/env bash
# Make sure a Docker engine answers on the default socket (unix:///var/run/docker.sock).
# - If one answers already, reuse it.
# - Else start Debian's /usr/sbin/dockerd, detached from our stdio (CI would otherwise
#   wait forever on the pipe the daemon inherited), with its log in
#   .build/lab/dockerd.log and its data in the default /var/lib/docker.
# - Wait up to ENGINE_WAIT (60) seconds for 'docker info'; fail with the log tail.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

DOCKERD=/usr/sbin/dockerd
PIDFILE=/var/run/docker.pid
LOGDIR="$REPO_ROOT/.build/lab"
LOG="$LOGDIR/dockerd.log"
WAIT="${ENGINE_WAIT:-60}"

engine_answers() { docker_ info >/dev/null 2>&1; }

if engine_answers; then
    log "engine already answers on $DOCKER_SOCK; reusing it"
    exit 0
fi

# A dockerd may be starting right now (e.g. the package's init script): its pid file
# names a live process. Then just wait for it instead of starting a second one.
pid=""
if [ -s "$PIDFILE" ]; then
    pid="$(cat "$PIDFILE")"
    if ! kill -0 "$pid" 2>/dev/null; then
        pid=""
    fi
fi

mkdir -p "$LOGDIR"
if [ -n "$pid" ]; then
    log "dockerd (pid $pid) is running but not answering yet; waiting for it"
else
    [ -x "$DOCKERD" ] || die "$DOCKERD not found (run 'make deps')"
    [ "$(id -u)" -eq 0 ] || die "starting dockerd needs root"
    # dockerd needs the cgroup hierarchies mounted. Machines of this kind boot with
    # them; a bare one may not, and Debian's cgroupfs-mount (recommended by
    # docker.io) mounts them.
    if [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ] && command -v cgroupfs-mount >/dev/null; then
        log "no cgroups mounted; running cgroupfs-mount"
        cgroupfs-mount
    fi
    log "starting $DOCKERD (log: ${LOG#"$REPO_ROOT"/})"
    {
        echo "=== $(date -u '+%Y-%m-%dT%H:%M:%SZ') engine-up.sh starting dockerd ==="
    } >>"$LOG"
    # The defaults are spelled out so a daemon.json or environment can't move them.
    # Started from / so the daemon keeps no directory of this work tree busy.
    (cd / && exec setsid "$DOCKERD" \
        --data-root /var/lib/docker \
        --exec-root /var/run/docker \
        --pidfile "$PIDFILE" \
        -H "$DOCKER_SOCK" \
        </dev/null >>"$LOG" 2>&1) &
    pid=$!
fi

for ((i = 0; i < WAIT; i++)); do
    if engine_answers; then
        log "engine up after ${i}s: $(docker_ version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        # setsid may have forked: the daemon's own pid is then in its pid file.
        if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
            pid="$(cat "$PIDFILE")"
            continue
        fi
        log "dockerd (pid $pid) exited; last lines of $LOG:"
        tail -n 30 "$LOG" >&2 || true
        exit 1
    fi
    sleep 1
done

log "engine did not answer within ${WAIT}s; last lines of $LOG:"
tail -n 30 "$LOG" >&2 || true
exit 1
