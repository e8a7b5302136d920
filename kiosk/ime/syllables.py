"""Cut a continuous pinyin string into syllables: every way it can be read, including a partial last one.

``xian`` is both ``xian`` (先) and ``xi an`` (西安); ``shequw`` is ``she qu`` + the start of a syllable
(``w…``). An apostrophe forces a boundary (``xi'an``). The syllable inventory comes from the index (the
readings in pypinyin's table), not from a list typed here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: what a resident can type: letters, and ' to separate syllables (v stands for ü)
PINYIN_INPUT = re.compile(r"^[a-z']+$")
#: the longest syllable (zhuang, shuang, chuang) has 6 letters
MAX_SYLLABLE = 6


@dataclass(frozen=True)
class Span:
    """Letters ``start:end`` of the input read as ``syllables`` (one, or for a partial tail every
    syllable it could become)."""

    start: int
    end: int
    syllables: tuple[str, ...]
    partial: bool = False


class Syllables:
    """The inventory of toneless syllables and the segmentation of input strings over it."""

    def __init__(self, syllables: set[str] | frozenset[str]):
        self.all = frozenset(syllables)
        prefixes: dict[str, list[str]] = {}
        for syl in sorted(self.all):
            for n in range(1, len(syl)):
                prefixes.setdefault(syl[:n], []).append(syl)
        # a tail that is a prefix but not itself a syllable: what it may become
        self._completions = {p: tuple(s) for p, s in prefixes.items() if p not in self.all}

    @staticmethod
    def normalise(raw: str) -> tuple[str, frozenset[int]]:
        """Letters only, and the positions (in those letters) where an apostrophe forced a boundary."""
        letters, forced = [], set()
        for ch in raw.lower():
            if ch == "'":
                forced.add(len(letters))
            else:
                letters.append(ch)
        return "".join(letters), frozenset(forced)

    def spans(self, letters: str, forced: frozenset[int] = frozenset()) -> list[list[Span]]:
        """``spans[i]``: every syllable (or, at the end, partial syllable) starting at letter ``i``."""
        n = len(letters)
        out: list[list[Span]] = [[] for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, min(n, i + MAX_SYLLABLE) + 1):
                if any(i < f < j for f in forced):
                    break
                piece = letters[i:j]
                if piece in self.all:
                    out[i].append(Span(i, j, (piece,)))
                elif j == n and piece in self._completions:
                    out[i].append(Span(i, j, self._completions[piece], partial=True))
        return out

    def segment(self, raw: str, limit: int = 50) -> list[list[str]]:
        """Every reading of ``raw`` as a list of syllables (a partial tail ends with ``…``), fewest
        syllables first: ``xian`` → ``[['xian'], ['xi', 'an']]``."""
        letters, forced = self.normalise(raw)
        spans = self.spans(letters, forced)
        n = len(letters)
        results: list[list[str]] = []

        def walk(i: int, path: list[str]) -> None:
            if len(results) >= limit:
                return
            if i == n:
                results.append(list(path))
                return
            for span in spans[i]:
                path.append(letters[span.start:span.end] + ("…" if span.partial else ""))
                walk(span.end, path)
                path.pop()

        if n:
            walk(0, [])
        return sorted(results, key=len)
