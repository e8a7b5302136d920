"""ID-card reader figures: reply decode time, and end-to-end find+select+read vs the wire time of its bytes.

Run: ``.venv/bin/python bench/bench_idcard.py [--runs N] [--reads N]``. Targets: decoding a 1295-byte
basic-info reply < 0.2 ms; software overhead of a read at 115200 baud < 10 % of the wire time.

The simulator paces only what it sends (the replies); the host's three 10-byte commands cross a pty or
loopback socket instantly. Overhead is therefore measured against the paced reply bytes — the strict
reading — and expressed as a share of the full wire time (commands + replies).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.base import DeviceStatus  # noqa: E402
from devices.idcard import protocol as p  # noqa: E402
from devices.idcard.driver import IdCardReader  # noqa: E402
from devices.idcard.identities import sample_card  # noqa: E402
from devices.idcard.simulator import IdCardSimulator  # noqa: E402
from devices.idcard.textblock import decode_text_block, encode_text_block  # noqa: E402
from devices.transport import wire_seconds  # noqa: E402

COMMAND_BYTES = 3 * 10
REPLY_BYTES = 15 + 19 + 1295  # find (9F + 4), select (90 + 8), read basic info


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_decode(runs: int) -> None:
    card = sample_card("resident_rare")
    frame = p.encode_read_reply(encode_text_block(card), bytes(card.photo_wlt))
    assert len(frame) == 1295
    frame_only, full = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        (reply,) = p.FrameDecoder().feed(frame)
        t1 = time.perf_counter()
        text, _photo, _fp = p.split_read_reply(reply.data)
        decode_text_block(text)
        t2 = time.perf_counter()
        frame_only.append((t1 - t0) * 1e3)
        full.append((t2 - t0) * 1e3)
    print(f"decode 1295-byte 30 01 reply, {runs} runs (target < 0.2 ms):")
    print(f"  frame (preamble, LEN, CHK):        median {statistics.median(frame_only):.4f} ms  "
          f"p99 {pct(frame_only, 0.99):.4f} ms")
    print(f"  frame + text block -> IdCard:       median {statistics.median(full):.4f} ms  "
          f"p99 {pct(full, 0.99):.4f} ms")


def bench_read(transport: str, reads: int, baud: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kwargs = {"link": Path(tmp) / "idcard"} if transport == "pty" else {}
        with IdCardSimulator(transport=transport, baudrate=baud, card="resident", **kwargs) as sim:
            reader = IdCardReader(sim.url, baudrate=baud)
            with reader:
                deadline = time.monotonic() + 5
                while reader.status != DeviceStatus.ONLINE and time.monotonic() < deadline:
                    time.sleep(0.01)
                reader.read_card(timeout=2)  # warm-up
                times = []
                for _ in range(reads):
                    t0 = time.perf_counter()
                    reader.read_card(timeout=2).wipe()
                    times.append((time.perf_counter() - t0) * 1e3)
    wire_all = wire_seconds(COMMAND_BYTES + REPLY_BYTES, baud) * 1e3
    wire_paced = wire_seconds(REPLY_BYTES, baud) * 1e3
    med, p99 = statistics.median(times), pct(times, 0.99)
    print(f"find+select+read via read_card(), {transport}, {baud} baud, {reads} reads (target overhead < 10%):")
    print(f"  wire time: {wire_all:.2f} ms for {COMMAND_BYTES + REPLY_BYTES} bytes "
          f"({wire_paced:.2f} ms of it the paced replies)")
    print(f"  measured:  median {med:.2f} ms  p99 {p99:.2f} ms  min {min(times):.2f} ms")
    print(f"  overhead:  median {med - wire_paced:.2f} ms = {100 * (med - wire_paced) / wire_all:.1f}% "
          f"of wire time (p99 {100 * (p99 - wire_paced) / wire_all:.1f}%)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000, help="decode repetitions")
    parser.add_argument("--reads", type=int, default=40, help="end-to-end reads per transport")
    parser.add_argument("--baud", type=int, default=115200)
    args = parser.parse_args()
    bench_decode(args.runs)
    for transport in ("pty", "tcp"):
        bench_read(transport, args.reads, args.baud)
    return 0


if __name__ == "__main__":
    sys.exit(main())
