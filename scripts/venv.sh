#!/usr/bin/env bash
# Create (or refresh) the project venv at .venv from requirements-dev.txt and touch
# the stamp file given as $1. The Makefile calls this only when requirements-dev.txt
# is newer than the stamp.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

STAMP="${1:-.venv/.requirements-dev.stamp}"
VENV=.venv

# A venv whose interpreter no longer runs (e.g. the base python moved) is rebuilt.
if [ -e "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "$VENV is broken; recreating it"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with $(python3 --version 2>&1)"
    python3 -m venv "$VENV"
fi

log "installing requirements-dev.txt into $VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip </dev/null
"$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt </dev/null
touch "$STAMP"
log "venv ready: $("$VENV/bin/ansible" --version | head -n1)"
