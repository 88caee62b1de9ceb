# shellcheck shell=bash
# The fleet lab's hosts, shared by fleet-up.sh, fleet-down.sh and fleet-host.sh. Source it
# after lib.sh. See fleet-up.sh for what a lab host is.

LAB=/tmp/pvlab
LAB_NET="${PV_LAB_NET:-10.231}"         # host I is $LAB_NET.I.2, the lab's side $LAB_NET.I.1
LAB_USER=pvlab                          # the login user of every lab host (sudo without password)
LAB_NS="$LAB/ns"                        # the hosts' mount namespaces, one file each
LAB_SSH="$LAB/ssh"                      # the lab's client key and known_hosts
# shellcheck disable=SC2034 # used by fleet-up.sh
HOST_PYTHON="$REPO_ROOT/.build/lab/host-python"   # the hosts' Python with the Docker SDK

host_dir() { echo "$LAB/$1"; }
host_index() { echo "${1#host}"; }
host_address() { echo "$LAB_NET.$(host_index "$1").2"; }
lab_address() { echo "$LAB_NET.$(host_index "$1").1"; }
host_netns() { echo "pv$1"; }
# The engine's socket and pid file as this (the lab's) mount namespace sees them; inside
# the host they are /var/run/docker.sock and /var/run/docker.pid.
host_socket() { echo "$(host_dir "$1")/run/docker.sock"; }

# nsenter's options that enter host $1: its network, mount and UTS namespaces (in HOST_NS).
host_ns() {
    HOST_NS=(--net="/run/netns/$(host_netns "$1")" --mount="$LAB_NS/$1" --uts="$LAB_NS/$1.uts")
}

# The pids of the processes in host $1's mount namespace (dockerd, containerd, sshd, ...).
host_pids() {
    local ns pid
    ns="$(stat -L -c %i "$LAB_NS/$1" 2>/dev/null)" || return 0
    for pid in /proc/[0-9]*; do
        if [ "$(stat -L -c %i "$pid/ns/mnt" 2>/dev/null)" = "$ns" ]; then
            echo "${pid#/proc/}"
        fi
    done
}

# Processes of host $1 whose command is $2 (e.g. sshd, dockerd).
host_pids_named() {
    local pid
    for pid in $(host_pids "$1"); do
        if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then
            echo "$pid"
        fi
    done
}

# Send TERM to the pids given, wait up to 30 s, then KILL what is left.
stop_pids() {
    local pid t
    [ "$#" -gt 0 ] || return 0
    kill "$@" 2>/dev/null || true
    for ((t = 0; t < 30; t++)); do
        local alive=""
        for pid in "$@"; do
            if kill -0 "$pid" 2>/dev/null; then alive=yes; fi
        done
        [ -n "$alive" ] || return 0
        sleep 1
    done
    kill -9 "$@" 2>/dev/null || true
}

# Hosts whose engine is started as systemd's docker.socket starts it on stock Debian, Ubuntu and
# docker-ce hosts: a listener (tests/system/socket_activation.py, with Debian's python3) owns
# /var/run/docker.sock and hands it to 'dockerd -H fd://'. The other hosts' dockerd makes its
# socket itself. Both kinds are in every fleet of two hosts or more.
LAB_ACTIVATED_HOSTS="${PV_LAB_ACTIVATED_HOSTS:-host1}"

start_engine() {
    local host="$1" dir how=() args=()
    dir="$(host_dir "$host")"
    # Every default of a real host: /var/lib/docker, /var/run/docker, /var/run/docker.sock,
    # all of them the host's own through its mount namespace.
    case " $LAB_ACTIVATED_HOSTS " in
        *" $host "*)
            how=(/usr/bin/python3 "$REPO_ROOT/tests/system/socket_activation.py" --socket /var/run/docker.sock
                 --pidfile /var/run/docker-listener.pid --)
            args=(-H fd://)
            log "starting the engine of $host behind socket activation (in it: unix:///var/run/docker.sock)" ;;
        *) log "starting the engine of $host (in it: unix:///var/run/docker.sock)" ;;
    esac
    host_ns "$host"
    (cd / && exec setsid nsenter "${HOST_NS[@]}" "${how[@]}" /usr/sbin/dockerd "${args[@]}" \
        </dev/null >>"$dir/dockerd.log" 2>&1) &
}

# Run "$@" once a second until it succeeds, for at most $1 seconds.
poll() {
    local seconds="$1" t
    shift
    for ((t = 0; t < seconds; t++)); do
        if "$@"; then
            return 0
        fi
        sleep 1
    done
    return 1
}

engine_answers() { PV_DOCKER_SOCK="unix://$(host_socket "$1")" docker_ info >/dev/null 2>&1; }

wait_engine() {
    if ! poll "${ENGINE_WAIT:-60}" engine_answers "$1"; then
        tail -n 30 "$(host_dir "$1")/dockerd.log" >&2 || true
        die "the engine of $1 did not answer within ${ENGINE_WAIT:-60}s"
    fi
}

stop_engine() {
    local host="$1" pid
    pid="$(cat "$(host_dir "$host")/run/docker.pid" 2>/dev/null || true)"
    # shellcheck disable=SC2046 # one pid per word
    stop_pids ${pid:+"$pid"} $(host_pids_named "$host" dockerd)
}

start_sshd() {
    local host="$1" dir
    dir="$(host_dir "$host")"
    log "starting sshd of $host on $(host_address "$host"):22"
    # -D: no fork, so setsid's child is the daemon; -e: its log goes to sshd.log.
    host_ns "$host"
    (cd / && exec setsid nsenter "${HOST_NS[@]}" /usr/sbin/sshd -D -e -f "$dir/sshd_config" </dev/null >>"$dir/sshd.log" 2>&1) &
}

sshd_lets_in() { lab_ssh "$1" true </dev/null >/dev/null 2>&1; }

wait_sshd() {
    if ! poll 30 sshd_lets_in "$1"; then
        tail -n 20 "$(host_dir "$1")/sshd.log" >&2 || true
        die "sshd of $1 did not let $LAB_USER in within 30s"
    fi
}

# The listener and every connection it serves.
stop_sshd() {
    # shellcheck disable=SC2046 # one pid per word
    stop_pids $(host_pids_named "$1" sshd)
}

# ssh to host $1 as the lab's user, as the controller does.
lab_ssh() {
    local host="$1"
    shift
    ssh -i "$LAB_SSH/id_ed25519" -o UserKnownHostsFile="$LAB_SSH/known_hosts" -o StrictHostKeyChecking=yes \
        -o BatchMode=yes -o ConnectTimeout=5 "$LAB_USER@$(host_address "$host")" "$@"
}
