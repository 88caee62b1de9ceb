# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.volumes_from against the real engine: every promise is checked by writing
a file through one container and reading it back through another after the operation."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


import docker
import pytest

from conftest import HEX64, IMAGE, LOOP, RUN_ID, container_names, failed, run_module, sh

REPLACES = 'persistent.volumes.replaces'


def data_container(lab, suffix, volumes):
    name = lab.name(suffix)
    result = run_module('data_container', {'name': name, 'volumes': volumes})
    assert result['rc'] == 0, result
    return name


def wire(consumer, sources, check=False, diff=False, **args):
    args.update({'container': consumer, 'from': sources})
    return run_module('volumes_from', args, check=check, diff=diff)


def exists(api, name):
    try:
        return api.inspect_container(name)
    except docker.errors.NotFound:
        return None


def mounts(api, name):
    return dict((m['Destination'], m) for m in api.inspect_container(name)['Mounts'])


def ok(result):
    assert result['rc'] == 0 and 'msg' not in result, result
    return result


def test_create_missing_consumer_then_no_change(lab, api):
    dc = data_container(lab, 'dc', ['/data'])
    c = lab.name('c')
    args = dict(image=IMAGE, command=LOOP, running=True)
    predicted = ok(wire(c, [dc], check=True, diff=True, **args))
    assert predicted['changed'] is True and predicted['recreated'] is False
    assert predicted['actions'] == ['create consumer %s: missing' % c, 'start container %s: running=true' % c]
    assert exists(api, c) is None
    volume = mounts(api, dc)['/data']['Name']
    assert predicted['diff']['before'] == {'state': 'absent'}
    assert predicted['diff']['after']['volumes_from'] == ['%s:rw' % dc]
    assert predicted['diff']['after']['mounts'] == {'/data': volume}
    created = ok(wire(c, [dc], diff=True, **args))
    assert created['changed'] is True and created['actions'] == predicted['actions']
    assert created['diff'] == predicted['diff']
    assert created['container']['running'] is True and created['volumes_from'] == ['%s:rw' % dc]
    assert created['mounts'] == {'/data': volume}
    assert sh(api, c, 'echo hello > /data/f') == (0, '')
    assert lab.read('/data/f', volumes_from=[dc]) == 'hello'
    again = ok(wire(c, [dc], diff=True, **args))
    assert again['changed'] is False and again['actions'] == [] and again['recreated'] is False
    assert again['diff']['before'] == again['diff']['after']


def test_read_only_is_honoured_and_switching_recreates(lab, api):
    dc = data_container(lab, 'dc', ['/data'])
    lab.write('/data/f', 'kept', volumes_from=[dc])
    reader, dict_reader = lab.name('ro'), lab.name('rodict')
    ok(wire(reader, ['%s:ro' % dc], image=IMAGE, command=LOOP, running=True))
    ok(wire(dict_reader, [{'container': dc, 'mode': 'ro'}], image=IMAGE, command=LOOP, running=True))
    for name in (reader, dict_reader):
        assert api.inspect_container(name)['HostConfig']['VolumesFrom'] == ['%s:ro' % dc]
        assert mounts(api, name)['/data']['RW'] is False
        code, output = sh(api, name, 'echo no > /data/g')
        assert code != 0 and 'Read-only file system' in output
        assert sh(api, name, 'cat /data/f') == (0, 'kept')
    assert ok(wire(dict_reader, [{'container': dc, 'mode': 'ro'}]))['changed'] is False
    writer = lab.name('rw')
    ok(wire(writer, [dc], image=IMAGE, command=LOOP, running=True))
    assert sh(api, writer, 'echo written > /data/w') == (0, '')
    old_id = api.inspect_container(writer)['Id']
    switched = ok(wire(writer, ['%s:ro' % dc]))
    assert switched['changed'] is True and switched['recreated'] is True
    assert any('%s:ro' % dc in reason and 'wanted' in reason for reason in switched['reasons']), switched
    assert any('wanted read-only' in reason for reason in switched['reasons']), switched['reasons']
    assert switched['volumes_from'] == ['%s:ro' % dc] and switched['container']['running'] is True
    assert api.inspect_container(writer)['Id'] != old_id
    assert sh(api, writer, 'cat /data/w /data/f') == (0, 'written\nkept')
    assert sh(api, writer, 'echo no > /data/x')[0] != 0
    assert lab.read('/data/w', volumes_from=[dc]) == 'written'


@pytest.mark.parametrize('running', [True, False], ids=['running', 'stopped'])
def test_data_container_gaining_a_path_recreates_the_consumer(lab, api, running):
    dc = data_container(lab, 'dc', ['/data'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP, running=running))
    lab.write('/data/f', 'old', volumes_from=[c])
    volume = mounts(api, dc)['/data']['Name']
    grown = run_module('data_container', {'name': dc, 'volumes': ['/data', '/logs']})
    assert grown['rc'] == 0 and grown['volumes']['/data'] == volume, grown
    drift = ok(wire(c, [dc]))
    assert drift['changed'] is True and drift['recreated'] is True
    assert '%s has /logs, which %s does not mount' % (dc, c) in drift['reasons'], drift['reasons']
    assert drift['mounts'] == {'/data': volume, '/logs': grown['volumes']['/logs']}
    assert drift['container']['running'] is running
    assert api.inspect_container(c)['State']['Running'] is running
    assert lab.read('/data/f', volumes_from=[c]) == 'old'
    lab.write('/logs/g', 'new', volumes_from=[c])
    assert lab.read('/logs/g', volumes_from=[dc]) == 'new'
    third = ok(wire(c, [dc]))
    assert third['changed'] is False and third['reasons'] == []


def test_own_anonymous_volume_survives_recreation(lab, api):
    dc, dc2 = data_container(lab, 'dc', ['/data']), data_container(lab, 'dc2', ['/more'])
    c = lab.container(lab.name('c'), volumes=['/own'], volumes_from=[dc], start=True, command=LOOP)
    own = mounts(api, c)['/own']['Name']
    assert HEX64.match(own)
    assert sh(api, c, 'echo mine > /own/x && echo shared > /data/y') == (0, '')
    for sources, change in (([dc2], {}), ([dc], {'env': {'TRIGGER': '1'}})):  # new wiring, new env
        result = ok(wire(c, sources, **change))
        assert result['changed'] is True and result['recreated'] is True, result
        assert result['mounts']['/own'] == own and mounts(api, c)['/own']['Name'] == own
        assert result['container']['running'] is True
        assert sh(api, c, 'cat /own/x /data/y') == (0, 'mine\nshared')
    assert api.inspect_container(c)['HostConfig']['VolumesFrom'] == ['%s:rw' % dc, '%s:rw' % dc2]
    assert lab.read('/own-copy/x', binds=['%s:/own-copy:ro' % own]) == 'mine'
    assert ok(wire(c, [dc2], env={'TRIGGER': '1'}))['changed'] is False


def test_exclusive_and_absent_touch_only_the_wiring(lab, api):
    dc1, dc2 = data_container(lab, 'dc1', ['/d1']), data_container(lab, 'dc2', ['/d2'])
    c = lab.name('c')
    ok(wire(c, [dc1, dc2], image=IMAGE, command=LOOP))
    lab.write('/d1/f', 'one', volumes_from=[c])
    lab.write('/d2/f', 'two', volumes_from=[c])
    volumes = dict((path, m['Name']) for path, m in mounts(api, c).items())
    kept = ok(wire(c, [dc1]))
    assert kept['changed'] is False and kept['volumes_from'] == ['%s:rw' % dc1, '%s:rw' % dc2]
    predicted = ok(wire(c, [dc1], check=True, exclusive=True))
    assert predicted['changed'] is True and api.inspect_container(c)['HostConfig']['VolumesFrom'] == [
        '%s:rw' % dc1, '%s:rw' % dc2]
    only = ok(wire(c, [dc1], exclusive=True))
    assert only['changed'] is True and only['volumes_from'] == ['%s:rw' % dc1]
    assert '/d2' not in only['mounts'] and lab.volume_exists(volumes['/d2'])
    assert lab.read('/d2/f', volumes_from=[dc2]) == 'two'
    assert lab.read('/d1/f', volumes_from=[c]) == 'one'
    ok(wire(c, [dc2]))
    removed = ok(wire(c, [dc1], state='absent'))
    assert removed['changed'] is True and removed['volumes_from'] == ['%s:rw' % dc2]
    assert '/d1' not in removed['mounts'] and lab.volume_exists(volumes['/d1'])
    assert lab.read('/d1/f', volumes_from=[dc1]) == 'one'
    assert lab.read('/d2/f', volumes_from=[c]) == 'two'
    assert ok(wire(c, [dc1], state='absent'))['changed'] is False
    assert ok(wire(lab.name('nobody'), [dc1], state='absent'))['changed'] is False


def test_omitted_spec_options_are_kept_given_ones_recreate(lab, api):
    dc = data_container(lab, 'dc', ['/data'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP, running=True, env={'A': '1', 'B': 'b'},
            labels={'team': 'blue'}, restart_policy='unless-stopped'))
    assert sh(api, c, 'echo before > /data/f') == (0, '')
    before = api.inspect_container(c)
    assert ok(wire(c, [dc]))['changed'] is False
    assert ok(wire(c, [dc], env={'A': '1'}, labels={'team': 'blue'}))['changed'] is False
    change = dict(env={'A': '2'}, restart_policy='always')
    predicted = ok(wire(c, [dc], check=True, **change))
    assert predicted['changed'] is True and predicted['recreated'] is True
    assert predicted['reasons'] == ["env.A: '2' wanted, '1' found",
                                    "restart_policy: 'always' wanted, 'unless-stopped' found"]
    assert api.inspect_container(c) == before
    result = ok(wire(c, [dc], **change))
    assert result['changed'] is True and result['reasons'] == predicted['reasons']
    after = api.inspect_container(c)
    assert after['Id'] != before['Id'] and after['State']['Running'] is True
    assert sorted(e for e in after['Config']['Env'] if e[:2] in ('A=', 'B=')) == ['A=2', 'B=b']
    assert after['Config']['Labels']['team'] == 'blue' and after['Config']['Cmd'] == LOOP
    assert after['HostConfig']['RestartPolicy']['Name'] == 'always'
    assert lab.read('/data/f', volumes_from=[c]) == 'before'
    assert ok(wire(c, [dc], **change))['changed'] is False


def test_missing_data_container_fails_naming_it(lab, api):
    dc = data_container(lab, 'dc', ['/data'])
    c, missing = lab.name('c'), lab.name('missing')
    for check in (True, False):
        failed(wire(c, [dc, missing], check=check, image=IMAGE), missing, 'does not exist')
    assert exists(api, c) is None
    failed(wire(c, [dc]), c, 'does not exist; give image')
    assert exists(api, c) is None


@pytest.mark.parametrize('entries, fragment', [
    (['a:b:c'], "from[0]: 'a:b:c' has a colon where none belongs"),
    (['xy:rx'], "from[0]: unknown mode 'rx'; allowed: ro, rw"),
    ([':ro'], "Invalid from[0] container name ''"),
    (['dcx', 'dcx:ro'], 'from[1]: container dcx is listed twice'),
    (['bad name!'], "Invalid from[0] container name 'bad name!'"),
    ([{'container': 'dcx', 'mod': 'ro'}], 'from[0]: unknown key mod; allowed: container, mode'),
    ([{'container': 'dcx', 'mode': 'wr'}], "from[0]: unknown mode 'wr'"),
    ([['dcx']], 'from[0]: must be a string'),
    ({'container': 'dcx'}, "'from' is of type"),
])
def test_bad_input_is_refused(lab, api, entries, fragment):
    c = lab.name('c')
    failed(wire(c, entries, image=IMAGE), fragment)
    assert exists(api, c) is None


@pytest.fixture
def leftover(lab, api):
    """Make ``<consumer>.pv-abcdef``, a replacement left behind by an interrupted recreation."""
    def make(consumer, sources, was_running):
        name = consumer + '.pv-abcdef'
        api.create_container(IMAGE, command=LOOP, name=name, labels={
            REPLACES: consumer, 'persistent.volumes.was-running': 'true' if was_running else 'false',
            'pvtest': RUN_ID}, host_config=api.create_host_config(volumes_from=sources))
        return name
    return make


def same_named(api, consumer):
    return sorted(n.lstrip('/') for s in api.containers(all=True) for n in s['Names']
                  if n.lstrip('/') == consumer or n.lstrip('/').startswith(consumer + '.pv-'))


def test_leftover_next_to_the_consumer_is_removed(lab, api, leftover):
    dc = data_container(lab, 'dc', ['/data'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP))
    lab.write('/data/f', 'safe', volumes_from=[dc])
    stray = leftover(c, ['%s:rw' % dc], False)
    result = ok(wire(c, [dc]))
    assert result['changed'] is True
    assert result['actions'] == ['remove container %s: leftover of an interrupted recreation' % stray]
    assert same_named(api, c) == [c]
    assert lab.read('/data/f', volumes_from=[c]) == 'safe'
    assert ok(wire(c, [dc]))['changed'] is False


def test_leftover_alone_is_renamed_into_place(lab, api, leftover):
    dc = data_container(lab, 'dc', ['/data'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP, running=True))
    assert sh(api, c, 'echo safe > /data/f') == (0, '')
    stray = leftover(c, ['%s:rw' % dc], True)
    stray_id = api.inspect_container(stray)['Id']
    api.remove_container(c, force=True)  # the crash came after the old consumer was removed
    wanted = ['rename container %s: finish an interrupted recreation' % stray,
              'start container %s: it was running before an interrupted recreation' % c]
    predicted = ok(wire(c, [dc], check=True, image=IMAGE, command=LOOP))
    assert predicted['changed'] is True and predicted['actions'] == wanted
    assert same_named(api, c) == [stray]
    result = ok(wire(c, [dc], image=IMAGE, command=LOOP))
    assert result['changed'] is True and result['actions'] == wanted
    assert same_named(api, c) == [c] and api.inspect_container(c)['Id'] == stray_id
    assert sh(api, c, 'cat /data/f') == (0, 'safe')
    assert lab.read('/data/f', volumes_from=[dc]) == 'safe'
    assert ok(wire(c, [dc], image=IMAGE, command=LOOP))['changed'] is False


def holders(api, volume):
    return container_names(api, volume=volume)


def test_volume_only_the_consumer_still_holds_is_never_dropped_silently(lab, api, tidy):
    """data_container state=absent force=true leaves its volumes to the consumers; a fresh data container
    of that name then holds a fresh volume. Re-wiring the consumer must keep the old data, or refuse, or
    at the very least report the old volume as released (it still exists, with the data)."""
    dc = data_container(lab, 'dc', ['/data'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP))
    lab.write('/data/f', 'precious', volumes_from=[c])
    old = mounts(api, c)['/data']['Name']
    tidy.add(old)
    assert run_module('data_container', {'name': dc, 'state': 'absent', 'force': True})['rc'] == 0
    assert holders(api, old) == [c]  # "its volumes stay with the consumers"
    data_container(lab, 'dc', ['/data'])  # a fresh data container, a fresh empty volume
    predicted = wire(c, [dc], check=True)
    result = wire(c, [dc])
    assert (result['rc'], result.get('msg'), result.get('released_volumes')) == (
        predicted['rc'], predicted.get('msg'), predicted.get('released_volumes'))
    if result['rc'] != 0:
        failed(result, old)
    elif not holders(api, old):
        assert result['released_volumes'] == [{'path': '/data', 'volume': old, 'was_in': c}], result
        assert any(old in text for text in result['warning_texts']), result['warning_texts']
    assert lab.volume_exists(old)
    assert lab.read('/old/f', binds=['%s:/old:ro' % old]) == 'precious'


def test_data_container_claiming_an_own_volume_path_is_refused(lab, api):
    dc = data_container(lab, 'dc', ['/own'])
    c = lab.container(lab.name('c'), volumes=['/own'], start=True, command=LOOP)
    own = mounts(api, c)['/own']['Name']
    assert sh(api, c, 'echo mine > /own/x') == (0, '')
    before = api.inspect_container(c)
    for check in (True, False):
        failed(wire(c, [dc], check=check), 'Refusing to recreate %s' % c, own, '/own')
    assert api.inspect_container(c)['Id'] == before['Id'] and sh(api, c, 'cat /own/x') == (0, 'mine')


def test_consumer_with_mount_api_volume_can_be_recreated(lab, api):
    dc, dc2 = data_container(lab, 'dc', ['/data']), data_container(lab, 'dc2', ['/more'])
    c = lab.name('c')
    api.create_container(IMAGE, command=LOOP, name=c, labels={'pvtest': RUN_ID}, host_config=api.create_host_config(
        volumes_from=[dc], mounts=[docker.types.Mount('/m', None, type='volume')]))
    api.start(c)
    own = mounts(api, c)['/m']['Name']
    assert sh(api, c, 'echo mine > /m/x') == (0, '')
    result = ok(wire(c, [dc2]))  # the engine once refused: "Duplicate mount point: /m"
    assert result['recreated'] is True and mounts(api, c)['/m']['Name'] == own
    assert sh(api, c, 'cat /m/x') == (0, 'mine') and lab.read('/m/x', volumes_from=[c]) == 'mine'
    assert ok(wire(c, [dc2]))['changed'] is False


def test_path_dropped_by_the_data_container_stays_with_the_consumer(lab, api):
    dc = data_container(lab, 'dc', ['/data', '/logs'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP))
    lab.write('/logs/f', 'history', volumes_from=[c])
    logs = mounts(api, c)['/logs']['Name']
    shrunk = run_module('data_container', {'name': dc, 'volumes': ['/data']})
    assert shrunk['rc'] == 0 and [v['volume'] for v in shrunk['released_volumes']] == [logs], shrunk
    assert ok(wire(c, [dc]))['changed'] is False
    result = ok(wire(c, [dc], env={'X': '1'}))
    assert result['recreated'] is True and result['mounts']['/logs'] == logs and holders(api, logs) == [c]
    assert lab.read('/logs/f', volumes_from=[c]) == 'history'


def test_crash_after_stopping_the_old_consumer_restarts_it(lab, api, leftover):
    dc, dc2 = data_container(lab, 'dc', ['/data']), data_container(lab, 'dc2', ['/more'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP, running=True))
    assert sh(api, c, 'echo safe > /data/f') == (0, '')
    leftover(c, ['%s:rw' % dc, '%s:rw' % dc2], True)
    api.stop(c)  # the crash came between "stop old" and "remove old"
    result = ok(wire(c, [dc, dc2]))
    assert same_named(api, c) == [c] and lab.read('/data/f', volumes_from=[c]) == 'safe'
    assert result['container']['running'] is True and api.inspect_container(c)['State']['Running'] is True


def test_last_holder_is_refused_then_released_on_request(lab, api, tidy):
    """Promise 1: recreating the consumer that is the last holder of a volume is refused, naming it;
    release_volumes=true lets the volume go, kept with its data and reported."""
    dc = data_container(lab, 'dc', ['/data'])
    c = lab.name('c')
    ok(wire(c, [dc], image=IMAGE, command=LOOP))
    lab.write('/data/f', 'precious', volumes_from=[c])
    old = mounts(api, c)['/data']['Name']
    tidy.add(old)
    assert run_module('data_container', {'name': dc, 'state': 'absent', 'force': True})['rc'] == 0
    data_container(lab, 'dc', ['/data'])
    for check in (True, False):
        refused = wire(c, [dc], check=check)
        assert refused['rc'] == 1
        assert refused['msg'].startswith('Refusing to recreate %s: it is the last container holding volume %s at '
                                         '/data' % (c, old)), refused['msg']
    assert mounts(api, c)['/data']['Name'] == old
    released = wire(c, [dc], release_volumes=True)
    assert released['rc'] == 0 and released['changed'] is True
    assert released['released_volumes'] == [{'path': '/data', 'volume': old, 'was_in': c}]
    assert lab.read('/old/f', binds=['%s:/old:ro' % old]) == 'precious'
    assert wire(c, [dc])['changed'] is False
