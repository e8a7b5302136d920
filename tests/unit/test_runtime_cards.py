"""kiosk/runtime_cards.py: a resident card is checked and wiped on the reader's worker; the UI sees no card."""
from __future__ import annotations

import threading
from types import SimpleNamespace

from devices.idcard.card import IdCard
from kiosk.runtime_cards import CardChecker


class RecordingBridge:
    """Keeps what would be posted to the UI thread, to assert that no card is among it."""

    def __init__(self) -> None:
        self.posted: list[tuple] = []

    def post(self, fn, *args) -> None:
        self.posted.append((fn, args))

    def run(self) -> None:
        for fn, args in self.posted:
            fn(*args)


def _card() -> IdCard:
    return IdCard(card_type="resident", name="李建国", id_number="31011519650412127X", address="上海市浦东新区")


def _checker(bridge, auth, polling=None):
    polling = polling if polling is not None else []
    return CardChecker(bridge, auth=auth, set_polling=polling.append, note_error=lambda exc: None), polling


def test_the_check_runs_on_the_reading_thread_and_only_the_answer_is_posted():
    bridge, seen = RecordingBridge(), {}
    answer = SimpleNamespace(token="tok", display_name="李**")

    def auth(card, cancel):
        seen["thread"], seen["name"] = threading.current_thread().name, card.name
        return answer
    checker, polling = _checker(bridge, auth)
    got = []
    checker.watch(on_checking=lambda: got.append("checking"), on_done=got.append, on_error=got.append)
    card = _card()
    worker = threading.Thread(target=checker.check, args=(card,), name="reader-worker")
    worker.start()
    worker.join(5)
    assert seen == {"thread": "reader-worker", "name": "李建国"}
    assert card.wiped and polling == [True]
    assert all(not isinstance(a, IdCard) for _fn, args in bridge.posted for a in args)
    bridge.run()
    assert got == ["checking", answer]


def test_a_failed_check_posts_the_error_and_still_wipes():
    bridge = RecordingBridge()

    def auth(card, cancel):
        raise TimeoutError("gateway slow")
    checker, _ = _checker(bridge, auth)
    got = []
    checker.watch(on_checking=lambda: None, on_done=got.append, on_error=got.append)
    card = _card()
    checker.check(card)
    bridge.run()
    assert card.wiped and isinstance(got[-1], TimeoutError)


def test_a_card_nobody_asked_for_is_wiped_and_nothing_is_posted():
    bridge = RecordingBridge()
    checker, _ = _checker(bridge, lambda card, cancel: None)
    card = _card()
    checker.check(card)
    assert card.wiped and bridge.posted == []


def test_cancel_aborts_the_check_in_flight_and_drops_its_answer():
    bridge, started = RecordingBridge(), threading.Event()

    def auth(card, cancel):
        started.set()
        assert cancel.wait(5), "the cancel never reached the check"
        return SimpleNamespace(token="late", display_name="李**")
    checker, polling = _checker(bridge, auth)
    got = []
    watch = checker.watch(on_checking=lambda: got.append("checking"), on_done=got.append, on_error=got.append)
    card = _card()
    worker = threading.Thread(target=checker.check, args=(card,))
    worker.start()
    assert started.wait(5)
    watch.cancel()
    worker.join(5)
    assert not worker.is_alive() and card.wiped and polling == [True, False]
    bridge.run()
    assert got == ["checking"]  # never the late answer
