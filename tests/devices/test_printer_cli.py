"""`kiosk device printer status/test`, `kiosk receipt preview`, `kiosk sim printer-ctl` against the simulator."""
import json

import pytest
from PIL import Image as PILImage

from devices.printer.simulator import PrinterSimulator
from kiosk.cli import main

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def sim(tmp_path):
    s = PrinterSimulator(link=tmp_path / "printer", out_dir=tmp_path / "out", control_port=0,
                         profile="epson-tm-t88").start()
    yield s
    s.stop()


def status(sim, capsys, *extra):
    code = main(["device", "printer", "status", "--port", sim.url, "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_status_ready(sim, capsys):
    code, out = status(sim, capsys)
    assert code == 0
    assert out == {"online": True, "paper": "ok", "cover_open": False, "cutter_error": False, "raw": [18] * 4}


def test_status_paper_low_is_still_ready(sim, capsys):
    sim.control("paper_low")
    code, out = status(sim, capsys, "--profile", "epson-tm-t88")
    assert code == 0 and out["paper"] == "low" and out["raw"] == [0x12, 0x12, 0x12, 0x1E]


def test_status_not_ready(sim, capsys):
    sim.control("paper_out")
    code, out = status(sim, capsys)
    assert code == 5 and out["paper"] == "out" and out["online"] is False and out["raw"] == [0x1A, 0x32, 0x12, 0x7E]
    sim.control("paper_loaded")
    sim.control("cover_open")
    code, out = status(sim, capsys)
    assert code == 5 and out["cover_open"] is True and out["raw"][:2] == [0x1A, 0x16]
    sim.control("cover_closed")
    sim.control("cutter_jam")
    sim.control("offline")
    code, out = status(sim, capsys)
    assert code == 5 and out["online"] is False


def test_status_no_answer(sim, capsys):
    sim.handle_control({"cmd": "silent"})
    code, out = status(sim, capsys)
    assert code == 4 and out == {"online": None, "paper": "unknown", "cover_open": None, "cutter_error": None,
                                 "raw": [None, None, None, None]}


def test_status_on_a_missing_port(tmp_path, capsys):
    assert main(["device", "printer", "status", "--port", str(tmp_path / "none")]) == 4
    assert "printer unavailable" in capsys.readouterr().err


def test_human_readable_status(sim, capsys):
    sim.control("cover_open")
    assert main(["device", "printer", "status", "--port", sim.url]) == 5
    out = capsys.readouterr().out
    assert "打印机盖未合上" in out and "1A 16 12 12" in out


def test_test_page_is_printed(sim, capsys):
    assert main(["device", "printer", "test", "--port", sim.url, "--profile", "epson-tm-t88"]) == 0
    assert "test page printed" in capsys.readouterr().out
    jobs = sim.wait_jobs(1, complete=True)
    assert "打印机自检页" in jobs[0].text and jobs[0].qr_count == 1


def test_test_page_when_paper_out(sim, capsys):
    sim.control("paper_out")
    assert main(["device", "printer", "test", "--port", sim.url]) == 5
    assert "打印纸用完" in capsys.readouterr().err


def test_printer_ctl_talks_to_the_control_port(sim, capsys):
    assert main(["sim", "printer-ctl", "--control", str(sim.control_port), "paper_out", "--after-bytes", "100"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(["sim", "printer-ctl", "--control", str(sim.control_port), "cover_open"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["cover_open"] is True and reply["raw"][1] == 0x16


@pytest.mark.parametrize("kind", ["ticket", "receipt", "record", "guide", "licence", "test"])
def test_receipt_preview(kind, tmp_path, capsys):
    out = tmp_path / f"{kind}.png"
    assert main(["receipt", "preview", kind, "--out", str(out)]) == 0
    assert PILImage.open(out).width == 576


def test_simulator_as_a_process(tmp_path):
    import re
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "sim", "printer", "--tcp", "0", "--control", "0",
                             "--out", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"on (socket://\S+) \(control (\d+)", line)
        assert m, line
        url, control = m.group(1), m.group(2)
        run = [sys.executable, "-m", "kiosk.cli"]
        out = subprocess.run(run + ["sim", "printer-ctl", "--control", control, "paper_out"], capture_output=True,
                             text=True, timeout=20)
        assert out.returncode == 0 and '"paper": "out"' in out.stdout
        status = subprocess.run(run + ["device", "printer", "status", "--port", url, "--json"], capture_output=True,
                                text=True, timeout=20)
        assert status.returncode == 5 and json.loads(status.stdout)["paper"] == "out"
        subprocess.run(run + ["sim", "printer-ctl", "--control", control, "paper_loaded"], timeout=20, check=True,
                       capture_output=True)
        test = subprocess.run(run + ["device", "printer", "test", "--port", url], capture_output=True, text=True,
                              timeout=40)
        assert test.returncode == 0, test.stderr
        assert wait_for_file(tmp_path / "out" / "job-0001.png")
    finally:
        proc.terminate()
        proc.wait(10)


def wait_for_file(path, timeout=10.0):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.05)
    return False
