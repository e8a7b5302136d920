"""Issue 14 §3: a card placed on the attract screen signs in at once (no 刷身份证 tap first) and goes on to
the menu; the reader is watched only where that makes sense; a failed card shows its reason next to the QR."""
from __future__ import annotations

from kiosk.backend.errors import NetworkError

from session_fakes import FakeCard, auth, make


def card_ignored(rt) -> bool:
    """A card placed now is wiped at once and nobody checks it."""
    card = rt.place_card(FakeCard())
    return card.wiped and not rt.has_pending("auth")


def test_card_on_the_attract_screen_signs_in_at_once_and_opens_the_menu():
    ctl, rt, _ = make()
    assert ctl.state.screen == "attract" and rt.watch is None
    ctl.tick()
    assert rt.watch is not None and rt.polling[-1] is True  # watching without any tap
    card = FakeCard()
    rt.place_card(card)
    assert ctl.state.busy is not None  # "正在验证身份…" over the attract screen
    rt.finish("auth", auth("张*"))
    assert ctl.state.screen == "menu" and ctl.state.identity.display_name == "张*"
    assert ctl.state.identity.method == "idcard" and card.wiped
    assert rt.watch is None and rt.polling[-1] is True  # polling goes on, nobody asks for cards
    ctl.tick()
    assert rt.watch is None and card_ignored(rt)  # signed in: a card is wiped unchecked


def test_a_card_left_on_the_reader_does_not_sign_in_again_after_the_session():
    """Switching the reader's polling off and on re-reads a card lying on it: the polling stays on from the
    sign-in through the wipe, so the next resident's attract screen does not take the old card."""
    ctl, rt, _ = make()
    ctl.tick()
    rt.place_card(FakeCard())
    rt.finish("auth", auth())
    since = len(rt.polling)
    ctl.end_session()
    ctl.tick()
    assert ctl.state.screen == "attract" and rt.watch is not None
    assert False not in rt.polling[since - 1:]  # never switched off in between
    for _ in range(5):
        ctl.staff_corner_tap()
    ctl.tick()
    assert rt.polling[-1] is False  # the staff screens read cards their own way


def test_leaving_the_attract_screen_stops_the_watch_and_coming_back_restarts_it():
    ctl, rt, _ = make()
    ctl.tick()
    assert rt.watch is not None
    ctl.choose_service("service-guides")  # no sign-in needed: the guide browser
    assert ctl.state.screen == "guide"
    ctl.tick()
    assert rt.watch is None and rt.polling[-1] is True  # polling goes on, unwatched
    assert card_ignored(rt)  # nobody asked for a card here
    ctl.home()
    ctl.tick()
    assert ctl.state.screen == "attract" and rt.watch is not None


def test_no_watch_when_the_reader_is_offline_or_on_the_staff_screens():
    ctl, rt, _ = make()
    offline = ctl.state.devices
    offline.reader_online = False
    ctl.on_devices(offline)
    ctl.tick()
    assert rt.watch is None
    offline.reader_online = True
    ctl.on_devices(offline)
    ctl.tick()
    assert rt.watch is not None
    for _ in range(5):
        ctl.staff_corner_tap()
    assert ctl.state.screen == "staff_pin"
    ctl.tick()
    assert rt.watch is None


def test_a_card_that_fails_on_the_attract_screen_says_why_next_to_the_qr():
    ctl, rt, _ = make()
    ctl.tick()
    rt.place_card(FakeCard())
    rt.fail("auth", NetworkError("gateway down"))
    s = ctl.state
    assert s.screen == "identify" and s.busy is None
    assert s.card.state == "error" and "重新放置" in s.card.message.zh
    assert rt.has_pending("qr_create")  # the other way in is offered at once
    assert rt.watch is not None  # and the reader still waits for the card placed again
    rt.place_card(FakeCard())
    rt.finish("auth", auth())
    assert ctl.state.screen == "menu"
