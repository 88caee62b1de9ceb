# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Calendar retention (``keep_daily``, ``keep_weekly``, ``keep_monthly``) on a series of real
archives written over several months: each backup runs with the module's clock set to its date,
so names and manifests are dated alike, as on a host that took them then."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import os

from conftest import run_module
from test_backup_writes import Source, clock_ahead
from test_restore_hostile import ok


TIDY_ALL_HELD = True


def at(stamp):
    """A preamble setting the module's clock to ``stamp`` (``2024-03-31T20:00``, UTC)."""
    when = calendar.timegm((int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]), int(stamp[14:16]),
                            0, 0, 0, 0))
    return ('import time as _time\n_offset = %d - _time.time()\n' % when) + clock_ahead(0).replace(
        '_t() + 0', '_t() + _offset')


DATES = ['2024-01-15T03:00', '2024-02-10T03:00', '2024-02-20T03:00', '2024-03-05T03:00', '2024-03-30T03:00',
         '2024-03-31T10:00', '2024-03-31T20:00']


def test_a_calendar_keeps_the_newest_of_each_day_and_month(lab, api, tmp_path):
    source = Source(lab, api)
    dest = str(tmp_path / 'app.tar.gz')
    rules = dict(container=source.name, dest=dest, compression='gzip', keep_daily=2, keep_monthly=3)
    written = {}
    for date in DATES:  # keep=100: all kept, until the run with the calendar alone
        source.put('data of %s' % date)
        run = ok(run_module('volume_backup', dict(rules, keep=100), preamble=at(date)))
        assert run['changed'] is True and run['removed_generations'] == [], run
        written[date] = run['dest']
        assert os.path.basename(written[date]).startswith('app.%s' % date[:10].replace('-', ''))
    source.put('data of 2024-04-01')
    result = ok(run_module('volume_backup', rules, preamble=at('2024-04-01T08:00')))
    assert result['changed'] is True
    # days: 04-01 (new), 03-31 (its newest, 20:00); months: 2024-04, 2024-03 (03-31 20:00), 2024-02 (02-20)
    assert result['generations'] == [result['dest'], written['2024-03-31T20:00'], written['2024-02-20T03:00']]
    assert sorted(result['removed_generations']) == sorted(written[d] for d in DATES if d not in (
        '2024-03-31T20:00', '2024-02-20T03:00'))
    left = sorted(name for name in os.listdir(str(tmp_path)) if name.startswith('app.'))
    assert left == sorted(os.path.basename(p) + s for p in result['generations'] for s in ('', '.manifest.json'))
    assert source.restored_from(written['2024-02-20T03:00'], 'feb') == 'data of 2024-02-20T03:00'
    again = ok(run_module('volume_backup', rules, preamble=at('2024-04-01T09:00')))
    assert again['changed'] is False and again['generations'] == result['generations']


def test_calendar_rules_refused_when_not_positive(lab, api, tmp_path):
    source = Source(lab, api)
    result = run_module('volume_backup', dict(container=source.name, dest=str(tmp_path / 'a.tar'), keep_monthly=0))
    assert result.get('failed') and result['msg'] == (
        'keep_monthly must be 1 or more (the number of months to keep an archive of), got 0.'), result
    assert os.listdir(str(tmp_path)) == []
