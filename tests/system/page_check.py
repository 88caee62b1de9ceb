# -*- coding: utf-8 -*-
# Copyright (c) persistent.volumes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A page opened in Debian's headless Chromium (DESIGN.md, The lab), and its rendered DOM read back."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import shutil
import subprocess
import tempfile

from html.parser import HTMLParser

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars']


def chromium():
    return shutil.which('chromium') or shutil.which('chromium-browser')


def run_chromium(url, *options):
    """Chromium's stdout for ``url`` (a fresh profile each time); fails with its stderr."""
    profile = tempfile.mkdtemp(prefix='pv-chromium-')
    try:
        proc = subprocess.run([chromium()] + FLAGS + ['--user-data-dir=' + profile] + list(options) + [url],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=180, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    return proc.stdout.decode()


def dump_dom(url):
    return run_chromium(url, '--dump-dom', '--virtual-time-budget=5000')


def screenshot(url, path, width=1400, height=1000):
    run_chromium(url, '--screenshot=%s' % path, '--window-size=%d,%d' % (width, height))


class Element(object):
    def __init__(self, tag, attrs, host, inside):
        self.tag = tag
        self.attrs = attrs
        self.host = host          # data-host of the enclosing host section, if any
        self.inside = inside      # 'svg', 'table' or None
        self.text = ''

    @property
    def classes(self):
        return (self.attrs.get('class') or '').split()


class DomReader(HTMLParser):
    """Every element with the host section and the svg or table it is in."""

    VOID = ('meta', 'br', 'img', 'input', 'link', 'hr', 'col')

    def __init__(self):
        HTMLParser.__init__(self)
        self.stack = []
        self.elements = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        host = next((e.host for e in reversed(self.stack) if e.host), None)
        if tag == 'section' and attrs.get('data-host'):
            host = attrs['data-host']
        inside = next((e.tag for e in reversed(self.stack) if e.tag in ('svg', 'table')), None)
        element = Element(tag, attrs, host, inside)
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        for element in self.stack:
            element.text += data


def read_dom(html):
    reader = DomReader()
    reader.feed(html)
    return reader.elements
