"""The real Printer driver against the PrinterSimulator over a real pty (and one socket://).

Faults are injected through the simulator's control interface only; nothing in the driver is patched.
"""
from __future__ import annotations

import threading
import time

import pytest
from PIL import Image as PILImage

from devices.printer.document import Document, Image, Text
from devices.printer.driver import Printer
from devices.printer.encoder import encode
from devices.printer.profiles import get_profile, profile_names
from devices.printer.protocol import PrinterState
from devices.printer.simulator import PrinterSimulator
from kiosk.receipts import licence_copy, queue_ticket, record_printout
from kiosk.receipts.samples import sample

PRINTED_AT = "2026-11-27T09:30:00+08:00"  # a receipt is stamped by its caller, never with today

pytestmark = pytest.mark.timeout(60)


class Events:
    def __init__(self) -> None:
        self.items: list = []
        self.cond = threading.Condition()

    def __call__(self, event) -> None:
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()

    def wait(self, name: str, timeout: float = 8.0, **match):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.items:
                    if ev.name == name and all(ev.data.get(k) == v for k, v in match.items()):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {name} {match} in {[(e.name, e.data) for e in self.items]}")
                self.cond.wait(left)

    def names(self, name: str) -> list:
        return [e for e in self.items if e.name == name]


def wait_until(predicate, timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def rig(tmp_path, request):
    profile = getattr(request, "param", "generic-80mm")
    sim = PrinterSimulator(link=tmp_path / "printer", out_dir=tmp_path / "out", profile=profile).start()
    printer = Printer(str(tmp_path / "printer"), profile=profile, poll_interval=0.1)
    printer.reconnect_cap = 0.5
    events = Events()
    printer.subscribe(events)
    printer.start()
    assert wait_until(lambda: printer.ready), printer.status_reason
    yield sim, printer, events
    printer.close()
    sim.stop()


def ticket(n: str = "A001"):
    return queue_ticket(n, "社保卡业务", "3号窗口", 2, issued_at="2026-11-27T09:30:00+08:00",
                        progress_url=f"https://zwdt.sh.gov.cn/q/{n}")


def big_record():
    return sample("record")


def test_prints_a_ticket_and_the_simulator_gets_exactly_the_encoded_bytes(rig):
    sim, printer, events = rig
    doc = ticket()
    job = printer.submit(doc, owner="s1")
    events.wait("job_done", job_id=job)
    jobs = sim.wait_jobs(1, complete=True)
    assert bytes(jobs[0].raw) == encode(doc)
    assert "A001" in jobs[0].text and jobs[0].qr_count == 1 and jobs[0].unknown == []
    assert jobs[0].png.exists() and PILImage.open(jobs[0].png).width == 576
    assert printer.paper == "full" and printer.ready


@pytest.mark.parametrize("rig", ["snbc-bt-t080"], indirect=True)
def test_kiosk_profile_with_presenter_and_small_raster_bands(rig):
    sim, printer, events = rig
    doc = sample("test", "snbc-bt-t080")
    data = encode(doc, "snbc-bt-t080")
    job = printer.submit(doc)
    events.wait("job_done", job_id=job)
    assert wait_until(lambda: received(sim) == data)  # presenter bytes after the cut included
    assert sim.unknown == [] and sim.jobs[0].complete


def test_status_events_fire_on_change_only(rig):
    sim, printer, events = rig
    time.sleep(0.6)  # several idle polls with nothing changing
    before = len(events.names("status_changed")) + len(events.names("paper_changed"))
    time.sleep(0.6)
    assert len(events.names("status_changed")) + len(events.names("paper_changed")) == before
    sim.control("cover_open")
    events.wait("status_changed", status="userError")
    time.sleep(0.5)
    assert len([e for e in events.names("status_changed") if e.data["status"] == "userError"]) == 1
    assert not printer.ready


@pytest.mark.parametrize("rig", ["epson-tm-t88"], indirect=True)
def test_paper_low_is_reported_and_still_prints(rig):
    sim, printer, events = rig
    sim.control("paper_low")
    events.wait("paper_changed", paper="low")
    assert printer.ready
    job = printer.submit(ticket())
    events.wait("job_done", job_id=job)


def test_near_end_bits_mean_low_under_every_profile():
    near_end = (0x12, 0x12, 0x12, 0x12 | 0x0C)  # DLE EOT 4 bits 2-3: paper near end, nothing else
    for name in profile_names():
        profile = get_profile(name)
        state = PrinterState(near_end, profile.near_end_sensor)
        assert state.paper == "low" and state.ready, name


def test_generic_profile_driver_believes_a_printer_that_reports_near_end(tmp_path):
    # the hardware has the sensor (simulated as a TM-T88), the kiosk is configured with the generic profile
    sim = PrinterSimulator(link=tmp_path / "printer", out_dir=tmp_path / "out", profile="epson-tm-t88").start()
    printer = Printer(str(tmp_path / "printer"), profile="generic-80mm", poll_interval=0.1)
    events = Events()
    printer.subscribe(events)
    printer.start()
    try:
        assert wait_until(lambda: printer.ready), printer.status_reason
        sim.control("paper_low")
        events.wait("paper_changed", paper="low")
        assert printer.paper == "low" and printer.ready
    finally:
        printer.close()
        sim.stop()


def test_paper_out_before_a_job_fails_it_with_clear_action_and_keeps_it(rig):
    sim, printer, events = rig
    sim.control("paper_out")
    events.wait("paper_changed", paper="out")
    assert not printer.ready
    job = printer.submit(ticket())
    failed = events.wait("job_failed", job_id=job)
    assert failed.data["code"] == "paper_out" and failed.data["action"] == "clear"
    assert failed.data["reason_zh"] == "打印纸用完" and failed.data["reason_en"] == "Paper out"
    assert printer.failed_jobs() == [job]
    sim.control("paper_loaded")
    events.wait("paper_changed", paper="full", previous="out")
    again = printer.reprint(job)
    events.wait("job_done", job_id=again)
    assert [bytes(j.raw) for j in sim.wait_jobs(1, complete=True)] == [encode(printer.job(job).document)]


def received(sim, since: int = 0) -> bytes:
    """Everything the simulator printed (each cut closes one of its jobs) from job index ``since``."""
    return b"".join(bytes(j.raw) for j in sim.jobs[since:])


def test_paper_out_mid_job_is_reprinted_whole_after_paper_loaded(rig):
    sim, printer, events = rig
    doc = big_record()  # three pages, each cut separately
    data = encode(doc)
    sim.control("paper_out", after_bytes=len(data) // 2)
    job = printer.submit(doc, owner="s1")
    failed = events.wait("job_failed", job_id=job)
    assert failed.data["code"] == "paper_out" and failed.data["action"] == "clear"
    # the printer got part of it, then the driver cleared its buffer (DLE ENQ 2): nothing half-printed later
    assert wait_until(lambda: sim.jobs and not sim.jobs[-1].complete and sim.jobs[-1].text)
    before = len(sim.jobs)
    partial = received(sim)
    assert 0 < len(partial) < len(data) and data.startswith(partial)
    sim.control("paper_loaded")
    assert wait_until(lambda: printer.ready)
    time.sleep(0.3)
    assert len(sim.jobs) == before  # loading paper did not print the stale rest of the old job
    again = printer.reprint(job)
    events.wait("job_done", job_id=again)
    assert wait_until(lambda: len(sim.jobs) == before + 3 and all(j.text for j in sim.jobs))
    reprinted = sim.jobs[before:]
    assert all(j.complete for j in reprinted)
    assert received(sim, before) == data  # nothing lost: the whole job arrived again
    assert "第 3/3 页" in reprinted[-1].text


def test_cover_open_mid_job(rig):
    sim, printer, events = rig
    doc = big_record()
    sim.control("cover_open", after_bytes=500)
    job = printer.submit(doc)
    failed = events.wait("job_failed", job_id=job)
    assert failed.data["code"] == "cover_open" and failed.data["action"] == "clear"
    sim.control("cover_closed")
    assert wait_until(lambda: printer.ready)
    before = len(sim.jobs)
    again = printer.reprint(job)
    events.wait("job_done", job_id=again)
    assert wait_until(lambda: received(sim, before) == encode(doc))


def test_cutter_jam_fails_the_job_until_staff_clear_it(rig):
    sim, printer, events = rig
    sim.control("cutter_jam")
    job = printer.submit(ticket())
    failed = events.wait("job_failed", job_id=job)
    assert failed.data["code"] == "cutter_error" and failed.data["action"] == "clear"
    time.sleep(0.4)
    assert not printer.ready  # the driver's DLE ENQ 2 cannot clear a jam that is still there
    sim.control("cutter_clear")
    assert wait_until(lambda: printer.ready)  # the next poll's DLE ENQ 2 recovers
    again = printer.reprint(job)
    events.wait("job_done", job_id=again)


def test_offline_printer_fails_jobs_with_reason(rig):
    sim, printer, events = rig
    sim.control("offline")
    events.wait("status_changed", status="offline")
    job = printer.submit(ticket())
    failed = events.wait("job_failed", job_id=job)
    assert failed.data["code"] == "offline" and failed.data["reason_zh"] == "打印机离线"
    sim.control("online")
    assert wait_until(lambda: printer.ready)


def test_no_answer_is_unknown_never_paper_ok(rig):
    sim, printer, events = rig
    sim.handle_control({"cmd": "silent", "on": True})
    events.wait("paper_changed", paper="unknown")
    assert not printer.ready and printer.paper == "unknown"
    job = printer.submit(ticket())
    failed = events.wait("job_failed", job_id=job)
    assert failed.data["code"] == "no_answer"
    assert sim.jobs == []  # nothing was sent into the void
    sim.handle_control({"cmd": "silent", "on": False})
    events.wait("paper_changed", paper="full", previous="unknown")
    assert wait_until(lambda: printer.ready)


def test_cable_pulled_mid_job_keeps_the_job_for_reprint(rig):
    sim, printer, events = rig
    img = PILImage.new("L", (480, 300), 128)
    doc = licence_copy({"name_zh": "居民户口簿", "number": "3101**********0023"}, image=img, printed_at=PRINTED_AT)
    data = encode(doc)
    assert len(data) > 15000  # long enough to pull the cable in the middle (~1.3 s at 115200)
    job = printer.submit(doc, owner="s2")
    assert wait_until(lambda: sim.consumed > 2000, timeout=5)
    sim.handle_control({"cmd": "unplug"})
    failed = events.wait("job_failed", job_id=job)
    assert failed.data["code"] == "disconnected" and failed.data["action"] == "clear"
    events.wait("status_changed", status="offline")
    assert not printer.ready
    sim.handle_control({"cmd": "replug"})
    assert wait_until(lambda: printer.ready, timeout=10)
    again = printer.reprint(job)
    events.wait("job_done", job_id=again, timeout=15)
    assert sim.wait_jobs(1, complete=True, timeout=10)
    assert bytes(sim.jobs[-1].raw) == data and sim.jobs[-1].complete


def test_submit_while_disconnected_fails_at_once(tmp_path):
    printer = Printer(str(tmp_path / "nothing-here"), poll_interval=0.1)
    events = Events()
    printer.subscribe(events)
    printer.start()
    try:
        job = printer.submit(ticket())
        failed = events.wait("job_failed", job_id=job)
        assert failed.data["code"] == "disconnected"
        assert printer.failed_jobs() == [job] and printer.paper == "unknown"
    finally:
        printer.close()


def test_discard_jobs_wipes_a_sessions_failed_jobs(rig):
    sim, printer, events = rig
    sim.control("paper_out")
    events.wait("paper_changed", paper="out")
    mine = printer.submit(ticket("A1"), owner="session-1")
    other = printer.submit(ticket("A2"), owner="session-2")
    events.wait("job_failed", job_id=mine)
    events.wait("job_failed", job_id=other)
    document = printer.job(mine).document
    assert printer.discard_jobs("session-1") == 1
    assert printer.job(mine) is None and document.blocks == []
    assert printer.failed_jobs() == [other]
    with pytest.raises(KeyError):
        printer.reprint(mine)


def test_a_raster_job_with_stray_status_bytes_in_image_data_prints(rig):
    # raster data containing 10 04 01: the simulator answers it like a real printer; the driver must
    # still read its own status correctly (flush before each query)
    sim, printer, events = rig
    img = PILImage.frombytes("1", (576, 8), (b"\x10\x04\x01" * 24) * 8)
    doc = Document([Text("含状态字节的图像"), Image(img)])
    job = printer.submit(doc)
    events.wait("job_done", job_id=job)
    assert encode(doc).count(b"\x10\x04\x01") >= 24 * 8
    assert bytes(sim.wait_jobs(1, complete=True)[0].raw) == encode(doc)


def test_over_a_socket_url(tmp_path):
    sim = PrinterSimulator(transport="tcp", out_dir=tmp_path / "out").start()
    printer = Printer(sim.url, poll_interval=0.1)
    events = Events()
    printer.subscribe(events)
    printer.start()
    try:
        assert sim.url.startswith("socket://127.0.0.1:")
        assert wait_until(lambda: printer.ready)
        doc = record_printout({"title_zh": "记录", "holder": "王五", "columns": [{"key": "a", "zh": "甲"}],
                               "rows": [{"a": str(i)} for i in range(30)]}, rows_per_page=10,
                              printed_at=PRINTED_AT)
        job = printer.submit(doc)
        events.wait("job_done", job_id=job)
        assert wait_until(lambda: received(sim) == encode(doc))
        sim.control("paper_out")
        events.wait("paper_changed", paper="out")
    finally:
        printer.close()
        sim.stop()
