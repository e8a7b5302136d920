"""Device faults against the real drivers and simulators over real ptys (no driver internals touched).

Reader: unplug/replug while polling, garbage on the line, a reply status the driver did not expect.
Printer: paper out in the middle of a job, cover open, cable pulled mid-job. For each: the driver keeps
running, the event says what happened in words a resident/staff can act on, the job is neither lost nor
printed twice, and the device is back (time measured from the moment the fault was undone).
"""
from __future__ import annotations

import time

import pytest

from devices.errors import DeviceError
from devices.idcard import protocol as p
from devices.idcard.driver import IdCardReader
from devices.idcard.simulator import IdCardSimulator
from devices.printer.document import Cut, Document, Separator, Text
from devices.printer.driver import Printer
from devices.printer.simulator import PrinterSimulator
from faultkit import Events, record, wait_for

WAIT = 15.0  # generous bound for "did it come back at all" (targets are measured, not asserted)


@pytest.fixture
def reader(tmp_path):
    sim = IdCardSimulator(transport="pty", link=tmp_path / "kiosk-idcard", pace=False).start()
    dev = IdCardReader(str(sim.link), poll_interval=0.3)
    events = Events()
    dev.subscribe(events)
    dev.start()
    assert wait_for(lambda: dev.status.value == "online", WAIT), dev.status
    yield sim, dev, events
    dev.close()
    sim.stop()


@pytest.fixture
def printer(tmp_path):
    sim = PrinterSimulator(transport="pty", link=tmp_path / "kiosk-printer", out_dir=tmp_path / "out",
                           baudrate=115200).start()
    dev = Printer(str(sim.link), poll_interval=0.2)
    events = Events()
    dev.subscribe(events)
    dev.start()
    assert wait_for(lambda: dev.ready, WAIT), dev.status
    yield sim, dev, events
    dev.close()
    sim.stop()


def long_receipt(lines: int = 60) -> Document:
    doc = Document(kind="fault-test")
    for i in range(lines):
        doc.add(Text(f"第 {i:03d} 行 办事指南 line {i:03d} " + "测试" * 8))
    return doc.add(Separator(), Cut())


def test_reader_unplug_replug_recovers_and_reads_again(reader):
    sim, dev, events = reader
    dev.set_polling(True)
    sim.handle_control({"cmd": "place", "card": "resident"})
    assert wait_for(lambda: events.named("card_read"), WAIT)
    sim.handle_control({"cmd": "remove"})
    t_unplug = time.monotonic()
    sim.handle_control({"cmd": "unplug"})
    offline = wait_for(lambda: events.first_after(t_unplug, "status_changed", status="offline"), WAIT)
    assert offline, "unplugged reader never reported offline"
    time.sleep(1.0)  # stays away a while: the base backs off between reopen attempts
    t_replug = time.monotonic()
    sim.handle_control({"cmd": "replug"})
    online = wait_for(lambda: events.first_after(t_replug, "status_changed", status="online"), WAIT)
    assert online, "reader did not come back by itself"
    reads_before = len(events.named("card_read"))
    sim.handle_control({"cmd": "place", "card": "resident"})
    assert wait_for(lambda: len(events.named("card_read")) > reads_before, WAIT), "service not back after replug"
    assert dev.alive
    record("reader unplug/replug (polling)", kept_running=dev.alive,
           message=getattr(dev.last_error, "message_zh", "") or "", lost=0, duplicated=0,
           recovery_s=online[0] - t_replug, note=f"offline reported {offline[0] - t_unplug:.2f}s after unplug")


def test_reader_garbage_on_the_line_still_reads_the_card(reader):
    sim, dev, _events = reader
    sim.handle_control({"cmd": "fault", "kind": "garbage", "count": 6})
    sim.handle_control({"cmd": "place", "card": "resident"})
    t0 = time.monotonic()
    card = dev.read_card(timeout=5.0)
    assert sim.faults.get("garbage", {}).get("count", 0) < 6  # the noise really was sent
    assert card.id_number_valid and card.masked()["id_number"].count("*") >= 8
    record("reader garbage before replies", kept_running=dev.alive, message="(none needed: resynchronised)",
           lost=0, duplicated=0, recovery_s=None,
           note=f"read_card succeeded through the noise in {time.monotonic() - t0:.3f}s")


class NoContentSelectSim(IdCardSimulator):
    """A reader whose SAM answers select-card with SW3 0x91 ("no content") — a status, not a failure."""

    def on_bytes(self, data: bytes) -> bytes:
        reply = super().on_bytes(data)
        if p.encode_select_card() in data:
            return p.encode_reply(p.Sw3.NO_CONTENT)
        return reply


def test_unexpected_non_failure_status_is_a_typed_error(tmp_path):
    sim = NoContentSelectSim(transport="pty", link=tmp_path / "rdr", pace=False).start()
    dev = IdCardReader(str(sim.link)).start()
    try:
        assert wait_for(lambda: dev.status.value == "online", WAIT)
        sim.handle_control({"cmd": "place", "card": "resident"})
        with pytest.raises(DeviceError) as info:
            dev.read_card(timeout=2.0)
        assert info.value.message_zh  # a typed device error with words for the resident, not a ValueError
        assert dev.alive
        record("reader answers select with SW3 0x91", kept_running=dev.alive, message=info.value.message_zh,
               lost=0, duplicated=0, recovery_s=None, note=type(info.value).__name__)
    finally:
        dev.close()
        sim.stop()


def _complete_copies(sim, marker: str) -> int:
    return sum(1 for j in sim.wait_jobs(0, timeout=0.1) if j.complete and marker in j.text)


def test_printer_paper_out_mid_job_then_reprint_gives_exactly_one_ticket(printer):
    sim, dev, events = printer
    sim.handle_control({"cmd": "paper_out", "after_bytes": 600})
    job = dev.submit(long_receipt(), owner="session-1")
    failed = wait_for(lambda: events.named("job_failed", job_id=job), WAIT)
    assert failed, "paper-out mid-job was not reported"
    data = failed[0][1].data
    assert data["code"] == "paper_out" and "纸" in data["reason_zh"] and data["action"] == "clear"
    assert dev.paper == "out" and not dev.ready
    t_fix = time.monotonic()
    sim.handle_control({"cmd": "paper_loaded"})
    assert wait_for(lambda: dev.ready, WAIT), "printer did not come back after paper was loaded"
    recovery = time.monotonic() - t_fix
    time.sleep(0.5)
    assert _complete_copies(sim, "第 059 行") == 0  # the cut-off half must not come out after loading
    again = dev.reprint(job)
    assert wait_for(lambda: events.named("job_done", job_id=again), WAIT)
    assert wait_for(lambda: _complete_copies(sim, "第 059 行") == 1, WAIT)
    time.sleep(0.5)
    copies = _complete_copies(sim, "第 059 行")
    assert copies == 1
    record("printer paper out mid-job", kept_running=dev.alive, message=data["reason_zh"], lost=0,
           duplicated=copies - 1, recovery_s=recovery, note="reprint after loading: one complete ticket")


def test_printer_cover_open_blocks_then_prints_once_closed(printer):
    sim, dev, events = printer
    sim.handle_control({"cmd": "cover_open"})
    assert wait_for(lambda: dev.status.value == "userError", WAIT)
    job = dev.submit(long_receipt(5), owner="s2")
    failed = wait_for(lambda: events.named("job_failed", job_id=job), WAIT)
    assert failed and failed[0][1].data["code"] == "cover_open"
    t_fix = time.monotonic()
    sim.handle_control({"cmd": "cover_closed"})
    assert wait_for(lambda: dev.ready, WAIT)
    recovery = time.monotonic() - t_fix
    again = dev.reprint(job)
    assert wait_for(lambda: events.named("job_done", job_id=again), WAIT)
    assert wait_for(lambda: _complete_copies(sim, "第 004 行") == 1, WAIT)
    record("printer cover open", kept_running=dev.alive, message=failed[0][1].data["reason_zh"], lost=0,
           duplicated=_complete_copies(sim, "第 004 行") - 1, recovery_s=recovery)


def test_printer_unplugged_mid_job_reports_and_recovers(printer):
    sim, dev, events = printer
    job = dev.submit(long_receipt(120), owner="s3")
    assert wait_for(lambda: sim.consumed > 300 or sim.wait_jobs(0, 0.01), WAIT)
    sim.handle_control({"cmd": "unplug"})
    failed = wait_for(lambda: events.named("job_failed", job_id=job), WAIT)
    assert failed, "job on an unplugged printer never failed"
    assert "打印机" in failed[0][1].data["reason_zh"]
    time.sleep(0.5)
    t_replug = time.monotonic()
    sim.handle_control({"cmd": "replug"})
    assert wait_for(lambda: dev.ready, WAIT), "printer did not come back by itself"
    recovery = time.monotonic() - t_replug
    again = dev.reprint(job)
    assert wait_for(lambda: events.named("job_done", job_id=again), WAIT)
    assert wait_for(lambda: _complete_copies(sim, "第 119 行") == 1, WAIT)
    record("printer unplug mid-job", kept_running=dev.alive, message=failed[0][1].data["reason_zh"], lost=0,
           duplicated=_complete_copies(sim, "第 119 行") - 1, recovery_s=recovery)
