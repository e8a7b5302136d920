"""The voice cache: every catalog prompt synthesised once, at set-up, into WAV files — and human recordings.

Layout under the cache folder (``voice.cache_dir``)::

    zh-CN/screen.identify.wav   en/screen.identify.wav   …   manifest.json

``manifest.json`` holds, per file, a hash of (engine, voice, text): :func:`build` synthesises only prompts
that are missing or whose text or engine changed, and removes files of keys no longer in the catalog, so
running set-up twice does nothing the second time. A deployer replaces any prompt by dropping a recording
named by its key into the recordings folder (``voice.recorded_dir``/<lang>/<key>.wav, 16-bit PCM WAV);
:meth:`VoiceCache.resolve` prefers it over the synthesised file. No network is ever used.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.voice import catalog, wav

log = logging.getLogger(__name__)
SYNTH_TIMEOUT_S = 20.0


class SynthesisError(RuntimeError):
    """The offline engine is missing or failed on one prompt."""


@dataclass(frozen=True)
class EspeakNg:
    """Debian's ``espeak-ng``: ``cmn-latn-pinyin`` for Mandarin, ``en-us`` for English (docs/voice.md).

    Not the plain ``cmn`` voice: in Debian's 1.51 it turns 汉字 into pinyin and then reads those Latin letters
    by *English* rules ("请" comes out as "king three"); ``cmn-latn-pinyin`` speaks the same characters with
    Mandarin phonemes and tones (third-tone sandhi included). :meth:`phonemes` lets a test prove it.
    """

    binary: str = "espeak-ng"
    voices: tuple[tuple[str, str], ...] = (("zh-CN", "cmn-latn-pinyin"), ("en", "en-us"))
    speed_wpm: int = 150  # espeak's default 175 is too quick for older listeners

    def identity(self, lang: str) -> str:
        return f"espeak-ng/{dict(self.voices)[lang]}/s{self.speed_wpm}/{self.version()}"

    def version(self) -> str:
        out = self._run(["--version"])
        return out.decode("utf-8", "replace").split(":", 1)[-1].split()[0] if b":" in out else "?"

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        self._run(["-v", dict(self.voices)[lang], "-s", str(self.speed_wpm), "-w", str(out), "--", text])

    def phonemes(self, text: str, lang: str) -> str:
        """espeak's phoneme transcription of ``text``; ``(en)`` in it marks a switch to English rules."""
        return self._run(["-q", "-x", "-v", dict(self.voices)[lang], "--", text]).decode("utf-8", "replace")

    def _run(self, args: list[str]) -> bytes:
        if not self.available():
            raise SynthesisError(f"{self.binary} 未安装 / not installed (scripts/setup.sh installs espeak-ng)")
        try:
            done = subprocess.run([self.binary, *args], capture_output=True, timeout=SYNTH_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise SynthesisError(f"{self.binary} took over {SYNTH_TIMEOUT_S:.0f} s") from exc
        if done.returncode != 0:
            raise SynthesisError(f"{self.binary} failed ({done.returncode}): {done.stderr[-300:]!r}")
        return done.stdout


@dataclass
class BuildReport:
    made: list[str] = field(default_factory=list)
    kept: int = 0
    removed: list[str] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class VoiceCache:
    def __init__(self, cache_dir: str | Path, recorded_dir: str | Path | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.recorded_dir = Path(recorded_dir) if recorded_dir is not None else None

    def synthesized(self, key: str, lang: str) -> Path:
        return self.cache_dir / lang / f"{key}.wav"

    def recorded(self, key: str, lang: str) -> Path | None:
        if self.recorded_dir is None:
            return None
        path = self.recorded_dir / lang / f"{key}.wav"
        return path if path.is_file() else None

    def resolve(self, key: str, lang: str) -> Path:
        """The file to play for ``key``: a human recording when there is one, else the synthesised prompt."""
        catalog.text(key, lang)  # KeyError for an unknown key: a typo must not become silence
        return self.recorded(key, lang) or self.synthesized(key, lang)

    def check_recordings(self) -> tuple[list[str], list[str]]:
        """(recordings in use, problems): wrong names, unreadable or silent files, in Chinese and English."""
        used: list[str] = []
        problems: list[str] = []
        if self.recorded_dir is None or not self.recorded_dir.is_dir():
            return used, problems
        for path in sorted(self.recorded_dir.rglob("*")):
            if path.is_dir() or path.name.startswith(".") or path.name == "README.md":
                continue
            rel = path.relative_to(self.recorded_dir)
            lang, key = (rel.parts[0], path.stem) if len(rel.parts) == 2 else ("", "")
            if path.suffix != ".wav" or lang not in catalog.LANGS or key not in catalog.PROMPTS:
                problems.append(f"{rel}: 不是 <语言>/<提示键>.wav / not <lang>/<prompt key>.wav — ignored")
                continue
            try:
                if wav.peak(wav.read_pcm(path)) <= wav.SILENCE:
                    problems.append(f"{rel}: 录音没有声音 / recording is silent — ignored")
                    continue
            except wav.BadAudio as exc:
                problems.append(f"{rel}: 无法读取 / unreadable ({exc}) — ignored")
                continue
            used.append(str(rel))
        return used, problems

    def build(self, synth: EspeakNg, langs: tuple[str, ...] = catalog.LANGS) -> BuildReport:
        """Synthesise what is missing or changed; remove what the catalog no longer has. Idempotent."""
        report = BuildReport()
        report.recorded, report.problems = self.check_recordings()
        manifest_path = self.cache_dir / "manifest.json"
        try:
            old = json.loads(manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            old = {}
        manifest: dict[str, str] = {}
        for lang in langs:
            folder = self.cache_dir / lang
            folder.mkdir(parents=True, exist_ok=True)
            engine = synth.identity(lang)
            entries = catalog.entries(lang)
            for key, text in entries.items():
                name = f"{lang}/{key}"
                digest = hashlib.sha256(f"{engine}\n{text}".encode()).hexdigest()[:16]
                manifest[name] = digest
                target = self.synthesized(key, lang)
                if old.get(name) == digest and target.is_file():
                    report.kept += 1
                    continue
                self._synthesize_one(synth, text, lang, target)
                report.made.append(name)
            for path in folder.glob("*.wav"):
                if path.stem not in entries:
                    path.unlink()
                    report.removed.append(f"{lang}/{path.stem}")
        tmp = manifest_path.with_suffix(".part")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=0, sort_keys=True), "utf-8")
        tmp.replace(manifest_path)
        return report

    @staticmethod
    def _synthesize_one(synth: EspeakNg, text: str, lang: str, target: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="voice-") as tmp:
            raw = Path(tmp) / "raw.wav"
            synth.synthesize(text, lang, raw)
            samples = wav.trim(wav.read_pcm(raw))
        if not samples:
            raise SynthesisError(f"{target.name}: the engine produced silence for {text!r}")
        wav.write_wav(target, samples)
