#!/usr/bin/env bash
# 'make test': run the stages in order, stop at the first failure, and end with a
# one-line summary of the stages that ran.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1

STAGES=(deps engine image install units system system-oldest system-docker26 system-podman molecule sanity lint changelog-lint galaxy-importer)
MAKE_CMD="${MAKE:-make}"
ran=()
start=$SECONDS
rc=0
for stage in "${STAGES[@]}"; do
    t0=$SECONDS
    printf '\n===== make %s =====\n' "$stage"
    if "$MAKE_CMD" --no-print-directory "$stage"; then
        ran+=("$stage:ok($((SECONDS - t0))s)")
    else
        rc=$?
        ran+=("$stage:FAILED($((SECONDS - t0))s)")
        break
    fi
done

skipped=()
for stage in "${STAGES[@]}"; do
    case " ${ran[*]} " in *" $stage:"*) ;; *) skipped+=("$stage") ;; esac
done

echo
if [ "$rc" -eq 0 ]; then
    echo "make test: OK in $((SECONDS - start))s; stages run: ${ran[*]}"
else
    echo "make test: FAILED (exit $rc) in $((SECONDS - start))s; stages run: ${ran[*]}; not run: ${skipped[*]}"
fi
exit "$rc"
