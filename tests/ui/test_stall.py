"""A stalled card reader and a stalled gateway (5 s simulator ``slow`` faults) never freeze the UI:
frames keep being drawn and taps keep being handled while both are stuck."""
from __future__ import annotations

import dataclasses
import time

from conftest import make_kiosk, stop_kiosk
from kivy.clock import Clock

from kiosk_dev import uidriver as ui


#: the gateway stall: below the client's read timeout (raised for this test) and the QR task's 15 s limit,
#: so the QR call stays pending for all of it
GATEWAY_STALL_S = 14.0
TAPS = 10
#: taps that must be handled while the QR call is still pending (an idle machine fits all ten; two busy
#: loops holding both cores left room for four — docs/PERFORMANCE.md §11)
TAPS_DURING_STALL = 3


def test_ui_stays_live_while_reader_and_gateway_stall(kiosk_app, base_cfg, tmp_path):
    # The window is counted in taps, each waited for as an event (handled, a frame drawn), never in
    # wall-clock seconds: a busy machine makes the taps slower, not the test wrong. Waits are bounded
    # generously: a bound only says when to give up, it is not what is being measured.
    cfg = base_cfg.model_copy(update={"backend": dataclasses.replace(base_cfg.backend, read_timeout_s=30.0)})
    kiosk = make_kiosk(kiosk_app, cfg, tmp_path)
    try:
        ui.wait_screen("attract", timeout=30)
        kiosk.gateway.inject("slow", times=None, delay_s=GATEWAY_STALL_S)
        kiosk.card("fault", kind="slow", seconds=5.0)
        ui.tap("attract.card")
        ui.wait_screen("identify", timeout=30)
        kiosk.card("place", card="resident")
        start_frames, start_drawn, started = Clock.frames, kiosk.app.frames_drawn, time.monotonic()
        taps = during_stall = 0
        while taps < TAPS and kiosk.state.qr is not None and kiosk.state.qr.state == "loading":
            before, drawn = kiosk.state.lang, kiosk.app.frames_drawn
            ui.tap("footer.lang")
            taps += 1
            ui.wait_until(lambda: kiosk.state.lang != before and kiosk.app.frames_drawn > drawn
                          and ui.find("footer.lang").text in ("English", "中文"), timeout=30.0,
                          what=f"tap {taps} handled and drawn while both devices stall")
            # handled (and drawn) while the QR ticket is still pending: the UI answered, the gateway did not
            during_stall += kiosk.state.qr.state == "loading"
        assert during_stall >= TAPS_DURING_STALL, (taps, during_stall)
        # the reader answered nothing in time (the driver gives up on its worker and says so)
        assert kiosk.state.identity is None and kiosk.state.card.state != "done"
        frames, drawn = Clock.frames - start_frames, kiosk.app.frames_drawn - start_drawn
        assert drawn >= taps  # a frame for every handled tap
        print(f"stall: {taps} taps handled ({during_stall} during the stall), {frames} clock frames, "
              f"{drawn} frames drawn in {time.monotonic() - started:.1f} s")
    finally:
        stop_kiosk(kiosk)  # stopping the simulators ends the gateway's stall at once


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
