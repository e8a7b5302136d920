"""kiosk.tasks: results come back only through the bridge; cancel and timeout win over late results."""
from __future__ import annotations

import threading

from kiosk.bridge import QueueBridge
from kiosk.tasks import TaskRunner, TaskTimeout


def _runner():
    bridge = QueueBridge()
    return bridge, TaskRunner(bridge, max_workers=2)


def test_result_is_delivered_on_the_pumping_thread_only():
    bridge, runner = _runner()
    got = []
    runner.spawn("t", lambda cancel: threading.current_thread().name, on_done=lambda r: got.append(
        (r, threading.current_thread().name)), on_error=got.append, timeout=5)
    assert bridge.pump_until(lambda: got, 5)
    worker, ui = got[0]
    assert worker.startswith("task") and ui == threading.current_thread().name
    runner.shutdown()


def test_error_reaches_on_error():
    bridge, runner = _runner()
    got = []

    def boom(cancel):
        raise ValueError("bad")
    runner.spawn("t", boom, on_done=lambda r: got.append(("done", r)), on_error=lambda e: got.append(("err", e)),
                 timeout=5)
    assert bridge.pump_until(lambda: got, 5)
    assert got[0][0] == "err" and isinstance(got[0][1], ValueError)
    runner.shutdown()


def test_cancel_sets_the_event_and_suppresses_callbacks():
    bridge, runner = _runner()
    started, got = threading.Event(), []

    def wait(cancel):
        started.set()
        assert cancel.wait(5)
        return "late"
    task = runner.spawn("t", wait, on_done=got.append, on_error=got.append, timeout=10)
    assert started.wait(5)
    task.cancel()
    assert task.cancel_event.is_set()
    bridge.pump_until(lambda: False, 0.3)
    assert got == []
    runner.shutdown()


def test_cancel_after_post_but_before_pump_still_wins():
    bridge, runner = _runner()
    got = []
    task = runner.spawn("t", lambda cancel: 1, on_done=got.append, on_error=got.append, timeout=5)
    for _ in range(100):
        if bridge.pending():
            break
        threading.Event().wait(0.01)
    task.cancel()
    bridge.pump()
    assert got == []
    runner.shutdown()


def test_timeout_reports_once_and_cancels_the_call():
    bridge, runner = _runner()
    got, seen_cancel = [], threading.Event()

    def slow(cancel):
        if cancel.wait(5):
            seen_cancel.set()
        return "too late"
    runner.spawn("t", slow, on_done=got.append, on_error=got.append, timeout=0.2)
    assert bridge.pump_until(lambda: got, 5)
    assert isinstance(got[0], TaskTimeout) and got[0].message_zh
    assert seen_cancel.wait(5)
    bridge.pump_until(lambda: False, 0.2)
    assert len(got) == 1
    runner.shutdown()


def test_constructing_starts_no_thread():
    before = threading.active_count()
    TaskRunner(QueueBridge())
    assert threading.active_count() == before


def test_shutdown_cancels_running_tasks():
    bridge, runner = _runner()
    started, saw_cancel = threading.Event(), threading.Event()

    def wait(cancel):
        started.set()
        if cancel.wait(5):
            saw_cancel.set()
    runner.spawn("t", wait, on_done=lambda r: None, on_error=lambda e: None, timeout=10)
    assert started.wait(5)
    runner.shutdown(timeout=5)
    assert saw_cancel.is_set()
