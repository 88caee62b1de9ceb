# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volumes_from module's work: wire a consumer to data containers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.persistent.volumes.plugins.module_utils.consumer.runner import (
    ConsumerRequest,
    converge_consumer,
)
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.spec import ConsumerSpec
from ansible_collections.persistent.volumes.plugins.module_utils.consumer.wiring import parse_from


def converge_volumes_from(engine):
    params = engine.params
    request = ConsumerRequest(ConsumerSpec.from_params(params), wiring=parse_from(params['from'], params['container']),
                              exclusive=params.get('exclusive'), wiring_state=params.get('state') or 'present')
    return converge_consumer(engine, request)
