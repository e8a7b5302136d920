"""``kiosk ime candidates PINYIN [--limit N] [--json]`` and ``kiosk ime build``: check the IME dictionary.

``candidates`` prints the candidates in rank order, one a line (``--json``: a JSON list of strings), exit 0;
input that is not pinyin letters (or cannot be read as syllables) → a Chinese message on stderr, exit 2.
``build`` (re)writes the index (scripts/setup.sh runs it once) and prints its path and size.
"""
from __future__ import annotations

import argparse
import json
import sys

from kiosk.cli import action_group

EXIT_NOT_PINYIN = 2
EXIT_NO_INDEX = 1


def _candidates(args: argparse.Namespace) -> int:
    from kiosk.ime import IndexError_, NotPinyin, PinyinEngine

    if args.limit is not None and args.limit < 1:
        print("--limit 须为正整数 (--limit must be a positive integer)", file=sys.stderr)
        return EXIT_NOT_PINYIN
    try:
        engine = PinyinEngine.open()
    except (IndexError_, OSError) as exc:
        print(f"输入法词库不可用 (IME index unavailable): {exc}", file=sys.stderr)
        return EXIT_NO_INDEX
    try:
        words = engine.words(args.pinyin, args.limit)
    except NotPinyin:
        print(f"“{args.pinyin}”不是拼音：只能输入字母 a–z（ü 写作 v，音节间可加 '）"
              f" (not pinyin letters)", file=sys.stderr)
        return EXIT_NOT_PINYIN
    finally:
        engine.close()
    if args.json:
        print(json.dumps(words, ensure_ascii=False))
    else:
        for word in words:
            print(word)
    return 0


def _build(args: argparse.Namespace) -> int:
    import time

    from kiosk.ime import build_index, default_index_path

    path = default_index_path()
    if path.exists() and not args.force:
        print(f"已存在 (exists): {path}")
        return 0
    started = time.monotonic()
    path = build_index(path)
    print(f"已生成 (built): {path} ({path.stat().st_size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s)")
    return 0


def register(groups: dict) -> None:
    sub = action_group(groups, "ime", "pinyin input method dictionary / 拼音输入法词库", exit_code=EXIT_NOT_PINYIN)
    cand = sub.add_parser("candidates", help="candidates for a pinyin string / 查看候选词")
    cand.add_argument("pinyin", metavar="PINYIN", help="pinyin letters, e.g. shequweixiu")
    cand.add_argument("--limit", type=int, default=None, metavar="N", help="at most N candidates")
    cand.add_argument("--json", action="store_true", help="print a JSON list of strings")
    cand.set_defaults(func=_candidates)
    build = sub.add_parser("build", help="build the index (set-up does this) / 生成词库索引")
    build.add_argument("--force", action="store_true", help="rebuild even if the index exists")
    build.set_defaults(func=_build)
