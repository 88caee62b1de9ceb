# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A restore into a named volume killed at each of its steps.

A proxy in front of the engine holds one request of the restore and the module process is
killed while it waits (the engine path: the proxy is not the engine, so the direct path is never
proved through it). Whatever step it was: the earlier data is never lost, a data container run in
between says that the volume is half-restored, and the next run of the restore finishes it (the
same archive) or puts the earlier content back first (another archive), ending with exactly one
kept earlier content, no journal, no helper and the application running again.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import pytest

from conftest import IMAGE, LOOP, run_module
from proxy import EngineProxy
from test_data_container_crash import start_module
from test_restore_hostile import mounts, ok
from test_restore_named import sh_read

JOURNAL = r'pv-restore-journal-[0-9a-f]+'
STEPS = {
    'journal': (r'^POST /v[\d.]+/containers/create\?name=' + JOURNAL + ' ', 1),
    'previous': (r'^POST /v[\d.]+/volumes/create ', 1),
    'helper': (r'^POST /v[\d.]+/containers/create\?name=pv-restore-previous-', 1),
    'stop': (r'^POST /v[\d.]+/containers/[0-9a-f]{64}/stop', 1),
    'copy': (r'^PUT /v[\d.]+/containers/pv-restore-previous-[0-9a-f]+/archive', 1),
    'rename': (r'^POST /v[\d.]+/containers/' + JOURNAL + '/rename', 1),
    'empty': (r'^PUT /v[\d.]+/containers/' + JOURNAL + '-copied/archive', 1),
    'fill': (r'^PUT /v[\d.]+/containers/' + JOURNAL + '-copied/archive', 2),
    'start': (r'^POST /v[\d.]+/containers/[^/]+/start', 1),
    'close': (r'^DELETE /v[\d.]+/containers/pv-restore-previous-', 1),
    'end': (r'^DELETE /v[\d.]+/containers/' + JOURNAL + '-copied', 1),
}


class Nth(object):
    """A pattern that matches only its ``count``-th matching line."""

    def __init__(self, pattern, count):
        self.pattern, self.count, self.seen = re.compile(pattern), count, 0

    def search(self, line):
        if self.pattern.search(line):
            self.seen += 1
            return self.seen == self.count
        return False


@pytest.fixture
def proxy():
    with EngineProxy() as running:
        yield running


def kill_at(proxy, step, args):
    pattern, count = STEPS[step]
    rule = proxy.intercept(pattern, 'hold')
    rule.pattern = Nth(pattern, count)
    process = start_module('volume_restore', dict(args, docker_host=proxy.docker_host))
    try:
        assert rule.wait(90), 'the restore never sent the request of step %s: %s' % (step, process.communicate())
        assert process.poll() is None
    finally:
        process.kill()
        process.wait(timeout=30)


def prepared(lab, api, tmp_path):
    dc, volume = lab.name('nvdc'), lab.name('pgdata')
    ok(run_module('data_container', dict(name=dc, volumes=['%s:/data' % volume])))
    app = lab.name('app')
    ok(run_module('volumes_from', {'container': app, 'from': [dc], 'image': IMAGE, 'command': LOOP, 'running': True}))
    archives = {}
    for text in ('v0-older', 'v1-good'):
        api.exec_start(api.exec_create(app, ['sh', '-c', 'echo %s > /data/f' % text]))
        archives[text] = str(tmp_path / ('%s.tar' % text))
        ok(run_module('volume_backup', dict(container=dc, dest=archives[text], method='engine')))
    api.exec_start(api.exec_create(app, ['sh', '-c', 'echo v2-bad > /data/f; echo y > /data/extra']))
    return dc, volume, app, archives


def previous_volumes(api, volume):
    return sorted(v['Name'] for v in api.volumes().get('Volumes') or []
                  if (v.get('Labels') or {}).get('persistent.volumes.previous-of') == volume)


def leftovers(api):
    return [c for c in api.containers(all=True, filters={'label': 'persistent.volumes.temporary'})
            if (c.get('Labels') or {}).get('persistent.volumes.temporary') in ('restore-journal', 'restore-previous')]


def assert_converged(lab, api, dc, volume, app, text, before):
    assert mounts(api, dc) == {'/data': volume} and api.inspect_container(app)['State']['Running'] is True
    assert sh_read(lab, api, app, '/data/f') == text and lab.read('/data/f', volumes_from=[dc]) == text
    assert lab.run('test ! -e /data/extra', volumes_from=[dc])[0] == 0
    [kept] = previous_volumes(api, volume)
    assert lab.read('/p/f /p/extra', binds=['%s:/p:ro' % kept]) == before
    assert not [c for c in leftovers(api) if volume in str(c.get('Labels'))]


@pytest.mark.parametrize('step', sorted(STEPS))
def test_killed_restore_is_finished_by_the_next_run(lab, api, tmp_path, proxy, step):
    dc, volume, app, archives = prepared(lab, api, tmp_path)
    args = dict(src=archives['v1-good'], container=dc, method='auto')
    kill_at(proxy, step, args)
    # the earlier data is somewhere whole: in the volume itself, or in its kept copy
    whole = [v for v in [volume] + previous_volumes(api, volume)
             if lab.run('cat /p/f /p/extra', binds=['%s:/p:ro' % v])[1].split() == ['v2-bad', 'y']]
    assert whole, 'the earlier data is lost after a crash at %s' % step
    journal = [c for c in leftovers(api) if (c.get('Labels') or {}).get('persistent.volumes.restore-target') == volume]
    if journal:  # the data container's own task says so
        said = ok(run_module('data_container', dict(name=dc, volumes=['%s:/data' % volume])))
        interrupted = 'a restore from %s was interrupted' % args['src']
        assert said['changed'] is False and any(interrupted in w for w in said['warning_texts']), said['warning_texts']
    result = ok(run_module('volume_restore', args))
    assert result['changed'] is True  # finished, or at least its journal closed
    assert_converged(lab, api, dc, volume, app, 'v1-good', 'v2-bad\ny')
    again = ok(run_module('volume_restore', args))
    assert again['changed'] is False and again['previous_volumes'] == []
    assert ok(run_module('data_container', dict(name=dc, volumes=['%s:/data' % volume])))['warning_texts'] == []


@pytest.mark.parametrize('step', ['copy', 'fill', 'start'])
def test_killed_restore_is_undone_before_another_archive(lab, api, tmp_path, proxy, step):
    dc, volume, app, archives = prepared(lab, api, tmp_path)
    kill_at(proxy, step, dict(src=archives['v1-good'], container=dc, method='auto'))
    other = ok(run_module('volume_restore', dict(src=archives['v0-older'], container=dc)))
    assert other['changed'] is True and other['restored'] == ['/data']
    # the content kept is the one from before the interrupted restore, once
    assert_converged(lab, api, dc, volume, app, 'v0-older', 'v2-bad\ny')


@pytest.mark.parametrize('step', ['copy', 'fill'])
def test_a_failed_restore_says_what_the_next_run_does(lab, api, tmp_path, proxy, step):
    dc, volume, app, archives = prepared(lab, api, tmp_path)
    args = dict(src=archives['v1-good'], container=dc)
    pattern, count = STEPS[step]
    rule = proxy.intercept(pattern, 'close')
    rule.pattern = Nth(pattern, count)
    result = run_module('volume_restore', dict(args, docker_host=proxy.docker_host))
    assert rule.event.is_set() and result['rc'] == 1 and result['changed'] is True, result
    assert 'Traceback' not in result['msg']
    assert 'The restore into volume %s is recorded by its journal: run this task again to finish it' % volume \
        in result['msg'], result['msg']
    ok(run_module('volume_restore', args))
    assert_converged(lab, api, dc, volume, app, 'v1-good', 'v2-bad\ny')
