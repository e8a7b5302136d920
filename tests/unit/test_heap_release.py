"""kiosk.app.heap_release: glibc's malloc_trim gives the freed middle of the heap back to the system.

The kiosk collects a session's garbage in one go after the wipe (kiosk.app.SessionGc), so the C heap peaks
once a session; without the release the freed pages stay resident for the life of the process.
"""
from __future__ import annotations

import os
import platform

import pytest

from kiosk.app import heap_release

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def test_the_freed_middle_of_the_heap_goes_back_to_the_system():
    release = heap_release()
    release()
    blocks = [bytearray(100_000) for _ in range(600)]  # ~60 MB in heap chunks (below the mmap threshold)
    pin = bytearray(100_000)  # above them: the heap's top stays in use, so free() alone cannot shrink it
    peak = _rss_mb()
    del blocks
    kept = _rss_mb()
    assert kept > peak - 20  # freed, but the allocator still holds the pages
    release()
    assert _rss_mb() < kept - 40
    del pin
