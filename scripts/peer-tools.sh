#!/usr/bin/env bash
# The tools that make the application containers users point this collection at, for the
# system tests that prove the collection and those tools do not fight over a container:
# - community.docker, pinned by lock/peer.txt (version and sha256): PyPI's 'ansible' package bundles it. Only its
#   ansible_collections/community/docker is kept, in .build/peer-collections, which only
#   those tests put on ANSIBLE_COLLECTIONS_PATH: it is no dependency of the collection, and
#   no other run (the .venv's ansible-core included) sees it.
# - docker-compose: Debian's package (scripts/apt-deps.sh installs it).
# Redone only when the pin changes.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

LOCK="$LOCK_DIR/peer.txt"  # ansible==12.3.0 (bundles community.docker 4.8.5), by its sha256
DEST=.build/peer-collections
STAMP="$DEST/.lock-$(sha256sum "$LOCK" | cut -c1-16)"
PYTHON="${PEER_PYTHON:-.venv/bin/python}"
one_at_a_time peer-tools

if [ -e "$STAMP" ] && [ -d "$DEST/ansible_collections/community/docker" ]; then
    log "community.docker present in $DEST (from ${LOCK#"$REPO_ROOT"/})"
    exit 0
fi
download=.build/peer-download
rm -rf "$download" "$DEST"
log "installing community.docker from PyPI's ansible package (${LOCK#"$REPO_ROOT"/}) into $DEST (the rest of that package is dropped)"
pip_locked "$PYTHON" "$LOCK" --target "$download"
mkdir -p "$DEST/ansible_collections/community"
mv "$download/ansible_collections/community/docker" "$DEST/ansible_collections/community/docker"
rm -rf "$download"
touch "$STAMP"
version="$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' \
    "$DEST/ansible_collections/community/docker/MANIFEST.json")"
log "community.docker $version ready in $DEST"
