#!/usr/bin/env bash
# The benchmark ('make bench'): persistent.volumes.layout against community.docker's
# per-item docker_container, on the main engine and on a fleet of engines.
#
#   bench/run.sh [bench.py options]      # e.g. --reps 1 --fleet-hosts 0
#
# Set-up, all below .build/ and redone only when missing:
# - its own venv .build/bench-venv from lock/bench.txt (ansible, docker, requests; exact versions
#   and sha256: the ansible package brings the peer, community.docker);
# - this collection built (.build/bench/dist) and installed into .build/bench-collections,
#   which comes first in the collections path, before the venv's bundled collections;
# - the Debian packages, the main engine and local/busybox:latest (scripts/).
# Then bench/bench.py measures and prints the table; .build/bench/results.json has it all.
# The fleet scenario restarts the lab engines (scripts/fleet-up.sh, fleet-down.sh).
#
# Environment: BENCH_PYTHON (python3), PV_LOCK_DIR (lock),
# BENCH_COUNT (20), BENCH_REPS (3), BENCH_FLEET_HOSTS (4), BENCH_PEER_FLEET (auto|yes|no),
# BENCH_PIPELINING (true|false).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
cd "$REPO_ROOT"

VENV=.build/bench-venv
COLLECTIONS=.build/bench-collections
OUT=.build/bench
PYTHON="${BENCH_PYTHON:-python3}"

log() { printf '[bench/run.sh] %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "ERROR: the benchmark starts Docker engines and needs root"; exit 1; }

# -- lab: packages, engine, image ---------------------------------------------------------
scripts/apt-deps.sh
scripts/engine-up.sh
scripts/image.sh

# -- the benchmark's venv -----------------------------------------------------------------
# (ansible with the peer, docker, requests: lock/bench.txt, versions and sha256.)
(
    # shellcheck source=../scripts/lib.sh
    . scripts/lib.sh
    venv_from_lock "$VENV" "$LOCK_DIR/bench.txt" "$PYTHON"
)
log "venv: $("$VENV/bin/python" -m pip list 2>/dev/null | awk '$1 ~ /^(ansible|ansible-core|docker|requests)$/ { printf "%s %s  ", $1, $2 }')"

# -- this collection, from the work tree --------------------------------------------------
rm -f "$OUT"/dist/persistent-volumes-*.tar.gz
mkdir -p "$OUT/dist"
"$VENV/bin/ansible-galaxy" collection build --force --output-path "$OUT/dist" . >/dev/null
tarball="$(ls "$OUT"/dist/persistent-volumes-*.tar.gz)"
ANSIBLE_COLLECTIONS_PATH="$REPO_ROOT/$COLLECTIONS" "$VENV/bin/ansible-galaxy" collection install \
    --force -p "$COLLECTIONS" "$tarball" >/dev/null
log "installed $(basename "$tarball") into $COLLECTIONS"

if [ -n "$(ls -A /tmp/pvlab 2>/dev/null)" ]; then
    log "WARNING: lab engines in /tmp/pvlab are up; the fleet scenario restarts them (another run using them would break)"
fi

args=(--repo "$REPO_ROOT" --venv "$VENV" --collections "$COLLECTIONS" --out-dir "$OUT"
      --count "${BENCH_COUNT:-20}" --reps "${BENCH_REPS:-3}" --fleet-hosts "${BENCH_FLEET_HOSTS:-4}"
      --peer-fleet "${BENCH_PEER_FLEET:-auto}" --pipelining "${BENCH_PIPELINING:-true}")
exec "$VENV/bin/python" "$BENCH_DIR/bench.py" "${args[@]}" "$@"
