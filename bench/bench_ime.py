"""Figures for the pinyin IME, printed, never asserted.

1. Candidate lookup per keystroke, as the keyboard calls it on the UI thread: complaint and address texts
   typed letter by letter into a freshly opened engine (cold cache, then warm), each keystroke asking for
   all candidates of the whole composition; then picks, each consuming the letters it reads, as on screen.
2. Opening the index (what the keyboard's worker does at first use) and, with ``--build``, building it.

Run: ``.venv/bin/python bench/bench_ime.py [--rounds N] [--build]``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_session import show  # noqa: E402  (the same p50/p95/max line as the session bench)

#: what residents type: 12345 complaints and delivery addresses, as pinyin a resident would key in
TEXTS = [
    "xiaoqumenkouludenghuaile", "shequweixiu", "wanshangfeichanghei", "qingjinkuaixiuli",
    "louxiayouzaoyin", "yejianshigongyingxiangxiuxi", "nanjingxilu", "jinganqu", "gonggongweishengjian",
    "lajifenleitoufangdian", "tingchechangshoufeibuheli", "laonianrenyouhuizheng", "yiliaobaoxianbaoxiao",
    "juzhuzhengbanli", "xianzaiwomenxuyaobangzhu", "lvsechuxing", "womenxiwangnengjinkuaichuli",
    "shanghaishipudongxinqu", "shijidadaoyiqianhao", "xiashuidaodusaile",
]


def type_text(engine, text: str, times: list[float]) -> None:
    """Key the whole of ``text`` in letter by letter (up to 27 letters in one composition: the worst case,
    a resident picks sooner), then pick the first candidate until nothing is left; time every lookup."""
    composing = ""
    for letter in text:
        composing += letter
        started = time.perf_counter()
        cands = engine.candidates(composing, limit=None)
        times.append(time.perf_counter() - started)
        assert cands, composing
    while composing:
        started = time.perf_counter()
        cands = engine.candidates(composing)
        times.append(time.perf_counter() - started)
        composing = composing[cands[0].letters:]


def bench_keystrokes(rounds: int) -> None:
    from kiosk.ime import PinyinEngine

    cold, warm = [], []
    for _ in range(rounds):
        engine = PinyinEngine.open()        # a fresh engine: its cache starts empty, as after a restart
        for text in TEXTS:
            type_text(engine, text, cold)
        for text in TEXTS:
            type_text(engine, text, warm)
        engine.close()
    show("keystroke lookup, cold cache (per keystroke)", cold)
    show("keystroke lookup, warm cache (per keystroke)", warm)


def bench_open(rounds: int) -> None:
    from kiosk.ime import PinyinEngine, default_index_path

    opens, first = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        engine = PinyinEngine.open()
        opens.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.candidates("shequ")
        first.append(time.perf_counter() - started)
        engine.close()
    show("open the index (worker, first use)", opens)
    show("first lookup after open ('shequ')", first)
    path = default_index_path()
    print(f"index: {path} — {path.stat().st_size / 1e6:.1f} MB")


def bench_build() -> None:
    from kiosk.ime import build_index

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_index(Path(tmp) / "ime.sqlite3")
        print(f"build the index from jieba + pypinyin: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--build", action="store_true", help="also time a full index build (~15 s)")
    args = parser.parse_args()
    import psutil

    import os

    print(f"load average {os.getloadavg()[0]:.2f}")
    rss = psutil.Process().memory_info().rss
    bench_open(args.rounds)
    bench_keystrokes(args.rounds)
    print(f"RSS growth from opening and typing (what the kiosk pays): "
          f"{(psutil.Process().memory_info().rss - rss) / 1e6:.1f} MB")
    if args.build:
        bench_build()   # last: it loads pypinyin's and jieba's tables, which the kiosk never does


if __name__ == "__main__":
    main()
