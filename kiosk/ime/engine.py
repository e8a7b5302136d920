"""The pinyin engine: candidates for what a resident has typed so far, whole phrases first.

For ``shequweixiu`` it offers the best sentence over the whole input (社区维修, put together from 社区 + 维修
by a unigram Viterbi over the word lattice), then words read from the whole input, then words covering its
start (社区, 设 …) so a resident can pick piece by piece. The resident's own picks of this session rank first;
``clear()`` (called by the session when it ends) forgets them.

Lookups go to the SQLite index built by kiosk.ime.build, through a small in-memory cache; one connection,
guarded by a lock, so the index can be opened on a worker and used from the UI thread.
"""
from __future__ import annotations

import math
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from kiosk.ime.build import INDEX_VERSION, build_index, default_index_path
from kiosk.ime.syllables import PINYIN_INPUT, Span, Syllables

#: a word is at most this many syllables (jieba's long entries are idioms and proper names)
MAX_WORD_SYLLABLES = 8
#: candidates that cover only the start of the input, per length: enough to pick piece by piece
_PER_PREFIX_LENGTH = 12
_CACHE_SIZE = 8192
_SQL_TIMEOUT_S = 5.0


class NotPinyin(ValueError):
    """The input is not pinyin letters (or no way of reading it as syllables exists)."""


class IndexError_(RuntimeError):
    """The index file is missing, of another version or unreadable."""


@dataclass(frozen=True)
class Candidate:
    """``text`` reads the first ``letters`` letters of the input as ``key`` (syllables joined by spaces)."""

    text: str
    letters: int
    key: str
    partial: bool = False   # its last character guesses a syllable the resident has only begun


@dataclass(frozen=True)
class _Edge:
    start: int
    end: int
    key: str
    words: tuple[tuple[str, float], ...]   # (word, cost), cheapest first
    partial: bool = False                  # its last syllable is only begun (the input's tail)


class PinyinEngine:
    def __init__(self, path: Path):
        self.path = path
        try:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=_SQL_TIMEOUT_S,
                                       check_same_thread=False)
            meta = dict(self._db.execute("SELECT k, v FROM meta"))
        except sqlite3.Error as exc:
            raise IndexError_(f"输入法词库无法读取 (IME index unreadable): {path}: {exc}") from exc
        if meta.get("version") != INDEX_VERSION:
            self._db.close()
            raise IndexError_(f"输入法词库版本不符 (IME index version {meta.get('version')!r}, "
                              f"want {INDEX_VERSION}): {path}")
        self.meta = meta
        self.syllables = Syllables(set(meta["syllables"].split()))
        self._log_total = math.log(float(meta["total"]))
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[tuple[tuple[str, float], ...], bool]] = OrderedDict()
        self._picks: list[Candidate] = []          # most recent last
        self._picked_for: dict[str, list[Candidate]] = {}   # letters typed → whole picks for them

    @classmethod
    def open(cls, path: Path | None = None, *, build: bool = True) -> "PinyinEngine":
        """Open the index, building it first when it is missing and ``build`` (takes ~20 s: not on the UI
        thread)."""
        path = path or default_index_path()
        if not path.exists():
            if not build:
                raise IndexError_(f"输入法词库不存在 (IME index missing): {path} — run `kiosk ime build`")
            build_index(path)
        return cls(path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- the resident's picks ---------------------------------------------------------------------------
    def pick(self, typed: str, candidate: Candidate) -> None:
        """Remember that the resident chose ``candidate`` for ``typed`` (the letters it read): it ranks
        first for the same reading from now on, until ``clear()``."""
        letters, _ = self.syllables.normalise(typed)
        with self._lock:
            self._picks = [p for p in self._picks if (p.key, p.text) != (candidate.key, candidate.text)]
            self._picks.append(candidate)
            chosen = self._picked_for.setdefault(letters, [])
            if candidate in chosen:
                chosen.remove(candidate)
            chosen.insert(0, candidate)

    def clear(self) -> None:
        """Forget every pick of this session (the session calls this when it ends) and the readings looked up:
        the lookup cache's keys are the syllables the resident typed (a name, an address)."""
        with self._lock:
            self._picks.clear()
            self._picked_for.clear()
            self._cache.clear()

    @property
    def pick_count(self) -> int:
        return len(self._picks)

    # --- lookups --------------------------------------------------------------------------------------
    def _lookup(self, keys: list[str]) -> dict[str, tuple[tuple[tuple[str, float], ...], bool]]:
        """``key`` → ((word, cost) cheapest first, whether longer readings start with it)."""
        found, missing = {}, []
        with self._lock:
            for key in keys:
                hit = self._cache.get(key)
                if hit is None:
                    missing.append(key)
                else:
                    self._cache.move_to_end(key)
                    found[key] = hit
            for start in range(0, len(missing), 400):
                chunk = missing[start:start + 400]
                rows = {k: (e, m) for k, e, m in self._db.execute(
                    f"SELECT key, entries, more FROM words WHERE key IN ({','.join('?' * len(chunk))})", chunk)}
                for key in chunk:
                    entries, more = rows.get(key, ("", 0))
                    value = (self._parse(entries), bool(more))
                    found[key] = self._cache[key] = value
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def _parse(self, entries: str) -> tuple[tuple[str, float], ...]:
        out = []
        for line in entries.split("\n") if entries else ():
            word, _, freq = line.partition("\t")
            out.append((word, self._log_total - math.log(float(freq))))
        return tuple(out)

    def _edges_from(self, start: int, spans: list[list[Span]]) -> list[_Edge]:
        """Every dictionary word whose reading starts at letter ``start``, walking syllable by syllable."""
        edges: list[_Edge] = []
        frontier = [(start, "")]
        for _ in range(MAX_WORD_SYLLABLES):
            steps = []
            for pos, key in frontier:
                if pos >= len(spans):
                    continue
                for span in spans[pos]:
                    for syl in span.syllables:
                        steps.append((span.end, f"{key} {syl}" if key else syl, span.partial))
            if not steps:
                break
            table = self._lookup([k for _, k, _ in steps])
            frontier = []
            for end, key, partial in steps:
                words, more = table[key]
                if words:
                    edges.append(_Edge(start, end, key, words, partial))
                if more:
                    frontier.append((end, key))
        return edges

    def _lattice(self, letters: str, forced: frozenset[int]) -> list[list[_Edge]]:
        spans = self.syllables.spans(letters, forced)
        return [self._edges_from(i, spans) if spans[i] else [] for i in range(len(letters))]

    @staticmethod
    def _best_sentence(lattice: list[list[_Edge]], n: int) -> list[tuple[_Edge, str]] | None:
        """The cheapest chain of words over letters 0..n (unigram costs), or None when none reaches n."""
        best: list[tuple[float, int, _Edge | None, str]] = [(math.inf, -1, None, "")] * (n + 1)
        best[0] = (0.0, -1, None, "")
        for i in range(n):
            if best[i][0] == math.inf:
                continue
            for edge in lattice[i]:
                word, cost = edge.words[0]
                total = best[i][0] + cost
                if total < best[edge.end][0]:
                    best[edge.end] = (total, i, edge, word)
        if best[n][0] == math.inf:
            return None
        chain, pos = [], n
        while pos > 0:
            _, prev, edge, word = best[pos]
            chain.append((edge, word))
            pos = prev
        return chain[::-1]

    def candidates(self, typed: str, limit: int | None = None) -> list[Candidate]:
        """Candidates for ``typed`` in rank order. Raises NotPinyin for anything but letters and '."""
        raw = typed.strip().lower()
        if not raw or not PINYIN_INPUT.match(raw):
            raise NotPinyin(typed)
        letters, forced = self.syllables.normalise(raw)
        n = len(letters)
        lattice = self._lattice(letters, forced)
        if not lattice or not lattice[0]:
            raise NotPinyin(typed)
        ranked: list[Candidate] = []
        sentence = self._best_sentence(lattice, n)
        if sentence is not None and len(sentence) > 1:
            ranked.append(Candidate("".join(w for _, w in sentence), n, " ".join(e.key for e, _ in sentence),
                                    sentence[-1][0].partial))
        # words that read the whole input: exact readings before those that guess a begun last syllable
        whole = sorted(((e.partial, cost, w, e.key) for e in lattice[0] if e.end == n for w, cost in e.words))
        ranked.extend(Candidate(w, n, key, partial) for partial, _, w, key in whole)
        by_end: dict[int, list[tuple[float, str, str]]] = {}
        for edge in lattice[0]:
            if edge.end < n:
                by_end.setdefault(edge.end, []).extend((cost, w, edge.key) for w, cost in edge.words)
        for end in sorted(by_end, reverse=True):   # longest start first: fewer picks per phrase
            ranked.extend(Candidate(w, end, key) for _, w, key in sorted(by_end[end])[:_PER_PREFIX_LENGTH])
        return self._with_picks_first(letters, ranked, limit)

    def _with_picks_first(self, letters: str, ranked: list[Candidate], limit: int | None) -> list[Candidate]:
        with self._lock:
            exact = list(self._picked_for.get(letters, ()))
            recency = {(p.key, p.text): i for i, p in enumerate(self._picks)}
        picked = sorted((c for c in ranked if (c.key, c.text) in recency),
                        key=lambda c: (-c.letters, -recency[(c.key, c.text)]))
        out, seen = [], set()
        for cand in exact + picked + ranked:
            if cand.text not in seen:
                seen.add(cand.text)
                out.append(cand)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def words(self, typed: str, limit: int | None = None) -> list[str]:
        """Just the texts of :meth:`candidates` (what the CLI prints)."""
        return [c.text for c in self.candidates(typed, limit)]
