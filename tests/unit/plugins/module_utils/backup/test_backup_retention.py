# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Retention of a series (backup/generations.py ``kept_positions``, ``expired``) on generated series."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.backup.generations import (
    Generation,
    expired,
    kept_positions,
)
from ansible_collections.persistent.volumes.plugins.module_utils.backup.spec import retention_of
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError


def series(start, count, hours):
    """``count`` created_at texts, newest first, every ``hours`` hours back from ``start`` (UTC)."""
    first = datetime.datetime(*start)
    return [(first - datetime.timedelta(hours=hours * n)).strftime('%Y-%m-%dT%H:%M:%SZ') for n in range(count)]


def kept_dates(dates, **rules):
    return [dates[position] for position in sorted(kept_positions(dates, **rules))]


@pytest.mark.parametrize('rules, expected', [
    pytest.param({}, list(range(10)), id='no-rule-keeps-everything'),
    pytest.param(dict(keep=3), [0, 1, 2], id='keep-last-3'),
    pytest.param(dict(keep=30), list(range(10)), id='keep-more-than-there-are'),
    pytest.param(dict(keep_daily=2), [0, 4], id='daily-two-days-newest-of-each'),
    pytest.param(dict(keep=1, keep_daily=3), [0, 4, 8], id='keep-and-daily-overlap'),
    pytest.param(dict(keep=6, keep_daily=1), [0, 1, 2, 3, 4, 5], id='keep-covers-daily'),
    pytest.param(dict(keep_daily=None, keep_weekly=None), list(range(10)), id='rules-set-to-none-keep-everything'),
])
def test_keep_and_daily_on_six_hourly_series(rules, expected):
    # 2024-03-10 18:00 back every 6 hours: four a day, the newest of each day at 18:00
    dates = series((2024, 3, 10, 18), 10, 6)
    assert sorted(kept_positions(dates, **rules)) == expected


@pytest.mark.parametrize('start, rules, expected', [
    pytest.param((2024, 3, 11, 0, 30), dict(keep_daily=2), ['2024-03-11T00:30:00Z', '2024-03-10T23:30:00Z'],
                 id='midnight-utc-splits-days'),
    pytest.param((2024, 3, 11, 0, 30), dict(keep_weekly=2), ['2024-03-11T00:30:00Z', '2024-03-10T23:30:00Z'],
                 id='monday-0000-starts-an-iso-week'),
    pytest.param((2024, 3, 1, 0, 30), dict(keep_monthly=2), ['2024-03-01T00:30:00Z', '2024-02-29T23:30:00Z'],
                 id='month-boundary-leap-day'),
    pytest.param((2024, 3, 31, 1, 30), dict(keep_daily=3), ['2024-03-31T01:30:00Z', '2024-03-31T00:30:00Z'][:1]
                 + ['2024-03-30T23:30:00Z'], id='european-dst-night-is-plain-utc'),
])
def test_boundaries_hourly(start, rules, expected):
    dates = series(start, 2 if 'keep_daily' not in rules else 3, 1)
    assert kept_dates(dates, **rules) == expected


def test_iso_week_53_spans_the_new_year():
    # 2020-12-28 (Mon) to 2021-01-03 (Sun) is ISO week 2020-W53; 2021-01-04 starts 2021-W01
    dates = series((2021, 1, 5, 12), 12, 24)  # 2021-01-05 back to 2020-12-25, one a day
    assert kept_dates(dates, keep_weekly=3) == ['2021-01-05T12:00:00Z', '2021-01-03T12:00:00Z',
                                                '2020-12-27T12:00:00Z']


def test_monthly_over_a_year_takes_the_newest_of_each_month():
    dates = series((2024, 12, 31, 22), 366, 24)
    kept = kept_dates(dates, keep_monthly=6)
    assert kept == ['2024-12-31T22:00:00Z', '2024-11-30T22:00:00Z', '2024-10-31T22:00:00Z',
                    '2024-09-30T22:00:00Z', '2024-08-31T22:00:00Z', '2024-07-31T22:00:00Z']


def test_months_without_archives_do_not_count():
    dates = ['2024-06-01T00:00:00Z', '2024-03-15T00:00:00Z', '2024-03-01T00:00:00Z', '2023-11-01T00:00:00Z',
             '2023-10-01T00:00:00Z']
    assert kept_dates(dates, keep_monthly=3) == ['2024-06-01T00:00:00Z', '2024-03-15T00:00:00Z',
                                                 '2023-11-01T00:00:00Z']


def test_the_operators_week_month_half_year():
    dates = series((2024, 6, 30, 3), 200, 24)
    kept = kept_dates(dates, keep_daily=7, keep_weekly=4, keep_monthly=6)
    assert kept[:7] == series((2024, 6, 30, 3), 7, 24)
    # 2024-06-30 is a Sunday: the 7 days are ISO week 26 whole; weeks 25, 24, 23 give their Sundays; months
    # June (in the days already), May back to January their last days
    assert kept[7:] == ['2024-06-23T03:00:00Z', '2024-06-16T03:00:00Z', '2024-06-09T03:00:00Z',
                        '2024-05-31T03:00:00Z', '2024-04-30T03:00:00Z', '2024-03-31T03:00:00Z',
                        '2024-02-29T03:00:00Z', '2024-01-31T03:00:00Z']


def test_unreadable_dates_are_kept_and_stamps_read():
    dates = ['20240310T180000Z', 'garbage', '', '20240309T180000Z', '20240308T180000Z']
    assert sorted(kept_positions(dates, keep_daily=1)) == [0, 1, 2]


def test_order_is_the_series_not_the_dates():
    # a clock that was ahead: the older archive (by sequence) is dated later; the newest of the day is the first
    dates = ['2024-03-10T01:00:00Z', '2024-03-10T23:00:00Z', '2024-03-09T12:00:00Z']
    assert sorted(kept_positions(dates, keep_daily=2)) == [0, 2]


def test_expired_uses_manifest_dates_then_stamps():
    generations = [Generation('/b/a.%d.tar' % n, '2024031%dT000000Z' % (9 - n),
                              dict(created_at='2024-03-1%dT00:00:00Z' % (9 - n)) if n % 2 else None)
                   for n in range(4)]
    assert [g.path for g in expired(generations, dict(keep=1, keep_daily=2))] == ['/b/a.2.tar', '/b/a.3.tar']


@pytest.mark.parametrize('params, message', [
    pytest.param(dict(keep=0), 'keep must be 1 or more (the number of dated archives to keep), got 0.',
                 id='keep-zero'),
    pytest.param(dict(keep_weekly=-1), 'keep_weekly must be 1 or more (the number of ISO weeks to keep an archive '
                 'of), got -1.', id='weekly-negative'),
])
def test_bad_rules_are_refused(params, message):
    with pytest.raises(InputError) as error:
        retention_of(params)
    assert str(error.value) == message


def test_rules_given():
    assert retention_of(dict(keep=None, keep_daily=7, keep_monthly=6)) == dict(keep_daily=7, keep_monthly=6)
