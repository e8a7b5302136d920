"""一键求助 in the session (kiosk/session/help.py) with the fake runtime: the request carries no personal data,
the overlay follows the gateway's answers, the idle wipe waits for the helper within its bound, and every way
of leaving (取消求助, wipe, a late answer) cancels the request at the gateway; an unreachable gateway gives the
duty phone from the config plus 12345."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from kiosk.backend.errors import NetworkError, ServerError
from kiosk.backend.models import DutyPost, HelpRequest
from kiosk.voice.prompts import prompt_for

from session_fakes import SESSION_NOW, identify_by_card, make

CREATED = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def reply(state="pending", eta=None, phone=None, rid="help_T1", interval=2.0):
    post = DutyPost("security", "安保值班室", "Security office") if state == "acknowledged" else None
    return HelpRequest(rid, state, CREATED, "menu", False, interval, duty_post=post, eta_minutes=eta,
                       call_phone=phone)


class Client:
    """Records what the session sent; each call answers like the gateway would."""

    def __init__(self):
        self.calls = []

    def create_help_request(self, **kw):
        self.calls.append(("create", kw))
        return reply()

    def poll_help_request(self, rid, *, cancel=None):
        self.calls.append(("poll", rid))
        return reply("acknowledged", eta=3, rid=rid)

    def cancel_help_request(self, rid, *, cancel=None):
        self.calls.append(("cancel", rid))


def setup(**kw):
    ctl, rt, clock = make(**kw)
    rt.client = Client()
    return ctl, rt, clock


def cancels(rt):
    """Run the fire-and-forget cancels the session spawned; the ids they cancelled."""
    for task in [t for t in rt.tasks if t.name == "help_cancel" and not getattr(t, "ended", False)]:
        task.ended = True
        task.fn(threading.Event())
    return [rid for kind, rid in rt.client.calls if kind == "cancel"]


def test_help_reaches_the_duty_post_without_personal_data():
    ctl, rt, clock = setup()
    identify_by_card(ctl, rt)  # the card holds 张三 310101199001011234, the session a token and 王*明
    ctl.choose_service("hotline-12345")
    ctl.toggle_elder_mode()
    ctl.request_help()
    view = ctl.state.help
    assert view.state == "sending" and view.live and prompt_for(ctl.state) == "help.sending"
    task = rt.pending("help_create")
    task.fn(threading.Event())
    (kind, body), = rt.client.calls
    assert set(body) == {"screen", "elder_mode", "lang", "location", "service_id", "cancel"}
    assert (body["screen"], body["service_id"], body["elder_mode"]) == ("form", "hotline-12345", True)
    assert body["location"] == ctl.core.cfg.terminal.location
    sent = repr({k: v for k, v in body.items() if k != "cancel"})
    assert not any(secret in sent for secret in ("tok-secret", "王", "张三", "310101"))
    ctl.request_help()  # a second press while it is live does not page twice
    assert len([t for t in rt.tasks if t.name == "help_create"]) == 1


def test_status_follows_the_gateway_and_the_wait_is_bounded():
    ctl, rt, clock = setup()
    identify_by_card(ctl, rt)
    ctl.request_help()
    rt.finish("help_create", reply())
    assert ctl.state.help.state == "pending" and prompt_for(ctl.state) == "help.notified"
    rt.finish("help_poll", reply("acknowledged", eta=3))
    view = ctl.state.help
    assert view.state == "acknowledged" and view.post.zh == "安保值班室" and view.eta_minutes == 3
    assert "约 3 分钟到达" in view.message.zh and view.live
    said = prompt_for(ctl.state)
    assert said[0] == "piece.helper_coming" and "piece.digit.3" in said
    assert rt.has_pending("help_poll")  # still followed: the post may resolve it
    # the idle wipe waits for the helper: ETA 3 + 5 minutes, then the usual countdown
    for _ in range(8 * 60 // 30 - 1):
        clock.advance(30)
        ctl.tick()
    assert ctl.state.countdown is None and ctl.state.screen == "menu"
    clock.advance(31)
    ctl.tick()
    assert ctl.state.countdown is not None
    clock.advance(ctl.core.cfg.session.countdown_s + 1)
    ctl.tick()
    assert ctl.state.help is None and ctl.state.screen == "attract"  # wiped …
    assert cancels(rt) == ["help_T1"]  # … and the duty post sees the request cancelled
    assert not rt.has_pending("help_poll")
    assert [(r.screen, r.state) for r in ctl.help.today()] == [("menu", "cancelled")]


def test_unacknowledged_wait_has_its_own_bound():
    ctl, rt, clock = setup()
    ctl.request_help()
    rt.finish("help_create", reply())
    clock.advance(9 * 60)
    ctl.tick()
    assert ctl.state.help.live and ctl.state.screen == "attract"  # attract waits too …
    clock.advance(60 + ctl.idle.limit("attract"))
    ctl.tick()
    assert ctl.state.help is None and cancels(rt) == ["help_T1"]  # … at most wait_unacknowledged_min


def test_resident_cancel_and_touches():
    ctl, rt, clock = setup()
    ctl.request_help()
    rt.finish("help_create", reply())
    ctl.touch()  # touching the live overlay does not close it
    assert ctl.state.help.live
    ctl.cancel_help()
    assert ctl.state.help is None and prompt_for(ctl.state) == "screen.attract"
    assert cancels(rt) == ["help_T1"] and ctl.idle.hold_until is None and not rt.has_pending("help_poll")
    assert ctl.help.today()[-1].state == "cancelled"


def test_an_answer_after_the_wipe_is_cancelled_at_once():
    ctl, rt, clock = setup()
    ctl.request_help()
    create = rt.pending("help_create")
    ctl.wipe()
    assert ctl.state.help is None
    create.on_done(reply(rid="help_LATE"))  # the runtime delivers it: the create is not a session task
    assert ctl.state.help is None and cancels(rt) == ["help_LATE"]


def test_unreachable_gateway_gives_the_duty_phone_and_12345():
    ctl, rt, clock = setup()
    ctl.request_help()
    rt.fail("help_create", NetworkError("down"))
    view = ctl.state.help
    assert view.state == "unreachable" and not view.live
    assert view.phones == ("021-62470000", "12345") and "021-62470000" in view.message.zh
    said = prompt_for(ctl.state)
    assert said[0] == "help.unreachable" and said[-1] == "piece.or_hotline"
    assert ctl.idle.hold_until is None
    ctl.request_help()  # it can be tried again
    assert ctl.state.help.state == "sending"


def test_polls_that_keep_failing_fall_back_to_the_numbers():
    ctl, rt, clock = setup()
    ctl.request_help()
    rt.finish("help_create", reply())
    for _ in range(2):
        rt.fail("help_poll", ServerError("502"))
        assert ctl.state.help.state == "pending"
    rt.fail("help_poll", ServerError("502"))
    assert ctl.state.help.state == "unreachable" and cancels(rt) == ["help_T1"]


def test_a_post_that_cannot_come_gives_its_number_and_the_wait_ends():
    ctl, rt, clock = setup()
    ctl.request_help()
    rt.finish("help_create", reply())
    rt.finish("help_poll", reply("call", phone="021-62470001"))
    view = ctl.state.help
    assert view.state == "call" and view.phones == ("021-62470001",) and not rt.has_pending("help_poll")
    assert prompt_for(ctl.state)[0] == "help.call" and ctl.idle.hold_until is None
    assert cancels(rt) == []  # answered by the gateway: nothing to cancel
    assert ctl.help.today()[-1].state == "call" and ctl.help.today()[-1].at.date() == SESSION_NOW.date()


def test_without_a_duty_phone_only_the_hotline(tmp_path):
    import dataclasses

    from kiosk.config.loader import load_config
    from session_fakes import CONFIG_DIR

    cfg = load_config(CONFIG_DIR)
    cfg = dataclasses.replace(cfg, help=dataclasses.replace(cfg.help, duty_phone=None))
    ctl, rt, clock = setup(config=cfg)
    ctl.request_help()
    rt.fail("help_create", AttributeError("no client"))
    assert ctl.state.help.phones == ("12345",) and "12345" in ctl.state.help.message.zh
