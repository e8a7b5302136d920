"""kill -9 of the kiosk process while the outbox is delivering: after the restart every submission the
resident was given a reference for is delivered exactly once (the gateway simulator counts deliveries per
reference; the Idempotency-Key is stored with the row, so a resend after the crash is recognised)."""
from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devices.idcard.simulator import IdCardSimulator
from devices.printer.simulator import PrinterSimulator
from faultkit import record, wait_for
from kiosk.backend.outbox import Outbox
from kiosk.backend.simulator.server import GatewaySimulator

REPO = Path(__file__).resolve().parents[2]
VICTIM = Path(__file__).with_name("kiosk_victim.py")


def config_for(tmp: Path, gateway: str, idcard: str, printer: str) -> Path:
    cfg = tmp / "cfg"
    shutil.copytree(REPO / "config", cfg)
    text = (cfg / "terminal.yaml").read_text(encoding="utf-8")
    for old, new in (("https://127.0.0.1:17100", gateway), ("socket://127.0.0.1:17101", idcard),
                     ("socket://127.0.0.1:17102", printer)):
        assert old in text
        text = text.replace(old, new)
    (cfg / "terminal.yaml").write_text(text, encoding="utf-8")
    return cfg


def read_lines(proc: subprocess.Popen, count: int, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while len(lines) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
    return lines


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_kill9_during_delivery_then_restart_delivers_each_once(tmp_path):
    gateway = GatewaySimulator(port=0).start()
    idcard = IdCardSimulator(transport="tcp", port=0, pace=False).start()
    printer = PrinterSimulator(transport="tcp", port=0, pace=False).start()
    procs = []
    try:
        cfg = config_for(tmp_path, gateway.base_url, idcard.url, printer.url)
        # each delivery takes 4 s at the gateway, longer than the 2 s the kiosk waits before telling the
        # resident "saved, will be sent": deliveries are in flight when the kill comes
        gateway.inject("slow", delay_s=4.0, times=None, path="/v1/submissions")
        victim = subprocess.Popen([sys.executable, str(VICTIM), str(cfg), "submit", "8"], cwd=str(REPO),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(victim)
        lines = read_lines(victim, 5, 90)
        refs = [ln.split()[1] for ln in lines if ln.startswith("ref ")]
        assert len(refs) == 5, lines
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
        t_kill = time.monotonic()
        outbox = Outbox(tmp_path / "var" / "outbox.sqlite3")
        states = {r.reference: r.state for r in outbox.list()}
        outbox.close()
        assert set(refs) <= set(states)  # every reference the resident saw was durable before the kill
        assert any(s != "done" for s in states.values()), states  # the kill really hit undelivered rows
        gateway.clear_faults()
        drain = subprocess.Popen([sys.executable, str(VICTIM), str(cfg), "drain"], cwd=str(REPO),
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(drain)
        out = read_lines(drain, 1, 120)
        assert out == ["drained"], out
        recovery = time.monotonic() - t_kill
        with gateway.lock:
            per_ref = dict(gateway.deliveries_by_reference)
        lost = [r for r in states if per_ref.get(r, 0) == 0]
        dup = [r for r in states if per_ref.get(r, 0) > 1]
        assert not lost and not dup, (lost, dup, per_ref)
        in_flight = sum(1 for s in states.values() if s in ("inflight", "in_flight", "sending"))
        record("kill -9 of the kiosk during delivery", kept_running=True,
               message="(after restart) every reference delivered", lost=len(lost), duplicated=len(dup),
               recovery_s=recovery,
               note=f"{len(states)} rows at kill ({in_flight} in flight, states {sorted(set(states.values()))})")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        printer.stop()
        idcard.stop()
        gateway.stop()
