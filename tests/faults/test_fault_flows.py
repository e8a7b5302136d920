"""Faults during real resident flows: the real Runtime + SessionController (the UI thread is the test,
pumping a QueueBridge), the real drivers, client and outbox, against in-process simulators on loopback.

Gateway down / slow / 5xx / bad signature at submission, the log directory's disk full (a real 64 KiB
tmpfs where mounting is allowed, and a handler whose stream raises ENOSPC everywhere). Each records:
kept running, the message the resident saw, lost/duplicated (the gateway simulator counts deliveries per
reference), and time to recovery.
"""
from __future__ import annotations

import errno
import logging
import subprocess
import time
from pathlib import Path

import pytest

from faultkit import record, wait_for
from kiosk.bridge import QueueBridge
from kiosk.config.loader import load_config
from kiosk_dev.sims import SimStack
from kiosk.logs import setup_logging
from kiosk.runtime import Runtime
from kiosk.session.controller import SessionController

REPO = Path(__file__).resolve().parents[2]


class World:
    def __init__(self, tmp_path: Path, log_dir: Path | None = None) -> None:
        self.stack = SimStack(load_config(REPO / "config"), tmp_path)
        cfg = self.stack.start()
        if log_dir is not None:
            cfg = cfg.model_copy(update={"logging": cfg.logging.model_copy(update={"dir": log_dir})})
        self.cfg = cfg
        self.bridge = QueueBridge()
        self.rt = Runtime(cfg, self.bridge)
        self.ctl = SessionController(cfg, self.rt)
        self.rt.attach(self.ctl)
        self.rt.start()
        d = lambda: self.ctl.state.devices  # noqa: E731
        assert self.pump_until(lambda: d().printer_ready and d().reader_online and d().backend_ok, 15), d()

    @property
    def gateway(self):
        return self.stack.gateway

    def pump_until(self, predicate, timeout: float) -> bool:
        return self.bridge.pump_until(lambda: (self.ctl.tick(), predicate())[1], timeout)

    def sign_in(self) -> None:
        self.ctl.start_identify()
        assert self.pump_until(lambda: self.ctl.state.card.state == "waiting", 10)
        self.stack.idcard.handle_control({"cmd": "place", "card": "resident"})
        assert self.pump_until(lambda: self.ctl.state.screen == "menu", 10), (self.ctl.state.card, self.ctl.state.error)
        self.stack.idcard.handle_control({"cmd": "remove"})

    def submit_12345(self, timeout: float = 30.0, before_confirm=None):
        self.ctl.choose_service("hotline-12345")
        for key, value in {"category": "help", "phone": "13800138000", "street": "njxl"}.items():
            self.ctl.set_field(key, value)
        # the long text is typed on the resident's phone (hand-off QR), the kiosk polls for it
        assert self.pump_until(lambda: self.ctl.state.form.field("description").handoff_state == "waiting", 10)
        self.gateway.handoff_submit(text="路灯坏了，请修理")
        assert self.pump_until(lambda: self.ctl.state.form.field("description").handoff_state == "submitted", 10)
        if before_confirm is not None:
            before_confirm()
        self.ctl.next()
        assert self.ctl.state.screen == "confirm"
        self.ctl.confirm()
        assert self.pump_until(lambda: self.ctl.state.result is not None and self.ctl.state.result.printed is not None,
                               timeout), (self.ctl.state.busy, self.ctl.state.error)
        return self.ctl.state.result

    def deliveries(self, reference: str) -> int:
        with self.gateway.lock:
            return self.gateway.deliveries_by_reference.get(reference, 0)

    def close(self) -> None:
        self.rt.stop()
        self.stack.stop()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.close()


def test_gateway_down_at_submission_is_queued_then_delivered_once(world):
    world.sign_in()
    result = world.submit_12345(before_confirm=world.gateway.stop)  # the network goes as they confirm
    assert result.delivered is False and result.reference
    told = result.title.zh + "；" + result.message.zh
    assert "自动提交" in told and "不会丢失" in told
    assert world.rt.outbox.depth() == 1
    assert world.ctl.state.result.printed is True  # the receipt says it is queued
    time.sleep(2.0)  # the outage lasts a while
    t_back = time.monotonic()
    world.gateway.start()
    delivered = wait_for(lambda: world.deliveries(result.reference) >= 1, 90, interval=0.05)
    assert delivered, "queued submission never delivered after the gateway came back"
    recovery = time.monotonic() - t_back
    assert wait_for(lambda: world.rt.outbox.depth() == 0, 10)
    time.sleep(0.5)
    assert world.deliveries(result.reference) == 1
    record("gateway down at submission", kept_running=world.rt.sender is not None, message=told,
           lost=0, duplicated=world.deliveries(result.reference) - 1, recovery_s=recovery,
           note="recovery = gateway back -> delivered (sender backoff, no manual wake)")


def test_gateway_slow_reply_still_one_delivery(world):
    world.sign_in()
    world.gateway.inject("slow", delay_s=3.0, times=1, path="/v1/submissions")
    t0 = time.monotonic()
    result = world.submit_12345(timeout=40)
    # within the 2 s wait the gateway had not answered: the resident is told it is kept and will be sent
    assert result.reference
    assert wait_for(lambda: world.deliveries(result.reference) >= 1, 60, interval=0.05)
    time.sleep(1.0)
    assert world.deliveries(result.reference) == 1
    record("gateway slow (3 s) at submission", kept_running=True, message=result.title.zh, lost=0,
           duplicated=world.deliveries(result.reference) - 1, recovery_s=time.monotonic() - t0,
           note=f"delivered={result.delivered} at the result screen")


def test_gateway_5xx_retried_with_same_key_delivered_once(world):
    world.sign_in()
    world.gateway.inject("status", status=503, times=2, path="/v1/submissions")
    t0 = time.monotonic()
    result = world.submit_12345()
    assert wait_for(lambda: world.deliveries(result.reference) >= 1, 60, interval=0.05)
    time.sleep(0.5)
    assert world.deliveries(result.reference) == 1
    record("gateway 503 x2 at submission", kept_running=True, message=result.title.zh, lost=0,
           duplicated=world.deliveries(result.reference) - 1, recovery_s=time.monotonic() - t0)


def test_gateway_bad_signature_is_told_truthfully_and_nothing_is_lost(world):
    world.sign_in()
    world.gateway.inject("bad_signature", times=1, path="/v1/submissions")
    result = world.submit_12345()
    row = [r for r in world.rt.outbox.list() if r.reference == result.reference]
    assert row, "the submission is not in the outbox"
    state = row[0].state
    if result.delivered is False:
        # what the resident was told must match what happened to the row
        told = result.title.zh + result.message.zh
        if state == "dead":
            assert "工作人员" in told
        else:
            assert "自动提交" in told
    record("gateway rejects our signature (401)", kept_running=True, message=result.title.zh,
           lost=0 if row else 1, duplicated=max(0, world.deliveries(result.reference) - 1), recovery_s=None,
           note=f"outbox row state={state}; staff can retry dead rows from the staff screen")


def test_gateway_bad_signature_then_staff_retry_delivers_once(world):
    world.sign_in()
    world.gateway.inject("bad_signature", times=1, path="/v1/submissions")
    result = world.submit_12345()
    assert wait_for(lambda: any(r.state in ("dead", "done") for r in world.rt.outbox.list()
                                if r.reference == result.reference), 30)
    world.rt.retry_outbox()
    assert wait_for(lambda: world.deliveries(result.reference) == 1, 60, interval=0.05)
    time.sleep(0.5)
    assert world.deliveries(result.reference) == 1


class FullDisk:
    """A stream that fails every write with ENOSPC, like a log file on a full disk."""

    def write(self, _data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self):
        pass


def test_disk_full_on_log_stream_app_keeps_serving(tmp_path, capsys):
    handlers = setup_logging(tmp_path / "log", level="INFO", stderr=False)
    world = World(tmp_path / "w")
    try:
        for h in handlers:
            if isinstance(h, logging.FileHandler):
                h.stream.close()
                h.stream = FullDisk()
        logging.getLogger("kiosk.faults").warning("this line meets a full disk")
        world.sign_in()
        result = world.submit_12345()
        assert result.delivered is True and world.ctl.state.result.printed is True
        world.ctl.end_session()
        assert world.ctl.state.screen == "attract"
        record("disk full (ENOSPC stream) on log dir", kept_running=True, message="(none: logging fails quietly)",
               lost=0, duplicated=world.deliveries(result.reference) - 1, recovery_s=None,
               note="flow completed while every log write raised ENOSPC")
    finally:
        world.close()
        setup_logging(None, stderr=False)  # closing a handler on a full disk must not raise either


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_disk_full_on_a_real_tiny_tmpfs(tmp_path):
    log_dir = tmp_path / "tinylog"
    if not _mount_tmpfs(log_dir, "64k"):
        pytest.skip("mounting a tmpfs is not permitted here (the ENOSPC stream test covers the behaviour)")
    try:
        (log_dir / "filler").write_bytes(b"x" * 60_000)
        handlers = setup_logging(log_dir, level="INFO", stderr=False, max_bytes=1_000_000)
        world = World(tmp_path / "w")
        try:
            big = logging.getLogger("kiosk.faults")
            for i in range(200):
                big.warning("filling the log disk %d %s", i, "x" * 200)
            world.sign_in()
            result = world.submit_12345()
            assert result.delivered is True
            assert world.ctl.state.result.printed is True or world.ctl.state.result.print_message.zh
            free = subprocess.run(["df", "--output=avail", str(log_dir)], capture_output=True, text=True).stdout
            record("disk full (real 64 KiB tmpfs) on log dir", kept_running=True,
                   message="(none: logging fails quietly)", lost=0,
                   duplicated=world.deliveries(result.reference) - 1, recovery_s=None,
                   note=f"df avail after: {free.split()[-1]} KiB; {len(handlers)} handler(s)")
        finally:
            world.close()
            setup_logging(None, stderr=False)
    finally:
        subprocess.run(["umount", str(log_dir)], capture_output=True, timeout=10)
