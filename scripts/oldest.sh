#!/usr/bin/env bash
# Run the system tests again with the oldest ansible-core that meta/runtime.yml claims
# (requires_ansible), in a venv of its own (.build/venv-oldest), against the collection
# tarball built by 'make install'. Extra arguments go to pytest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

oldest="$(sed -n 's/^requires_ansible: *"*>= *\([0-9]*\.[0-9]*\).*/\1/p' meta/runtime.yml)"
[ -n "$oldest" ] || die "cannot read requires_ansible from meta/runtime.yml"
major="${oldest%%.*}"
minor="${oldest#*.}"
next="$major.$((minor + 1))"
VENV=.build/venv-oldest
STAMP="$VENV/.core-$oldest"
if [ ! -e "$STAMP" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "ansible-core>=$oldest,<$next" 'docker>=7.0' requests pytest
    touch "$STAMP"
fi
log "$("$VENV/bin/ansible" --version | sed -n 1p)"
tarball="$(ls .build/dist/persistent-volumes-*.tar.gz)"
rm -rf .build/collections-oldest
"$VENV/bin/ansible-galaxy" collection install --force -p .build/collections-oldest "$tarball" >/dev/null
PYTHONPATH="$REPO_ROOT/.build/pkg" ANSIBLE_COLLECTIONS_PATH="$REPO_ROOT/.build/collections-oldest" \
    "$VENV/bin/python" -m pytest tests/system -q "$@"
