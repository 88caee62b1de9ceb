#!/usr/bin/env bash
# 'make system-docker26': the system suite against the Docker 26 lab engine (scripts/docker26-up.sh).
# The tests' own engine is named by PV_TEST_DOCKER_HOST; the modules and the docker client read
# DOCKER_HOST, as on a host whose engine is elsewhere. Arguments go to pytest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

host="$(scripts/docker26-up.sh)"
PV_DOCKER_SOCK="$host" scripts/image.sh
export PV_TEST_DOCKER_HOST="$host" DOCKER_HOST="$host"
export PYTHONPATH="$REPO_ROOT/.build/pkg${PYTHONPATH:+:$PYTHONPATH}"
rc=0
# shellcheck disable=SC2086 # PYTEST_ARGS is split as a command line is
"$REPO_ROOT/.venv/bin/python" -m pytest tests/system -q ${PYTEST_ARGS:-} "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    log "WARNING: pytest collected no test"
    rc=0
fi
exit "$rc"
