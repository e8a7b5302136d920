"""A stalled card reader and a stalled gateway (5 s simulator ``slow`` faults) never freeze the UI:
frames keep being drawn and taps keep being handled while both are stuck."""
from __future__ import annotations

import time

from kivy.clock import Clock

from kiosk_dev import uidriver as ui


def test_ui_stays_live_while_reader_and_gateway_stall(kiosk):
    ui.wait_screen("attract")
    kiosk.gateway.inject("slow", times=None, delay_s=5.0)
    kiosk.card("fault", kind="slow", seconds=5.0)
    ui.tap("attract.card")
    ui.wait_screen("identify")
    kiosk.card("place", card="resident")
    start_frames, start_drawn = Clock.frames, kiosk.app.frames_drawn
    taps = handled = 0
    deadline = time.monotonic() + 4.5  # inside the 5 s stall
    while time.monotonic() < deadline:
        before = kiosk.state.lang
        ui.tap("footer.lang")
        taps += 1
        handled += kiosk.state.lang != before and ui.find("footer.lang").text in ("English", "中文")
        ui.pump(5)
    frames, drawn = Clock.frames - start_frames, kiosk.app.frames_drawn - start_drawn
    # the QR ticket and the card read were both still pending the whole time
    assert kiosk.state.qr is not None and kiosk.state.qr.state == "loading"
    # the reader answered nothing in time (the driver gives up on its worker and says so)
    assert kiosk.state.identity is None and kiosk.state.card.state != "done"
    print(f"stall: {taps} taps handled, {frames} clock frames, {drawn} frames drawn in 4.5 s")
    assert taps >= 10 and handled == taps, (taps, handled)
    assert frames >= 60 and drawn >= 30, (frames, drawn)
    kiosk.gateway.clear_faults()
    kiosk.card("clear_faults")


def test_offscreen_frames_are_finished_before_the_next(kiosk, monkeypatch):
    """Offscreen no swap waits for the GL driver: the app finishes every frame itself, so llvmpipe cannot
    queue frames (and keep their memory) while its threads are short of CPU — bench/gl_frames.py."""
    import screens.shell as shell

    ui.wait_screen("attract")
    assert shell.frames_need_finishing() and kiosk.app.finish_frames
    finished = []
    monkeypatch.setattr(shell, "glFinish", lambda: finished.append(kiosk.app.frames_drawn))
    start = kiosk.app.frames_drawn
    for _ in range(6):
        ui.tap("footer.lang")  # a visible change, so a frame is drawn
        ui.pump(2)
    drawn = kiosk.app.frames_drawn - start
    assert drawn >= 6
    # once per drawn frame, right after its flip
    assert finished == list(range(start + 1, start + drawn + 1))


def test_frames_are_not_finished_on_a_display(monkeypatch):
    import screens.shell as shell

    monkeypatch.setenv("SDL_VIDEODRIVER", "x11")
    assert not shell.frames_need_finishing()
    monkeypatch.delenv("SDL_VIDEODRIVER")
    assert not shell.frames_need_finishing()
