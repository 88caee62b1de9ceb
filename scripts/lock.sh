#!/usr/bin/env bash
# 'make lock': write the lock files every venv of the project installs from, with exact versions
# and sha256 hashes, by uv's resolver (itself installed from lock/uv.txt):
#   requirements-dev.txt       -> lock/dev.txt       (.venv: make deps, units, system, lint, ...)
#   requirements.txt           -> lock/host.txt      (the lab hosts' Python: what users install)
#   tests/unit/requirements.txt-> lock/units.txt     (ansible-test units' venv, with ansible-test's
#     and ansible-test's own units requirements       own requirements: the staged copy's
#                                                     tests/unit/constraints.txt; pins, no hashes)
#   lock/NAME.in               -> lock/NAME.txt      (oldest, bench, peer, importer, sdk-old, uv)
# A version already in a lock file is kept while the inputs allow it; LOCK_UPGRADE=1 resolves the
# newest of everything. With a directory as $1, the files go there, resolved afresh (the newest
# versions): 'make test-latest' uses .build/latest-lock. With --check (make lint), nothing is
# written: it fails when an input changed and lock/ no longer matches it (run 'make lock').
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

OUT="${1:-lock}"
check=""
if [ "$OUT" = --check ]; then
    check="$(mktemp -d)"
    trap 'rm -rf "$check"' EXIT
    cp lock/*.txt "$check/"
    OUT="$check"
fi
PYTHON_VERSION=3.11
UV_VENV=.build/uv-venv
UV="$UV_VENV/bin/uv"

# uv from its own lock; bootstrap: a lock/uv.txt written by an earlier run.
venv_from_lock "$UV_VENV" lock/uv.txt
mkdir -p "$OUT"
upgrade=()
if [ "${LOCK_UPGRADE:-}" = 1 ]; then
    upgrade=(--upgrade)
fi

compile() {
    local input="$1" output="$2"
    shift 2
    log "$input -> $output"
    "$UV" pip compile --quiet --no-config --python-version "$PYTHON_VERSION" --custom-compile-command 'make lock' \
        "${upgrade[@]}" "$@" "$input" -o "$output"
}

compile requirements-dev.txt "$OUT/dev.txt" --generate-hashes
compile requirements.txt "$OUT/host.txt" --generate-hashes
# ansible-test installs its own requirements beside ours into the units venv: lock them too.
[ -x .venv/bin/python ] || scripts/venv.sh
ansible_test_reqs="$(.venv/bin/python -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_data", "requirements"))')"
units_in="$(mktemp -d)/units.in"
cat tests/unit/requirements.txt "$ansible_test_reqs/ansible.txt" "$ansible_test_reqs/units.txt" >"$units_in"
compile "$units_in" "$OUT/units.txt" --constraint "$OUT/dev.txt" --no-annotate
rm -rf "$(dirname "$units_in")"
for name in oldest bench importer sdk-old uv; do
    compile "lock/$name.in" "$OUT/$name.txt" --generate-hashes
done
compile lock/peer.in "$OUT/peer.txt" --generate-hashes --no-deps
if [ -n "$check" ]; then
    # The pinned names and versions only: not the comments (they name the output's directory),
    # nor the hashes (a release may gain a wheel on PyPI later; that changes no locked version).
    pins() { grep -oE '^[A-Za-z0-9_.-]+==[^ ;]+' "$1" | sort; }
    stale=()
    for file in lock/*.txt; do
        if ! diff -q <(pins "$file") <(pins "$check/$(basename "$file")") >/dev/null; then
            stale+=("$file")
        fi
    done
    [ "${#stale[@]}" -eq 0 ] || die "stale lock files (their inputs changed): ${stale[*]}; run 'make lock' and commit lock/"
    log "lock/ matches its inputs"
    exit 0
fi
log "lock files written to $OUT"
