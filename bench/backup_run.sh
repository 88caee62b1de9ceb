#!/usr/bin/env bash
# Backup and restore throughput ('make bench-backup'): persistent.volumes.volume_backup and
# volume_restore on both paths against the endpoint alone, host tar and the recipe, on the main engine,
# then on an engine of its own behind an activated socket (results: .build/bench/backup-activated.json).
#
#   bench/backup_run.sh [backup_bench.py options]   # e.g. --reps 1, --no-drop-caches, --clean, --targets-only
#
# Set-up, redone only when missing: the Debian packages, the project's .venv (the modules run
# with its python and Docker SDK; no other collection is needed), the main engine,
# local/busybox:latest, and the .build/pkg link that puts the work tree on PYTHONPATH.
# bench/backup_bench.py then measures and prints the table; .build/bench/backup.json has it all.
# The 1 GiB volume pvbench_1g is built once and kept for the next run; '--clean' removes it.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
cd "$REPO_ROOT"

VENV=.venv
OUT=.build/bench
PKG_LINK=.build/pkg/ansible_collections/persistent/volumes

log() { printf '[bench/backup_run.sh] %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "ERROR: the benchmark reads volumes through their Mountpoint and drops the page cache; run it as root"; exit 1; }

scripts/apt-deps.sh
# The endpoint alone is timed with curl, the floors that hash with openssl (SHA extensions).
missing=()
for p in curl openssl; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" </dev/null
fi
scripts/venv.sh
scripts/engine-up.sh
scripts/image.sh

# As 'make pkg-link': .build/pkg/ansible_collections/persistent/volumes -> the work tree.
mkdir -p "$(dirname "$PKG_LINK")"
ln -sfn ../../../.. "$PKG_LINK"

mkdir -p "$OUT"
"$VENV/bin/python" "$BENCH_DIR/backup_bench.py" --repo "$REPO_ROOT" --python "$REPO_ROOT/$VENV/bin/python" \
    --out-dir "$OUT" "$@"
case " $* " in *" --clean "*|*" --activated "*|*" --targets-only "*) exit 0 ;; esac
# Then behind an activated socket, as systemd starts Docker on stock hosts (an engine of its own):
# the direct path must be proved there too, so its times are the direct path's, not the endpoint's.
exec "$VENV/bin/python" "$BENCH_DIR/backup_bench.py" --repo "$REPO_ROOT" --python "$REPO_ROOT/$VENV/bin/python" \
    --out-dir "$OUT" --activated "$@"
