#!/usr/bin/env bash
# 'make galaxy-importer': run galaxy-importer (the checker Galaxy runs on upload) on the tarball
# that 'make install' built, in a venv of its own (.build/importer-venv: it pins its own
# ansible-core and ansible-lint), with a configuration that starts no container. Any WARNING or
# ERROR line in its output fails the stage.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

VENV=.build/importer-venv
# galaxy-importer and everything it pins (its ansible-core, ansible-lint), from lock/importer.txt.
venv_from_lock "$VENV" "$LOCK_DIR/importer.txt"

shopt -s nullglob
tarballs=(.build/dist/persistent-volumes-*.tar.gz)
[ "${#tarballs[@]}" -eq 1 ] || die "expected one tarball in .build/dist (run 'make install'), found ${#tarballs[@]}"

out=.build/galaxy-importer.log
log "galaxy-importer on ${tarballs[0]} (log: $out)"
rc=0
# The importer runs ansible-doc and ansible-lint from PATH: its own venv's.
( cd .build && PATH="$REPO_ROOT/$VENV/bin:$PATH" GALAXY_IMPORTER_CONFIG="$REPO_ROOT/scripts/galaxy-importer.cfg" \
    "$REPO_ROOT/$VENV/bin/python" -m galaxy_importer.main "$REPO_ROOT/${tarballs[0]}" ) >"$out" 2>&1 </dev/null || rc=$?
grep -v '^Loading ' "$out" || true
if [ "$rc" -ne 0 ]; then
    die "galaxy-importer failed (exit $rc)"
fi
if grep -Eq '^(WARNING|ERROR)|WARNING:|ERROR:' "$out"; then
    die "galaxy-importer reported warnings or errors (see above)"
fi
grep -q 'Importer processing completed successfully' "$out" || die "galaxy-importer did not complete"
log "galaxy-importer: no warning"
