#!/usr/bin/env bash
# 'make install': build the collection (ansible-galaxy collection build) and install the tarball
# into .collections. What was installed stays when the new build is the same collection: the same
# MANIFEST.json (galaxy.yml's metadata, and the sha256 of FILES.json, which lists every file's).
# make test runs stages side by side, each of which asks for 'install', and a reinstall would swap
# the files under a stage's running tests.
# One build at a time (one_at_a_time); the tarball in .build/dist is replaced in one rename.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

GALAXY="$REPO_ROOT/.venv/bin/ansible-galaxy"
DIST=.build/dist
INSTALLED=.collections/ansible_collections/persistent/volumes/MANIFEST.json
mkdir -p "$DIST"
one_at_a_time install

work="$(mktemp -d .build/dist.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$GALAXY" collection build --force --output-path "$work" . >/dev/null
built="$(ls "$work"/persistent-volumes-*.tar.gz)"
name="$(basename "$built")"
if [ -s "$DIST/$name" ] && [ -s "$INSTALLED" ] && cmp -s <(tar -xOzf "$built" MANIFEST.json) "$INSTALLED"; then
    log "$name: the installed collection is the same (MANIFEST.json); kept"
    exit 0
fi
rm -f "$DIST"/persistent-volumes-*.tar.gz
mv "$built" "$DIST/$name"
log "built $DIST/$name"
ANSIBLE_COLLECTIONS_PATH="$REPO_ROOT/.collections" "$GALAXY" collection install --force -p .collections "$DIST/$name"
