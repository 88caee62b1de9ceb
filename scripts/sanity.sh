#!/usr/bin/env bash
# Run 'ansible-test sanity' on a staged copy of the collection in
# .build/sanity/ansible_collections/persistent/volumes (see stage_collection in lib.sh).
# Extra arguments are passed on to ansible-test (e.g. --test pep8).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ANSIBLE_TEST="$REPO_ROOT/.venv/bin/ansible-test"
PYTHON_VERSION="${SANITY_PYTHON:-3.11}"
[ -x "$ANSIBLE_TEST" ] || die "$ANSIBLE_TEST missing (run 'make deps')"

dest="$(stage_collection .build/sanity)"
install_pip_standin
cd "$dest"
export PATH="$REPO_ROOT/.venv/bin:$PATH"
set -x
"$ANSIBLE_TEST" sanity --venv --python "$PYTHON_VERSION" --color no "$@"
