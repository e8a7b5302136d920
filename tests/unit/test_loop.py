"""kiosk.loop.LoopThread: the one lifecycle of the background loops (outbox sender, heartbeat, UI pinger)."""
from __future__ import annotations

import logging
import threading

from kiosk.loop import LoopThread


def test_one_thread_however_often_started_and_stop_wakes_the_pause():
    passes = []
    entered = threading.Event()

    def body():
        while not loop.stopping.is_set():
            passes.append(threading.current_thread().name)
            entered.set()
            loop.pause(3600)  # only a stop or a wake ends this wait

    loop = LoopThread("test-loop", body)
    assert loop.start() is True
    assert entered.wait(10)
    assert loop.start() is False and loop.alive  # a second start does not start a second thread
    assert loop.stop(10) is True and not loop.alive
    assert set(passes) == {"test-loop"}
    assert loop.start() is True and loop.stop(10) is True  # restartable after a stop


def test_a_loop_that_does_not_end_is_reported(caplog):
    release = threading.Event()
    loop = LoopThread("stuck-loop", lambda: release.wait(60))
    loop.start()
    with caplog.at_level(logging.ERROR, logger="kiosk.loop"):
        assert loop.stop(0.05) is False
    assert "stuck-loop thread did not stop" in caplog.text
    release.set()


def test_stop_from_the_loop_itself_does_not_join_itself():
    done = threading.Event()
    results = []

    def body():
        results.append(loop.stop(10))
        done.set()

    loop = LoopThread("self-stop", body)
    loop.start()
    assert done.wait(10) and results == [True] and loop.stopping.is_set()
