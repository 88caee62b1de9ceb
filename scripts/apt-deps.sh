#!/usr/bin/env bash
# Install the Debian packages the lab needs, but only those that are missing:
# 'apt-get update' and 'apt-get install' run only when something is missing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

PACKAGES=(docker.io busybox-static rsync iproute2 git)
# The system tests run on Podman too (make system-podman: rootful, through its Docker API socket).
PACKAGES+=(podman)
# The system tests prove that docker-compose and this collection do not fight over a container.
PACKAGES+=(docker-compose)
# The fleet lab's hosts (scripts/fleet-up.sh): sshd and sudo in each, ssh from the controller.
PACKAGES+=(openssh-server openssh-client sudo)
# ansible-test sanity's "shellcheck" test is skipped (with a warning) without it.
PACKAGES+=(shellcheck)
# A registry inside a test engine's namespace: references by digest are pulled for real.
PACKAGES+=(docker-registry)
# The root of the PostgreSQL test image (scripts/pg-image.sh) and of the Docker 26 lab engine.
PACKAGES+=(debootstrap)
# The storage map's page is checked in a real browser (headless, no network).
PACKAGES+=(chromium)
# 'python3 -m venv' needs ensurepip; Debian's own python3 ships it in python3-venv.
# The lab hosts' Python is a venv of Debian's /usr/bin/python3.
if ! python3 -c 'import ensurepip' >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1; then
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
# Installing openssh-server would start the machine's own sshd on every address where
# nothing forbids it (policy-rc.d); the lab runs its own sshd in each host instead.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# written by apt-deps.sh while it installs packages\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get install -y "${missing[@]}" </dev/null
