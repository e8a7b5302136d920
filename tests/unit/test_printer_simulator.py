"""PrinterSimulator's byte handling without a port: status answers, job framing, garbage tolerance."""
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer.document import Document, Text
from devices.printer.encoder import encode
from devices.printer.simulator import PrinterSimulator


def run(sim, data):
    reply = sim.on_bytes(data)
    while sim.step():
        pass
    return reply


def test_status_queries_answer_from_state_even_mid_job():
    sim = PrinterSimulator(pace=False, profile="epson-tm-t88")  # has a near-end sensor: out = 7E
    assert run(sim, b"\x10\x04\x01\x10\x04\x04") == b"\x12\x12"
    sim.control("paper_out")
    job = encode(Document([Text("中文")]))
    assert run(sim, job[:10] + b"\x10\x04\x01" + job[10:] + b"\x10\x04\x02\x10\x04\x04") == b"\x1a\x32\x7e"
    assert sim.jobs == []  # held while the paper is out
    sim.control("paper_loaded")
    run(sim, b"")
    assert len(sim.jobs) == 1 and bytes(sim.jobs[0].raw) == job and sim.jobs[0].complete


def test_model_without_near_end_sensor_reports_paper_end_only():
    sim = PrinterSimulator(pace=False)
    sim.control("paper_low")
    assert run(sim, b"\x10\x04\x04") == b"\x12"
    sim.control("paper_out")
    assert run(sim, b"\x10\x04\x04") == b"\x72"


def test_dle_enq_2_drops_the_held_rest_of_a_job():
    sim = PrinterSimulator(pace=False)
    job = encode(Document([Text("第一行"), Text("第二行")]))
    sim.control("paper_out", after_bytes=20)
    run(sim, job)
    assert sim.paper == "out" and sim.consumed == 20
    run(sim, b"\x10\x05\x02")
    sim.control("paper_loaded")
    run(sim, b"")
    assert len(sim.jobs) == 1 and not sim.jobs[0].complete
    # what was processed is a prefix; a half line still in the line buffer is never printed
    assert job.startswith(bytes(sim.jobs[0].raw)) and len(sim.jobs[0].raw) <= 20
    assert "第二行" not in sim.jobs[0].text


def test_cutter_jam_latches_until_cleared_and_recovered():
    sim = PrinterSimulator(pace=False)
    sim.control("cutter_jam")
    run(sim, encode(Document([Text("x")])))
    assert run(sim, b"\x10\x04\x03") == b"\x1a"
    run(sim, b"\x10\x05\x02")
    assert sim.cutter_error  # still jammed
    sim.control("cutter_clear")
    run(sim, b"\x10\x05\x02")
    assert run(sim, b"\x10\x04\x01\x10\x04\x03") == b"\x12\x12"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=120), max_size=12))
def test_arbitrary_bytes_in_any_chunking_never_crash_the_simulator(chunks):
    sim = PrinterSimulator(pace=False)
    for chunk in chunks:
        reply = run(sim, chunk)
        assert all((b & 0x93) == 0x12 for b in reply)  # only well-formed status bytes ever come back
    sim.on_disconnect()
