#!/usr/bin/env bash
# 'make units': the unit tests as contributors to any collection run them,
# 'ansible-test units --venv --python 3.11' (requirements: tests/unit/requirements.txt, versions from lock/units.txt), on a
# staged copy of the collection in .build/units/ansible_collections/persistent/volumes (see
# stage_collection in lib.sh). Extra arguments are passed on to ansible-test (e.g. a test
# directory: tests/unit/plugins/module_utils/volume/).
#
# With PYTEST_ARGS (e.g. -k volume), pytest runs that selection directly on the work tree
# instead (ansible-test has no -k): quicker while iterating.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ANSIBLE_TEST="$REPO_ROOT/.venv/bin/ansible-test"
PYTHON_VERSION="${UNITS_PYTHON:-3.11}"
[ -x "$ANSIBLE_TEST" ] || die "$ANSIBLE_TEST missing (run 'make deps')"

if [ -n "${PYTEST_ARGS:-}" ]; then
    # .build/pkg/ansible_collections/persistent/volumes links to the work tree (make pkg-link).
    # The words of PYTEST_ARGS as the shell reads them: -k "a or b" is two words.
    eval "set -- $PYTEST_ARGS"
    rc=0
    PYTHONPATH="$REPO_ROOT/.build/pkg${PYTHONPATH:+:$PYTHONPATH}" "$REPO_ROOT/.venv/bin/python" -m pytest tests/unit -q "$@" ||
        rc=$?
    if [ "$rc" -eq 5 ]; then
        log "WARNING: pytest collected no test in tests/unit"
        rc=0
    fi
    exit "$rc"
fi

dest="$(stage_collection .build/units)"
# ansible-test installs tests/unit/requirements.txt and its own requirements into its venv, under
# the constraints of tests/unit/constraints.txt: the staged copy's are lock/units.txt's exact
# versions (pins without hashes: ansible-test's pip call mixes in requirements of its own).
cp "$LOCK_DIR/units.txt" "$dest/tests/unit/constraints.txt"
install_pip_standin
cd "$dest"
export PATH="$REPO_ROOT/.venv/bin:$PATH"
set -x
"$ANSIBLE_TEST" units --venv --python "$PYTHON_VERSION" --color no "$@"
