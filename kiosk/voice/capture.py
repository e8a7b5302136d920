"""Read back what SDL played: split a ``disk`` audio capture into prompts and tell which prompt each one is.

Under ``SDL_AUDIODRIVER=disk`` SDL writes the mixed output (16-bit little-endian, stereo, 44.1 kHz as Kivy
opens it) to ``SDL_DISKAUDIOFILE``. :func:`split` cuts that stream at silences into sounding segments;
:func:`match` compares a segment's loudness envelope (10 ms frames) with the envelope of each expected
prompt file and gives a correlation, so a test can say "segment 3 is ``error.paper_out`` and nothing else",
and :func:`save_segments` leaves one WAV per heard prompt in an output folder for a person to listen to.
"""
from __future__ import annotations

import math
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from kiosk.voice import wav

FRAME_MS = 10
QUIET = 200  # mean |sample| of a 10 ms frame at or below this is silence


@dataclass
class Segment:
    start_s: float
    end_s: float
    envelope: list[float]
    samples: array  # mono at the capture's rate
    rate: int

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def peak(self) -> int:
        return max((abs(s) for s in self.samples), default=0)


def read_disk(path: str | Path, channels: int = 2) -> array:
    raw = array("h")
    data = Path(path).read_bytes()
    raw.frombytes(data[: len(data) // (2 * channels) * 2 * channels])
    if channels == 1:
        return raw
    return array("h", (sum(raw[i:i + channels]) // channels for i in range(0, len(raw), channels)))


def envelope(samples: array, rate: int) -> list[float]:
    step = rate * FRAME_MS // 1000
    return [sum(abs(s) for s in samples[i:i + step]) / step for i in range(0, len(samples) - step + 1, step)]


def split(samples: array, rate: int, *, min_gap_s: float = 0.3, min_len_s: float = 0.1) -> list[Segment]:
    """Sounding stretches separated by at least ``min_gap_s`` of silence (a prompt's own commas are shorter)."""
    env = envelope(samples, rate)
    step = rate * FRAME_MS // 1000
    gap = int(min_gap_s * 1000 / FRAME_MS)
    spans: list[list[int]] = []
    for i, level in enumerate(env):
        if level <= QUIET:
            continue
        if spans and i - spans[-1][1] <= gap:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    out = []
    for a, b in spans:
        if (b - a + 1) * FRAME_MS / 1000 < min_len_s:
            continue
        out.append(Segment(a * FRAME_MS / 1000, (b + 1) * FRAME_MS / 1000, env[a:b + 1],
                           samples[a * step:(b + 1) * step], rate))
    return out


def prompt_envelope(path: str | Path) -> list[float]:
    samples = wav.trim(wav.read_pcm(path), keep_ms=0)
    return envelope(samples, wav.RATE)


def match(segment_env: list[float], reference_env: list[float], max_lag: int = 5) -> float:
    """Best Pearson correlation of the two envelopes over the common length, within ±``max_lag`` frames."""
    best = -1.0
    for lag in range(-max_lag, max_lag + 1):
        a = segment_env[max(0, lag):]
        b = reference_env[max(0, -lag):]
        n = min(len(a), len(b))
        if n < 10:
            continue
        best = max(best, _pearson(a[:n], b[:n]))
    return best


def _pearson(a: list[float], b: list[float]) -> float:
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = math.sqrt(sum((x - ma) ** 2 for x in a))
    vb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return cov / (va * vb) if va and vb else 0.0


def save_segments(segments: list[Segment], names: list[str], out_dir: str | Path) -> list[Path]:
    """One WAV per heard segment, ``01-screen.identify.wav`` …, for a person to listen to."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (seg, name) in enumerate(zip(segments, names), start=1):
        path = out_dir / f"{i:02d}-{name}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(seg.rate)
            w.writeframes(seg.samples.tobytes())
        paths.append(path)
    return paths
