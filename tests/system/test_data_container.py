# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""persistent.volumes.data_container against the real engine: data written through one
container is read back through another after every operation (DESIGN.md, the one promise)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import docker
import pytest

from conftest import IMAGE, RUN_ID, on_podman, remove_test_objects, run_module, short_image

DEFAULT_IMAGE = 'persistent-volumes/data-only:1'
ANONYMOUS_FOR = 'persistent.volumes.anonymous-for'


# --- helpers (the crash tests use them too) ---------------------------------------
def dc(args, check=False, diff=False, **extra):
    return run_module('data_container', dict(args, **extra), check=check, diff=diff)


def kinds(result):
    """The action kinds ('create container', ...) without the random names."""
    return [' '.join(action.split(' ')[:2]) for action in result['actions']]


def exists(api, name):
    return any('/' + name in c['Names'] for c in api.containers(all=True))


def mounts(api, name):
    """path -> volume name (or host path) of a container."""
    return dict((m['Destination'], m.get('Name') or m['Source']) for m in api.inspect_container(name)['Mounts'])


def family(api, name):
    """Names of the containers called ``name`` or ``name.pv-*`` (replacements)."""
    names = [n.lstrip('/') for c in api.containers(all=True) for n in c['Names']]
    return sorted(n for n in names if n == name or n.startswith(name + '.pv-'))


def stat(lab, path, name):
    code, output = lab.run("stat -c '%%u %%g %%a' %s" % path, volumes_from=[name])
    assert code == 0, output
    return output.strip()


# The one clean-up (conftest's lab) takes every volume this file's containers mounted.
TIDY_ALL_HELD = True


@pytest.fixture(scope='module')
def busybox_tar(api):
    """The root file system of local/busybox as a tar stream (to import images from)."""
    made = api.create_container(IMAGE, name='pvt-%s-rootfs' % RUN_ID)
    try:
        return b''.join(api.export(made))
    finally:
        api.remove_container(made, force=True)


@pytest.fixture
def make_image(api, busybox_tar, tidy):
    """Images imported from busybox's files with Dockerfile ``changes``; removed afterwards."""
    made = []

    def make(suffix, changes):
        repository = 'pvt-%s/%s' % (RUN_ID, suffix)
        api.import_image_from_data(busybox_tar, repository=repository + ':1', changes=changes)  # Podman ignores tag=
        made.append(repository + ':1')
        return made[-1]
    yield make
    remove_test_objects(api, tidy.prefixes, tidy, all_held=True)
    for reference in made:
        api.remove_image(reference, force=True)


# --- create, check mode, diff mode, idempotence ------------------------------------
def test_create_check_diff_then_no_change(lab, api):
    name = lab.name('dc')
    args = dict(name=name, volumes=['/datastore'], labels={'app': 'billing'})
    predicted = dc(args, check=True, diff=True)
    assert predicted['rc'] == 0 and predicted['changed'] is True, predicted
    assert kinds(predicted) == ['create volume', 'create container']
    assert predicted['actions'][-1] == 'create container %s: missing' % name
    assert predicted['diff']['before'] == {'state': 'absent'}
    assert predicted['diff']['after']['volumes'] == {'/datastore': '(new anonymous volume)'}
    assert predicted['diff']['after']['labels'] == {'app': 'billing'}
    assert predicted['recreated'] is False and predicted['released_volumes'] == []
    assert not exists(api, name) and family(api, name) == []

    created = dc(args, diff=True)
    assert created['rc'] == 0 and created['changed'] is True and kinds(created) == kinds(predicted)
    assert created['diff']['before'] == {'state': 'absent'}
    assert created['diff']['after']['image'] == DEFAULT_IMAGE
    info = api.inspect_container(name)
    assert info['State']['Status'] == 'created' and info['State']['StartedAt'].startswith('0001-')
    assert short_image(info['Config']['Image']) == DEFAULT_IMAGE and info['Config']['Labels']['app'] == 'billing'
    assert info['Config']['Labels']['persistent.volumes.data-container'] == 'true'
    assert created['container']['id'] == info['Id'] and created['volumes'] == mounts(api, name)
    assert len(created['volumes']['/datastore']) == 64

    again = dc(args, diff=True)
    assert again['changed'] is False and again['actions'] == [] and again['recreated'] is False
    assert again['diff']['before'] == again['diff']['after'] and again['volumes'] == created['volumes']
    assert api.inspect_container(name)['Id'] == info['Id']
    assert api.inspect_image(DEFAULT_IMAGE)['Config']['Labels']['persistent.volumes.image'] == 'data-only'


def test_default_image_is_built_when_missing(lab, api):
    args = dict(name=lab.name('dc'), volumes=['/datastore'])
    present = [i['Id'] for i in api.images() if DEFAULT_IMAGE in [short_image(t) for t in i.get('RepoTags') or []]]
    # (by image ID: Podman's 'ancestor' filter does not find the containers of this image)
    in_use = present and any(c.get('ImageID') in present for c in api.containers(all=True))
    if not in_use:  # only remove the image when no container (of any test) uses it
        if present:
            api.remove_image(DEFAULT_IMAGE)
        predicted = dc(args, check=True)
        assert predicted['actions'][0] == 'build data image %s: image not on the engine' % DEFAULT_IMAGE
        with pytest.raises(docker.errors.ImageNotFound):
            api.inspect_image(DEFAULT_IMAGE)
    result = dc(args)
    assert result['rc'] == 0 and result['changed'] is True
    assert in_use or result['actions'][0].startswith('build data image')
    image = api.inspect_image(DEFAULT_IMAGE)
    assert image['Config']['Labels']['persistent.volumes.image'] == 'data-only'
    assert image['Size'] < 16384  # empty: Docker says 0, Podman counts the empty tar layer (11421)
    assert api.inspect_container(args['name'])['State']['Status'] == 'created'


def test_founding_pattern(lab, api):
    """docker create -v /datastore --name datacontainer; run --volumes-from ... (DESIGN.md)."""
    name = lab.name('datacontainer')
    assert dc(dict(name=name, volumes=['/datastore']))['changed'] is True
    writer = lab.container(lab.name('writer'), volumes_from=[name], command=['sh', '-c', 'echo f > /datastore/f'])
    api.start(writer)
    assert api.wait(writer, timeout=60)['StatusCode'] == 0
    code, listing = lab.run('ls /datastore', volumes_from=[name])
    assert code == 0 and listing.split() == ['f']
    assert lab.read('/datastore/f', volumes_from=[name]) == 'f'
    result = dc(dict(name=name, volumes=['/datastore']))
    assert result['changed'] is False and result['consumers'] == [writer]
    assert result['consumer_mounts'] == [dict(container=writer, destination='/datastore',
                                              read_only=False, via='volumes_from')]
    assert api.inspect_container(name)['State']['Status'] == 'created'


def test_adopts_a_plain_docker_create_data_container(lab, api):
    name = lab.container(lab.name('plain'), volumes=['/datastore'], command=['true'])
    lab.write('/datastore/f', 'adopted', volumes_from=[name])
    before = mounts(api, name)
    result = dc(dict(name=name, volumes=['/datastore', '/more']))
    assert result['rc'] == 0 and result['recreated'] is True, result
    assert mounts(api, name)['/datastore'] == before['/datastore']
    assert lab.read('/datastore/f', volumes_from=[name]) == 'adopted'
    assert dc(dict(name=name, volumes=['/datastore', '/more']))['changed'] is False


# --- changes keep every wanted volume ------------------------------------------------
CHANGES = {
    'add-path': dict(volumes=['/datastore', '/logs', 'NAMED:/named', '/extra']),
    'remove-path': dict(volumes=['/datastore', 'NAMED:/named'], release_volumes=True),
    'reorder': dict(volumes=['NAMED:/named', '/logs', '/datastore']),
    'labels': dict(labels={'app': 'two'}),
    'image': dict(image=IMAGE),
}


@pytest.mark.parametrize('change', sorted(CHANGES))
def test_change_keeps_the_data_of_every_wanted_path(lab, api, tidy, change):
    name, named = lab.name('dc'), lab.name('named')
    base = dict(name=name, volumes=['/datastore', '/logs', '%s:/named' % named], labels={'app': 'one'})
    args = dict(base, **CHANGES[change])
    args['volumes'] = [v.replace('NAMED', named) for v in args['volumes']]
    assert dc(base)['changed'] is True
    before, old_id = mounts(api, name), api.inspect_container(name)['Id']
    tidy |= set(before.values())
    for path in before:
        lab.write(path + '/f', 'data' + path.replace('/', '-'), volumes_from=[name])
    recreate = change != 'reorder'

    predicted = dc(args, check=True, diff=True)
    assert predicted['rc'] == 0 and predicted['changed'] is recreate and predicted['recreated'] is recreate
    if recreate:
        assert kinds(predicted)[-3:] == ['create container', 'remove container', 'rename container']
        assert 'recreate: ' in [a for a in predicted['actions'] if a.startswith('create container')][0]
    assert api.inspect_container(name)['Id'] == old_id and mounts(api, name) == before
    assert family(api, name) == [name]

    result = dc(args, diff=True)
    assert result['rc'] == 0 and result['changed'] is recreate and result['recreated'] is recreate, result
    assert kinds(result) == kinds(predicted)
    after = mounts(api, name)
    info = api.inspect_container(name)
    assert result['volumes'] == after and (info['Id'] != old_id) is recreate and family(api, name) == [name]
    assert info['State']['Status'] == 'created'
    assert short_image(info['Config']['Image']) == args.get('image', DEFAULT_IMAGE)
    assert info['Config']['Labels']['app'] == args['labels']['app']
    for path in sorted(after):
        if path in before:
            assert after[path] == before[path], 'volume at %s replaced' % path
            assert lab.read(path + '/f', volumes_from=[name]) == 'data' + path.replace('/', '-')
    dropped = sorted(set(before) - set(after))
    assert [r['path'] for r in result['released_volumes']] == dropped
    assert predicted['released_volumes'] == result['released_volumes']
    for released in result['released_volumes']:
        assert released['volume'] == before[released['path']] and released['was_in'] == name
        assert lab.read('/r/f', binds=['%s:/r' % released['volume']]) == 'data' + released['path'].replace('/', '-')

    again = dc(args)
    assert again['changed'] is False and again['actions'] == [] and again['volumes'] == after


def test_image_volume_is_a_volume_like_any_other(lab, api, make_image):
    name = lab.name('dc')
    image = make_image('volimg', ['VOLUME /imgvol', 'CMD ["sh"]'])
    args = dict(name=name, image=image, volumes=['/datastore'])
    created = dc(args)
    assert created['rc'] == 0 and sorted(created['volumes']) == ['/datastore', '/imgvol'], created
    imgvol = mounts(api, name)['/imgvol']
    lab.write('/imgvol/f', 'from-the-image-volume', volumes_from=[name])
    grown = dc(dict(args, volumes=['/datastore', '/more']))
    assert grown['changed'] is True and grown['recreated'] is True
    assert grown['volumes']['/imgvol'] == imgvol == mounts(api, name)['/imgvol']
    assert lab.read('/imgvol/f', volumes_from=[name]) == 'from-the-image-volume'
    shrunk = dc(dict(args, volumes=['/more']))  # /imgvol is still declared by the image
    assert shrunk['volumes']['/imgvol'] == imgvol and [r['path'] for r in shrunk['released_volumes']] == ['/datastore']
    assert lab.read('/imgvol/f', volumes_from=[name]) == 'from-the-image-volume'
    assert dc(dict(args, volumes=['/more']))['changed'] is False


def test_image_without_cmd_is_accepted(lab, api, make_image):
    name = lab.name('dc')
    result = dc(dict(name=name, image=make_image('nocmd', ['VOLUME /imgvol']), volumes=['/datastore']))
    assert result['rc'] == 0 and result['changed'] is True, result.get('msg')
    assert sorted(mounts(api, name)) == ['/datastore', '/imgvol']
    assert api.inspect_container(name)['State']['Status'] == 'created'


# --- owner, group, mode --------------------------------------------------------------
def test_owner_group_mode_without_running_anything(lab, api):
    if on_podman(api):
        pytest.skip('Podman: owner/group/mode go through the archive endpoint, refused there (test_engine_cycle.py)')
    name = lab.name('dc')
    entry = dict(path='/datastore', owner=1234, group='2345', mode='0750')
    args = dict(name=name, volumes=[entry, '/plain'])
    predicted = dc(args, check=True)
    assert 'set root attributes %s: owner/group/mode of /datastore' % name in predicted['actions']
    assert not exists(api, name)
    assert dc(args)['changed'] is True
    assert api.inspect_container(name)['State']['StartedAt'].startswith('0001-')
    assert stat(lab, '/datastore', name) == '1234 2345 750'
    assert dc(args)['changed'] is False
    lab.write('/datastore/f', 'kept', volumes_from=[name])
    old_id = api.inspect_container(name)['Id']

    tighter = dict(args, volumes=[dict(entry, mode='0700'), '/plain'])
    predicted = dc(tighter, check=True)
    assert predicted['changed'] is True and predicted['recreated'] is False
    assert predicted['actions'] == ['set root attributes %s: owner/group/mode of /datastore' % name]
    assert stat(lab, '/datastore', name) == '1234 2345 750'
    result = dc(tighter)
    assert result['changed'] is True and result['recreated'] is False
    assert stat(lab, '/datastore', name) == '1234 2345 700'
    assert api.inspect_container(name)['Id'] == old_id and dc(tighter)['changed'] is False
    assert lab.read('/datastore/f', volumes_from=[name]) == 'kept'

    grown = dict(tighter, volumes=tighter['volumes'] + ['/more'])  # a recreation keeps them
    assert dc(grown)['recreated'] is True
    assert stat(lab, '/datastore', name) == '1234 2345 700'
    assert lab.read('/datastore/f', volumes_from=[name]) == 'kept'
    assert dc(grown)['changed'] is False and api.inspect_container(name)['State']['Status'] == 'created'


@pytest.mark.parametrize('key, kind', [('owner', 'user'), ('group', 'group')])
def test_owner_name_that_does_not_resolve_is_refused(lab, api, key, kind):
    name = lab.name('dc')
    args = dict(name=name, volumes=[{'path': '/d', key: 'pvt-no-such-%s' % kind}])
    for check in (True, False):
        result = dc(args, check=check)
        assert result['rc'] == 1 and result['changed'] is False
        assert ("volumes[0] (/d): %s 'pvt-no-such-%s' does not resolve to a %s on the Docker host; "
                "give a numeric id." % (key, kind, kind)) == result['msg']
    assert not exists(api, name)


def test_root_attributes_of_a_read_only_volume(lab, api):
    name = lab.name('dc')
    args = dict(name=name, volumes=[dict(path='/ro', source=lab.name('rovol'), read_only=True, mode='0750')])
    result = dc(args)
    if result['rc'] == 0:
        assert stat(lab, '/ro', name) == '0 0 750' and dc(args)['changed'] is False
    else:
        assert 'read_only' in result['msg'] and not exists(api, name), result['msg']


# --- state: absent -------------------------------------------------------------------
def test_absent_refused_while_used_then_force_leaves_the_data_to_consumers(lab, api):
    name = lab.name('dc')
    dc(dict(name=name, volumes=['/datastore', '/other']))
    lab.write('/datastore/f', 'survivor', volumes_from=[name])
    volume, old_id = mounts(api, name)['/datastore'], api.inspect_container(name)['Id']
    via_from = lab.container(lab.name('from'), volumes_from=[name])
    via_mount = lab.container(lab.name('mount'), binds=['%s:/data:ro' % volume])
    for check in (True, False):
        result = dc(dict(name=name, state='absent'), check=check)
        assert result['rc'] == 1 and result['changed'] is False, result
        assert "Refusing to remove data container '%s': 2 other containers use its volumes" % name in result['msg']
        assert '%s (through --volumes-from at /datastore, read-write)' % via_from in result['msg']
        assert '%s (through --volumes-from at /other, read-write)' % via_from in result['msg']
        assert '%s (mounted at /data, read-only)' % via_mount in result['msg']
        assert 'force=true' in result['msg'] and 'Traceback' not in result['msg']
        assert set(use['container'] for use in result['consumers']) == {via_from, via_mount}
    assert api.inspect_container(name)['Id'] == old_id

    forced = dict(name=name, state='absent', force=True)
    predicted = dc(forced, check=True, diff=True)
    assert predicted['changed'] is True and predicted['actions'] == ['remove container %s: state=absent' % name]
    assert predicted['diff']['after'] == {'state': 'absent'} and exists(api, name)
    result = dc(forced)
    assert result['rc'] == 0 and result['changed'] is True and not exists(api, name)
    assert lab.volume_exists(volume)  # the container went, its volumes stay with the consumers
    assert lab.read('/datastore/f', volumes_from=[via_from]) == 'survivor'
    assert lab.read('/data/f', volumes_from=[via_mount]) == 'survivor'
    again = dc(forced, diff=True)
    assert again['changed'] is False and again['diff'] == {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}


def test_remove_volumes_spares_a_volume_another_container_uses(lab, api):
    name, named = lab.name('dc'), lab.name('named')
    dc(dict(name=name, volumes=['/shared', '/private', '%s:/named' % named]))
    vols = mounts(api, name)
    for path in vols:
        lab.write(path + '/f', 'in' + path.replace('/', '-'), volumes_from=[name])
    holder = lab.container(lab.name('holder'), binds=['%s:/data' % vols['/shared']])
    args = dict(name=name, state='absent', force=True, remove_volumes=True)
    expected = ['remove container %s: state=absent' % name,
                'remove volume %s: remove_volumes=true (anonymous volume of %s)' % (vols['/private'], name)]
    kept = 'Volume %s of %s was kept: other containers still use it.' % (vols['/shared'], name)
    predicted = dc(args, check=True)
    assert predicted['actions'] == expected and kept in predicted['warning_texts']
    assert exists(api, name) and all(lab.volume_exists(v) for v in vols.values())
    result = dc(args)
    assert result['rc'] == 0 and result['actions'] == expected and kept in result['warning_texts']
    assert not exists(api, name) and not lab.volume_exists(vols['/private'])  # unused: deleted
    assert lab.read('/data/f', volumes_from=[holder]) == 'in-shared'
    assert lab.read('/n/f', binds=['%s:/n' % named]) == 'in-named'  # named volumes are never deleted


# --- a container of that name that is not data-only ---------------------------------

@pytest.mark.parametrize('state', ['present', 'absent'])
@pytest.mark.parametrize('kind', ['running', 'started-once'])
def test_refuses_a_container_that_is_not_data_only(lab, api, kind, state):
    name = lab.name(kind)
    if kind == 'running':
        lab.container(name, volumes=['/datastore'], start=True)
        message = "Container '%s' exists and is running; a data container is never started." % name
    else:
        lab.container(name, volumes=['/datastore'], command=['sh', '-c', 'exit 0'], start=True)
        api.wait(name, timeout=60)
        message = ("Container '%s' exists and is not a data-only container: it has been started (status exited)"
                   % name)
    before = api.inspect_container(name)
    for check in (True, False):
        result = dc(dict(name=name, volumes=['/datastore', '/more'], state=state), check=check)
        assert result['rc'] == 1 and result['changed'] is False, result
        assert message in result['msg'] and 'nothing was changed' in result['msg']
    after = api.inspect_container(name)
    assert (after['Id'], after['State']['Status'], after['Mounts']) == \
        (before['Id'], before['State']['Status'], before['Mounts'])
    assert family(api, name) == [name]


# --- bad input -----------------------------------------------------------------------
BAD = [
    (dict(volumes=['data']), "volumes[0] (data): container path 'data' is relative; it must be absolute, like /data."),
    (dict(volumes=['/a/../b']), "volumes[0] (/a/../b): container path '/a/../b' is not normalised; write '/b'."),
    (dict(volumes=['/a/']), "volumes[0] (/a/): container path '/a/' is not normalised; write '/a'."),
    (dict(volumes=['//a']), "volumes[0] (//a): container path '//a' is not normalised; write '/a'."),
    (dict(volumes=['/a', 'vol:/a']), 'volumes[1] (vol:/a): container path /a is already used by volumes[0];'),
    (dict(volumes=['a:/b:ro:x']), "volumes[0] (a:/b:ro:x): 'a:/b:ro:x' has a colon where none belongs; use"),
    (dict(volumes=['vv:/p:rx']), "volumes[0] (vv:/p:rx): unknown mode 'rx' in 'vv:/p:rx'; allowed: ro, rw."),
    (dict(name='-x'), "Invalid container name '-x': use letters, digits"),
    (dict(name='a'), "Invalid container name 'a': use letters, digits"),
    (dict(image='pvt-none/x:1', pull='never'), "Image 'pvt-none/x:1' is not on the engine and pull=never;"),
    (dict(volumes=[dict(path='/d', size='1g')]), 'volumes[0] (/d): unknown key size; allowed: path, source,'),
    (dict(labels={'persistent.volumes.x': 'y'}), "labels.persistent.volumes.x: labels starting with 'persistent."),
    (dict(volumes=[]), 'volumes is empty and image persistent-volumes/data-only:1 declares no VOLUME'),
    (dict(volumes=[dict(path='/d', mode='u+rwx')]), 'volumes[0] (/d): mode must be an octal string like "0750"'),
    (dict(state='gone'), 'value of state must be one of: present, absent'),
]


@pytest.mark.parametrize('bad, message', BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_is_refused_and_changes_nothing(lab, api, bad, message):
    args = dict(dict(name=lab.name('dc'), volumes=['/d']), **bad)
    for check in (True, False):
        result = dc(args, check=check)
        assert result['rc'] == 1 and result.get('failed') is True and not result.get('changed')
        assert message in result['msg'], result['msg']
        assert 'Traceback' not in result['msg']
    assert not any(n.startswith(lab.prefix) for c in api.containers(all=True) for n in c['Names'])
    assert not any((v.get('Labels') or {}).get(ANONYMOUS_FOR, '').startswith(lab.prefix)
                   for v in api.volumes().get('Volumes') or [])


# --- a name that is also the ID prefix of another container -------------------------


@pytest.mark.parametrize('state', ['present', 'absent'])
def test_a_name_that_is_the_id_prefix_of_another_data_container(lab, api, tidy, state):
    victim = lab.name('victim')
    dc(dict(name=victim, volumes=['/datastore']))
    lab.write('/datastore/f', 'not-yours', volumes_from=[victim])
    victim_id = api.inspect_container(victim)['Id']
    alias = victim_id[:12]  # a valid container name; no container has it
    tidy.prefixes.append(alias)
    args = dict(name=alias, volumes=['/datastore'], state=state, remove_volumes=state == 'absent')
    predicted = dc(args, check=True)
    assert predicted['changed'] is (state == 'present') and victim not in ' '.join(predicted['actions'])
    result = dc(args)
    assert result['rc'] == 0
    assert exists(api, victim) and api.inspect_container(victim)['Id'] == victim_id, \
        'the other data container was taken: %s' % result['actions']
    assert lab.read('/datastore/f', volumes_from=[victim]) == 'not-yours'
    if state == 'present':
        assert mounts(api, alias)['/datastore'] != mounts(api, victim)['/datastore']


def test_sensitive_host_directory_is_refused_unless_allowed(lab, api):
    name = lab.name('dc')
    for check in (True, False):
        result = run_module('data_container', dict(name=name, volumes=['/etc:/hostetc:ro']), check=check)
        assert result['rc'] == 1
        assert result['msg'].startswith('Refusing to bind /etc into data container %s at /hostetc: /etc is a system '
                                        'directory.' % name)
    assert not exists(api, name)
    allowed = run_module('data_container', dict(name=name, volumes=['/etc:/hostetc:ro'], allow_sensitive=True))
    assert allowed['rc'] == 0 and allowed['changed'] is True
