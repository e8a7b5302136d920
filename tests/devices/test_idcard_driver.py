"""The real IdCardReader against the real IdCardSimulator over a pty and over socket://, with every fault."""
from __future__ import annotations

import threading
import time

import pytest

from devices.base import DeviceStatus
from devices.errors import DeviceTimeout, DeviceUnavailable, OperationCancelled, ProtocolError
from devices.idcard import protocol as p
from devices.idcard.driver import IdCardReader
from devices.idcard.identities import NAMES, sample_card
from devices.idcard.simulator import IdCardSimulator


class Events:
    def __init__(self) -> None:
        self.items = []
        self.cond = threading.Condition()

    def __call__(self, event) -> None:
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()

    def names(self) -> list[str]:
        return [e.name for e in self.items]

    def wait(self, name: str, timeout: float = 3.0, **match):
        def find():
            return next((e for e in self.items if e.name == name
                         and all(e.data.get(k) == v for k, v in match.items())), None)
        with self.cond:
            assert self.cond.wait_for(lambda: find() is not None, timeout), \
                f"no {name} {match} in {[(e.name, e.data.get('code') or e.data.get('status')) for e in self.items]}"
            return find()


    def wait_count(self, name: str, count: int, timeout: float = 3.0) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: self.names().count(name) >= count, timeout), self.names()


def wait_status(reader: IdCardReader, status: DeviceStatus, timeout: float = 4.0) -> None:
    deadline = time.monotonic() + timeout
    while reader.status != status:
        assert time.monotonic() < deadline, f"status stayed {reader.status} (wanted {status})"
        time.sleep(0.02)


@pytest.fixture(params=["pty", "tcp"])
def sim(request, tmp_path):
    kwargs = {"link": tmp_path / "idcard"} if request.param == "pty" else {}
    simulator = IdCardSimulator(transport=request.param, **kwargs).start()
    yield simulator
    simulator.stop()


def quick_reader(url: str, listener) -> IdCardReader:
    """A started reader with short timeouts (so faults show in tenths of a second), events to ``listener``."""
    reader = IdCardReader(url, reply_timeout=0.25, health_interval=0.3)
    reader.reconnect_cap = 0.4
    reader.subscribe(listener)
    return reader.start()


@pytest.fixture
def rig(sim):
    events = Events()
    reader = quick_reader(sim.url, events)
    wait_status(reader, DeviceStatus.ONLINE)
    yield sim, reader, events
    reader.close()


def test_reads_every_sample_card(rig):
    sim, reader, _ = rig
    for name in NAMES:
        sim.place(name)
        card = reader.read_card(timeout=2)
        expected = sample_card(name)
        assert card.to_dict() | {"id_number_valid": None} == expected.to_dict() | {"id_number_valid": None}
        assert card.id_number_valid is (name != "bad_checksum_id")
        assert bytes(card.photo_wlt) == bytes(expected.photo_wlt) and card.photo_bmp is None


def card_finds(sim) -> list[float]:
    """When the simulator received each find-card command (monotonic seconds)."""
    return [t for t, cmd, para in list(sim.commands_seen) if (cmd, para) == (0x20, 0x01)]


def wait_finds(sim, count: int, timeout: float = 15.0) -> list[float]:
    deadline = time.monotonic() + timeout
    while len(card_finds(sim)) < count:
        assert time.monotonic() < deadline, f"only {len(card_finds(sim))} find-card polls in {timeout} s"
        time.sleep(0.02)
    return card_finds(sim)


def test_polling_reports_present_read_removed_and_respects_300ms(rig):
    sim, reader, events = rig
    assert card_finds(sim) == []
    enabled = time.monotonic()
    reader.set_polling(True)
    wait_finds(sim, 4)  # polling runs: waited for as it happens, however busy the machine
    seen, now = card_finds(sim), time.monotonic()
    # Never faster than one find per 300 ms: a find received by ``now`` was sent by a poll that started
    # after ``enabled`` (one may have begun just before), and poll starts are 300 ms apart. A busy machine
    # only delays finds, which can make this count smaller, never larger — so it holds under any load.
    assert len(seen) <= int((now - enabled) / reader.poll_interval) + 2, (len(seen), now - enabled)
    sim.place("J")
    read = events.wait("card_read", timeout=10)
    assert read.data["card"].pass_number == "00234567"
    assert events.names().index("card_present") < events.names().index("card_read")
    wait_finds(sim, len(card_finds(sim)) + 3)  # three more polls with the card still there
    assert events.names().count("card_read") == 1  # one read per placement, not one per poll
    sim.remove()
    events.wait("card_removed", timeout=10)
    sim.place("Y")
    events.wait_count("card_read", 2, timeout=10)
    assert [e.data["card"].card_type for e in events.items if e.name == "card_read"] == ["J", "Y"]


def test_fast_polling_without_a_card_and_the_vendor_pace_once_one_lies_there(sim):
    events = Events()
    reader = IdCardReader(sim.url, reply_timeout=0.25, health_interval=0.3, poll_interval=0.05)
    assert reader.poll_interval == 0.1  # never below the floor, whatever the caller asks
    reader.subscribe(events)
    reader.start()
    try:
        wait_status(reader, DeviceStatus.ONLINE)
        enabled = time.monotonic()
        reader.set_polling(True)
        wait_finds(sim, 4)
        seen, now = card_finds(sim), time.monotonic()
        assert len(seen) <= int((now - enabled) / 0.1) + 2, (len(seen), now - enabled)  # never faster than 100 ms
        sim.place("resident")
        events.wait("card_read", timeout=10)
        read_at = time.monotonic()
        before = len(card_finds(sim))
        wait_finds(sim, before + 6)  # the card still lies there: polls go on (to see it leave)
        later = [t for t in card_finds(sim) if t > read_at]
        # a busy machine only delays finds, so this bound holds under any load: ≥ 300 ms apart with a card
        assert len(later) <= int((time.monotonic() - read_at) / 0.3) + 2, (len(later), time.monotonic() - read_at)
        assert events.names().count("card_read") == 1
        assert reader.card_on_reader
        sim.remove()
        events.wait("card_removed", timeout=10)
        assert not reader.card_on_reader  # what tests and the demo wait on before placing a card again
    finally:
        reader.close()


def test_garbage_and_split_frames_are_survived(rig):
    sim, reader, _ = rig
    sim.place("resident")
    sim.set_fault("garbage")
    assert reader.read_card(timeout=2).name == "李建国"
    sim.clear_faults()
    sim.set_fault("garbage", false_header=True, count=2)  # found again when the line goes quiet
    assert reader.read_card(timeout=2).name == "李建国"
    sim.clear_faults()
    sim.set_fault("split", gap=0.05)
    assert reader.read_card(timeout=2).name == "李建国"
    assert reader.status == DeviceStatus.ONLINE


def test_bad_checksum_is_retried_once_then_reported(rig):
    sim, reader, events = rig
    sim.place("resident")
    sim.set_fault("bad_checksum", count=1)
    assert reader.read_card(timeout=2).id_number == "31011519650412127X"
    assert "error" not in events.names()
    sim.set_fault("bad_checksum")
    with pytest.raises(ProtocolError):
        reader.read_card(timeout=2)
    assert events.wait("error", code="bad_checksum").data["action"] == "reset"


def test_reader_that_stops_answering_goes_offline_and_recovers(rig):
    sim, reader, events = rig
    sim.set_fault("no_answer")
    wait_status(reader, DeviceStatus.OFFLINE)  # found by the idle health check, no call needed
    with pytest.raises(DeviceUnavailable):
        reader.read_card(timeout=0.5)
    sim.clear_faults()
    wait_status(reader, DeviceStatus.ONLINE)
    sim.place("I")
    assert reader.read_card(timeout=2).english_name == "MARTINEZ GARCIA MARIA ELENA"


def test_unplug_mid_read_goes_offline_and_replug_comes_back_without_thread_leak(rig):
    sim, reader, events = rig
    sim.place("resident")
    assert reader.read_card(timeout=2)
    baseline = len(threading.enumerate())
    for _ in range(3):
        sim.set_fault("unplug_mid_read", count=1)
        with pytest.raises((DeviceUnavailable, DeviceTimeout)):
            reader.read_card(timeout=2)
        wait_status(reader, DeviceStatus.OFFLINE)
        time.sleep(0.3)  # a few failed reconnect attempts while the port is gone
        assert reader.status == DeviceStatus.OFFLINE
        sim.handle_control({"cmd": "replug"})
        wait_status(reader, DeviceStatus.ONLINE)
        assert reader.read_card(timeout=2).name == "李建国"
    assert len(threading.enumerate()) == baseline
    assert reader.alive


def test_card_removed_mid_read_asks_to_place_it_again(rig):
    sim, reader, events = rig
    sim.place("resident")
    sim.set_fault("remove_mid_read", count=1)
    with pytest.raises(p.CardReadFailed) as info:
        reader.read_card(timeout=0.8)
    assert info.value.message_zh == "请重新放置身份证"
    error = events.wait("error")
    assert error.data["message_zh"] == "请重新放置身份证" and error.data["action"] == "clear"


def test_read_failure_while_polling_is_reported_once_then_read_succeeds(rig):
    sim, reader, events = rig
    sim.set_fault("read_fail", count=2)
    reader.set_polling(True)
    sim.place("resident_rare")
    read = events.wait("card_read", timeout=4)
    assert read.data["card"].name.startswith("陈")
    errors = [e for e in events.items if e.name == "error"]
    assert len(errors) == 1 and errors[0].data["code"] == "read_failed"
    assert errors[0].data["message_zh"] == "请重新放置身份证"


def test_sam_self_test_failure_is_a_hardware_error_needing_maintenance(rig):
    sim, reader, events = rig
    sim.place("resident")
    sim.set_fault("sam_fail")
    with pytest.raises(p.SamFault):
        reader.read_card(timeout=1)
    assert reader.status == DeviceStatus.HARDWARE_ERROR
    error = events.wait("error", code="sam_self_test_failed")
    assert error.data["action"] == "maintenance"
    sim.clear_faults()
    wait_status(reader, DeviceStatus.ONLINE)  # the idle SAM status check sees it recover
    assert reader.read_card(timeout=2).name == "李建国"


def test_slow_reader_within_timeout_works_and_too_slow_goes_offline(rig):
    sim, reader, _ = rig
    sim.place("resident")
    sim.set_fault("slow", seconds=0.15)
    assert reader.read_card(timeout=2).name == "李建国"
    sim.set_fault("slow", seconds=1.0)
    # whichever notices first — this read or the idle SAM check — the reader is declared offline
    with pytest.raises((DeviceTimeout, DeviceUnavailable)):
        reader.read_card(timeout=2)
    wait_status(reader, DeviceStatus.OFFLINE)
    assert isinstance(reader.last_error, DeviceTimeout)
    sim.clear_faults()
    wait_status(reader, DeviceStatus.ONLINE, timeout=6)


def test_cancel_aborts_a_pending_card_wait(rig):
    _, reader, _ = rig
    outcome = []

    def wait_for_card():
        try:
            reader.read_card(timeout=10)
        except OperationCancelled as exc:
            outcome.append(exc)

    worker = threading.Thread(target=wait_for_card)
    started = time.monotonic()
    worker.start()
    time.sleep(0.4)
    reader.cancel()
    worker.join(3)
    assert outcome and time.monotonic() - started < 2.0
    with pytest.raises(p.CardNotPresent):  # a cancel before a call does not poison the next call
        reader.read_card(timeout=0.4)
    task_cancel = threading.Event()
    threading.Timer(0.3, task_cancel.set).start()
    started = time.monotonic()
    with pytest.raises(OperationCancelled):
        reader.read_card(timeout=10, cancel=task_cancel)
    assert time.monotonic() - started < 1.5


def test_close_is_idempotent_and_calls_after_close_fail_fast(rig):
    _, reader, _ = rig
    reader.close()
    reader.close()
    assert not reader.alive
    with pytest.raises(DeviceUnavailable):
        reader.read_card(timeout=0.5)


def test_missing_port_is_offline_not_a_crash(tmp_path):
    reader = IdCardReader(str(tmp_path / "nothing-here"), reply_timeout=0.2)
    try:
        reader.start()
        wait_status(reader, DeviceStatus.OFFLINE)
        with pytest.raises(DeviceUnavailable):
            reader.read_card(timeout=0.3)
        assert reader.last_error is not None and reader.last_error.message_zh == "无法打开设备端口"
    finally:
        reader.close()


def test_low_baud_rate_read(tmp_path):
    with IdCardSimulator(transport="pty", link=tmp_path / "slow", baudrate=9600, card="Y") as sim:
        reader = IdCardReader(sim.url, baudrate=9600, reply_timeout=0.3)
        with reader:
            wait_status(reader, DeviceStatus.ONLINE)
            started = time.monotonic()
            assert reader.read_card(timeout=3).nationality == "GBR"
            assert time.monotonic() - started >= 1295 * 10 / 9600  # paced like the real wire
