"""WAV reading and writing for the voice cache: one internal format, silence trimming, joining.

Everything the kiosk plays is mono 16-bit PCM at :data:`RATE`; a recording a deployer dropped in at another
rate or in stereo is converted once when it is first used. Pure stdlib (``wave``, ``array``) so the core
imports without Kivy or numpy; the resampler is linear, which is plenty for speech at 22.05 kHz.
"""
from __future__ import annotations

import io
import wave
from array import array
from itertools import repeat
from operator import add, rshift
from pathlib import Path

RATE = 22050
SILENCE = 300  # |sample| at or below this is silence (espeak's noise floor is far lower)


class BadAudio(ValueError):
    """A file that is not a readable 8/16-bit PCM WAV."""


def read_pcm(path: str | Path) -> array:
    """Samples of ``path`` as mono 16-bit at :data:`RATE` (converted if needed). Raises BadAudio."""
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        raise BadAudio(f"{path}: {exc}") from exc
    if width == 1:
        samples = array("h", ((b - 128) << 8 for b in raw))
    elif width == 2:
        samples = array("h")
        samples.frombytes(raw[: len(raw) // 2 * 2])
    else:
        raise BadAudio(f"{path}: {width * 8}-bit samples; record 16-bit PCM")
    if channels > 1:
        samples = array("h", (sum(samples[i:i + channels]) // channels
                              for i in range(0, len(samples) - channels + 1, channels)))
    if rate != RATE:
        samples = resample(samples, rate, RATE)
    return samples


def resample(samples: array, src: int, dst: int) -> array:
    if not samples or src == dst:
        return array("h", samples)
    n = max(1, int(len(samples) * dst / src))
    step = (len(samples) - 1) / max(1, n - 1)
    out = array("h", bytes(2 * n))
    for i in range(n):
        pos = i * step
        j = int(pos)
        frac = pos - j
        nxt = samples[j + 1] if j + 1 < len(samples) else samples[j]
        out[i] = int(samples[j] + (nxt - samples[j]) * frac)
    return out


def trim(samples: array, keep_ms: int = 30) -> array:
    """Cut leading/trailing silence down to ``keep_ms`` so a prompt starts sounding at once."""
    keep = RATE * keep_ms // 1000
    first = next((i for i, s in enumerate(samples) if abs(s) > SILENCE), None)
    if first is None:
        return array("h")
    last = len(samples) - next(i for i, s in enumerate(reversed(samples)) if abs(s) > SILENCE)
    return samples[max(0, first - keep): min(len(samples), last + keep)]


def silence(ms: int) -> array:
    return array("h", bytes(2 * (RATE * ms // 1000)))


def to_wav_bytes(samples: array, *, rate: int = RATE, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def write_wav(path: str | Path, samples: array, *, rate: int = RATE, channels: int = 1) -> None:
    """Write atomically (temp file + rename): a half-written prompt is never played."""
    path = Path(path)
    tmp = path.with_suffix(".wav.part")
    tmp.write_bytes(to_wav_bytes(samples, rate=rate, channels=channels))
    tmp.replace(path)


def to_device(samples: array, rate: int, channels: int) -> array:
    """Mono samples at :data:`RATE` as interleaved 16-bit frames at ``rate`` with ``channels`` (the audio
    device's own format, so the mixer has nothing left to convert when the file is loaded)."""
    if rate == 2 * RATE and channels == 2 and samples:  # the SDL device's format: interleave in one go
        mid = _midpoints(samples)
        out = array("h", bytes(8 * len(samples)))
        out[0::4], out[1::4], out[2::4], out[3::4] = samples, samples, mid, mid
        return out
    mono = _double(samples) if rate == 2 * RATE else resample(samples, RATE, rate)
    out = array("h", bytes(2 * len(mono) * channels))
    for c in range(channels):
        out[c::channels] = mono  # every channel the same (extended-slice assignment runs in C)
    return out


def peak(samples: array) -> int:
    return max((abs(s) for s in samples), default=0)


def _double(samples: array) -> array:
    """Linear 2× upsampling (22.05 → 44.1 kHz) with the loops in C (``map``, slice assignment): a 4 s prompt in
    a few ms on the worker, where :func:`resample`'s Python loop took ~100 ms under load."""
    if not samples:
        return array("h")
    out = array("h", bytes(4 * len(samples)))
    out[0::2] = samples
    out[1::2] = _midpoints(samples)
    return out


def _midpoints(samples: array) -> array:
    """Each sample's average with the next one (the last one repeats)."""
    return array("h", map(rshift, map(add, samples, samples[1:] + samples[-1:]), repeat(1)))
