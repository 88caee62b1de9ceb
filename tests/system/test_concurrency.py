# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Concurrent runs against one engine, on the main engine with names of
this test run only.

Two ansible-playbook runs apply overlapping layouts at the same time; two module
processes race to create the same data container, freely and (through a proxy that
holds one request at a gate) in the exact order that makes the engine answer 409.
Whatever the interleaving: one container per name in the end, no replacement left after
one more run, the data written before read back after, and a re-run changes nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import subprocess

import pytest

from conftest import IMAGE, LOOP, run_module, venv_tool, warnings_of
from slow_proxy import SlowProxy
from test_data_container import dc, family, mounts
from test_data_container_crash import start_module
from test_faults import finished, orphans
from test_leftover_volumes import removed_volumes

CRASH_MARKERS = ('Traceback', 'Unexpected error', 'MODULE FAILURE', 'module_stderr')


@pytest.fixture
def main_lab(lab):
    """conftest's lab on the main engine (its clean-up takes every volume these tests' containers mounted)."""
    return lab


TIDY_ALL_HELD = True


def assert_handled(result, name):
    """Success, or a clear failure naming the container: never a crash."""
    if result['rc'] == 0:
        return
    msg = result.get('msg', '')
    assert not any(marker in msg for marker in CRASH_MARKERS), msg
    assert name in msg, msg


def replacements(api, prefix):
    """Containers of this test named ``*.pv-*`` (replacements left by a swap)."""
    return sorted(n.lstrip('/') for c in api.containers(all=True) for n in c['Names']
                  if n.lstrip('/').startswith(prefix) and '.pv-' in n)


# --- two ansible-playbook runs apply overlapping layouts at once ----------------------
PLAY = '''- name: One host's storage
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Apply the layout
      persistent.volumes.layout: %(layout)s
      register: applied
      ignore_errors: true
    - name: Keep the result for the test
      ansible.builtin.copy:
        content: "{{ applied | to_json }}"
        dest: %(result)s
        mode: "0600"
      changed_when: false
'''


class Playbook(object):
    """A playbook applying one layout; ``start`` runs it in the background."""

    def __init__(self, tmp_path, ansible_env, label, layout):
        self.label = label
        self.path = tmp_path / ('%s.yml' % label)
        self.result_path = tmp_path / ('%s.json' % label)
        self.output_path = tmp_path / ('%s.out' % label)
        self.env = ansible_env
        self.path.write_text(PLAY % dict(layout=json.dumps(layout), result=self.result_path))
        self.process = None

    def start(self):
        if self.result_path.exists():
            self.result_path.unlink()
        with open(str(self.output_path), 'wb') as output:
            self.process = subprocess.Popen([venv_tool('ansible-playbook'), '-i', 'localhost,', str(self.path)],
                                            env=self.env, stdout=output, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        return self

    def wait(self):
        """The layout task's result, with ``recap`` (the PLAY RECAP counts) and ``output``."""
        code = self.process.wait(timeout=300)
        output = self.output_path.read_text()
        assert code == 0 and self.result_path.exists(), '%s: rc=%s\n%s' % (self.label, code, output)
        result = json.loads(self.result_path.read_text())
        recap = re.search(r'^localhost\s+:\s+(.*)$', output, re.M)
        result['recap'] = dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', recap.group(1)))
        result['output'] = output
        return result

    def run(self):
        return self.start().wait()


def layouts(lab, extra=False):
    """Two layouts sharing a named volume, the data container and two consumers; one own consumer each."""
    data, named = lab.name('dc'), lab.name('named')
    data_containers = [dict(name=data, volumes=['/datastore', named + ':/named'] + (['/extra'] if extra else []))]

    def consumer(name, source, running=None):
        item = dict(container=lab.name(name), image=IMAGE, command=LOOP, **{'from': [source]})
        if running is not None:
            item['running'] = running
        return item
    shared = [consumer('s1', data, running=True), consumer('s2', data + ':ro')]
    first = dict(volumes=[dict(name=named)], data_containers=data_containers,
                 consumers=shared + [consumer('a1', data)])
    second = dict(volumes=[dict(name=named)], data_containers=data_containers,
                  consumers=[consumer('b1', data)] + list(reversed(shared)))
    return first, second


def concurrently(playbooks):
    """Start every playbook, then wait for all; return their results."""
    for playbook in playbooks:
        playbook.start()
    return [playbook.wait() for playbook in playbooks]


def describe(results):
    return '; '.join('%s: %s' % (r['label'], 'failed: %s' % r.get('msg') if r.get('failed') else
                                 'changed' if r.get('changed') else 'ok') for r in results)


def race(lab, api, tmp_path, ansible_env, extra):
    """Both playbooks at once, then one more run of each; return (what each concurrent run reported, playbooks)."""
    playbooks = [Playbook(tmp_path, ansible_env, '%s-%s' % (label, 'extra' if extra else 'first'), layout)
                 for label, layout in zip('ab', layouts(lab, extra))]
    results = concurrently(playbooks)
    for playbook, result in zip(playbooks, results):
        result['label'] = playbook.label
        assert_handled(dict(result, rc=1 if result.get('failed') else 0), lab.prefix)
    seen = describe(results)
    print('concurrent runs: %s' % seen)
    for playbook in playbooks:  # one more run of each
        result = playbook.run()
        assert not result.get('failed'), 'after %s:\n%s failed: %s' % (seen, playbook.label, result.get('msg'))
    names = [lab.name(n) for n in ('dc', 's1', 's2', 'a1', 'b1')]
    assert [family(api, name) for name in names] == [[name] for name in names], seen
    assert replacements(api, lab.prefix) == [], seen
    assert orphans(api, names[0]) == [], 'after %s: volumes made for %s that no container holds' % (seen, names[0])
    return seen, playbooks


def assert_converged(lab, api, playbooks, datastore):
    names = [lab.name(n) for n in ('dc', 's1', 's2', 'a1', 'b1')]
    data_mounts = mounts(api, names[0])
    for name in names:
        assert mounts(api, name) == data_mounts, name
        expected = (datastore + '\n' if datastore else '') + 'precious-named'
        script = 'cat %s /named/f' % ('/datastore/f' if datastore else '')
        code, output = lab.run(script, volumes_from=[name])
        assert code == 0 and output.strip() == expected, (name, output)
    assert api.inspect_container(names[1])['State']['Running'] is True
    for again in concurrently(playbooks):   # nothing to do for either: they may as well run at once
        assert again['recap']['changed'] == 0 and again['recap']['failed'] == 0, again['output']
        assert again['changed'] is False


def test_two_playbooks_create_overlapping_layouts_at_once(main_lab, api, tmp_path, ansible_env):
    """Nothing but a named volume with data exists: both runs create the same data container and consumers."""
    lab = main_lab
    lab.write('/n/f', 'precious-named', binds=['%s:/n' % lab.name('named')])
    dummy, playbooks = race(lab, api, tmp_path, ansible_env, extra=False)
    assert_converged(lab, api, playbooks, datastore=None)


def test_two_playbooks_change_overlapping_layouts_at_once(main_lab, api, tmp_path, ansible_env):
    """Both runs add a path to the same data container and so recreate it and the shared consumers."""
    lab = main_lab
    lab.write('/n/f', 'precious-named', binds=['%s:/n' % lab.name('named')])
    first, second = layouts(lab)
    assert not Playbook(tmp_path, ansible_env, 'setup', dict(first, consumers=first['consumers'] + second['consumers'][:1])
                        ).run().get('failed')
    lab.write('/datastore/f', 'precious-datastore', volumes_from=[lab.name('dc')])
    dummy, playbooks = race(lab, api, tmp_path, ansible_env, extra=True)
    assert '/extra' in mounts(api, lab.name('dc'))
    assert_converged(lab, api, playbooks, datastore='precious-datastore')


# --- two tasks race to create the same data container ---------------------------------
def held_race(pattern, module, args, meanwhile):
    """Start ``module`` through a proxy that holds its request matching ``pattern``; while it
    is held, run ``meanwhile()``; then let it go on. Returns (meanwhile's answer, the held
    module's result)."""
    with SlowProxy() as proxy:
        gate = proxy.gate(pattern)
        held = start_module(module, dict(args, docker_host=proxy.docker_host))
        try:
            assert gate.wait(60), 'the module never sent a request matching %s' % pattern
            answer = meanwhile()
        finally:
            gate.open()
        return answer, finished(held)


def test_two_tasks_race_to_create_a_data_container(main_lab, api):
    """Both module processes start together, several rounds; report what each saw."""
    lab = main_lab
    seen = []
    for round_ in range(3):
        name, named = lab.name('dc%d' % round_), lab.name('named%d' % round_)
        lab.write('/n/f', 'before-%d' % round_, binds=['%s:/n' % named])
        args = dict(name=name, volumes=['/datastore', named + ':/named'], labels={'round': str(round_)})
        results = [finished(process) for process in [start_module('data_container', args) for dummy in range(2)]]
        for result in results:
            assert_handled(result, name)
        seen.append(', '.join('rc=%s changed=%s%s' % (r['rc'], r.get('changed'), ' (%s)' % r['msg'] if r['rc'] else '')
                              for r in results))
        assert any(r['rc'] == 0 and r['changed'] for r in results), results
        assert family(api, name) == [name]
        again = dc(args)
        assert again['rc'] == 0 and again['changed'] is False, again
        assert orphans(api, name) == []
        assert lab.read('/named/f', volumes_from=[name]) == 'before-%d' % round_
    print('free races: %s' % ' | '.join(seen))


def test_a_create_that_loses_the_race_succeeds_without_change(main_lab, api):
    """Process one is held at its create while process two creates the container; then the engine
    answers process one's create with 409 (name in use). The best outcome: it looks again, sees the
    container and changes nothing; nothing is left over."""
    lab = main_lab
    name = lab.name('dc')
    lab.write('/n/f', 'before-the-race', binds=['%s:/n' % lab.name('named')])
    args = dict(name=name, volumes=['/datastore', lab.name('named') + ':/named'])
    winner, loser = held_race(r'^POST /v[\d.]+/containers/create\?name=%s ' % name, 'data_container', args,
                              lambda: dc(args))
    print('the task that lost the race to create %s: rc=%s changed=%s msg=%s warnings=%s'
          % (name, loser['rc'], loser.get('changed'), loser.get('msg'), warnings_of(loser)))
    assert winner['rc'] == 0 and winner['changed'] is True, winner
    assert_handled(loser, name)
    assert loser['rc'] == 0 and loser['changed'] is False, loser.get('msg')
    assert any('conflict' in text for text in warnings_of(loser)), warnings_of(loser)
    assert family(api, name) == [name]
    assert orphans(api, name) == []
    again = dc(args)
    assert again['rc'] == 0 and again['changed'] is False, again
    assert lab.read('/named/f', volumes_from=[name]) == 'before-the-race'


def recreation_race(lab, new_path, pattern):
    """A data container with a file in /datastore; run L adds ``new_path`` and is held at its
    request matching ``pattern % name`` while run W does the same and a file is written into
    ``new_path`` through W's container. Returns (name, the changed args, W's result, L's result)."""
    name = lab.name('dc')
    args = dict(name=name, volumes=['/datastore'])
    assert dc(args)['changed'] is True
    lab.write('/datastore/f', 'before-the-race', volumes_from=[name])
    changed = dict(args, volumes=['/datastore', new_path])

    def meanwhile():
        winner = dc(changed)
        assert winner['rc'] == 0 and winner['changed'] is True, winner
        lab.write(new_path + '/f', 'written-between', volumes_from=[name])
        return winner

    winner, loser = held_race(pattern % name, 'data_container', changed, meanwhile)
    return name, changed, winner, loser


def test_two_recreations_race(main_lab, api):
    """Both runs add a path; one is held before removing the old container while the other
    finishes and data is written into the new path; then the held one goes on."""
    lab = main_lab
    name, changed, dummy, loser = recreation_race(lab, '/b', r'^DELETE /v[\d.]+/containers/(%s|[0-9a-f]{64})\?')
    print('the recreation that lost the race: rc=%s msg=%s actions_done=%s'
          % (loser['rc'], loser.get('msg'), loser.get('actions_done')))
    assert_handled(loser, name)
    settle = dc(changed)
    assert settle['rc'] == 0, settle['msg']
    assert dc(changed)['changed'] is False
    assert family(api, name) == [name]
    assert lab.read('/datastore/f', volumes_from=[name]) == 'before-the-race'
    assert lab.read('/b/f', volumes_from=[name]) == 'written-between'


def test_two_consumer_recreations_race(main_lab, api):
    """A consumer with a volume of its own ('docker run -v /own') is wired by two runs at once."""
    lab = main_lab
    data, app = lab.name('dc'), lab.name('app')
    assert dc(dict(name=data, volumes=['/datastore']))['changed'] is True
    lab.container(app, volumes=['/own'], command=LOOP)
    lab.write('/own/f', 'own-data', volumes_from=[app])
    args = dict(container=app, **{'from': [data]})
    winner, loser = held_race(r'^DELETE /v[\d.]+/containers/(%s|[0-9a-f]{64})\?' % app, 'volumes_from', args,
                              lambda: run_module('volumes_from', args))
    assert winner['rc'] == 0 and winner['changed'] is True, winner
    print('the consumer recreation that lost the race: rc=%s msg=%s' % (loser['rc'], loser.get('msg')))
    assert_handled(loser, app)
    settle = run_module('volumes_from', dict(args, image=IMAGE, command=LOOP))
    assert settle['rc'] == 0, settle['msg']
    assert run_module('volumes_from', args)['changed'] is False
    assert family(api, app) == [app]
    assert lab.read('/own/f', volumes_from=[app]) == 'own-data'


def test_a_recreation_that_loses_the_race_leaves_no_empty_volume(main_lab, api):
    """Run L has made its volume for /extra and is held before creating its replacement; run W
    recreates the container meanwhile and data goes into W's /extra. L then finds W's container
    in place: it removes its own replacement and the empty volume it made, and nothing else."""
    lab = main_lab
    name, changed, winner, loser = recreation_race(lab, '/extra', r'^POST /v[\d.]+/containers/create\?name=%s\.pv-')
    print('the recreation that lost the race: rc=%s actions=%s' % (loser['rc'], loser.get('actions')))
    assert loser['rc'] == 0, loser.get('msg')
    assert len(removed_volumes(loser)) == 1, loser['actions']
    assert family(api, name) == [name]
    assert orphans(api, name) == []
    assert mounts(api, name)['/extra'] == winner['volumes']['/extra']
    assert lab.read('/datastore/f', volumes_from=[name]) == 'before-the-race'
    assert lab.read('/extra/f', volumes_from=[name]) == 'written-between'
    assert dc(changed)['changed'] is False
