"""Printer encoder benchmark: our encoder vs python-escpos 3.1 (Dummy printer) building the same receipts.

    .venv/bin/python bench/bench_printer.py [--rounds N]

Prints, for a queue ticket and a 3-page record printout: median time per receipt for ours (layout function
+ encode, i.e. the whole path from data to bytes) and for python-escpos fed the already laid-out lines
(styles, wrapped text, QR, cuts — so it does less work than ours), the ratio, and bytes per receipt. Targets:
ours at least as fast; a queue ticket under 1 KB with a native QR. python-escpos is used here only; it is
never used to encode (see shared/specs/escpos-printer.md).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.printer.encoder import encode  # noqa: E402
from devices.printer.parser import EscPosParser  # noqa: E402
from kiosk.receipts import queue_ticket, record_printout  # noqa: E402

_ALIGN = {0: "left", 1: "center", 2: "right"}


def make_ticket():
    return queue_ticket("A023", "社保卡业务", "3号窗口", 7, issued_at="2026-11-27T14:03:00+08:00",
                        progress_url="https://zwdt.sh.gov.cn/q/JA03/A023",
                        terminal_name="静安区社区事务受理服务中心 自助终端 03",
                        location="上海市静安区江场三路 28 号 一楼大厅", service_en="Social security card",
                        window_en="Counter 3")


RECORD = {"title_zh": "社会保险缴费记录", "title_en": "Social-insurance payment record", "holder": "张三丰",
          "generated_at": "2026-11-27T14:03:00+08:00",
          "columns": [{"key": "month", "zh": "费款所属期"}, {"key": "base", "zh": "缴费基数"},
                      {"key": "personal", "zh": "个人缴纳"}, {"key": "status", "zh": "状态"}],
          "rows": [{"month": f"{2026 - i // 12}-{12 - i % 12:02d}", "base": "11240.00", "personal": "1180.20",
                    "status": "已到账"} for i in range(36)]}


def make_record():
    return record_printout(RECORD, rows_per_page=12, terminal_name="静安区社区事务受理服务中心 自助终端 03",
                           location="上海市静安区江场三路 28 号 一楼大厅", printed_at="2026-11-27T14:03:00+08:00")


def script_of(data: bytes) -> list[tuple]:
    """The laid-out content of our bytes as steps python-escpos can replay: same lines, styles, QR, cuts."""
    parser = EscPosParser()
    steps, style = [], {"align": 0, "size": (1, 1), "bold": False}
    for op in parser.feed(data) + parser.flush():
        if op.name == "align":
            style["align"] = op.args["n"]
        elif op.name == "size":
            style["size"] = (op.args["width"], op.args["height"])
        elif op.name == "bold":
            style["bold"] = op.args["on"]
        elif op.name == "text":
            steps.append(("text", op.args["text"], dict(style)))
        elif op.name == "qr":
            steps.append(("qr", op.args["data"].decode(), op.args["module"]))
        elif op.name == "feed":
            steps.append(("feed", op.args["n"]))
        elif op.name == "cut":
            steps.append(("cut",))
    return steps


def escpos_build(steps: list[tuple]) -> bytes:
    from escpos.printer import Dummy
    p = Dummy()
    for step in steps:
        if step[0] == "text":
            _, text, st = step
            w, h = st["size"]
            if (w, h) == (1, 1):
                p.set(align=_ALIGN[st["align"]], bold=st["bold"], normal_textsize=True)
            else:
                p.set(align=_ALIGN[st["align"]], bold=st["bold"], custom_size=True, width=w, height=h)
            p.text(text + "\n")
        elif step[0] == "qr":
            p.qr(step[1], native=True, size=step[2], ec=0)
        elif step[0] == "feed":
            p.ln(step[1])
        elif step[0] == "cut":
            p.cut(mode="PART")
    return p.output


def wire_time(baud: int) -> float:
    """Submit → job_done for one ticket: status check, paced writes, confirmation (simulator paces too)."""
    import tempfile
    import threading

    from devices.printer.driver import Printer
    from devices.printer.simulator import PrinterSimulator

    with tempfile.TemporaryDirectory() as tmp:
        sim = PrinterSimulator(link=Path(tmp) / "printer", baudrate=baud).start()
        printer = Printer(str(Path(tmp) / "printer"), baudrate=baud, poll_interval=0.2)
        done = threading.Event()
        printer.subscribe(lambda ev: done.set() if ev.name in ("job_done", "job_failed") else None)
        printer.start()
        try:
            deadline = time.monotonic() + 10
            while not printer.ready and time.monotonic() < deadline:
                time.sleep(0.02)
            start = time.monotonic()
            printer.submit(make_ticket())
            done.wait(30)
            return time.monotonic() - start
        finally:
            printer.close()
            sim.stop()


def timed(fn, rounds: int) -> tuple[float, object]:
    result = fn()  # warm-up (font loading, imports)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--wire", action="store_true", help="also time a real print through driver + simulator")
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # python-escpos warns about its media/profile guesses
    print(f"{'receipt':<22}{'ours ms':>9}{'escpos ms':>11}{'ratio':>8}{'ours B':>9}{'escpos B':>10}")
    ok = True
    for name, build in (("queue ticket", make_ticket), ("record, 3 pages", make_record)):
        steps = script_of(encode(build()))
        ours_t, ours_b = timed(lambda: encode(build()), args.rounds)
        theirs_t, theirs_b = timed(lambda: escpos_build(steps), args.rounds)
        ratio = theirs_t / ours_t
        print(f"{name:<22}{ours_t * 1e3:>9.3f}{theirs_t * 1e3:>11.3f}{ratio:>7.2f}x{len(ours_b):>9}{len(theirs_b):>10}")
        ok &= ratio >= 1.0
        if name == "queue ticket":
            native = b"\x1d\x28\x6b" in ours_b and b"\x1d\x76\x30" not in ours_b
            print(f"  ticket: {len(ours_b)} bytes, native QR {'yes' if native else 'NO'}, "
                  f"{'under' if len(ours_b) < 1024 else 'OVER'} 1 KB; "
                  f"{len(ours_b) * 10 / 9600:.2f} s at 9600 baud, {len(ours_b) * 10 / 115200 * 1e3:.0f} ms at 115200")
            ok &= native and len(ours_b) < 1024
    print(f"ratio = python-escpos time / ours (>1 means ours is faster); {args.rounds} rounds, median")
    if args.wire:
        for baud in (115200, 9600):
            print(f"ticket submit -> job_done through the driver + simulator on a pty at {baud}: "
                  f"{wire_time(baud) * 1e3:.0f} ms")
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
