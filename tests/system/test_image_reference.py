# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image references with a digest, a registry port and image IDs, end to end: pulled from a real
registry (Debian's docker-registry in an extra engine's namespace) and compared by the engine."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import docker
import pytest

from conftest import DOCKER_HOST, IMAGE, LOOP, RUN_ID, failed, run_module
from registry_lab import ADDRESS, RegistryEngine, copy_image, forget

REPO = ADDRESS + '/pvt/busybox'
PREFIX = 'pvt-%s-img-' % RUN_ID


class Registry(object):
    def __init__(self, engine, client, image_id, digest):
        self.engine = engine
        self.client = client
        self.image_id = image_id
        self.digest = digest

    def run(self, module, args, check=False):
        return run_module(module, dict(args, docker_host=self.engine.docker_host), check=check)

    def has(self, reference):
        try:
            return self.client.inspect_image(reference)['Id']
        except docker.errors.NotFound:
            return None

    def image_of(self, container):
        return self.client.inspect_container(container)['Image']


@pytest.fixture(scope='module')
def registry():
    engine = RegistryEngine('pvr%s' % RUN_ID)
    engine.start()
    client = docker.APIClient(base_url=engine.docker_host, version='auto', timeout=120)
    main = docker.APIClient(base_url=DOCKER_HOST, version='auto', timeout=120)
    try:
        image_id = copy_image(main, client, IMAGE)
        client.tag(IMAGE, REPO, tag='1')
        yield Registry(engine, client, image_id, engine.push(client, REPO, '1'))
    finally:
        main.close()
        client.close()
        engine.stop()


@pytest.mark.parametrize('form', ['name:tag@digest', 'name@digest'])
def test_data_container_pulls_by_digest(registry, form):
    reference = (REPO + ':1@' if form == 'name:tag@digest' else REPO + '@') + registry.digest
    forget(registry.client, REPO + ':1')
    forget(registry.client, REPO + '@' + registry.digest)
    args = dict(name=PREFIX + form.replace(':', '-').replace('@', '-'), image=reference, volumes=['/data'])

    predicted = registry.run('data_container', args, check=True)
    assert predicted['changed'] and predicted['actions'][0].startswith('pull image %s:' % reference), predicted
    assert registry.has(REPO + '@' + registry.digest) is None

    made = registry.run('data_container', args)
    assert made['changed'], made
    assert made['container']['image'] == reference
    assert registry.image_of(args['name']) == registry.image_id
    assert registry.has(REPO + '@' + registry.digest) == registry.image_id

    again = registry.run('data_container', args)
    assert not again['changed'], again


def test_registry_port_and_tag_is_pulled(registry):
    forget(registry.client, REPO + ':1')
    args = dict(name=PREFIX + 'port-tag', image=REPO + ':1', volumes=['/data'], pull='missing')
    made = registry.run('data_container', args)
    assert made['changed'] and registry.image_of(args['name']) == registry.image_id, made
    assert not registry.run('data_container', args)['changed']


def test_consumer_by_digest_then_by_id(registry):
    store = PREFIX + 'store'
    assert registry.run('data_container', dict(name=store, volumes=['/data']))['changed']
    args = {'container': PREFIX + 'app', 'from': [store], 'image': REPO + '@' + registry.digest,
            'command': LOOP, 'running': True}
    made = registry.run('volumes_from', args)
    assert made['changed'] and registry.image_of(args['container']) == registry.image_id, made
    assert not registry.run('volumes_from', args)['changed']
    # The same image by its ID, with and without "sha256:": the same image, so no change.
    for reference in (registry.image_id, registry.image_id.split(':', 1)[1]):
        same = registry.run('volumes_from', dict(args, image=reference))
        assert not same['changed'], same


@pytest.mark.parametrize('form', ['sha256:id', 'id'])
def test_data_container_by_image_id(registry, form):
    reference = registry.image_id if form == 'sha256:id' else registry.image_id.split(':', 1)[1]
    args = dict(name=PREFIX + 'by-' + form.replace(':', '-'), image=reference, volumes=['/data'], pull='always')
    made = registry.run('data_container', args)
    assert made['changed'] and registry.image_of(args['name']) == registry.image_id, made
    assert not registry.run('data_container', args)['changed']


@pytest.mark.parametrize('module, args', [
    ('data_container', dict(name=PREFIX + 'missing-id', volumes=['/data'])),
    ('volumes_from', {'container': PREFIX + 'missing-id', 'from': [], 'running': False}),
])
@pytest.mark.parametrize('check', [False, True])
def test_missing_image_id_is_refused(registry, module, args, check):
    reference = 'sha256:' + '0' * 64
    result = registry.run(module, dict(args, image=reference), check=check)
    failed(result, "Image %r is not on the engine, and an image ID cannot be pulled" % reference)
    assert not any(PREFIX + 'missing-id' in name for c in registry.client.containers(all=True) for name in c['Names'])


@pytest.mark.parametrize('module, args', [
    ('data_container', dict(name=PREFIX + 'bad', volumes=['/data'])),
    ('volumes_from', {'container': PREFIX + 'bad', 'from': []}),
])
def test_bad_digest_is_refused(registry, module, args):
    reference = REPO + '@sha256:abc'
    result = registry.run(module, dict(args, image=reference))
    failed(result, "got %r: digest 'sha256:abc' is not <algorithm>:<hex>." % reference)
