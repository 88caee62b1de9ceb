# shellcheck shell=bash
# Shared helpers for the scripts in this directory. Source it, don't run it.

# Repository root, computed from this file's location (never hard-coded).
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# The engine these scripts manage: the default socket, whatever DOCKER_HOST says.
DOCKER_SOCK="${PV_DOCKER_SOCK:-unix:///var/run/docker.sock}"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Debian's client (/usr/bin/docker, API 1.41 like the engine) is preferred; any other
# client on PATH (e.g. a newer /usr/local/bin/docker) negotiates down and works too.
docker_cli() {
    if [ -x /usr/bin/docker ]; then
        echo /usr/bin/docker
    elif command -v docker >/dev/null 2>&1; then
        command -v docker
    else
        return 1
    fi
}

docker_() {
    local cli
    cli="$(docker_cli)" || die "no docker client found (run 'make deps')"
    "$cli" -H "$DOCKER_SOCK" "$@"
}

# ansible-test needs the collection at .../ansible_collections/<namespace>/<name>: copy the
# tracked and untracked-not-ignored files (git ls-files -co --exclude-standard), fresh each
# time, to $1/ansible_collections/persistent/volumes, and print that path. ansible-test's
# --venv controller environment (tests/output/.tmp/delegation) is kept between runs.
stage_collection() {
    local stage="$1" dest keep
    dest="$stage/ansible_collections/persistent/volumes"
    keep="$stage.delegation"
    rm -rf "$keep"
    if [ -d "$dest/tests/output/.tmp/delegation" ]; then
        mv "$dest/tests/output/.tmp/delegation" "$keep"
    fi
    rm -rf "$stage"
    mkdir -p "$dest"
    # Tracked files deleted in the work tree are listed by git but can't be copied.
    (cd "$REPO_ROOT" && git ls-files -z -co --exclude-standard |
        while IFS= read -r -d '' f; do
            if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
        done |
        rsync -a --delete --from0 --files-from=- ./ "$dest/")
    # The copy lies inside this repo's work tree, under the ignored .build/. As a plain
    # directory, ansible-test would walk up to this repo's .git, list the copy's files
    # with git there, find them all ignored, and pass with "All targets skipped". Made a
    # git repo of its own, it is its own content root and every staged file is tested.
    git -C "$dest" init -q
    # ansible-test's output (and the kept venv) is never content, whatever .gitignore says.
    echo '/tests/output/' >>"$dest/.git/info/exclude"
    git -C "$dest" add -A
    if [ -d "$keep" ]; then
        mkdir -p "$dest/tests/output/.tmp"
        mv "$keep" "$dest/tests/output/.tmp/delegation"
    fi
    log "staged $(git -C "$dest" ls-files | wc -l) files in $dest"
    echo "$dest"
}

# ansible-test bootstraps pip in each venv it makes with a get-pip.py downloaded from a
# host that is not reachable here; give it a stand-in (see get-pip-standin.py) in the
# cache where it looks first. A cached script (stand-in or genuine) is left alone.
install_pip_standin() {
    local pip_version cached
    pip_version="$("$REPO_ROOT/.venv/bin/python" - <<'PY'
import os, re, ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
match = re.search(r"\bpip='([0-9.]+)'", open(path).read())
print(match.group(1) if match else '')
PY
)"
    if [ -z "$pip_version" ]; then
        log "WARNING: could not tell which pip ansible-test bootstraps; no stand-in installed"
        return 0
    fi
    cached=~/".ansible/test/cache/get_pip_${pip_version//./_}.py"
    if [ ! -s "$cached" ]; then
        mkdir -p "$(dirname "$cached")"
        cp "$REPO_ROOT/scripts/get-pip-standin.py" "$cached"
        log "installed pip bootstrap stand-in at $cached"
    fi
}

# The lock files every venv of the project installs from (lock/*.txt, written by 'make lock'):
# PV_LOCK_DIR, when set, names another directory of them ('make test-latest' resolves the newest
# versions into .build/latest-lock).
LOCK_DIR="${PV_LOCK_DIR:-$REPO_ROOT/lock}"
export LOCK_DIR

# one_at_a_time NAME: wait for, then hold until this script ends, the lock .build/NAME.lock. make test
# runs two lanes side by side, and both may ask for the same set-up at once: the second waits, then
# finds it done. Every script that makes something shared (a venv, an image, a root, the installed
# collection) takes its lock before it looks whether the thing is there.
# (Its file descriptor, ONE_AT_A_TIME_FD, is inherited by what the script starts: a script that starts a
# daemon, which would hold the lock for good, closes it first with 'exec {ONE_AT_A_TIME_FD}>&-'.)
one_at_a_time() {
    mkdir -p "$REPO_ROOT/.build"
    exec {ONE_AT_A_TIME_FD}>>"$REPO_ROOT/.build/$1.lock"
    flock "$ONE_AT_A_TIME_FD"
}

# venv_from_lock VENV LOCK [PYTHON]: make VENV hold exactly what the lock file LOCK lists
# (pinned versions, every file checked against its sha256, no other package), with PYTHON
# (python3). A venv made from the same lock content is kept; any other is made anew.
venv_from_lock() {
    local venv="$1" lock="$2" python="${3:-python3}" want
    [ -s "$lock" ] || die "lock file $lock missing (run 'make lock')"
    # (held while the venv is looked at or made only: a caller may go on to start daemons)
    one_at_a_time "venv-$(basename "$venv")"
    want="$(sha256sum "$lock" | cut -d' ' -f1)"
    if [ "$(cat "$venv/.lock-sha256" 2>/dev/null)" != "$want" ] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
        log "making $venv from $lock"
        rm -rf "$venv"
        "$python" -m venv "$venv"
        pip_locked "$venv/bin/python" "$lock"
        "$venv/bin/python" -m pip check >/dev/null || die "$venv: 'pip check' failed after installing $lock"
        echo "$want" >"$venv/.lock-sha256"
    fi
    exec {ONE_AT_A_TIME_FD}>&-
}

# pip_locked PYTHON LOCK [pip install options...]: install a lock file in hash-checking mode,
# with no dependency resolution (the lock lists every package). The machine's pip configuration
# may name extra local indexes that do not exist; pip's notes about them are left out.
pip_locked() {
    local python="$1" lock="$2"
    shift 2
    "$python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps "$@" -r "$lock" \
        </dev/null 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
}
