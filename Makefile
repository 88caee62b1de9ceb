# Set-up and tests for the persistent.volumes collection. 'make help' lists targets.
# Every target does its own set-up (as root on a Debian 12 machine) and can be rerun.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

VENV        := .venv
VBIN        := $(CURDIR)/$(VENV)/bin
BUILD       := .build
PKG         := $(CURDIR)/$(BUILD)/pkg
PKG_LINK    := $(PKG)/ansible_collections/persistent/volumes
COLLECTIONS := $(CURDIR)/.collections

# Extra arguments, e.g. make units PYTEST_ARGS='-k volume'; make units UNITS_ARGS=tests/unit/plugins/filter;
# make sanity SANITY_ARGS='--test pep8'
PYTEST_ARGS ?=
# scripts/units.sh reads it from the environment (quotes in it are the shell's, as on a command line).
export PYTEST_ARGS
UNITS_ARGS ?=
SANITY_ARGS ?=
# Every venv is made from the lock files in lock/ (make lock writes them); make test-latest points
# this at .build/latest-lock, resolved afresh.
export PV_LOCK_DIR ?= $(CURDIR)/lock

# Modules run on this machine (-c local) with the venv's python, which has the Docker
# SDK. Interpreter discovery would pick some other python3 (here: a pyenv shim that
# fails). A playbook or inventory may still set ansible_python_interpreter itself.
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_PYTHON_INTERPRETER=$(VBIN)/python

# pytest exits 5 when it collects no test: say so loudly, but don't fail the stage.
define run_pytest
	if [ ! -d $(1) ]; then echo "WARNING: no $(1) directory; no test to run"; exit 0; fi; \
	rc=0; PYTHONPATH="$(PKG)$${PYTHONPATH:+:$$PYTHONPATH}" $(VBIN)/python -m pytest $(1) -q $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "WARNING: pytest collected no test in $(1)"; rc=0; fi; \
	exit $$rc
endef

.PHONY: help deps apt-deps venv lock test-latest engine image pg-image install demo units system system-oldest system-docker26 system-podman podman-down molecule sanity lint \
        changelog-lint galaxy-importer test clean pkg-link peer-tools

help: ## List the targets
	@echo "Targets (each does its own set-up and can run twice in a row):"
	@awk -F ':.*## ' '/^[a-z0-9-]+:.*## / { printf "  %-15s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo "Variables: PYTEST_ARGS (units, system), UNITS_ARGS (units: ansible-test's), SANITY_ARGS (sanity), e.g. SANITY_ARGS='--test pep8'"

deps: apt-deps venv ## Debian packages (only if missing) and the .venv from lock/dev.txt

apt-deps:
	@scripts/apt-deps.sh

venv: apt-deps
	@scripts/venv.sh

lock: ## Write lock/*.txt (exact versions, sha256) from requirements-dev.txt, requirements.txt, lock/*.in; LOCK_UPGRADE=1: newest of all
	@scripts/lock.sh

engine: deps ## Reuse or start (detached) the Docker engine on /var/run/docker.sock
	@scripts/engine-up.sh

image: engine ## Build local/busybox:latest from busybox-static when missing
	@scripts/image.sh

install: deps ## Build the collection into .build/dist and install it into .collections (kept when it is the same collection)
	@scripts/install.sh

demo: deps engine image install ## Run playbooks/demo.yml against the local engine
	$(ANSIBLE_ENV) $(VBIN)/ansible-playbook -i localhost, -c local playbooks/demo.yml

# .build/pkg/ansible_collections/persistent/volumes -> the work tree (a relative link), so that
# 'import ansible_collections.persistent.volumes.plugins...' finds the files being edited.
pkg-link:
	@mkdir -p $(dir $(PKG_LINK))
	@ln -sfn ../../../.. $(PKG_LINK)

units: deps pkg-link ## Unit tests: ansible-test units --venv on a staged copy (PYTEST_ARGS: pytest on the work tree instead)
	@scripts/units.sh $(UNITS_ARGS)

peer-tools: deps ## community.docker (pinned) for the system tests only, in .build/peer-collections (not .venv)
	@scripts/peer-tools.sh

pg-image: engine ## Build local/pv-postgres:latest (Debian 12 debootstrap root + Debian's postgresql, docker import; cached in .build/pg-image)
	@scripts/pg-image.sh

system: deps engine image pg-image install pkg-link peer-tools ## System tests (tests/system) against the real engine
	@export $(ANSIBLE_ENV); $(call run_pytest,tests/system)

sanity: deps ## ansible-test sanity on a staged copy in .build/sanity
	@scripts/sanity.sh $(SANITY_ARGS)

lint: install ## ansible-lint (production profile) of the repository root (.ansible-lint says what is left out); the size rules of plugins/; lock/ matches its inputs
	$(VBIN)/python scripts/code-shape.py plugins
	@scripts/lock.sh --check
	PATH="$(VBIN):$$PATH" $(ANSIBLE_ENV) $(VBIN)/ansible-lint --offline --profile production --nocolor

system-oldest: deps engine image install pkg-link peer-tools ## System tests with the oldest ansible-core meta/runtime.yml claims
	@scripts/oldest.sh $(PYTEST_ARGS)

system-docker26: deps engine image install pkg-link peer-tools ## System tests against Debian 13's Docker 26 (a debootstrap root in .build/docker26, own namespaces)
	@export $(ANSIBLE_ENV); scripts/docker26-system.sh

# The lab's Podman (scripts/podman-up.sh: rootful, its own socket) and the system tests run against
# it: the files in which every module runs (test_engine_cycle.py: backup and restore, on the direct
# path; Podman's refusals). The others need Docker's lab (extra dockerd engines, docker-compose, the
# SSH fleet) or move data through the archive endpoint, which is refused on Podman. Tests that cannot
# hold on Podman skip with the reason.
PODMAN_SOCK  := /run/pv-podman/podman.sock
PODMAN_TESTS := tests/system/test_engine_cycle.py tests/system/test_volume.py tests/system/test_volume_info.py \
                tests/system/test_data_container.py tests/system/test_volumes_from.py tests/system/test_bind_mount.py \
                tests/system/test_layout.py tests/system/test_connection.py

system-podman: deps install pkg-link ## System tests against the lab's Podman (rootful, own socket; scripts/podman-up.sh)
	@scripts/podman-up.sh
	@export $(ANSIBLE_ENV) PV_TEST_DOCKER_HOST=unix://$(PODMAN_SOCK); \
	    PYTHONPATH="$(PKG)$${PYTHONPATH:+:$$PYTHONPATH}" $(VBIN)/python -m pytest $(PODMAN_TESTS) -q $(PYTEST_ARGS)

podman-down: ## Stop the lab's Podman (its storage stays)
	@scripts/podman-down.sh

molecule: deps engine image install ## The role's molecule scenarios: default (local engine), fleet (three engines)
	@cd roles/data_volume_container && for scenario in default fleet; do \
	    echo "== molecule test -s $$scenario"; \
	    PATH="$(VBIN):$$PATH" PV_PYTHON=$(VBIN)/python PV_REPO=$(CURDIR) NO_COLOR=1 ANSIBLE_NOCOLOR=1 \
	        ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) flock /tmp/pv-fleet.lock $(VBIN)/molecule test -s $$scenario || exit 1; \
	done

galaxy-importer: install ## galaxy-importer (Galaxy's upload checker) on the built tarball, no container (own venv .build/importer-venv)
	@scripts/galaxy-importer.sh

changelog-lint: deps ## antsibull-changelog lint (changelogs/config.yaml, changelogs/fragments)
	$(VBIN)/antsibull-changelog lint

test: ## deps engine image install units, then two lanes side by side: system system-oldest molecule, and system-docker26 system-podman sanity lint changelog-lint galaxy-importer (scripts/test.sh; from lock/)
	@MAKE="$(MAKE)" scripts/test.sh

test-latest: ## make test with the newest versions the requirements allow (resolved into .build/latest-lock), and what changed
	@MAKE="$(MAKE)" scripts/test-latest.sh

.PHONY: bench
bench: ## Benchmark against community.docker (own venv .build/bench-venv; not in 'test'), e.g. BENCH_ARGS='--reps 1'
	@bench/run.sh $(BENCH_ARGS)

.PHONY: bench-backup
bench-backup: deps ## Backup/restore of a 1 GiB volume, direct and engine paths vs the endpoint alone, host tar and the recipe (not in 'test'), e.g. BENCH_BACKUP_ARGS='--reps 1'
	@bench/backup_run.sh $(BENCH_BACKUP_ARGS)

.PHONY: bench-scale
bench-scale: deps ## volume_info and layout at up to 1000 volumes/300 containers on an engine of its own: API calls, times (not in 'test'), e.g. BENCH_SCALE_ARGS='--reps 1'
	@bench/scale_run.sh $(BENCH_SCALE_ARGS)

clean: ## Remove .build and .collections (keeps .venv); stops the Docker 26 lab engine, whose root is in .build
	@if [ -d $(BUILD)/docker26 ]; then scripts/docker26-down.sh; fi
	rm -rf $(BUILD) .collections
