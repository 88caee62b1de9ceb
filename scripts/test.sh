#!/usr/bin/env bash
# 'make test': every stage, and a one-line summary of the stages that ran.
#
# The set-up stages and the unit tests run first, in order. Then two lanes run side by side, each in
# order and each stopping at its first failure (a test run waits on the engine and on ansible-playbook
# more than it computes, so two of them share the 2 cores well):
#   - the main engine's: system, system-oldest, molecule (they share that engine and the SSH fleet);
#   - the stages with an engine of their own or none: system-docker26, system-podman, sanity, lint,
#     changelog-lint, galaxy-importer. Its output goes to .build/test-logs/ and is shown when both
#     lanes are done.
# The two slow downloads of later stages, the PostgreSQL image (scripts/pg-image.sh) and the Debian 13
# root of the Docker 26 engine (scripts/docker26-root.sh), start in the background as soon as the
# engine is up; the stage that needs one waits for it (each script holds a lock while it builds).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1

FIRST=(deps engine image install units)
MAIN_LANE=(system system-oldest molecule)
OTHER_LANE=(system-docker26 system-podman sanity lint changelog-lint galaxy-importer)
EARLY_AFTER=engine
MAKE_CMD="${MAKE:-make}"
LOGS=.build/test-logs
start=$SECONDS

# run_stages RESULTS STAGE...: run each stage until one fails; one line per stage in RESULTS.
run_stages() {
    local results="$1" stage t0 rc
    shift
    for stage in "$@"; do
        t0=$SECONDS
        printf '\n===== make %s =====\n' "$stage"
        if "$MAKE_CMD" --no-print-directory "$stage"; then
            echo "$stage:ok($((SECONDS - t0))s)" >>"$results"
        else
            rc=$?
            echo "$stage:FAILED($((SECONDS - t0))s)" >>"$results"
            return "$rc"
        fi
    done
}

# The slow downloads, in the background (logs in .build/test-logs). The stage that needs one runs its
# script again: it waits for the lock, then finds the result there, or fails with its own output.
start_early() {
    (scripts/pg-image.sh >"$LOGS/pg-image.log" 2>&1 || true) &
    (scripts/docker26-root.sh >"$LOGS/docker26-root.log" 2>&1 || true) &
}

mkdir -p "$LOGS"
rm -f "$LOGS"/*
: >"$LOGS/first.results"
: >"$LOGS/main.results"
: >"$LOGS/other.results"
rc=0
for stage in "${FIRST[@]}"; do
    run_stages "$LOGS/first.results" "$stage" || { rc=$?; break; }
    if [ "$stage" = "$EARLY_AFTER" ]; then
        start_early
    fi
done

other_rc=0
if [ "$rc" -eq 0 ]; then
    run_stages "$LOGS/other.results" "${OTHER_LANE[@]}" >"$LOGS/other.log" 2>&1 &
    other_pid=$!
    run_stages "$LOGS/main.results" "${MAIN_LANE[@]}" 2>&1 | tee "$LOGS/main.log" || rc=$?
    wait "$other_pid" || other_rc=$?
    printf '\n===== the other lane (%s), as it ran =====\n' "${OTHER_LANE[*]}"
    cat "$LOGS/other.log"
    if [ "$rc" -ne 0 ]; then
        printf '\n===== the main lane (%s) failed; the end of its output again =====\n' "${MAIN_LANE[*]}"
        tail -n 150 "$LOGS/main.log"
    fi
fi
wait  # the early downloads, if a failure came first

ran="$(cat "$LOGS/first.results" "$LOGS/main.results" "$LOGS/other.results" | tr '\n' ' ')"
ran="${ran% }"
not_run=()
for stage in "${FIRST[@]}" "${MAIN_LANE[@]}" "${OTHER_LANE[@]}"; do
    case " $ran" in *" $stage:"*) ;; *) not_run+=("$stage") ;; esac
done
echo
if [ "$rc" -eq 0 ] && [ "$other_rc" -eq 0 ]; then
    echo "make test: OK in $((SECONDS - start))s; stages run: $ran"
    exit 0
fi
echo "make test: FAILED in $((SECONDS - start))s; stages run: $ran; not run: ${not_run[*]}"
exit $((rc != 0 ? rc : other_rc))
