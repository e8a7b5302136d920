"""`kiosk device scanner read/status` and `kiosk sim scanner-ctl`, over a real pty and over socket://.

An independent scanner will be pointed at `kiosk device scanner read`, so besides our simulator these tests
play a foreign scanner: a bare pty (or TCP server) written by the test itself, with CR, CRLF, TAB and no
suffix, split writes and noise, and run the command as a separate process exactly as documented.
"""
from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
import tty

import pytest
from scanner_support import wait_until

from devices.scanner.simulator import ScannerSimulator
from kiosk.cli import main

pytestmark = pytest.mark.timeout(60)
KIOSK = [sys.executable, "-m", "kiosk.cli"]


def run_read(port: str, *extra: str, timeout: float = 8.0) -> subprocess.Popen:
    return subprocess.Popen([*KIOSK, "device", "scanner", "read", "--port", port, "--timeout", str(timeout),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class ForeignPty:
    """A pty whose master this test writes like a scanner would; the command opens the slave path."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave  # kept open so writes before the command opens it are not an error

    def opened(self, proc: subprocess.Popen, timeout: float = 10.0) -> None:
        """Wait until the command holds the slave open (its open flushes input: write after that)."""
        deadline = time.monotonic() + timeout
        target = os.path.realpath(self.path)
        while time.monotonic() < deadline:
            fd_dir = f"/proc/{proc.pid}/fd"
            try:
                if any(os.path.realpath(os.path.join(fd_dir, fd)) == target for fd in os.listdir(fd_dir)):
                    return
            except (FileNotFoundError, ProcessLookupError):
                pass
            time.sleep(0.02)
        raise AssertionError("the command never opened the pty")

    def reading(self, timeout: float = 10.0) -> None:
        """Wait until the command's open has flushed the line: a NUL (line noise to any decoder) is written
        and the slave watched until it holds no input. Only the open's flush or the command's read can empty
        it, and either means the flush is behind us — no fixed pause that a loaded machine outruns.

        The slave is asked with select(), not FIONREAD: a write to the master reaches the slave's line
        discipline through a kernel work item, and on a loaded machine FIONREAD still reads 0 before the NUL
        has arrived; a poll of the slave first waits for that work, so "not readable" is the truth."""
        os.write(self.master, b"\x00")
        deadline = time.monotonic() + timeout
        while select.select([self._slave], [], [], 0)[0]:
            if time.monotonic() > deadline:
                raise AssertionError("the command never read the pty")
            time.sleep(0.01)

    def write(self, *pieces: bytes, gap: float = 0.0) -> None:
        for i, piece in enumerate(pieces):
            if i and gap:
                time.sleep(gap)
            os.write(self.master, piece)

    def close(self) -> None:
        for fd in (self.master, self._slave):
            os.close(fd)


@pytest.fixture
def fpty():
    p = ForeignPty()
    yield p
    p.close()


# The default profile ends a suffix-less scan on 50 ms of silence (until it has seen a suffix), so its split
# and noise cases write back to back; slow splits are read with a suffix profile, where a pause ends nothing.
@pytest.mark.parametrize("pieces,gap,profile,expect", [
    ((b"https://ssm.sh.gov.cn/c/8F3A\r",), 0, "generic", "https://ssm.sh.gov.cn/c/8F3A"),
    ((b"4711-0815\r\n",), 0, "generic", "4711-0815"),
    ((b"TABBED\t",), 0, "generic", "TABBED"),
    ((b"NOSUFFIX",), 0, "generic", "NOSUFFIX"),
    ((b"SPL", b"IT-", b"WRITE\r"), 0, "generic", "SPLIT-WRITE"),
    ((b"\x00\xff\xfe\x1b\x07\x00", b"AFTER-NOISE\r"), 0, "generic", "AFTER-NOISE"),
    ((b"SLOW-", b"SPLIT-", b"WRITE\r"), 0.2, "generic-cr", "SLOW-SPLIT-WRITE"),
    ((b"SLOW-", b"CRLF\r", b"\n"), 0.2, "generic-crlf", "SLOW-CRLF"),
])
def test_read_from_a_foreign_pty(fpty, pieces, gap, profile, expect):
    proc = run_read(fpty.path, "--json", "--profile", profile)
    fpty.opened(proc)
    fpty.reading()
    fpty.write(*pieces, gap=gap)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert json.loads(out) == {"text": expect, "raw_hex": expect.encode().hex(), "encoding": "utf-8"}


def test_read_gb18030_from_a_foreign_pty_plain_output(fpty):
    proc = run_read(fpty.path, "--baud", "115200")
    fpty.opened(proc)
    fpty.reading()
    fpty.write("预约签到 B-0193".encode("gb18030") + b"\r")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out == "预约签到 B-0193\n"


def test_read_nothing_exits_3(fpty):
    proc = run_read(fpty.path, timeout=1.0)
    fpty.opened(proc)
    fpty.write(b"\x00\x00\xff\xff")  # noise only
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3 and out == "" and "未扫描到" in err


@pytest.mark.parametrize("kind", ["path", "tcp"])
def test_read_port_that_cannot_open_exits_4(kind):
    # a port bound here but never listening refuses every connection, and nobody else can take it meanwhile
    # (port 1 would only be assumed free)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = "/dev/kiosk-no-such-scanner" if kind == "path" else f"socket://127.0.0.1:{held.getsockname()[1]}"
        proc = run_read(port, "--json", timeout=2.0)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 4 and out == "" and "无法打开" in err


def test_read_over_socket_from_a_foreign_tcp_scanner():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            time.sleep(0.2)
            conn.sendall("随申码:".encode("gb18030"))
            time.sleep(0.2)  # a slow split: with a suffix profile a pause ends nothing
            conn.sendall(b"Q1W2E3\r\n")
            time.sleep(1.0)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        proc = run_read(f"socket://127.0.0.1:{port}", "--json", "--profile", "generic-crlf")
        out, err = proc.communicate(timeout=30)
    finally:
        server.close()
    assert proc.returncode == 0, err
    raw = "随申码:".encode("gb18030") + b"Q1W2E3"
    assert json.loads(out) == {"text": "随申码:Q1W2E3", "raw_hex": raw.hex(), "encoding": "gb18030"}


@pytest.fixture(params=["pty", "tcp"])
def sim(request, tmp_path):
    kw = {"link": tmp_path / "scanner"} if request.param == "pty" else {}
    s = ScannerSimulator(transport=request.param, control_port=0, profile="honeywell-serial", **kw).start()
    yield s
    s.stop()


def test_read_against_the_simulator_driven_by_scanner_ctl(sim, capsys):
    proc = run_read(sim.url, "--json", "--profile", "honeywell-serial")
    assert wait_until(lambda: "query" in sim.commands_seen)  # connected and asked
    assert main(["sim", "scanner-ctl", "--control", str(sim.control_port), "noise"]) == 0
    assert main(["sim", "scanner-ctl", "--control", str(sim.control_port), "split", "门诊预约 7781",
                 "--encoding", "gb18030"]) == 0
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert json.loads(out)["text"] == "门诊预约 7781" and json.loads(out)["encoding"] == "gb18030"
    replies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["ok"] for r in replies] == [True, True] and replies[1]["sent"] is True


def test_status_answers_and_silent(sim, capsys):
    assert main(["device", "scanner", "status", "--port", sim.url, "--profile", "honeywell-serial", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"port": sim.url, "profile": "honeywell-serial",
                                                   "port_open": True, "answers": True}
    sim.handle_control({"cmd": "silent"})
    assert main(["device", "scanner", "status", "--port", sim.url, "--profile", "honeywell-serial",
                 "--timeout", "0.5", "--json"]) == 5
    assert json.loads(capsys.readouterr().out)["answers"] is False


def test_status_without_query_and_with_no_port(sim, capsys):
    assert main(["device", "scanner", "status", "--port", sim.url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answers"] is None
    assert main(["device", "scanner", "status", "--port", "/dev/kiosk-no-such-scanner", "--json"]) == 4
    assert json.loads(capsys.readouterr().out)["port_open"] is False


def test_ctl_unplug_replug_and_unknown_profile(tmp_path, capsys):
    # pty only: an immediate TCP replug can hit simbase's port re-binding race (being fixed in simbase)
    sim = ScannerSimulator(link=tmp_path / "scanner", control_port=0).start()
    try:
        ctl_commands(sim, capsys)
    finally:
        sim.stop()


def ctl_commands(sim, capsys) -> None:
    ctl = ["sim", "scanner-ctl", "--control", str(sim.control_port)]
    assert main([*ctl, "unplug"]) == 0 and sim.plugged is False
    assert main([*ctl, "scan", "X"]) == 0 and json.loads(capsys.readouterr().out.splitlines()[-1])["sent"] is False
    assert main([*ctl, "replug"]) == 0 and sim.plugged is True
    assert main([*ctl, "scan"]) == 2  # TEXT missing
    assert main(["device", "scanner", "read", "--port", sim.url, "--timeout", "1", "--profile", "nope"]) == 2
    assert "未知的扫码器型号配置" in capsys.readouterr().err
