#!/usr/bin/env bash
# Run 'ansible-test sanity' on a staged copy of the collection.
# ansible-test needs the collection at .../ansible_collections/<namespace>/<name>, so
# the tracked and untracked-not-ignored files (git ls-files -co --exclude-standard)
# are copied, fresh each time, to .build/sanity/ansible_collections/persistent/volumes.
# Extra arguments are passed on to ansible-test (e.g. --test pep8).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

NAMESPACE=persistent
NAME=volumes
STAGE=.build/sanity
DEST="$STAGE/ansible_collections/$NAMESPACE/$NAME"
ANSIBLE_TEST="$REPO_ROOT/.venv/bin/ansible-test"
PYTHON_VERSION="${SANITY_PYTHON:-3.11}"

[ -x "$ANSIBLE_TEST" ] || die "$ANSIBLE_TEST missing (run 'make deps')"

# Fresh copy each time, but keep ansible-test's --venv controller environment
# (tests/output/.tmp/delegation) so that a second run doesn't rebuild it. The venvs of
# the individual sanity tests are cached by ansible-test itself in ~/.ansible/test/venv.
KEEP="$STAGE.delegation"
rm -rf "$KEEP"
if [ -d "$DEST/tests/output/.tmp/delegation" ]; then
    mv "$DEST/tests/output/.tmp/delegation" "$KEEP"
fi
rm -rf "$STAGE"
mkdir -p "$DEST"
# Tracked files deleted in the work tree are listed by git but can't be copied.
git ls-files -z -co --exclude-standard |
    while IFS= read -r -d '' f; do
        if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done |
    rsync -a --delete --from0 --files-from=- ./ "$DEST/"

# The copy lies inside this repo's work tree, under the ignored .build/. As a plain
# directory, ansible-test would walk up to this repo's .git, list the copy's files
# with git there, find them all ignored, and pass with "All targets skipped". Made a
# git repo of its own, it is its own content root and every staged file is tested.
git -C "$DEST" init -q
# ansible-test's output (and the kept venv) is never content, whatever .gitignore says.
echo '/tests/output/' >>"$DEST/.git/info/exclude"
git -C "$DEST" add -A
if [ -d "$KEEP" ]; then
    mkdir -p "$DEST/tests/output/.tmp"
    mv "$KEEP" "$DEST/tests/output/.tmp/delegation"
fi

log "staged $(git -C "$DEST" ls-files | wc -l) files in $DEST"

# ansible-test bootstraps pip in each venv it makes with a get-pip.py downloaded from a
# host that is not reachable here; give it a stand-in (see get-pip-standin.py) in the
# cache where it looks first. A cached script (stand-in or genuine) is left alone.
pip_version="$("$REPO_ROOT/.venv/bin/python" - <<'PY'
import os, re, ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
match = re.search(r"\bpip='([0-9.]+)'", open(path).read())
print(match.group(1) if match else '')
PY
)"
if [ -n "$pip_version" ]; then
    cached=~/".ansible/test/cache/get_pip_${pip_version//./_}.py"
    if [ ! -s "$cached" ]; then
        mkdir -p "$(dirname "$cached")"
        cp "$REPO_ROOT/scripts/get-pip-standin.py" "$cached"
        log "installed pip bootstrap stand-in at $cached"
    fi
else
    log "WARNING: could not tell which pip ansible-test bootstraps; no stand-in installed"
fi
cd "$DEST"
export PATH="$REPO_ROOT/.venv/bin:$PATH"
set -x
"$ANSIBLE_TEST" sanity --venv --python "$PYTHON_VERSION" --color no "$@"
