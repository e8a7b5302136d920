"""The duty console in a real browser: Debian's chromium, headless, driven by Playwright (never
``playwright install``: the system browser is used). The page lists the terminal's heartbeat and its open
help request; acknowledging it in the page changes what the kiosk's client reads."""
from __future__ import annotations

import os
import time

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# scripts/setup.sh installs chromium and playwright: a missing one is a broken set-up, not a reason to skip
assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} missing: run scripts/setup.sh"


@pytest.fixture
def page():
    import playwright.sync_api as sync_api
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=30_000)
        # the simulator serves the development certificate (config/dev-tls), which the browser does not know
        context = browser.new_context(ignore_https_errors=True, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


def test_acknowledge_in_the_console_changes_the_kiosk_status(sim, client, page):
    client.heartbeat({"app_version": "0.1.0", "uptime_s": 30.0, "devices": {"printer": "online", "idcard": "online"},
                      "alerts": []})
    req = client.create_help_request(screen="form", elder_mode=True, location="一楼大厅东侧",
                                     service_id="hotline-12345")
    page.goto(sim.base_url + "/_sim/console", timeout=15_000)
    row = page.locator(f'tr[data-id="{req.id}"]')
    row.wait_for(timeout=10_000)
    assert "等待响应" in row.locator(".state").inner_text()
    assert "是" in row.inner_text() and "form / hotline-12345" in row.inner_text()
    terminal = page.locator('tr[data-terminal="SH-JA-NJXL-01"]')
    assert "printer: online" in terminal.inner_text()

    row.locator("select.post").select_option("security")
    row.locator("input.eta").fill("6")
    # let the page refresh at least once in between: it must keep what the staff typed
    stamp = page.locator("#updated").inner_text()
    page.wait_for_function("t => document.getElementById('updated').textContent !== t", arg=stamp, timeout=10_000)
    assert row.locator("input.eta").input_value() == "6"
    row.locator("button.ack").click()
    deadline = time.monotonic() + 10
    status = client.poll_help_request(req.id)
    while status.state == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = client.poll_help_request(req.id)
    assert status.state == "acknowledged" and status.eta_minutes == 6
    assert status.duty_post.id == "security"
    page.locator(f'tr[data-id="{req.id}"] .state').filter(has_text="安保值班室").wait_for(timeout=10_000)
