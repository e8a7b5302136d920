"""Build the pinyin index the IME looks words up in, from installed dictionaries (no hand-written word list).

Sources, both pinned in pyproject.toml and both MIT-licensed:
- jieba's ``dict.txt`` — ~349,000 Chinese words with corpus frequencies (the ranking);
- pypinyin — the readings: its phrase table for words (so 银行 is ``yin hang``, not ``yin xing``) and its
  per-character table with every reading of a polyphonic character (行: xing, hang, …).

The result is one SQLite file (``key`` = toneless syllables joined by spaces → the words with that reading and
their frequencies, most frequent first). It is built once — by scripts/setup.sh (``kiosk ime build``) or,
if missing, on the first lookup's worker thread — never on the UI thread and never at every start.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

#: bump when the file layout or the rules below change: an older file is rebuilt, never misread
INDEX_VERSION = "1"
#: interjection-only readings (呣 m, 嗯 n/ng, 哼 hm/hng): as syllables they would swallow the partial
#: consonant a resident is still typing ("wom" is wo + m… → 我们, not 我呣)
_DROPPED_SYLLABLES = frozenset({"m", "n", "ng", "hm", "hng"})
#: words kept per reading: a resident never scrolls past a few dozen candidates
_PER_KEY = 60
#: a character's second and later readings are rarer than its first (行 is mostly xing)
_OTHER_READING_FACTOR = 0.02


def default_index_path() -> Path:
    """``$KIOSK_IME_INDEX`` or ``<venv>/var/kiosk/ime-index-v<N>.sqlite3`` (set-up builds it there)."""
    override = os.environ.get("KIOSK_IME_INDEX")
    if override:
        return Path(override)
    return Path(sys.prefix) / "var" / "kiosk" / f"ime-index-v{INDEX_VERSION}.sqlite3"


def toneless(reading: str) -> str:
    """``lǜ`` → ``lv``, ``xíng`` → ``xing`` (v for ü, as on every pinyin keyboard)."""
    # ǜ decomposes to u + diaeresis + grave: the diaeresis (U+0308) is what makes it v
    decomposed = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _usable(word: str) -> bool:
    """Only the common simplified ideographs (GB 2312, which the kiosk font draws): no traditional or rare
    forms crowding the bar, no Latin, digits or symbols."""
    if not word:
        return False
    try:
        word.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def _jieba_words() -> dict[str, int]:
    import jieba  # only for the path of its data file; its segmenter is not used

    path = Path(jieba.__file__).with_name("dict.txt")
    freqs: dict[str, int] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit() and _usable(parts[0]):
                freqs[parts[0]] = max(freqs.get(parts[0], 0), int(parts[1]))
    return freqs


def _collect(freqs: dict[str, int]) -> tuple[dict[str, dict[str, float]], set[str]]:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    by_key: dict[str, dict[str, float]] = defaultdict(dict)
    syllables: set[str] = set()

    def add(key: str, word: str, freq: float) -> None:
        if by_key[key].get(word, 0.0) < freq:
            by_key[key][word] = freq

    for cp, readings in pinyin_dict.items():
        ch = chr(cp)
        if not _usable(ch):
            continue
        for n, reading in enumerate(readings.split(",")):
            syl = toneless(reading)
            if not syl.isascii() or not syl.isalpha() or syl in _DROPPED_SYLLABLES:
                continue
            syllables.add(syl)
            base = float(freqs.get(ch, 1))
            add(syl, ch, base if n == 0 else max(1.0, base * _OTHER_READING_FACTOR))
    words = {w for w in freqs if len(w) > 1} | {w for w in phrases_dict if len(w) > 1 and _usable(w)}
    for word in words:
        syls = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
        if len(syls) != len(word) or any(s not in syllables for s in syls):
            continue  # a reading the table cannot type (an interjection syllable): unreachable anyway
        add(" ".join(syls), word, float(freqs.get(word, 1)))
    return by_key, syllables


def _rows(by_key: dict[str, dict[str, float]]) -> list[tuple[str, str, int]]:
    prefixes = set()
    for key in by_key:
        syls = key.split(" ")
        prefixes.update(" ".join(syls[:n]) for n in range(1, len(syls)))
    rows = []
    for key in set(by_key) | prefixes:
        ranked = sorted(by_key.get(key, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:_PER_KEY]
        rows.append((key, "\n".join(f"{w}\t{f:g}" for w, f in ranked), int(key in prefixes)))
    return rows


def build_index(path: Path | None = None) -> Path:
    """Write the index to ``path`` (atomically: a half-built file is never seen) and return the path."""
    path = path or default_index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    freqs = _jieba_words()
    by_key, syllables = _collect(freqs)
    total = sum(freqs.values()) or 1
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp, timeout=10)
    try:
        db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID")
        # more = 1 when longer readings start with this one: the lookup stops walking a path that leads
        # nowhere instead of asking for every longer syllable string (entries may then be empty)
        db.execute("CREATE TABLE words (key TEXT PRIMARY KEY, entries TEXT NOT NULL, more INTEGER NOT NULL)"
                   " WITHOUT ROWID")
        rows = _rows(by_key)
        db.executemany("INSERT INTO words VALUES (?, ?, ?)", rows)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("version", INDEX_VERSION), ("syllables", " ".join(sorted(syllables))), ("total", str(total)),
            ("sources", _sources()), ("keys", str(len(rows))),
            ("words", str(sum(len(w) for w in by_key.values()))),
            ("build_s", f"{time.monotonic() - started:.1f}")])
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)
    return path


def _sources() -> str:
    from importlib.metadata import version

    return f"jieba {version('jieba')} dict.txt (MIT); pypinyin {version('pypinyin')} (MIT)"
