#!/usr/bin/env bash
# 'make system-docker26': the system suite against the Docker 26 lab engine (scripts/docker26-up.sh).
# The tests' own engine is named by PV_TEST_DOCKER_HOST; the modules and the docker client read
# DOCKER_HOST, as on a host whose engine is elsewhere. Arguments go to pytest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

host="$(scripts/docker26-up.sh)"
PV_DOCKER_SOCK="$host" scripts/image.sh
export PV_TEST_DOCKER_HOST="$host" DOCKER_HOST="$host"
export PYTHONPATH="$REPO_ROOT/.build/pkg${PYTHONPATH:+:$PYTHONPATH}"
# Left out here, to keep make test within CI's time: files whose every test runs on engines of its
# own that the lab starts from Debian 12's dockerd (extra engines, the TLS and registry engines, the
# SSH fleet), so they would prove 20.10 again, and files that ask no engine at all. 'make system'
# runs them.
# Left out too: the tests of the playbooks' and the role's own plumbing (which hosts, directories,
# refusals, TLS variables), whose plays reach each host's engine on its default socket, as they do on
# a stock host: they run the same modules as the tests kept here.
# And the PostgreSQL consistency test: its image is imported into the main engine only, and what it
# proves (stop, exec, restore) test_backup_quiesce.py proves here too. And the calendar's keep
# rules, which read the archives' manifests and names only, whatever the engine.
SAME_ON_EVERY_ENGINE=(test_check_mode_writes_nothing test_data_container_crash test_examples test_fleet
    test_image_reference test_migrate_named test_playbooks_fleet test_storage_map test_tls
    test_execution_environment test_sdk_minimum test_playbook_docs test_playbook_safety test_role_backups
    test_backup_host test_backup_postgres test_backup_calendar)
PLAYBOOK_PLUMBING=(test_convert.py::test_the_convert_playbook_backs_up_first_then_converts
    test_restore_named.py::test_the_role_after_a_restore_changes_nothing)
ignore=()
for name in "${SAME_ON_EVERY_ENGINE[@]}"; do
    ignore+=("--ignore=tests/system/$name.py")
done
for test in "${PLAYBOOK_PLUMBING[@]}"; do
    ignore+=("--deselect=tests/system/$test")
done
rc=0
# shellcheck disable=SC2086 # PYTEST_ARGS is split as a command line is
"$REPO_ROOT/.venv/bin/python" -m pytest tests/system -q "${ignore[@]}" ${PYTEST_ARGS:-} "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    log "WARNING: pytest collected no test"
    rc=0
fi
exit "$rc"
