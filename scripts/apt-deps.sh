#!/usr/bin/env bash
# Install the Debian packages the lab needs, but only those that are missing:
# 'apt-get update' and 'apt-get install' run only when something is missing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

PACKAGES=(docker.io busybox-static rsync iproute2 git)
# The system tests prove that docker-compose and this collection do not fight over a container.
PACKAGES+=(docker-compose)
# ansible-test sanity's "shellcheck" test is skipped (with a warning) without it.
PACKAGES+=(shellcheck)
# A registry inside a test engine's namespace: references by digest are pulled for real.
PACKAGES+=(docker-registry)
# The storage map's page is checked in a real browser (headless, no network).
PACKAGES+=(chromium)
# ... whose test fleet has a host reached over SSH that does not answer (unreachable).
PACKAGES+=(openssh-client)
# 'python3 -m venv' needs ensurepip; Debian's own python3 ships it in python3-venv.
if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    PACKAGES+=(python3-venv)
fi

missing=()
for p in "${PACKAGES[@]}"; do
    # (dpkg -s's status line, read without a pipe: grep -q + pipefail would race.)
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages present: ${PACKAGES[*]}"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "missing Debian packages (${missing[*]}) and not root"
export DEBIAN_FRONTEND=noninteractive
log "installing missing Debian packages: ${missing[*]}"
apt-get update </dev/null
apt-get install -y "${missing[@]}" </dev/null
