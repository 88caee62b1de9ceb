#!/usr/bin/env bash
# Start N lab hosts ("fleet hosts") that look like real Docker hosts, and write an
# inventory that reaches them the way users reach theirs: over SSH, as a non-root user
# who may sudo.
#
#   scripts/fleet-up.sh [N]        # default 3; hosts start fresh (empty) every time
#
# Host I (hostI, I = 1..N) is:
# - a network namespace pvhostI with an eth0 at $LAB_NET.I.2/24 (default 10.231.I.2), the
#   other end of a veth pair whose lab side, pvlab-hI, is $LAB_NET.I.1 in this namespace:
#   the only way in;
# - a mount namespace (/tmp/pvlab/ns/hostI) and a UTS namespace (hostname hostI) of its
#   own: /run (so /var/run) is /tmp/pvlab/hostI/run, /var/lib/docker is
#   /tmp/pvlab/hostI/data and /etc/hosts names it. Everything else is this machine's
#   filesystem. The lab machine's own /var/run/docker.sock is not touched;
# - Debian's dockerd with every default (in the host: unix:///var/run/docker.sock; from
#   the lab machine: /tmp/pvlab/hostI/run/docker.sock), with local/busybox:latest;
# - Debian's sshd on $LAB_NET.I.2:22 with a host key of its own, letting in only the user
#   pvlab (created here, key login only, sudo without password) with the lab's key
#   /tmp/pvlab/ssh/id_ed25519; /tmp/pvlab/ssh/known_hosts holds the host keys.
# The hosts' Python is a venv, .build/lab/host-python, made from Debian's /usr/bin/python3
# from lock/host.txt (requirements.txt, the collection's own requirements: the Docker SDK,
# locked), as a user installs it on a host; all hosts share it (the filesystem is shared).
#
# The inventory is written to .build/lab/fleet.yml: group docker_hosts, each host with its
# ansible_host and lab_engine_socket (its engine's socket as seen from this machine, for
# tests and benchmarks that look at an engine directly), and the group's SSH user, key,
# known_hosts and Python. No docker_host is set: modules use the host's default socket.
# Plays need become: true (the socket is root's). scripts/fleet-host.sh stops and starts
# a host's engine or sshd; scripts/fleet-down.sh removes the lab.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=fleet-lib.sh
. "$(dirname "$0")/fleet-lib.sh"
cd "$REPO_ROOT"

COUNT="${1:-3}"
INVENTORY="$REPO_ROOT/.build/lab/fleet.yml"

[ "$(id -u)" -eq 0 ] || die "starting lab hosts needs root"
for tool in nsenter unshare ip /usr/sbin/sshd /usr/sbin/dockerd sudo ssh ssh-keygen visudo /usr/bin/python3; do
    command -v "$tool" >/dev/null || die "$tool not found (run 'make deps')"
done

"$REPO_ROOT/scripts/fleet-down.sh"
if ip -4 -o addr show | grep -qF " $LAB_NET."; then
    die "addresses in $LAB_NET.0.0/16 are in use on this machine; set PV_LAB_NET to two other octets"
fi

# -- the hosts' Python: a venv with the collection's requirements ------------------------
# (requirements.txt as lock/host.txt pins it: the Docker SDK and what it pulls in.)
venv_from_lock "$HOST_PYTHON" "$LOCK_DIR/host.txt" /usr/bin/python3

# -- the login user and the lab's key ----------------------------------------------------
if ! id "$LAB_USER" >/dev/null 2>&1; then
    log "adding the login user $LAB_USER"
    useradd --create-home --shell /bin/bash "$LAB_USER"
fi
usermod --password '*' "$LAB_USER"     # no password, but not locked: key login works
sudoers="$(mktemp)"
echo "$LAB_USER ALL=(ALL:ALL) NOPASSWD: ALL" >"$sudoers"
visudo -qcf "$sudoers" >/dev/null || die "sudoers line for $LAB_USER rejected by visudo"
install -m 0440 "$sudoers" "/etc/sudoers.d/$LAB_USER"
rm -f "$sudoers"
home="$(getent passwd "$LAB_USER" | cut -d: -f6)"
mkdir -p "$LAB_SSH"
chmod 0700 "$LAB_SSH"
ssh-keygen -q -t ed25519 -N '' -C "persistent.volumes lab" -f "$LAB_SSH/id_ed25519"
install -d -m 0700 -o "$LAB_USER" -g "$LAB_USER" "$home/.ssh"
install -m 0600 -o "$LAB_USER" -g "$LAB_USER" "$LAB_SSH/id_ed25519.pub" "$home/.ssh/authorized_keys"
: >"$LAB_SSH/known_hosts"

# The hosts' mount namespace files live in a private mount, so that binding them cannot
# propagate anywhere (the kernel refuses that on a shared mount).
mkdir -p "$LAB_NS"
mount --bind "$LAB_NS" "$LAB_NS"
mount --make-private "$LAB_NS"

# -- the hosts ----------------------------------------------------------------------------
make_host() {
    local host="$1" dir i
    dir="$(host_dir "$host")"
    i="$(host_index "$host")"
    mkdir -p "$dir/run/sshd" "$dir/data"
    chmod 0755 "$dir" "$dir/run" "$dir/run/sshd"
    printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$(host_address "$host")" "$host" >"$dir/hosts"

    ip netns add "$(host_netns "$host")"
    ip link add "pvlab-h$i" type veth peer name eth0 netns "$(host_netns "$host")"
    ip addr add "$(lab_address "$host")/24" dev "pvlab-h$i"
    ip link set "pvlab-h$i" up
    ip -n "$(host_netns "$host")" link set lo up
    ip -n "$(host_netns "$host")" addr add "$(host_address "$host")/24" dev eth0
    ip -n "$(host_netns "$host")" link set eth0 up

    touch "$LAB_NS/$host" "$LAB_NS/$host.uts"
    unshare --mount="$LAB_NS/$host" --uts="$LAB_NS/$host.uts" --propagation private \
        "$REPO_ROOT/scripts/fleet-host-mounts.sh" "$dir" "$host"

    ssh-keygen -q -t ed25519 -N '' -C "$host" -f "$dir/ssh_host_ed25519_key"
    echo "$(host_address "$host") $(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" >>"$LAB_SSH/known_hosts"
    cat >"$dir/sshd_config" <<EOF
# sshd of lab host $host (scripts/fleet-up.sh)
ListenAddress $(host_address "$host")
Port 22
HostKey $dir/ssh_host_ed25519_key
PidFile /run/sshd.pid
AllowUsers $LAB_USER
PermitRootLogin no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
EOF
    start_engine "$host"
}

for ((i = 1; i <= COUNT; i++)); do
    make_host "host$i"
done
for ((i = 1; i <= COUNT; i++)); do
    wait_engine "host$i"
    PV_DOCKER_SOCK="unix://$(host_socket "host$i")" "$REPO_ROOT/scripts/image.sh"
    start_sshd "host$i"
done
for ((i = 1; i <= COUNT; i++)); do
    wait_sshd "host$i"
    lab_ssh "host$i" sudo -n docker version --format "'host$i: engine {{.Server.Version}}, API {{.Server.APIVersion}}'" </dev/null |
        while read -r line; do log "$line (over ssh, sudo, /var/run/docker.sock)"; done
done

mkdir -p "$(dirname "$INVENTORY")"
{
    echo "# Written by scripts/fleet-up.sh: the lab's hosts, reached over SSH as $LAB_USER (become: true for the engine)."
    echo "docker_hosts:"
    echo "  hosts:"
    for ((i = 1; i <= COUNT; i++)); do
        echo "    host$i:"
        echo "      ansible_host: $(host_address "host$i")"
        echo "      lab_engine_socket: unix://$(host_socket "host$i")"
    done
    echo "  vars:"
    echo "    ansible_user: $LAB_USER"
    echo "    ansible_ssh_private_key_file: $LAB_SSH/id_ed25519"
    echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$LAB_SSH/known_hosts -o StrictHostKeyChecking=yes"
    echo "    ansible_python_interpreter: $HOST_PYTHON/bin/python"
} >"$INVENTORY"
log "$COUNT lab hosts up; inventory ${INVENTORY#"$REPO_ROOT"/}"
