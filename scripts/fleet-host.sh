#!/usr/bin/env bash
# Stop or start one service of a lab host (scripts/fleet-up.sh), as an outage would:
#
#   scripts/fleet-host.sh HOST stop|start engine|sshd
#
# stop sshd ends the listener and every connection it serves (an ssh ControlMaster too);
# stop engine stops the host's dockerd (its containers stop with it). start waits until
# the service answers again.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=fleet-lib.sh
. "$(dirname "$0")/fleet-lib.sh"

[ "$#" -eq 3 ] || die "usage: $0 HOST stop|start engine|sshd"
host="$1" action="$2" service="$3"
[ -e "$LAB_NS/$host" ] || die "no lab host $host (scripts/fleet-up.sh makes them)"
case "$action $service" in
    "stop engine") stop_engine "$host" ;;
    "stop sshd") stop_sshd "$host" ;;
    "start engine") start_engine "$host"; wait_engine "$host" ;;
    "start sshd") start_sshd "$host"; wait_sshd "$host" ;;
    *) die "usage: $0 HOST stop|start engine|sshd" ;;
esac
log "$host: $action $service: done"
