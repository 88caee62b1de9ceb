#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: volume_backup
short_description: Back up a data container's volumes, or one volume, to an archive on the Docker host
version_added: 1.0.0
description:
  - Reads the content of a data container's volumes (all of them, or O(paths)), or of one named or
    anonymous volume, and writes it as a tar archive at O(dest) on the managed host. No container is
    started, and neither the data nor the archive is ever held in memory.
  - "Two paths, one archive: C(direct) reads each volume's directory on the engine's own machine;
    C(engine) streams it through the engine's archive endpoint. The direct path is only taken when
    the module can prove that the directory belongs to the engine it talks to: a local Unix socket
    whose serving process holds the volume database of the data root the engine reports (the
    socket's listener, C(SO_PEERCRED); behind socket activation, as systemd's C(docker.socket) starts
    Docker on stock Debian, Ubuntu and docker-ce hosts, the process that accepted the module's very
    connection), so never a proxy, a remote engine or an engine in another root whose data root
    names another engine's directory here, an engine that is neither rootless nor remapping user namespaces, the module running
    as root, the C(local) volume driver without mount options, and C(/proc/<engine pid>/root) plus
    the C(Mountpoint) being the very directory seen here (same device and inode). Otherwise the
    engine path is used. RV(method) and RV(method_reason) say which path ran and why."
  - Through the engine, a volume that no container holds is read through a temporary container that
    is never started and always removed. The direct path needs no container at all.
  - The data is read once. The archive is written in one canonical layout (PAX headers with numeric
    owners, permission bits and whole-second times, no user names) to a temporary file beside O(dest)
    with mode C(0600), synced, and moved into place atomically, then a manifest (O(dest) plus
    C(.manifest.json)) with each path, its volume, byte size, file count and content digest, and the
    archive's sha256. An interrupted backup leaves O(dest) as it was. A backup made on one path
    restores on the other, and gives the same content digest.
  - An existing archive whose manifest still matches the data (same content digest and compression)
    is left alone and the task reports no change, unless O(force=true).
  - A file at O(dest) that is not an earlier archive of the same source (its manifest beside it says
    so) is never replaced, unless O(force=true).
  - With O(keep), O(keep_daily), O(keep_weekly) or O(keep_monthly), O(dest) names a series of dated
    archives instead (C(/b/app.tar.gz) gives C(/b/app.20240102T030405Z.tar.gz), UTC); unchanged data
    makes no new one; a new archive is read back and checked before the archives of the same source that
    no rule keeps are removed (an archive kept by any rule stays; the archive just written always stays).
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.docker
  - persistent.volumes.attributes
  - persistent.volumes.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    details:
      - Reads the data to tell whether a new archive would be written, and writes nothing, to the host or
        to the engine (not even a temporary container). Through the engine, a volume that no container
        holds cannot be read without one; check mode then predicts a change and warns.
  diff_mode:
    support: full
options:
  container:
    description:
      - The data container to back up. Mutually exclusive with O(volume).
    type: str
  paths:
    description:
      - The container paths to back up; all the container's volumes when omitted.
    type: list
    elements: str
  volume:
    description:
      - The volume (named or anonymous) to back up. Mutually exclusive with O(container).
    type: str
  dest:
    description:
      - The archive file on the managed host. Its directory must exist.
    type: path
    required: true
  compression:
    description:
      - Compression of the archive.
    type: str
    default: gzip
    choices: [none, gzip, xz]
  force:
    description:
      - Write a new archive even when the existing one still matches the data, and replace a file at
        O(dest) that is not an earlier archive of this source.
    type: bool
    default: false
  method:
    description:
      - How to read the data. V(auto) reads the volumes' directories when that can be proved safe (see
        above), else goes through the engine. V(direct) fails, saying why, when it cannot be proved;
        V(engine) always goes through the engine's archive endpoint.
    type: str
    default: auto
    choices: [auto, direct, engine]
  host:
    description:
      - The name of the host whose data this is, recorded in the manifest. An archive or a generation whose
        manifest names another host is never replaced or removed (hosts sharing one backup directory, an NFS
        mount, keep apart even when their data containers have the same name); without O(force), such a file
        at O(dest) is refused.
      - The role and the playbooks pass the inventory name. Default the engine's ID.
    type: str
  keep:
    description:
      - Keep this many dated archives of the series O(dest) names (see above), the newest as the manifests
        order them (the sequence each backup records, not the names' dates). Without it and the calendar
        rules below, O(dest) is one archive, replaced when the data changes.
    type: int
  keep_daily:
    description:
      - Keep the newest archive of each of the last N days (UTC, as the manifests date them) that have one.
        Together with O(keep) and the other calendar rules, an archive kept by any rule stays.
    type: int
    version_added: 1.1.0
  keep_weekly:
    description:
      - Keep the newest archive of each of the last N ISO weeks (Monday to Sunday, UTC) that have one.
    type: int
    version_added: 1.1.0
  keep_monthly:
    description:
      - Keep the newest archive of each of the last N calendar months (UTC) that have one.
    type: int
    version_added: 1.1.0
  encrypt_to:
    description:
      - Write the archive encrypted to these age X25519 recipients (public keys C(age1...), as
        C(age-keygen -y) prints them); any one of their identities restores it (C(encryption) in RV(manifest)).
      - The C(age) tool of the Docker host encrypts (Debian's and Ubuntu's package C(age)); without it the
        task fails, naming the package, before anything is written. The archive goes to C(age) through a
        FIFO, so the plaintext is never written to disk. The manifest records the recipients, the ciphertext's
        sha256 and size (RV(sha256)) and the plaintext's (C(encryption.plaintext_sha256),
        C(encryption.plaintext_size)), and the data's content digest as for any archive, so that unchanged
        data is still told without decrypting (no change without O(force)); other recipients than the
        earlier archive's make a new archive.
      - A new generation is read back by its ciphertext's sha256 only (no identity is on the host to decrypt
        it); O(persistent.volumes.volume_restore#module:identity_file) checks it whole before restoring.
    type: list
    elements: str
    version_added: 1.1.0
  quiesce:
    description:
      - "What happens to the running containers that write the data while it is read. The module finds them from
        the mounts the engine reports, not from names: every running container that mounts a volume being read
        read-write (by name, or through C(--volumes-from), which the engine reports the same way) or binds
        read-write the volume's directory, a directory inside it or one above it. Containers that mount it
        read-only, and paused ones, are left as they are."
      - V(stop) stops them (each with its own stop signal and timeout, so a database shuts down cleanly; give a
        PostgreSQL container C(--stop-signal SIGINT)) right before the read and starts them again right after it,
        whatever happens in between (an error, a refused archive, a failed write). V(pause) freezes them with
        C(docker pause) instead and unpauses them; files they had half written stay half written, so a
        database needs V(stop) or an O(exec_before) dump. V(none) leaves them running; files written during the
        read are reported in a warning.
      - RV(quiesced) lists the containers stopped or paused; check mode lists those it would stop.
      - When an earlier archive of this source exists, the data is first read while everything runs; when
        the earlier archive still holds it (same content digest), nothing is stopped and no archive is written
        (no change). An application is never stopped for a backup that writes nothing; data that changes reads
        twice (once live, once quiesced). A program that rewrites its files whenever it starts or stops makes
        a new archive every run.
    type: str
    choices: [none, stop, pause]
    default: none
    version_added: 1.1.0
  exec_before:
    description:
      - Commands run with C(docker exec) in running containers before the data is read, in order, while every
        container still runs (before O(quiesce) stops any). The usual one writes a database dump into a volume
        being backed up.
      - The first command that exits non-zero (or that the engine cannot run) ends the backup before anything is
        stopped or written; O(exec_after) still runs. Each container must exist and run when the task starts,
        or the task fails before any command runs.
      - A command runs as long as it takes (bound it with the task's C(timeout) keyword). Each runs on every
        run; a command alone does not make the task changed.
      - The exit code and the last 2000 characters of the output of each are returned in RV(exec_before).
    type: list
    elements: dict
    default: []
    version_added: 1.1.0
    suboptions:
      container:
        description: The running container to run the command in (name or ID).
        type: str
        required: true
      command:
        description:
          - The program and its arguments, as a list, or a string split into words as a shell would split it.
            No shell runs it; write C([sh, -c, "pg_dump ... > /dump/db.sql"]) for redirections.
        type: raw
        required: true
      user:
        description: The user to run it as (C(docker exec --user)); default the container's user.
        type: str
  exec_after:
    description:
      - Commands run like O(exec_before), after the read and after the quiesced containers were started again;
        every one runs whatever happened before (an unlock, the removal of a dump), also when O(exec_before)
        or the backup failed.
      - A failing one fails the task, which then says whether the archive was written.
      - Results in RV(exec_after).
    type: list
    elements: dict
    default: []
    version_added: 1.1.0
    suboptions:
      container:
        description: The running container to run the command in (name or ID).
        type: str
        required: true
      command:
        description: As in O(exec_before).
        type: raw
        required: true
      user:
        description: The user to run it as; default the container's user.
        type: str
seealso:
  - module: persistent.volumes.volume_restore
'''

EXAMPLES = r'''
- name: Back up the data container of the founding document
  persistent.volumes.volume_backup:
    container: datacontainer
    dest: /var/backups/datacontainer.tar.gz

- name: Back up one volume, uncompressed, every time
  persistent.volumes.volume_backup:
    volume: pgdata
    dest: /var/backups/pgdata.tar
    compression: none
    force: true

- name: Back up a database's data container with the database stopped for the read
  persistent.volumes.volume_backup:
    container: pg_data
    dest: /var/backups/pg_data.tar.gz
    quiesce: stop

- name: Back up a dump taken by the running database (no downtime), removed afterwards
  persistent.volumes.volume_backup:
    container: pg_data
    paths: [/dump]
    dest: /var/backups/pg_dump.tar.gz
    exec_before:
      - container: postgres
        command: [sh, -c, "pg_dumpall -U postgres > /dump/all.sql"]
    exec_after:
      - container: postgres
        command: rm -f /dump/all.sql

- name: Keep a week of nightly generations (unchanged data makes none)
  persistent.volumes.volume_backup:
    container: datacontainer
    dest: /var/backups/datacontainer.tar.gz
    keep: 7

- name: Nightly, kept for a week, four weeks and six months
  persistent.volumes.volume_backup:
    container: datacontainer
    dest: /var/backups/datacontainer.tar.gz
    keep_daily: 7
    keep_weekly: 4
    keep_monthly: 6

- name: Encrypted to the operators' two age keys (either restores it)
  persistent.volumes.volume_backup:
    container: datacontainer
    dest: /var/backups/datacontainer.tar.gz
    keep_daily: 7
    encrypt_to:
      - age1k9a2me2gt2tfqpj5ah8uj0c9ws8qp7tdf4qutnm4jrkpx9necshq0dfpfg
      - age1jhwq2ycck44h3ueaxkzuyhnjwkl562jmjkdrx96zyd6kg0h4z9gsr756dj
'''

RETURN = r'''
dest:
  description: The archive (with O(keep), the generation written, or the newest one when nothing changed).
  returned: always
  type: str
  sample: /var/backups/datacontainer.tar.gz
method:
  description: The path that read the data, V(direct) or V(engine).
  returned: always
  type: str
  sample: direct
method_reason:
  description: Why that path was taken.
  returned: always
  type: str
  sample: "auto: local engine (pid 812) owns the volume directories"
actions:
  description: What the run does (in check mode, would do) besides reading.
  returned: always
  type: list
  elements: str
  sample: ["write /var/backups/datacontainer.tar.gz (mode 0600, through a temporary file beside it) and its manifest"]
generations:
  description: The archives of the series, newest first.
  returned: when O(keep) or a calendar rule (O(keep_daily), O(keep_weekly), O(keep_monthly)) is set
  type: list
  elements: str
  sample: [/var/backups/datacontainer.20240102T030405Z.tar.gz]
removed_generations:
  description: The archives of the series removed because no rule (O(keep), O(keep_daily), O(keep_weekly),
    O(keep_monthly)) kept them.
  returned: when O(keep) or a calendar rule is set and a new archive was written
  type: list
  elements: str
  sample: []
manifest_path:
  description: The manifest beside the archive.
  returned: always
  type: str
  sample: /var/backups/datacontainer.tar.gz.manifest.json
sha256:
  description: The sha256 of the archive file (of an encrypted archive, of the ciphertext).
  returned: when not in check mode
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
paths:
  description: Each backed-up path with its volume, member name in the archive, bytes and file count.
  returned: always
  type: list
  elements: dict
  sample:
    - path: /datastore
      volume: 0b6f2a34c1d84e5f9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f
      member: datastore
      bytes: 23
      files: 1
      entries: 2
manifest:
  description: The manifest written (or the existing one, when nothing changed).
  returned: always
  type: dict
  sample:
    format: persistent.volumes/backup/1
    compression: gzip
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    content_sha256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
    content_scheme: 2
    files: 1
    bytes: 23
    encryption:
      tool: age
      recipients: [age1k9a2me2gt2tfqpj5ah8uj0c9ws8qp7tdf4qutnm4jrkpx9necshq0dfpfg]
      plaintext_sha256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
      plaintext_size: 190
quiesce:
  description: The O(quiesce) asked for.
  returned: always
  type: str
  sample: stop
  version_added: 1.1.0
quiesced:
  description:
    - The containers stopped (or paused) for the read and started (unpaused) again; in check mode, those it would
      quiesce. Empty when the earlier archive still held the data.
  returned: always
  type: list
  elements: str
  sample: [postgres]
  version_added: 1.1.0
exec_before:
  description:
    - Each O(exec_before) command run, in order, with C(container), C(command), C(ran), C(rc) (its exit code),
      C(output_tail) (the end of its output) and, when the engine could not run it, C(error). In check mode
      every command with C(ran=false).
  returned: always
  type: list
  elements: dict
  sample: [{container: postgres, command: [sh, -c, "pg_dumpall > /dump/all.sql"], ran: true, rc: 0, output_tail: ""}]
  version_added: 1.1.0
exec_after:
  description: Each O(exec_after) command run, as RV(exec_before).
  returned: always
  type: list
  elements: dict
  sample: []
  version_added: 1.1.0
api_calls:
  description: How many engine API requests the module made.
  returned: always
  type: int
  sample: 4
'''

from ansible_collections.persistent.volumes.plugins.module_utils.backup.runner import converge_backup
from ansible_collections.persistent.volumes.plugins.module_utils.backup.spec import (
    BACKUP_ARGS,
    MUTUALLY_EXCLUSIVE,
    REQUIRED_ONE_OF,
)
from ansible_collections.persistent.volumes.plugins.module_utils.runtime.module import EngineModule


def main():
    engine = EngineModule([BACKUP_ARGS], mutually_exclusive=MUTUALLY_EXCLUSIVE, required_one_of=REQUIRED_ONE_OF)
    engine.run(converge_backup)


if __name__ == '__main__':
    main()
