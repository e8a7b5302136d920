"""The demo's 随申码 step (issue 17): the next resident identifies by showing a 随申码 to the scanner.

After the first resident's session was wiped, this one has no card on the reader, only the 随申办 app: the
identify screen shows its three ways, the gateway simulator issues a fresh 随申码 and the scanner simulator
sends it as real bytes over its port; the walk waits for the menu and checks the identity came from the scan
(not from a card left on the reader). Called by :meth:`kiosk_dev.demo.Walk.run`.
"""
from __future__ import annotations

from typing import Any


def ssm_identify(walk: Any) -> None:
    ui, ctl = walk.ui, walk.ctl
    walk.stack.idcard.remove()  # the first resident took their card: this one has only a phone
    ui.pump(5)
    walk.step("scanner online", lambda: walk.wait_state("scanner online",
                                                        lambda st: st.devices.scanner == "online", 10))
    # the 随申办 QR is not what this step shows: wait for the gateway's answer either way, with room for a
    # loaded machine, so the screenshot has all three ways settled
    walk.step("tap 刷身份证 → three ways", lambda: (ui.tap("attract.card"), walk.wait_screen("identify"),
                                                 walk.wait_state("QR answered", lambda st: st.qr is not None
                                                                 and st.qr.state != "loading", 20)))
    walk.shot("identify-three-ways")
    code = walk.stack.gateway.routes.scan.ssm_issue(name="赵丽华", id_number="310104197203154426")
    walk.stack.scanner.scan(code)  # real bytes over the scanner simulator's port

    def identified_by_the_scan() -> None:
        walk.wait_screen("menu", 15)
        identity = ctl.state.identity
        assert identity is not None and identity.method == "ssm", f"identified by {identity and identity.method}"
    walk.step("随申码 scanned → menu", identified_by_the_scan)
    walk.note(f"identified by 随申码 as {ctl.state.identity.display_name} (masked)")
    walk.shot("menu-after-ssm")
    walk.step("结束办理", lambda: (ui.tap("footer.end"), walk.wait_screen("attract")))
