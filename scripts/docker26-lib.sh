# shellcheck shell=bash
# The Docker 26 lab engine's names (source it after lib.sh): one engine per work tree, named
# after it, so that work trees on one machine never share one.
D26_NAME="${PV_D26_NAME:-pvd26-$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-6)}"
D26_DIR="/tmp/$D26_NAME"
D26_HOST="unix://$D26_DIR/docker.sock"
export D26_NAME D26_DIR D26_HOST

docker26_() {
    local cli
    cli="$(docker_cli)" || die "no docker client found (run 'make deps')"
    "$cli" -H "$D26_HOST" "$@"
}

docker26_answers() {
    [ -S "$D26_DIR/docker.sock" ] && docker26_ version --format '{{.Server.APIVersion}}' >/dev/null 2>&1
}

# The engine's processes (by the pid files they wrote, and only when the pid is still theirs):
# SIGTERM (dockerd then stops its containers), then SIGKILL after 30 seconds.
docker26_stop_processes() {
    local file pid pids=()
    for file in "$D26_DIR/listener.pid" "$D26_DIR/docker.pid"; do
        pid="$(cat "$file" 2>/dev/null || true)"
        if [ -n "$pid" ] && grep -qs "$D26_DIR" "/proc/$pid/cmdline"; then
            pids+=("$pid")
        fi
        rm -f "$file"
    done
    [ "${#pids[@]}" -gt 0 ] || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 60); do
        kill -0 "${pids[@]}" 2>/dev/null || return 0
        sleep 0.5
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
}
