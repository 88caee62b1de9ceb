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
