"""Taps from the attract screen to the printed receipt, per flow (issue 14 §6), counted on the real app.

``python -m kiosk_dev.taps`` starts the ID-card, printer and gateway simulators on free ports, builds the real
Runtime, SessionController and Kivy app (offscreen GL unless a display is set) and walks each flow like a
resident, with real touches on real widgets (kiosk_dev/uidriver.py). It counts every tap on the screen; the
characters typed (the phone number's digits, a date typed on a pad) are counted apart as "keys", and placing
the ID card on the reader or typing the long text on the phone (the hand-off) is not a tap. Forms are filled
field by field from the session's view (a choice: its first option; a phone: a number; a date: the first
slot offered), so the count follows the form as it is built. Then it prints one table (Markdown, for
docs/screens.md) and exits non-zero when a flow could not be walked to its receipt.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: (name, service id, the issue's target for taps from attract to receipt)
FLOWS = (("取号 queue ticket", "queue-ticket", 1),
         ("社保记录 social-insurance record", "social-insurance-record", 3),
         ("办事指南 service guide", "service-guides", 3),
         ("电子亮证 e-licence", "e-licences", 3),
         ("12345 hotline", "hotline-12345", 8),
         ("预约办事 appointment", "appointment", 6),
         ("证照统一物流 certificate delivery", "certificate-delivery", 8))
PHONE = "13800138000"
DATE_KEYS = "20261215"  # only when the form still asks for a date typed on a pad (no slot buttons)


@dataclass
class Count:
    taps: int = 0
    keys: int = 0
    error: str = ""
    note: str = ""


class Walker:
    """Walks one flow at a time on the app bound to ``ctl``; ``stack`` holds the simulators."""

    def __init__(self, stack: Any, ctl: Any) -> None:
        from kiosk_dev import uidriver

        self.ui, self.stack, self.ctl = uidriver, stack, ctl
        self.count = Count()

    def tap(self, wid: str, *, key: bool = False) -> None:
        self.ui.tap(wid)
        if key:
            self.count.keys += 1
        else:
            self.count.taps += 1

    def flow(self, service_id: str) -> Count:
        ui, state = self.ui, lambda: self.ctl.state
        self.count = Count()
        ui.wait_screen("attract", timeout=10)
        if ui.exists(f"attract.svc.{service_id}"):
            self.tap(f"attract.svc.{service_id}")
        else:  # a service that needs the resident: the card placed on the attract screen signs in at once
            ui.wait_until(lambda: self.ctl.identify._watch is not None, timeout=5, what="reader watched")
            self.stack.idcard.place("resident")
            ui.wait_screen("menu", timeout=15)
            self.stack.idcard.remove()  # and the reader sees it go before the next flow places it again
            ui.wait_until(lambda: not self.ctl.core.rt.reader.card_on_reader, timeout=5, what="card lifted")
            self._menu_tile(service_id)
        ui.wait_until(lambda: state().busy is None and ui.current_screen() != "menu", timeout=15,
                      what=f"{service_id} opened")
        ui.pump(4)  # the screen's content laid out before the next tap lands on it
        screen = ui.current_screen()
        if screen == "guide":
            topic = next(t.service_id for t in state().guide_topics if t.available)
            self.tap(f"guide.topic.{topic}")
            ui.wait_until(lambda: state().guide is not None and state().busy is None, timeout=15, what="guide")
            self.tap("guide.print")
        elif screen == "record":
            self.tap("record.print")
        elif screen == "licence":
            ui.wait_until(lambda: ui.exists("licence.image.0"), timeout=10, what="licence shown")
            if not state().service.printable:  # config/services.yaml params.printable: false — shown, not printed
                self.count.note = "shown; printing is off in config (params.printable: false)"
                return self.count
            self.tap("licence.print.0")
        elif screen == "form":
            self._fill_form()
            self.tap("form.next")
            ui.wait_screen("confirm", timeout=10)
            self.tap("confirm.submit")
        self._wait_printed()
        return self.count

    def _menu_tile(self, service_id: str) -> None:
        """Tap the tile, turning pages (each turn a tap) until it is on screen."""
        ui = self.ui
        while not ui.exists(f"menu.svc.{service_id}"):
            if not ui.exists("menu.page.next") or ui.find("menu.page.next").disabled:
                raise AssertionError(f"no tile menu.svc.{service_id} on any page")
            self.tap("menu.page.next")
        self.tap(f"menu.svc.{service_id}")

    def _fill_form(self) -> None:
        ui, form = self.ui, lambda: self.ctl.state.form
        for field_id in [f.id for f in form().fields]:
            f = form().field(field_id)
            if not f.required or f.filled:
                continue
            if f.kind == "handoff":  # typed on the phone: the gateway simulator plays the phone
                ui.wait_until(lambda: form().field(field_id).handoff_state == "waiting", timeout=10,
                              what="hand-off code")
                self.stack.gateway.handoff_submit(text="小区门口路灯坏了，请尽快修理。")
                ui.wait_until(lambda: form().field(field_id).filled, timeout=10, what="hand-off done")
                continue
            if ui.exists(f"form.field.{field_id}") and not self._open(f.label.zh):
                self.tap(f"form.field.{field_id}")
            options = sorted(w.wid for w in ui.find_all("form.opt.") if ui.visible(w) and not w.disabled)
            if options:
                self.tap(options[0])
            elif f.kind in ("phone", "digits", "idnumber", "date"):
                for ch in PHONE if f.kind != "date" else DATE_KEYS:
                    self.tap(f"form.key.{ch}", key=True)
            ui.wait_until(lambda: form().field(field_id).filled, timeout=5, what=f"field {field_id} filled")

    def _open(self, label_zh: str) -> bool:
        """Whether the form already edits the field labelled ``label_zh`` (it opens the next by itself)."""
        return self.ui.exists("form.editing") and label_zh in self.ui.text_of("form.editing")

    def _wait_printed(self) -> None:
        def printed(s: Any) -> bool:
            done_result = s.result is not None and s.result.printed is True
            done_notice = s.notice is not None and s.notice.zh.startswith("打印完成")
            return done_result or done_notice
        try:
            self.ui.wait_until(lambda: printed(self.ctl.state), timeout=20, what="receipt printed")
        except AssertionError as exc:
            s = self.ctl.state
            raise AssertionError(f"{exc} (screen {s.screen}, notice {s.notice}, error {s.error})") from exc


def walk_all(stack: Any, ctl: Any) -> list[tuple[str, str, int, Count]]:
    walker = Walker(stack, ctl)
    rows = []
    for name, service_id, target in FLOWS:
        try:
            count = walker.flow(service_id)
        except AssertionError as exc:  # UiTimeout is one: the flow is reported as not walked, the rest go on
            count = walker.count
            count.error = str(exc).splitlines()[0][:160]
            walker.ui.screenshot(Path(tempfile.gettempdir()) / f"taps-failed-{service_id}.png")
        rows.append((name, service_id, target, count))
        ctl.end_session()  # not a tap: the next resident starts on the attract screen
        walker.ui.pump(3)
    return rows


def table(rows: list[tuple[str, str, int, Count]]) -> str:
    lines = ["| flow | taps | keys typed | target (taps) | |", "|---|---:|---:|---:|---|"]
    for name, _sid, target, c in rows:
        verdict = f"NOT WALKED: {c.error}" if c.error else ("ok" if c.taps <= target else "over target")
        verdict += f" ({c.note})" if c.note else ""
        lines.append(f"| {name} | {c.taps} | {c.keys} | ≤ {target} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk_dev.taps", description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=None, help="config directory (default: config/)")
    args = parser.parse_args(argv)
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kiosk.app import KivyBridge, configure_kivy, create_app, kivy_environment, register_font
    from kiosk.config.loader import load_config
    from kiosk_dev.sims import HeadlessKiosk

    base = load_config(args.config)
    work = Path(tempfile.mkdtemp(prefix="kiosk-taps-"))
    kivy_environment(str(work / "kivy"), headless=headless)
    configure_kivy(base.display, windowed=True)
    register_font(base.display.font_path)
    with HeadlessKiosk(base, work, bridge=KivyBridge()) as k:
        app = create_app(k.cfg, k.ctl, kiosk_mode=False)
        app._run_prepare()  # the window and the app, without Kivy's blocking loop: the walker pumps frames
        try:
            from kiosk_dev import uidriver as ui

            d = lambda: k.ctl.state.devices  # noqa: E731 — replaced on every status change
            ui.wait_until(lambda: d().reader_online and d().printer_ready and d().backend_ok, timeout=30,
                          what="simulated devices online")
            rows = walk_all(k.stack, k.ctl)
        finally:
            app.stop()
    print(table(rows))
    return 1 if any(c.error for *_rest, c in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
