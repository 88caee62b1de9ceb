# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning a backup: the writes it takes, in order, for ``execute`` to carry out.

The archive is written in one pass (archive/one_pass.py): whether it holds other data than
the earlier archive of the same source is known once it is written, so ``write_archive``
keeps or discards it itself. Check mode, which writes nothing, learns it by reading the data
first when that needs no temporary container; an archive found up to date gives an empty plan.
With ``keep`` and the calendar rules, the archives of the series no rule keeps are removed by a second plan, made once the
new archive is written and read back.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.archive.check import check_archive
from ansible_collections.persistent.volumes.plugins.module_utils.backup.destination import describe_retention
from ansible_collections.persistent.volumes.plugins.module_utils.backup.encryption import recipients_of, verify_ciphertext
from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import expired
from ansible_collections.persistent.volumes.plugins.module_utils.plan.plan import Plan
from ansible_collections.persistent.volumes.plugins.module_utils.plan.kinds import REMOVE_GENERATION, WRITE_ARCHIVE


def unchanged(previous, digests, spec):
    """True when the archive ``previous`` (a manifest) already holds this data, compressed alike and
    encrypted to the same recipients (the data's digest is the plaintext's: nothing is decrypted)."""
    if previous is None or spec.force or previous.get('compression') != spec.compression:
        return False
    if recipients_of(previous) != sorted(spec.encrypt_to or []):
        return False  # encrypted to others, or in clear: written again as asked
    return digests.get(previous.get('content_scheme', 1)) == previous.get('content_sha256')


def plan_backup(spec, source, target, reader=None):
    """Read ``source`` (through the temporary ``reader`` when it needs one) into ``target``."""
    plan = Plan()
    if reader is not None:
        reader.add_open(plan)
        source = reader.source
    plan.add(WRITE_ARCHIVE, target.path, 'backup of %s' % source.label, text=target.describe(),
             source=source, destination=target, spec=spec)
    if reader is not None:
        reader.add_close(plan)
    return plan


def plan_prune(target, source, manifest):
    """Once the new archive is written: read it back, then the plan removing the series' oldest
    archives that no retention rule keeps (never an archive that is not of this source)."""
    if manifest.get('encryption'):
        verify_ciphertext(target.path, manifest)  # no identity here: the ciphertext is what can be read back
    else:
        check_archive(target.path, manifest, [entry['member'] for entry in manifest['paths']])
    plan = Plan()
    for old in expired(target.series(source), target.retention):
        if old.path != target.path:  # never the archive just written, whatever the others say
            plan.add(REMOVE_GENERATION, old.path, 'kept by no rule (%s)' % describe_retention(target.retention),
                     generation=old)
    return plan
