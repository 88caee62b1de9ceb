#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_store
short_description: Keep a backup host's copies of a Docker host's archives
version_added: 1.0.0
description:
  - Runs on the backup host, on the directory that holds one Docker host's copies
    (C(<backup_host_dir>/<docker host>)), and needs no engine. C(playbooks/backup.yml) and the role call it
    before and after they copy archives there, to learn which copies are missing and to take in the ones
    that arrived.
  - Copies arrive in C(.incoming/) below O(path). An arrived archive is taken in only when its manifest is
    one of the collection's, names O(host) and the file, and the file's sha256, computed on arrival, is the
    one its manifest and O(offered) record. It is then put in place as M(persistent.volumes.volume_backup)
    puts an archive (the manifest first, then the archive renamed into place, mode C(0600)), so a partial
    copy never has an archive's name in O(path). An arrival that fails a check is discarded and reported
    in RV(rejected); a file of the same name that is not an earlier copy of the same source is never replaced.
  - The dated series in O(path) are kept by O(retention), the rules M(persistent.volumes.volume_backup)
    applies on the Docker host. A copy is removed only once the newest copy of its series has been checked
    in this run (it arrived, or its sha256 is computed again and matches), and never while O(offered) still
    names it.
  - Files in C(.incoming/) that are no offered copy (left by an interrupted copy) are removed.
author:
  - Persistent Volumes Maintainers (@persistent-volumes)
extends_documentation_fragment:
  - persistent.volumes.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports what would be taken in and removed; writes nothing.
  diff_mode:
    support: full
options:
  path:
    description:
      - The directory of one Docker host's copies on the backup host, C(<backup_host_dir>/<docker host>).
        Made with mode C(0700) when missing; its parent must exist (a missing backup directory is often a
        disk that is not mounted).
    type: path
    required: true
  host:
    description:
      - The Docker host whose archives these are, as the inventory names it; the manifests must name it.
    type: str
    required: true
  offered:
    description:
      - The archives the Docker host holds now, by file name and sha256 (from their manifests).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The archive's file name (no directory).
        type: str
        required: true
      sha256:
        description: Its sha256, as its manifest records it.
        type: str
        required: true
  retention:
    description:
      - "The keep rules of the dated series, as M(persistent.volumes.volume_backup) takes them (C(keep): the
        newest N; C(keep_daily), C(keep_weekly), C(keep_monthly): the newest of each of the last N days, ISO weeks,
        months; a copy kept by any rule stays). An empty dict removes nothing."
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: Take in the copies of web1's archives that arrived, keep the newest 7 of each series
  persistent.volumes.backup_store:
    path: /srv/backups/web1
    host: web1
    offered:
      - name: app_data.20240102T030405Z.tar.gz
        sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    retention:
      keep: 7
  delegate_to: backup1
'''

RETURN = r'''
path:
  description: The directory of the copies.
  returned: always
  type: str
  sample: /srv/backups/web1
copies:
  description: The offered archives that have a checked copy here, with C(state) C(arrived) (taken in now) or C(present).
  returned: always
  type: list
  elements: dict
  sample:
    - name: app_data.20240102T030405Z.tar.gz
      sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
      state: arrived
      path: /srv/backups/web1/app_data.20240102T030405Z.tar.gz
missing:
  description: The offered archives that have no copy here yet (copy them to C(.incoming/) and run again).
  returned: always
  type: list
  elements: str
  sample: [app_data.20240101T030405Z.tar.gz]
rejected:
  description: Arrived copies that failed a check, and why; they were discarded.
  returned: always
  type: list
  elements: dict
  sample:
    - name: app_data.20240102T030405Z.tar.gz
      reason: its sha256 on arrival is 0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8, the Docker host recorded 9f86d0...
removed:
  description: The copies removed because no keep rule keeps them.
  returned: always
  type: list
  elements: str
  sample: [/srv/backups/web1/app_data.20231201T030405Z.tar.gz]
discarded:
  description: Files left in C(.incoming/) by an interrupted copy, removed.
  returned: always
  type: list
  elements: str
  sample: []
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.persistent.volumes.plugins.module_utils.backup.store import StoreSpec, converge_store
from ansible_collections.persistent.volumes.plugins.module_utils.errors.errors import InputError, PersistentVolumesError

ARGUMENT_SPEC = dict(
    path=dict(type='path', required=True),
    host=dict(type='str', required=True),
    offered=dict(type='list', elements='dict', default=[], options=dict(
        name=dict(type='str', required=True),
        sha256=dict(type='str', required=True),
    )),
    retention=dict(type='dict', default={}),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = converge_store(StoreSpec(module.params), module.check_mode, module.warn)
    except PersistentVolumesError as exc:
        details = dict(exc.details)
        details.setdefault('changed', False)
        module.fail_json(msg=exc.msg, invalid_input=isinstance(exc, InputError), **details)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Could not keep the copies in %s: %s.' % (module.params['path'], exc), changed=False)
    if not module._diff:
        result.pop('diff')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
