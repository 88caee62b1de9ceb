# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which existing containers data_container may take as data-only ones: a container that ran, takes
volumes from others or has a command of its own is refused unless adopted."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.persistent.volumes.plugins.module_utils.model.container import ContainerDetail
from ansible_collections.persistent.volumes.plugins.module_utils.data_container.data_only import (
    check_data_only,
    check_not_running,
    not_data_only,
)
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import Refusal
from ansible_collections.persistent.volumes.plugins.module_utils.model.labels import DATA_CONTAINER

from ansible_collections.persistent.volumes.tests.unit.conftest import raw_inspect


def check_holder(holder, image=None, adopt=False, removing=False):
    """Both rules, as data_container applies them to a container it would replace or remove."""
    check_not_running(holder)
    check_data_only(holder, image, adopt, removing)


UBUNTU = {'Id': 'sha256:' + '1' * 64, 'Config': {'Cmd': ['bash'], 'Entrypoint': None}}
NO_CMD = {'Id': 'sha256:' + '1' * 64, 'Config': {'Cmd': None, 'Entrypoint': None}}


def container(status='created', cmd=None, entrypoint=None, volumes_from=None, ours=False):
    raw = raw_inspect('dc', mounts=[('a' * 64, '/datastore')], status=status, volumes_from=volumes_from,
                      labels={DATA_CONTAINER: 'true'} if ours else None)
    raw['Config'].update(Cmd=cmd, Entrypoint=entrypoint)
    return ContainerDetail(raw)


@pytest.mark.parametrize('holder, image, reasons', [
    pytest.param(container(cmd=['bash']), UBUNTU, [], id='founding-document-docker-create-ubuntu'),
    pytest.param(container(cmd=['/bin/true']), NO_CMD, [], id='docs-bin-true'),
    pytest.param(container(cmd=['true']), NO_CMD, [], id='true'),
    pytest.param(container(cmd=['echo', 'Data-only container for postgres']), NO_CMD, [], id='echo'),
    pytest.param(container(cmd=[]), NO_CMD, [], id='no-command'),
    pytest.param(container(cmd=['sleep', 'infinity']), NO_CMD, ['it has a command of its own (sleep infinity)'],
                 id='command-of-its-own'),
    pytest.param(container(cmd=['-g', 'daemon off;'], entrypoint=['nginx']), UBUNTU,
                 ['it has a command of its own (nginx -g daemon off;)'], id='entrypoint-of-its-own'),
    pytest.param(container(status='exited', cmd=['bash']), UBUNTU, ['it has been started (status exited)'],
                 id='started'),
    pytest.param(container(cmd=['bash'], volumes_from=['dc0:ro']), UBUNTU,
                 ['it takes volumes from dc0:ro (--volumes-from)'], id='wired'),
    pytest.param(container(status='exited', cmd=['sh'], volumes_from=['dc0']), NO_CMD,
                 ['it has been started (status exited)', 'it takes volumes from dc0 (--volumes-from)',
                  'it has a command of its own (sh)'], id='all-three'),
    pytest.param(container(status='exited', cmd=['/.persistent-volumes-data-only'], ours=True), NO_CMD, [],
                 id='made-by-the-collection'),
])
def test_not_data_only(holder, image, reasons):
    assert not_data_only(holder, image) == reasons


def test_image_gone_judges_the_command_alone():
    """Without the image, only a no-op command counts as the image's."""
    assert not_data_only(container(cmd=['/bin/true']), None) == []
    assert not_data_only(container(cmd=['sleep', '1']), None) == ['it has a command of its own (sleep 1)']


@pytest.mark.parametrize('holder, adopt, removing, message', [
    pytest.param(container(cmd=['sleep', 'infinity']), False, False,
                 "Container 'dc' exists and is not a data-only container: it has a command of its own (sleep infinity). "
                 'Recreating it as one would drop its command and wiring. Choose another name, or set adopt=true to '
                 'turn it into a data container (its volumes are kept, its command and wiring are not); nothing was '
                 'changed.', id='recreate'),
    pytest.param(container(volumes_from=['dc0']), False, True,
                 "Container 'dc' exists and is not a data-only container: it takes volumes from dc0 (--volumes-from). "
                 'Removing it as a data container would drop its command and wiring. Choose another name, or set '
                 'adopt=true to remove it anyway; nothing was changed.', id='remove'),
    pytest.param(container(status='running'), True, False,
                 "Container 'dc' exists and is running; a data container is never started. Choose another name, or "
                 'stop it if it really is a data container; nothing was changed.', id='running-even-when-adopted'),
])
def test_check_holder_refuses(holder, adopt, removing, message):
    with pytest.raises(Refusal) as caught:
        check_holder(holder, NO_CMD, adopt=adopt, removing=removing)
    assert caught.value.msg == message


@pytest.mark.parametrize('holder', [None, container(cmd=['true']), container(status='exited', cmd=['sh'])])
def test_check_holder_lets_through_data_only_or_adopted(holder):
    check_holder(holder, NO_CMD, adopt=holder is not None and holder.status == 'exited')
