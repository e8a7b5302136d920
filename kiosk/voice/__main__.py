"""``python -m kiosk.voice build|list|say`` — build the prompt cache at set-up, list keys, try a sentence.

``build [CONFIG_DIR]`` synthesises missing or changed prompts into ``voice.cache_dir`` and checks the
recordings in ``voice.recorded_dir`` (exit 1 with the problems, in Chinese and English, when one is unusable);
``list`` prints every prompt key with its texts (the names recordings must have); ``say`` writes one composed
sentence to a WAV (e.g. ``say --ticket A023 --counter 3 out.wav``) to listen to.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.voice import catalog, numbers, wav
from kiosk.voice.cache import EspeakNg, SynthesisError, VoiceCache


def _cache(config_dir: str | None) -> VoiceCache:
    from kiosk.config.loader import load_config

    cfg = load_config(config_dir)
    if cfg.voice is None:
        raise SystemExit("terminal.yaml 没有 voice 配置 / terminal.yaml has no voice section (docs/voice.md)")
    return VoiceCache(cfg.voice.cache_dir, cfg.voice.recorded_dir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.voice")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="synthesise missing/changed prompts")
    b.add_argument("config_dir", nargs="?")
    sub.add_parser("list", help="every prompt key and its texts")
    s = sub.add_parser("say", help="compose one dynamic sentence into a WAV file")
    s.add_argument("out")
    s.add_argument("--config-dir")
    s.add_argument("--lang", default="zh-CN", choices=catalog.LANGS)
    s.add_argument("--ticket")
    s.add_argument("--counter", type=int, default=1)
    s.add_argument("--minutes", type=int)
    args = ap.parse_args(argv)
    if args.cmd == "list":
        for key, (zh, en) in catalog.PROMPTS.items():
            print(f"{key}\t{zh}\t{en}")
        return 0
    if args.cmd == "build":
        cache = _cache(args.config_dir)
        try:
            report = cache.build(EspeakNg())
        except SynthesisError as exc:
            print(f"语音合成失败 / voice synthesis failed: {exc}", file=sys.stderr)
            return 2
        print(f"voice cache {cache.cache_dir}: {len(report.made)} made, {report.kept} unchanged, "
              f"{len(report.removed)} removed, {len(report.recorded)} human recordings in use")
        for problem in report.problems:
            print(f"  录音问题 / recording problem: {problem}", file=sys.stderr)
        return 1 if report.problems else 0
    from kiosk.voice.engine import VoiceEngine

    engine = VoiceEngine(_cache(args.config_dir))
    utt = numbers.help_eta(args.minutes, args.lang) if args.minutes is not None else \
        numbers.ticket_call(args.ticket or "A023", args.counter, args.lang)
    wav.write_wav(Path(args.out), engine.compose(utt, args.lang))
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
