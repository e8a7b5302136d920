"""一键求助 end to end in a real browser: the resident presses it on the real kiosk (real app, real touches,
the gateway simulator), the duty staff acknowledge it in the duty console page in Debian's chromium, and the
kiosk's own screen changes to say who is coming and when — then the resident cancels and the page sees it."""
from __future__ import annotations

import threading

from kiosk_dev import uidriver as ui

from tests.backend.test_duty_console_browser import ARGS, CHROMIUM


def test_acknowledging_in_the_console_page_changes_the_kiosk_screen(kiosk):
    import playwright.sync_api as sync_api

    ui.wait_screen("attract")
    kiosk.devices_ready()
    ui.tap("footer.help")
    ui.wait_until(lambda: kiosk.state.help is not None and kiosk.state.help.state == "pending", timeout=15,
                  what="the request is pending at the gateway")
    assert "已通知值班人员" in ui.text_of("help.message")  # no ETA yet
    (rid,) = [r for r, e in kiosk.gateway.duty.requests.items() if e["state"] == "pending"]

    clicked, failed = threading.Event(), []

    def duty_staff() -> None:  # the browser runs beside the UI thread, which keeps drawing the kiosk
        try:
            with sync_api.sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=30_000)
                page = browser.new_context(ignore_https_errors=True, locale="zh-CN").new_page()
                page.goto(kiosk.gateway.base_url + "/_sim/console", timeout=15_000)
                row = page.locator(f'tr[data-id="{rid}"]')
                row.wait_for(timeout=10_000)
                assert "attract" in row.inner_text()
                row.locator("select.post").select_option("security")
                row.locator("input.eta").fill("6")
                row.locator("button.ack").click()
                page.locator(f'tr[data-id="{rid}"] .state').filter(has_text="安保值班室").wait_for(timeout=10_000)
                clicked.set()
                # the resident cancels on the kiosk: the request leaves the page's open list
                page.locator(f'tr[data-id="{rid}"]').wait_for(state="detached", timeout=20_000)
                browser.close()
        except Exception as exc:  # handed to the test thread, which fails with it
            failed.append(exc)
            clicked.set()

    staff = threading.Thread(target=duty_staff, daemon=True)
    staff.start()
    ui.wait_until(lambda: clicked.is_set(), timeout=60, what="the duty staff pressed 响应 in the page")
    assert not failed, failed
    ui.wait_until(lambda: ui.exists("help.big") and ui.text_of("help.big") == "约 6 分钟", timeout=15,
                  what="the kiosk's screen shows the acknowledgement")
    assert "安保值班室已收到" in ui.text_of("help.message") and ui.text_of("help.close") == "取消求助"
    ui.tap("help.close")
    ui.wait_until(lambda: not ui.exists("help.message"), what="the overlay closed")
    staff.join(30)
    assert not failed and not staff.is_alive(), failed
    assert kiosk.gateway.duty.requests[rid]["state"] == "cancelled"
