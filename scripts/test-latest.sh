#!/usr/bin/env bash
# 'make test-latest': the whole 'make test' with the newest versions the requirements allow, so
# that drift is seen on purpose: every lock file is resolved afresh into .build/latest-lock
# (scripts/lock.sh), the versions that differ from lock/ are listed, and make test runs with
# PV_LOCK_DIR pointing there (each venv is made anew from those files; the next plain 'make test'
# makes them again from lock/). When it passes, 'make lock LOCK_UPGRADE=1' takes the same
# versions into lock/ (commit the result); when it fails, the list says which upgrade to look at.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1

LATEST="$REPO_ROOT/.build/latest-lock"
rm -rf "$LATEST"
scripts/lock.sh "$LATEST" || die "resolving the newest versions failed"

# 'name version' a line, sorted by name, for join.
pins() { grep -hoE '^[A-Za-z0-9_.-]+==[^ ;]+' "$@" | sed 's/==/ /' | sort -u -k1,1; }
echo "== versions that differ from lock/ (lock file: locked -> newest)"
changes=0
for new in "$LATEST"/*.txt; do
    name="$(basename "$new")"
    while IFS= read -r line; do
        echo "  $name: $line"
        changes=$((changes + 1))
    done < <(join -a1 -a2 -e '(none)' -o 0,1.2,2.2 <(pins "lock/$name") <(pins "$new") |
        awk '$2 != $3 { printf "%s %s -> %s\n", $1, $2, $3 }')
done
[ "$changes" -gt 0 ] || echo "  none: lock/ holds the newest versions"

rc=0
PV_LOCK_DIR="$LATEST" "${MAKE:-make}" --no-print-directory test || rc=$?
echo
if [ "$rc" -eq 0 ]; then
    echo "make test-latest: OK with the newest versions ($changes differ from lock/; 'make lock LOCK_UPGRADE=1' takes them)"
else
    echo "make test-latest: FAILED (exit $rc) with the newest versions; the $changes differences above are the suspects"
fi
exit "$rc"
