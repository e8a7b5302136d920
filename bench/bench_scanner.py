"""QR scanner figures: decode cost per scan, and scan → ``scan_read`` event latency over the simulator.

Run: ``.venv/bin/python bench/bench_scanner.py [--runs N] [--scans N]``.

* decode: ``ScanDecoder.feed`` + de-dup for a 随申码-sized URL (UTF-8) and a 200-byte GB18030 payload,
  whole and cut into 8-byte pieces (what a USB-CDC scanner's small packets look like);
* latency: from the simulator starting to write a scan (paced at the baud rate, as a UART delivers it) to
  the driver's ``scan_read`` event, on a pty and on socket://, with a CR suffix and without a suffix (where
  the 50 ms silence is part of the latency by definition). The wire time of the bytes is printed beside it:
  latency minus wire time is what the software adds;
* recovery: unplug mid-scan, stay away, replug — seconds until the driver is connected again.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.scanner.driver import Scanner  # noqa: E402
from devices.scanner.protocol import Deduper, ScanDecoder  # noqa: E402
from devices.scanner.simulator import ScannerSimulator  # noqa: E402
from devices.transport import wire_seconds  # noqa: E402

URL = "https://ssm.sh.gov.cn/c/" + "Q7xK2pLm9RtV4wZs8NbYc3Hd"  # the simulator's 随申码 shape
GB = ("证照统一物流取件码 " * 12)[:100]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_decode(runs: int) -> None:
    print(f"decode + de-dup, {runs} runs per case (µs per scan):")
    for label, payload in (("随申码 URL, UTF-8", URL.encode() + b"\r"),
                           ("GB18030 text", GB.encode("gb18030") + b"\r")):
        for pieces in (1, len(payload) // 8 + 1):
            size = -(-len(payload) // pieces)
            chunks = [payload[i:i + size] for i in range(0, len(payload), size)]
            times = []
            decoder, dedupe = ScanDecoder("CR"), Deduper(2.0)
            for n in range(runs):
                t0 = time.perf_counter()
                for chunk in chunks:
                    for scan in decoder.feed(chunk, n * 3.0):
                        dedupe.accept(scan.raw, n * 3.0)
                times.append((time.perf_counter() - t0) * 1e6)
            print(f"  {label:18s} {len(payload) - 1:4d} B in {len(chunks):3d} piece(s): "
                  f"median {statistics.median(times):7.1f} µs  p95 {pct(times, 0.95):7.1f} µs")


def bench_latency(transport: str, profile: str, baud: int, scans: int) -> None:
    got = threading.Event()
    stamp: list[float] = []

    def on_event(event) -> None:
        if event.name == "scan_read":
            stamp.append(time.perf_counter())
            got.set()

    with tempfile.TemporaryDirectory() as tmp:
        kwargs = {"link": Path(tmp) / "scanner"} if transport == "pty" else {}
        with ScannerSimulator(transport=transport, profile=profile, baudrate=baud, **kwargs) as sim:
            scanner = Scanner(sim.url, profile=profile, baudrate=baud, dedupe_s=0.0001)
            scanner.subscribe(on_event)
            with scanner:
                if not scanner.wait_attempted(5) or not scanner.connected or not sim.wait_host(5):
                    raise SystemExit(f"scanner did not connect to {sim.url}")
                times = []
                for i in range(scans + 1):
                    got.clear()
                    text = f"{URL}{i:04d}"
                    t0 = time.perf_counter()
                    sim.scan(text)
                    if not got.wait(5):
                        raise SystemExit("no scan_read within 5 s")
                    if i:  # the first is warm-up
                        times.append((stamp[-1] - t0) * 1e3)
                    time.sleep(0.06)  # a suffix-less scanner's gap before the next scan
    nbytes = len(URL) + 4 + (0 if profile == "generic-none" else 1)
    wire = wire_seconds(nbytes, baud) * 1e3
    print(f"  {transport:3s} {profile:12s} {baud:6d} baud: wire {wire:6.2f} ms  latency median "
          f"{statistics.median(times):6.2f} ms  p95 {pct(times, 0.95):6.2f} ms  max {max(times):6.2f} ms")


def bench_recovery(transport: str, rounds: int, away: float) -> None:
    """Unplug for ``away`` seconds (the backoff grows meanwhile), replug, time until the driver is connected."""
    with tempfile.TemporaryDirectory() as tmp:
        kwargs = {"link": Path(tmp) / "scanner"} if transport == "pty" else {}
        with ScannerSimulator(transport=transport, profile="generic-cr", **kwargs) as sim:
            with Scanner(sim.url, profile="generic-cr") as scanner:
                scanner.wait_attempted(5)
                times = []
                for _ in range(rounds):
                    sim.handle_control({"cmd": "unplug_mid_scan", "text": URL})
                    deadline = time.monotonic() + 5
                    while scanner.connected and time.monotonic() < deadline:
                        time.sleep(0.005)
                    time.sleep(away)
                    sim.handle_control({"cmd": "replug"})
                    t0 = time.perf_counter()
                    while not scanner.connected and time.perf_counter() - t0 < 10:
                        time.sleep(0.005)
                    times.append(time.perf_counter() - t0)
    print(f"  {transport:3s}: median {statistics.median(times):.2f} s  max {max(times):.2f} s "
          f"({rounds} rounds, {away:.0f} s away each)")


def bench_identify(scans: int) -> None:
    """随申码 shown → scanner sim (pty, 9600, CR) → driver → ``auth_ssm`` on the loopback HTTPS gateway → session.

    The part of issue 17's "scan → menu drawn" that needs no app; the screen change adds the bridge and one
    frame (docs/PERFORMANCE.md §6 has touch → next screen drawn for that part)."""
    from kiosk.backend.client import GatewayClient
    from kiosk.backend.signing import load_secret
    from kiosk.backend.simulator.server import DEV_SECRET_FILE, DEV_TLS, GatewaySimulator

    with tempfile.TemporaryDirectory() as tmp, GatewaySimulator(port=0) as gateway, \
            ScannerSimulator(link=Path(tmp) / "scanner", profile="generic-cr") as sim, \
            Scanner(sim.url, profile="generic-cr") as scanner, \
            GatewayClient(gateway.base_url, terminal_id="SH-JA-NJXL-01", secret=load_secret(DEV_SECRET_FILE),
                          ca_bundle=DEV_TLS / "ca.pem") as client:
        scanner.wait_attempted(5)
        scan_ms, total_ms = [], []
        for i in range(scans + 1):
            code = gateway.routes.scan.ssm_issue()
            before = scanner.scan_count
            t0 = time.perf_counter()
            sim.scan(code)
            scan = scanner.wait_scan(5, since=before)
            t1 = time.perf_counter()
            client.auth_ssm(scan.text)
            t2 = time.perf_counter()
            if i:
                scan_ms.append((t1 - t0) * 1e3)
                total_ms.append((t2 - t0) * 1e3)
    wire = wire_seconds(len(code) + 1, 9600) * 1e3
    print(f"  {len(code)}-byte code at 9600 baud (wire {wire:.2f} ms): scan read median "
          f"{statistics.median(scan_ms):.2f} ms; scan → session median {statistics.median(total_ms):.2f} ms, "
          f"p95 {pct(total_ms, 0.95):.2f} ms, max {max(total_ms):.2f} ms ({scans} codes)")


def main() -> None:
    import logging

    logging.getLogger("devices").setLevel(logging.ERROR)  # the unplug rounds' "scanner lost" warnings are expected
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5000)
    ap.add_argument("--scans", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=6, help="unplug/replug rounds per transport")
    ap.add_argument("--away", type=float, default=3.0, help="seconds unplugged per round")
    args = ap.parse_args()
    bench_decode(args.runs)
    print(f"scan → scan_read event, {args.scans} scans per case ({len(URL) + 4}-byte payload):")
    for transport in ("pty", "tcp"):
        for profile, baud in (("generic-cr", 9600), ("generic-cr", 115200), ("generic-none", 9600)):
            bench_latency(transport, profile, baud, args.scans)
    print("随申码 shown → session from the loopback gateway (POST /v1/auth/ssm, kept-alive HTTPS):")
    bench_identify(args.scans)
    print("unplug mid-scan → replug → connected again (target < 2 s):")
    for transport in ("pty", "tcp"):
        bench_recovery(transport, args.rounds, args.away)


if __name__ == "__main__":
    main()
