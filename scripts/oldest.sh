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
# What these versions decide, and only that (make system runs every file on today's versions): the
# arguments ansible-core parses and checks (every module, its check and diff modes, its refusals of
# bad input), the SDK's client (sockets, TLS, API versions, the SDK's own minimum), and the playbooks
# and the role as ansible-core templates them (plays, includes, delegation, argument specs). What
# the engine does with the requests - the data, crash points, the engine's own behaviour - is the
# same whichever ansible-core or SDK sent them.
VERSION_BOUND=(test_engine_cycle test_careless_user test_check_mode_writes_nothing test_volume
    test_volume_info test_layout test_connection test_tls test_sdk_minimum test_playbooks
    test_playbook_safety test_playbooks_fleet test_fleet test_prepare_hosts test_migrate_named
    test_role_preflight test_role_backups)
# And the tests of the playbooks and the role inside files about the engine's behaviour: the backup
# host's copy (fetch, copy and backup_store), the quiesce and exec options, convert and restore.
VERSION_BOUND_TESTS=(test_backup_host.py::test_the_role_copies_to_the_backup_host_and_a_second_run_changes_nothing
    test_backup_quiesce.py::test_the_role_and_the_backup_playbook_pass_them_on
    test_convert.py::test_the_convert_playbook_backs_up_first_then_converts
    test_restore_named.py::test_the_role_after_a_restore_changes_nothing)
selected=()
for name in "${VERSION_BOUND[@]}"; do
    selected+=("tests/system/$name.py")
done
for test in "${VERSION_BOUND_TESTS[@]}"; do
    selected+=("tests/system/$test")
done
PYTHONPATH="$REPO_ROOT/.build/pkg" ANSIBLE_COLLECTIONS_PATH="$REPO_ROOT/.build/collections-oldest" \
    "$VENV/bin/python" -m pytest -q "${selected[@]}" "$@"
