# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The journal an interrupted restore into a named volume leaves (a never-started container and its
labels), as every module reads it: restore/in_place.py writes and finishes it; data_container and
layout only warn about it, without depending on the restore package."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.persistent.volumes.plugins.module_utils.model import labels as pv_labels
from ansible_collections.persistent.volumes.plugins.module_utils.model.observed import container_name

JOURNAL = 'restore-journal'
COPIED = '-copied'


class Journal(object):
    """What an interrupted restore into a named volume left: its journal container and helper."""

    def __init__(self, summary, helpers):
        labels = summary.get('Labels') or {}
        self.id = summary['Id']
        self.name = container_name(summary)
        self.copied = self.name.endswith(COPIED)
        self.target = labels.get(pv_labels.RESTORE_TARGET)
        self.previous = labels.get(pv_labels.RESTORE_PREVIOUS) or None
        self.digest = labels.get(pv_labels.RESTORED_FROM)
        self.path = labels.get(pv_labels.RESTORED_PATH)
        self.src = labels.get(pv_labels.RESTORE_SRC)
        try:
            self.stopped = [str(item) for item in json.loads(labels.get(pv_labels.RESTORE_STOPPED) or '[]')]
        except ValueError:
            self.stopped = []
        self.helpers = helpers


def journal_warning(journal, path):
    """What to say about the interrupted restore ``journal`` into the volume at ``path``."""
    state = ('its earlier content is complete in volume %s' % journal.previous if journal.copied and journal.previous
             else 'the volume itself was not written yet' if not journal.copied
             else 'it was empty before')
    return ('Volume %s at %s: a restore from %s was interrupted (%s), so its data may be incomplete. Run '
            'volume_restore with that archive again to finish it, or with another archive (the earlier content is '
            'put back first).' % (journal.target, path, journal.src, state))


def interrupted_restores(containers, mounts):
    """Warnings for the volumes of ``mounts`` ({path: MountedAt}) that an interrupted restore left half-written;
    ``containers``: the engine's container listing (objects with ``name`` and ``labels``)."""
    by_volume = dict((m.name, path) for path, m in mounts.items() if m.type == 'volume')
    warnings = []
    for container in containers:
        labels = container.labels or {}
        if labels.get(pv_labels.TEMPORARY) == JOURNAL and labels.get(pv_labels.RESTORE_TARGET) in by_volume:
            journal = Journal(dict(Id=container.id, Names=['/' + container.name], Labels=labels), [])
            warnings.append(journal_warning(journal, by_volume[journal.target]))
    return sorted(warnings)
