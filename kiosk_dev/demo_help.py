"""The demo's 一键求助 step: the resident presses it, the duty post acknowledges in the duty console, the kiosk
shows and says who is coming and when, and the resident cancels.

The acknowledgement is made exactly as the console page (kiosk/backend/simulator/console.py) makes it when the
staff press 响应: it reads ``/_sim/console/state`` and posts ``/_sim/console/ack`` as JSON — the demo plays the
duty staff over HTTP, it does not reach into the simulator's memory.
"""
from __future__ import annotations

from typing import Any


def console_ack(base_url: str, cfg: Any, *, post_id: str, eta_minutes: int) -> str:
    """What the duty console page does when the staff press 响应: read its state, acknowledge the open
    request (``POST /_sim/console/ack``, JSON). Returns the request's id."""
    import requests

    verify: Any = str(cfg.backend.ca_bundle) if cfg.backend.ca_bundle is not None else True
    state = requests.get(f"{base_url}/_sim/console/state", verify=verify, timeout=10).json()
    open_ids = [r["id"] for r in state["requests"] if r["state"] == "pending"]
    assert len(open_ids) == 1, f"expected one open help request in the console, got {state['requests']}"
    reply = requests.post(f"{base_url}/_sim/console/ack", json={"id": open_ids[0], "post_id": post_id,
                                                                 "eta_minutes": eta_minutes},
                          verify=verify, timeout=10)
    assert reply.status_code == 200 and reply.json().get("ok"), reply.text[:300]
    return open_ids[0]


def walk_help(walk: Any) -> None:
    """一键求助: the duty post acknowledges in the console (its own HTTP call), the kiosk shows and says it."""
    ui = walk.ui
    walk.step("tap 一键求助", lambda: (ui.tap("footer.help"), walk.wait_state(
        "request pending at the gateway", lambda st: st.help is not None and st.help.state == "pending", 15)))
    walk.shot("help-pending")
    walk.hear("help.notified", 1.5)
    request_id = walk.step("acknowledged in the duty console", lambda: console_ack(
        walk.stack.gateway.base_url, walk.ctl.core.cfg, post_id="hall-desk", eta_minutes=3))

    def shown() -> None:
        walk.wait_state("acknowledgement on the kiosk", lambda st: st.help.state == "acknowledged", 15)
        assert "一楼大厅值班台" in ui.text_of("help.message") and ui.text_of("help.big") == "约 3 分钟", \
            (ui.text_of("help.message"), ui.text_of("help.big"))
    walk.step("kiosk shows 约 3 分钟", shown)
    walk.shot("help-acknowledged")
    walk.hear("help.eta", 2.5)
    walk.step("取消求助", lambda: (ui.tap("help.close"), walk.wait_state("help closed", lambda st: st.help is None)))
    walk.note(f"help request {request_id} acknowledged by the duty console, then cancelled by the resident")
