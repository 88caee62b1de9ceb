# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this file
# The lab's Podman engine, shared by podman-up.sh and podman-down.sh. Source it after lib.sh.
# PV_PODMAN_DIR moves its socket, pid file and run root, PV_PODMAN_ROOT its storage (Makefile:
# PODMAN_SOCK names the default socket).

PODMAN_DIR="${PV_PODMAN_DIR:-/run/pv-podman}"        # socket, pid file, run root
PODMAN_SOCK="$PODMAN_DIR/podman.sock"
PODMAN_HOST="unix://$PODMAN_SOCK"
PODMAN_PIDFILE="$PODMAN_DIR/service.pid"
PODMAN_ROOT="${PV_PODMAN_ROOT:-/var/lib/pv-podman}"  # images, containers, volumes
PODMAN_NETNS=pv-podman
PODMAN_LOG="$REPO_ROOT/.build/lab/podman.log"
PODMAN_CONF_DIR=/etc/containers/containers.conf.d
PODMAN_GLOBAL=(--root "$PODMAN_ROOT/storage" --runroot "$PODMAN_DIR/run" --tmpdir "$PODMAN_DIR/tmp")
