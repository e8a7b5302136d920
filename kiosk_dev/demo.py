"""``kiosk demo``: the real app against in-process simulators, walked through by real touches.

Starts the ID-card, printer, scanner and gateway simulators (kiosk_dev/sims.py), builds the real Runtime and
SessionController on a config copy pointing at them, runs the real Kivy app (offscreen GL when there is no
display) and walks: attract → ID card → queue ticket → 12345 request → e-licence → idle wipe, a resident
showing a 随申码 to the scanner simulator (→ menu), then the service guide without login, the social-insurance
record and the staff screens. Every tap is a real touch on a real widget (kiosk_dev/uidriver.py); a step
that does not reach its screen fails naming the step. Screenshots go to ``OUT/screens``, receipts (the
printer simulator's PNGs) to ``OUT/receipts``; ``OUT/walk.txt`` lists what happened.

Idle is shown without waiting a minute: the session's clock is the monotonic clock plus an offset the walk
advances by ``idle_timeout_s`` ("the resident walked away"), then by ``countdown_s``.
The session's wall clock is the real time in the terminal's zone (header, receipts, ticket, reference agree).
Closed screen: the config copy closes the kiosk for an hour six hours on; the last step pins the clock there.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from kiosk_dev.demo_scan import ssm_identify

log = logging.getLogger(__name__)


class WalkFailed(Exception):
    """A step of the walk did not reach what it expected."""


class SkewClock:
    """``time.monotonic`` plus a skip-ahead offset (the demo's stand-in for minutes of nobody touching)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


class DemoNow:
    """The session's wall clock: the real time (aware), or ``at`` while the closed step pins it."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        from kiosk.clock import utc_now

        return self.at if self.at is not None else utc_now()


def closed_hour(zone: Any) -> int:
    """The hour of day (terminal-local) the demo closes the kiosk: six hours from now, so never during the walk."""
    from kiosk.clock import now_in

    return (now_in(zone).hour + 6) % 24


def demo_hours(cfg: Any) -> Any:
    """The config copy open every day except the hour :func:`closed_hour`, so the walk can show the closed
    screen without lying about the time of the rest of the walk."""
    from kiosk.clock import zone_of
    from kiosk.config.hours import OpeningHours

    shut = closed_hour(zone_of(cfg))
    ranges = [f"{a:02d}:00-{b:02d}:00" for a, b in ((0, shut), (shut + 1, 24)) if a < b]
    week = {day: ranges for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = OpeningHours.model_validate({"timezone": cfg.opening_hours.timezone, "always_open": False,
                                         "weekly": week})
    return cfg.model_copy(update={"opening_hours": hours})


class Walk:
    def __init__(self, out: Path, stack: Any, controller: Any, clock: SkewClock, now: DemoNow,
                 audio: Any = None) -> None:
        from kiosk_dev import uidriver

        self.ui = uidriver
        self.out = out
        self.stack = stack
        self.ctl = controller
        self.clock = clock
        self.now = now
        self.audio = audio  # kiosk_dev.demo_audio.DemoAudio under SDL's disk driver, else None
        self.shots: list[Path] = []
        self.lines: list[str] = []
        self.n = 0

    def note(self, text: str) -> None:
        log.info("demo: %s", text)
        self.lines.append(text)
        print(f"  {text}", flush=True)

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        try:
            result = fn()
        except (AssertionError, self.ui.UiTimeout) as exc:
            raise WalkFailed(f"{name}: {exc}") from exc
        self.note(f"ok  {name}")
        return result

    def shot(self, name: str) -> None:
        self.n += 1
        path = self.ui.screenshot(self.out / "screens" / f"{self.n:02d}-{name}.png")
        self.shots.append(path)

    def wait_screen(self, name: str, timeout: float = 10.0) -> None:
        self.ui.wait_screen(name, timeout=timeout)

    def wait_state(self, what: str, predicate: Callable[[Any], bool], timeout: float = 10.0) -> None:
        self.ui.wait_until(lambda: predicate(self.ctl.state), timeout=timeout, what=what)
        self.ui.pump(3)

    def wait_printed(self, timeout: float = 15.0) -> None:
        self.wait_state("receipt printed", lambda s: s.result is not None and s.result.printed is not None, timeout)
        if self.ctl.state.result.printed is not True:
            raise AssertionError(f"receipt not printed: {self.ctl.state.result.print_message}")

    # ----- the walk ----------------------------------------------------------------------------
    def run(self) -> None:
        self.step("devices and gateway ready", lambda: self.wait_state(
            "printer, reader and gateway ready",
            lambda st: st.devices.printer_ready and st.devices.reader_online and st.devices.backend_ok, 20))
        self.step("attract", lambda: self.wait_screen("attract"))
        self.shot("attract")
        self.hear("screen.attract")
        from kiosk_dev.demo_help import walk_help

        walk_help(self)
        name = self._identify()
        ticket = self._queue_ticket()
        reference, phone = self._hotline()
        self._licence_then_idle_wipe([name, ticket, reference, phone])
        ssm_identify(self)  # the next resident shows a 随申码 (kiosk_dev/demo_scan.py)
        self._guides_and_record()
        self._staff()
        self._closed_hours()

    def hear(self, name: str, seconds: float = 1.0) -> None:
        """Under SDL's disk driver: let ``name`` sound for ``seconds`` before the walk moves on."""
        if self.audio is not None:
            self.step(f"heard {name}", lambda: self.audio.wait_heard(name, seconds))

    def _identify(self) -> str:
        ui, s = self.ui, self.ctl
        self.step("tap 刷身份证", lambda: (ui.tap("attract.card"), self.wait_screen("identify")))
        self.step("QR shown", lambda: self.wait_state("QR waiting", lambda st: st.qr is not None
                                                      and st.qr.state == "waiting"))
        self.shot("identify")
        self.hear("screen.identify", 0.8)
        self.stack.idcard.place("resident")
        self.step("card read → menu", lambda: self.wait_screen("menu", 15))
        name = s.state.identity.display_name
        self.note(f"identified as {name} (masked)")
        self.shot("menu")
        self.hear("screen.menu", 0.8)
        return name

    def _queue_ticket(self) -> str:
        ui, s = self.ui, self.ctl
        self.step("queue ticket", lambda: (ui.tap("menu.svc.queue-ticket"), self.wait_screen("result"),
                                           self.wait_printed()))
        ticket = s.state.result.reference
        self.shot("queue-ticket-result")
        self.hear("screen.result", 0.8)
        self.step("back to menu", lambda: (ui.tap("result.continue"), self.wait_screen("menu")))
        return ticket

    def _hotline(self) -> tuple[str, str]:
        ui, s = self.ui, self.ctl
        self.step("12345 form", lambda: (ui.tap("menu.svc.hotline-12345"), self.wait_screen("form")))
        self.shot("form-12345")
        phone = "13800138000"

        def fill() -> None:
            ui.tap("form.field.category")
            ui.tap("form.opt.help")
            ui.tap("form.field.phone")
            for digit in phone:
                ui.tap(f"form.key.{digit}")
            ui.tap("form.field.street")
            ui.tap("form.opt.njxl")
            assert ui.exists("form.use_phone")  # the phone stays an option; this resident has none
            values = {f.id: f.value for f in s.state.form.fields}
            assert values["phone"] == phone and values["category"] == "help" and values["street"] == "njxl", values
        self.step("fill the form with pickers and the digit pad", fill)
        self.shot("form-12345-keyboard")
        text = "小区门口路灯坏了一周晚上很黑请尽快修理。"

        def on_the_keyboard() -> None:
            # 诉求内容 typed on the kiosk's pinyin keyboard, one word at a time, as a resident without a phone
            from kiosk import ime
            self.wait_state("IME ready", lambda st: ime.ready() is not None, 30)
            ui.tap("form.field.description")
            for letters, word in (("xiaoqu", "小区"), ("menkou", "门口"), ("ludeng", "路灯"), ("huaile", "坏了"),
                                  ("yizhou", "一周"), ("wanshang", "晚上"), ("henhei", "很黑"),
                                  ("qingjinkuai", "请尽快"), ("xiuli", "修理")):
                for ch in letters:
                    ui.tap(f"form.ime.key.{ch}")
                for _page in range(20):  # the word's candidate button, paging with 更多 if needed
                    hit = [w for w in ui.find_all("form.ime.cand.") if ui.visible(w) and w.text == word]
                    if hit:
                        ui.tap(hit[0])
                        break
                    ui.tap("form.ime.more")
            ui.tap("form.ime.key.punct1")
            assert s.state.form.field("description").value == text, "typed text differs"
            self.note(f"诉求内容 typed on the kiosk keyboard: {len(text)} characters, no phone")
        self.step("诉求内容 typed on the kiosk keyboard", on_the_keyboard)
        self.shot("form-12345-typed")
        self.step("confirm", lambda: (ui.tap("form.next"), self.wait_screen("confirm")))
        self.shot("confirm-12345")
        self.hear("screen.confirm", 0.8)
        self.step("submit", lambda: (ui.tap("confirm.submit"), self.wait_screen("result", 15), self.wait_printed()))
        reference = s.state.result.reference
        self.note(f"12345 reference {reference}, delivered={s.state.result.delivered}")
        self.shot("submission-result")
        self.step("back to menu", lambda: (ui.tap("result.continue"), self.wait_screen("menu")))
        return reference, phone

    def _licence_then_idle_wipe(self, secrets: list[str]) -> None:
        ui, s = self.ui, self.ctl
        self.step("e-licences", lambda: (ui.tap("menu.svc.e-licences"), self.wait_screen("licence", 15),
                                         ui.find("licence.image.0")))
        self.shot("e-licence")

        idle = s.idle.limit("licence")
        self.clock.offset += idle + 0.5
        self.step("idle countdown", lambda: self.wait_state("countdown", lambda st: st.countdown is not None, 5))
        self.shot("idle-countdown")
        self.hear("step.idle_warning", 0.8)
        countdown = float(s.core.cfg.session.countdown_s)
        self.clock.offset += countdown + 0.5
        self.step("wipe → attract", lambda: (self.wait_screen("attract"), self.wait_state(
            "fresh state", lambda st: st.identity is None and st.countdown is None)))
        self.step("no personal data left in any widget", lambda: self.check_wiped(secrets))
        self.shot("after-wipe")

    def _guides_and_record(self) -> None:
        ui = self.ui
        self.step("service guides without login", lambda: (ui.tap("attract.svc.service-guides"),
                                                            self.wait_screen("guide", 15)))
        self.shot("guide-topics")
        self.step("open one guide", lambda: (ui.tap("guide.topic.social-insurance-record"), self.wait_state(
            "guide shown", lambda st: st.guide is not None, 15)))
        self.shot("guide")
        self.step("guide → home", lambda: (ui.tap("footer.home"), self.wait_screen("attract")))
        self.step("record needs login", lambda: (ui.tap("attract.card"), self.wait_screen("identify")))
        self.lift_card()  # lifted and placed again: the reader must see it go (one poll) first
        self.stack.idcard.place("resident")
        self.step("card read again", lambda: self.wait_screen("menu", 15))
        self.step("social-insurance record", lambda: (ui.tap("menu.svc.social-insurance-record"),
                                                       self.wait_screen("record", 15)))
        self.shot("record")
        self.step("print the record", lambda: (ui.tap("record.print"), self.wait_state(
            "record printed: 请取走凭条", lambda st: st.screen == "result" and st.result.printed is True, 15)))
        self.shot("result-print")
        self.step("结束办理", lambda: (ui.tap("footer.end"), self.wait_screen("attract")))
        self.lift_card()  # the resident takes the card (a card left lying is read again after staff mode)

    def lift_card(self) -> None:
        self.stack.idcard.remove()
        self.ui.wait_until(lambda: not self.ctl.core.rt.reader.card_on_reader, timeout=5, what="card lifted")

    def _staff(self) -> None:
        ui, s = self.ui, self.ctl
        def corner() -> None:
            from screens.root import CornerZone
            zone = next(w for w in ui.walk() if isinstance(w, CornerZone))
            for _ in range(int(s.core.cfg.staff.corner_taps)):
                ui.tap(zone)
        self.step("hidden staff corner", lambda: (corner(), self.wait_screen("staff_pin")))
        self.shot("staff-pin")
        pin = os.environ.get("KIOSK_DEMO_PIN", "246810")  # the dev config's documented default PIN

        def enter_pin() -> None:
            for digit in pin:
                ui.tap(f"staff_pin.{digit}")
            ui.tap("staff_pin.ok")
            self.wait_screen("staff", 10)
        self.step("staff PIN", enter_pin)
        self.step("staff status loaded", lambda: self.wait_state(
            "staff info", lambda st: st.staff is not None and st.staff.outbox_depth is not None, 10))
        self.shot("staff")
        self.step("leave staff mode", lambda: (ui.tap("staff.leave"), self.wait_screen("attract")))

    def _closed_hours(self) -> None:
        from kiosk.clock import local_now
        s = self.ctl  # the hours close only an idle attract: wait for it, or the next check is 15 s away
        self.step("no session left", lambda: self.wait_state(
            "attract with no session", lambda st: st.screen == "attract" and s.core.token is None))
        now, hours = local_now(s.core.cfg).replace(minute=30, second=0, microsecond=0), s.core.cfg.opening_hours
        self.now.at = next(t for t in (now + timedelta(hours=h) for h in range(25)) if not hours.is_open(t))
        self.clock.offset += 16  # the opening-hours check runs every 15 s
        self.step(f"closed at {self.now.at:%H:%M}", lambda: self.wait_screen("closed"))
        self.shot("closed")
        self.hear("screen.closed", 0.8)
        self.now.at = None  # the real time again: open
        self.clock.offset += 16
        self.step("open again", lambda: self.wait_screen("attract"))

    def check_wiped(self, secrets: list[str]) -> None:
        texts = []
        for widget in self.ui.walk():
            for attr in ("text", "message", "title_text", "source"):
                value = getattr(widget, attr, None)
                if isinstance(value, str) and value:
                    texts.append(value)
        blob = "\n".join(texts)
        left = [x for x in secrets if x and x in blob]
        assert not left, f"still shown after the wipe: {len(left)} item(s)"


def run_demo(out_dir: str | os.PathLike, *, config_dir: str | os.PathLike | None = None,
             fixed_ports: bool = False, headless: bool | None = None) -> int:
    """Run the walk; 0 when every step passed, 1 with the failing step printed otherwise."""
    from kiosk.app import KivyBridge, StartupError, configure_kivy, create_app, kivy_environment, register_font
    from kiosk.clock import zone_of
    from kiosk.config.issues import ConfigError
    from kiosk.config.loader import load_config
    from kiosk_dev.sims import SimStack
    from kiosk.logs import setup_logging
    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController
    from kiosk_dev.demo_audio import close_voice, demo_capture, demo_voice

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    audio = demo_capture(out)  # before SDL's audio starts (at the first prompt)
    for old in list((out / "screens").glob("*.png")) + list((out / "receipts").glob("job-*")):
        old.unlink()
    try:
        base = load_config(config_dir)
    except ConfigError as exc:
        print(f"配置无效 / invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    if headless is None:
        headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    stack = SimStack(base, out, fixed_ports=fixed_ports)
    try:
        cfg = stack.start()
    except OSError as exc:
        print(f"模拟器无法启动（端口被占用？）/ simulators could not start (port in use?): {exc}", file=sys.stderr)
        return 2
    setup_logging(cfg.logging.dir, level="INFO", stderr=False, zone=zone_of(cfg))
    runtime = None
    app = None
    try:
        kivy_environment(tempfile.mkdtemp(prefix="kivy-demo-"), headless=headless)
        configure_kivy(cfg.display, windowed=True)
        register_font(cfg.display.font_path)
        cfg = demo_hours(cfg)
        clock, now = SkewClock(), DemoNow()
        runtime = Runtime(cfg, KivyBridge())
        controller = SessionController(cfg, runtime, clock=clock, now=now)
        runtime.attach(controller)
        runtime.start()
        app = create_app(cfg, controller, kiosk_mode=False)
        app.voice = runtime.audio = demo_voice(cfg, KivyBridge().post, runtime, audio)
        app._run_prepare()  # build + window, without entering Kivy's blocking loop: the walk pumps frames
        print(f"kiosk demo: simulators up (gateway {stack.gateway.base_url}); walking the app "
              f"({'offscreen' if headless else 'windowed'}) …", flush=True)
        return _walk(Walk(out, stack, controller, clock, now, audio), out)
    except StartupError as exc:
        print(f"无法启动 / cannot start: {exc}", file=sys.stderr)
        return 2
    finally:
        if app is not None:
            close_voice(app.voice)
            app.stop()
        if runtime is not None:
            runtime.stop()
        stack.stop()


def _walk(walk: Walk, out: Path) -> int:
    """Walk the app; the walk's log and the list of screenshots and receipts go to ``out/walk.txt``."""
    try:
        walk.run()
    except WalkFailed as exc:
        print(f"kiosk demo FAILED at {exc}", file=sys.stderr)
        walk.shot("failure")
        return 1
    finally:
        receipts = sorted((out / "receipts").glob("job-*.png"))
        heard = walk.audio.save() if walk.audio is not None else []
        (out / "walk.txt").write_text("\n".join(walk.lines + [f"screenshot {p.name}" for p in walk.shots]
                                                + [f"receipt {p.name}" for p in receipts]
                                                + [f"audio {p.name}" for p in heard]) + "\n",
                                      encoding="utf-8")
    print(f"kiosk demo OK: {len(walk.shots)} screenshots in {out / 'screens'}, "
          f"{len(receipts)} receipts in {out / 'receipts'}"
          + (f", {len(heard)} prompts heard in {out / 'audio'}" if heard else ""))
    return 0
