#!/usr/bin/env bash
# Run the system tests again with the oldest versions the collection claims, in a venv of
# its own (.build/venv-oldest), against the collection tarball built by 'make install':
# the oldest ansible-core of meta/runtime.yml (requires_ansible) and exactly the oldest
# Docker SDK for Python the collection supports (MINIMUM_SDK in
# plugins/module_utils/engine/sdk_version.py, the version requirements.txt and the docs name).
# Extra arguments go to pytest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

oldest="$(sed -n 's/^requires_ansible: *"*>= *\([0-9]*\.[0-9]*\).*/\1/p' meta/runtime.yml)"
[ -n "$oldest" ] || die "cannot read requires_ansible from meta/runtime.yml"
major="${oldest%%.*}"
minor="${oldest#*.}"
sdk="$(sed -n "s/^MINIMUM_SDK = '\(.*\)'$/\1/p" plugins/module_utils/engine/sdk_version.py)"
[ -n "$sdk" ] || die "cannot read MINIMUM_SDK from plugins/module_utils/engine/sdk_version.py"
VENV=.build/venv-oldest
LOCK="$LOCK_DIR/oldest.txt"
# lock/oldest.in names the same two versions; a lock that disagrees with meta/runtime.yml or
# MINIMUM_SDK would test something the collection does not claim.
grep -Eq "^ansible-core==$major\.$minor\.[0-9]+ " "$LOCK" ||
    die "$LOCK has no ansible-core $oldest.x (meta/runtime.yml's requires_ansible): update lock/oldest.in, then 'make lock'"
grep -q "^docker==$sdk " "$LOCK" ||
    die "$LOCK has no docker==$sdk (MINIMUM_SDK): update lock/oldest.in, then 'make lock'"
venv_from_lock "$VENV" "$LOCK"
have="$("$VENV/bin/python" -c 'import docker; print(docker.__version__)')"
[ "$have" = "$sdk" ] || die "the oldest-versions venv has Docker SDK $have, not $sdk"
log "$("$VENV/bin/ansible" --version | sed -n 1p), Docker SDK for Python $have"
tarball="$(ls .build/dist/persistent-volumes-*.tar.gz)"
rm -rf .build/collections-oldest
"$VENV/bin/ansible-galaxy" collection install --force -p .build/collections-oldest "$tarball" >/dev/null
# Left out here, to keep make test within CI's time: files that vary the data, the engine's
# behaviour or a crash point (what they prove does not depend on ansible-core or the SDK's version,
# and 'make system' runs them), and the browser's page test.
NOT_VERSION_BOUND=(test_backup_restorable test_backup_writes test_restore_named_crash test_convert_crash
    test_data_container_crash test_archive_safety test_concurrency test_faults test_socket_activation
    test_mount_api test_examples test_storage_map test_execution_environment test_backup_postgres
    test_backup_calendar test_backup_encrypted)
# Of the backup host's tests, the role's copy (fetch, copy and backup_store under the oldest
# ansible-core) runs here; the outage and the careless inputs (the same plays) run in 'make system'.
NOT_VERSION_BOUND_TESTS=(test_backup_host.py::test_copies_on_the_backup_host_survive_an_outage_and_restore
    test_backup_host.py::test_a_careless_backup_host_is_refused_before_anything_is_written
    test_backup_host.py::test_a_missing_backup_host_dir_is_named)
ignore=()
for name in "${NOT_VERSION_BOUND[@]}"; do
    ignore+=("--ignore=tests/system/$name.py")
done
for test in "${NOT_VERSION_BOUND_TESTS[@]}"; do
    ignore+=("--deselect=tests/system/$test")
done
PYTHONPATH="$REPO_ROOT/.build/pkg" ANSIBLE_COLLECTIONS_PATH="$REPO_ROOT/.build/collections-oldest" \
    "$VENV/bin/python" -m pytest tests/system -q "${ignore[@]}" "$@"
