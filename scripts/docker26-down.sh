#!/usr/bin/env bash
# Stop the Docker 26 lab engine (scripts/docker26-up.sh) and remove its network namespace and
# state; the Debian 13 root in .build/docker26 is kept for the next start.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=docker26-lib.sh
. "$(dirname "$0")/docker26-lib.sh"

docker26_stop_processes
if [ -e "/run/netns/$D26_NAME" ]; then
    ip netns del "$D26_NAME"
fi
rm -rf "$D26_DIR"
log "Docker 26 lab engine $D26_NAME stopped"
