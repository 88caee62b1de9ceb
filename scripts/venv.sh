#!/usr/bin/env bash
# Make the project venv at .venv hold exactly lock/dev.txt (the lock of requirements-dev.txt,
# written by 'make lock'; PV_LOCK_DIR names another directory of locks). A venv made from the
# same lock is kept; after a change of the lock (or a broken interpreter) it is made anew.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

venv_from_lock .venv "$LOCK_DIR/dev.txt"
log "venv ready: $(.venv/bin/ansible --version | sed -n 1p) (from ${LOCK_DIR#"$REPO_ROOT"/}/dev.txt)"
