"""Voice engine: catalog, clerk-style numbers, the synthesis cache (idempotent, recordings win), composition
on a worker, and the player's rules (no talking over, stop, mute, a broken device reported, flow goes on)."""
from __future__ import annotations

import shutil
import threading
from array import array
from pathlib import Path

import pytest

from kiosk.bridge import QueueBridge
from kiosk.voice import catalog, numbers, wav
from kiosk.voice.cache import EspeakNg, VoiceCache
from kiosk.voice.engine import VoiceEngine
from kiosk.voice.player import Player

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (setup.sh)")


def test_every_screen_has_a_short_prompt_in_both_languages():
    from kiosk.session.state import SCREENS

    for screen in SCREENS:
        key = catalog.screen_key(screen)
        assert key is not None, screen
        for lang in catalog.LANGS:
            txt = catalog.text(key, lang)
            assert txt and txt.count("。") + txt.count(". ") <= 2, (key, txt)
    for key in ("error.card_unread", "error.paper_out", "error.gateway_down"):
        assert catalog.text(key, "zh-CN") and catalog.text(key, "en")
    assert all(catalog.KEY_RE.fullmatch(k) for k in catalog.PROMPTS)


def test_numbers_are_read_like_a_counter_clerk():
    zh = lambda keys: "".join(catalog.text(k, "zh-CN") if k != numbers.PAUSE else "，" for k in keys)  # noqa: E731
    assert zh(numbers.ticket_call("A023", 3, "zh-CN")) == "您的号码是A零二三号，请到三号窗口"
    assert zh(numbers.help_eta(2, "zh-CN")) == "已通知值班人员，约两分钟到达"
    assert zh(numbers.zh_cardinal(15)) == "十五"
    assert zh(numbers.zh_cardinal(105)) == "一百零五"
    assert zh(numbers.zh_cardinal(110)) == "一百一十"
    assert zh(numbers.zh_cardinal(42)) == "四十二"
    assert zh(numbers.phone("12345", "zh-CN")) == "请拨打幺二三四五"
    assert zh(numbers.phone("13800138000", "zh-CN")) == "请拨打幺三八，零零幺三，八零零零"
    en = lambda keys: " ".join(catalog.text(k, "en") for k in keys if k != numbers.PAUSE)  # noqa: E731
    assert en(numbers.ticket_call("B105", 12, "en")) == \
        "Your number is B one zero five Please go to counter twelve"
    assert en(numbers.help_eta(1, "en")).endswith("about one minute")
    assert en(numbers.en_cardinal(342)) == "three hundred forty two"
    with pytest.raises(ValueError):
        numbers.queue_number("A-23")


class FakeSynth(EspeakNg):
    """Writes a tone per prompt and counts calls — the cache's bookkeeping without the engine."""

    calls: list = []

    def identity(self, lang: str) -> str:
        return "fake/1"

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        self.calls.append((lang, text))
        wav.write_wav(out, wav.silence(50) + _tone(0.1 + 0.01 * len(text)) + wav.silence(50))


def _tone(seconds: float, amp: int = 8000) -> array:
    n = int(wav.RATE * seconds)
    return array("h", (amp if (i // 25) % 2 else -amp for i in range(n)))


def test_cache_builds_only_missing_or_changed_and_recordings_win(tmp_path, monkeypatch):
    synth = FakeSynth()
    synth.calls.clear()
    cache = VoiceCache(tmp_path / "cache", tmp_path / "rec")
    first = cache.build(synth)
    assert len(first.made) == len(synth.calls) > 100
    second = cache.build(synth)
    assert second.made == [] and second.kept == len(first.made)
    # a changed text is re-made, alone
    monkeypatch.setitem(catalog.PROMPTS, "screen.menu", ("请选择事项。", "Choose a service."))
    third = cache.build(synth)
    assert sorted(third.made) == ["en/screen.menu", "zh-CN/screen.menu"]
    # synthesised file trimmed: the prompt starts sounding within 30 ms
    samples = wav.read_pcm(cache.synthesized("screen.menu", "zh-CN"))
    assert next(i for i, s in enumerate(samples) if abs(s) > wav.SILENCE) <= wav.RATE * 0.031
    # a human recording named by key replaces the prompt; a wrong name or a silent file is reported
    (tmp_path / "rec" / "zh-CN").mkdir(parents=True)
    wav.write_wav(tmp_path / "rec" / "zh-CN" / "screen.menu.wav", _tone(0.5))
    wav.write_wav(tmp_path / "rec" / "zh-CN" / "screen.nope.wav", _tone(0.5))
    wav.write_wav(tmp_path / "rec" / "zh-CN" / "screen.result.wav", wav.silence(300))
    assert cache.resolve("screen.menu", "zh-CN") == tmp_path / "rec" / "zh-CN" / "screen.menu.wav"
    assert cache.resolve("screen.menu", "en") == cache.synthesized("screen.menu", "en")
    report = cache.build(synth)
    assert report.recorded == ["zh-CN/screen.menu.wav"]
    assert any("screen.nope" in p for p in report.problems)
    assert any("screen.result" in p and "silent" in p for p in report.problems)
    with pytest.raises(KeyError):
        cache.resolve("screen.typo", "zh-CN")


@needs_espeak
def test_espeak_synthesises_mandarin(tmp_path):
    out = tmp_path / "x.wav"
    engine = EspeakNg()
    engine.synthesize("请将身份证放在下方感应区", "zh-CN", out)
    samples = wav.read_pcm(out)
    assert len(samples) > wav.RATE and wav.peak(samples) > 3000
    # every Chinese prompt is spoken with Mandarin phonemes and tones, never pinyin read as English
    zh = "".join(f"{t}\n" for t in catalog.entries("zh-CN").values())
    phonemes = engine.phonemes(zh, "zh-CN")
    assert "(en)" not in phonemes and "'i35N" in phonemes  # 零 líng, second tone
    plain = EspeakNg(voices=(("zh-CN", "cmn"),))  # the negative control: the plain voice does switch
    assert "(en)" in plain.phonemes("请", "zh-CN")


@pytest.fixture
def engine(tmp_path):
    cache = VoiceCache(tmp_path / "cache")
    cache.build(FakeSynth())
    eng = VoiceEngine(cache, tmp_path / "work")
    yield eng
    eng.close()


def test_composition_runs_on_the_worker_and_joins_pieces(engine):
    done = threading.Event()
    seen = {}

    def ready(path):
        seen["thread"] = threading.current_thread().name
        seen["path"] = path
        done.set()
    utt = numbers.ticket_call("A023", 3, "zh-CN")
    engine.request(utt, "zh-CN", ready, lambda exc: pytest.fail(str(exc)))
    assert done.wait(10)
    assert seen["thread"] == "voice-compose"
    joined = wav.read_pcm(seen["path"])
    pieces = sum(len(wav.trim(wav.read_pcm(engine.path(k, "zh-CN")))) for k in utt if k != numbers.PAUSE)
    assert len(joined) > pieces  # every piece plus gaps
    with pytest.raises(KeyError):
        engine.request(("piece.nope",), "zh-CN", ready, ready)


def test_a_failing_job_is_reported_and_the_worker_keeps_going(engine, monkeypatch):
    real, errors = engine.cache.resolve, []
    failed, ready = threading.Event(), threading.Event()

    def unreadable(key, lang):
        if key == "screen.menu":
            raise PermissionError("recordings folder unreadable")
        return real(key, lang)
    monkeypatch.setattr(engine.cache, "resolve", unreadable)
    engine.request("screen.menu", "zh-CN", lambda path: pytest.fail("no file to play"),
                   lambda exc: (errors.append(exc), failed.set()))
    assert failed.wait(10) and isinstance(errors[0], PermissionError)
    worker = engine._thread
    engine.request("screen.attract", "zh-CN", lambda path: ready.set(), errors.append)
    assert ready.wait(10) and len(errors) == 1
    assert engine._thread is worker and worker.is_alive()  # the same worker, not one restarted by request()


class FakeSound:
    def __init__(self, path, log):
        self.path, self.log, self.volume = path, log, 1.0

    def play(self):
        self.log.append(("play", self.path.name, self.volume))

    def stop(self):
        self.log.append(("stop", self.path.name))

    def unload(self):
        pass


class FakeBackend:
    def __init__(self):
        self.log: list = []
        self.broken = False

    def prepare(self, path):
        self.prepared_on = threading.current_thread().name
        return path

    def load(self, path):
        self.loaded_on = threading.current_thread().name
        return None if self.broken else FakeSound(path, self.log)


def _said(bridge, player, prompt):
    assert bridge.pump_until(lambda: bool(player.started) and player.started[-1][0] == prompt, 10), prompt


def test_player_never_talks_over_and_reports_a_broken_device(engine):
    bridge, backend, statuses = QueueBridge(), FakeBackend(), []
    player = Player(engine, backend, bridge.post, volume=0.5, on_status=statuses.append)
    player.play("screen.attract", "zh-CN")
    _said(bridge, player, "screen.attract")
    player.play("screen.identify")
    _said(bridge, player, "screen.identify")
    assert backend.log == [("play", "screen.attract.wav", 0.5), ("stop", "screen.attract.wav"),
                           ("play", "screen.identify.wav", 0.5)]
    # a prompt superseded before it is ready is dropped, not played over the next screen
    player.play(numbers.ticket_call("A023", 3, "zh-CN"))
    player.play("screen.result")
    _said(bridge, player, "screen.result")
    bridge.pump_until(lambda: False, 0.3)
    assert [e[1] for e in backend.log if e[0] == "play"][-1] == "screen.result.wav"
    assert not any(e[1].startswith("utt-") for e in backend.log)
    # stop on leaving a screen; repeat plays the last prompt again; mute silences
    player.stop()
    assert backend.log[-1] == ("stop", "screen.result.wav")
    player.repeat()
    bridge.pump_until(lambda: backend.log[-1][0] == "play", 10)
    assert backend.log[-1] == ("play", "screen.result.wav", 0.5)
    player.set_muted(True)
    player.play("screen.menu")
    bridge.pump_until(lambda: False, 0.3)
    assert backend.log[-1] == ("stop", "screen.result.wav")
    player.set_muted(False)
    # a device that cannot open: reported once in the device vocabulary, the call returns normally
    backend.broken = True
    player.play("error.paper_out")
    bridge.pump_until(lambda: player.status == "hardwareError", 10)
    player.play("screen.menu")
    bridge.pump_until(lambda: False, 0.3)
    assert player.status == "hardwareError"
    assert [s["status"] for s in statuses] == ["hardwareError"]
    backend.broken = False
    player.play("screen.menu")
    _said(bridge, player, "screen.menu")
    assert player.status == "online" and statuses[-1]["status"] == "online"


def test_composed_prompt_plays_when_it_is_still_current(engine):
    bridge, backend = QueueBridge(), FakeBackend()
    player = Player(engine, backend, bridge.post)
    eta = numbers.help_eta(3, "zh-CN")
    player.play(eta, "zh-CN")
    _said(bridge, player, eta)
    assert backend.log[-1][1].startswith("utt-")
    player.stop_all()
    player.repeat()  # the idle wipe forgot what was said
    bridge.pump_until(lambda: False, 0.3)
    assert backend.log[-1][0] == "stop"


def test_a_broken_audio_device_becomes_a_staff_alert(engine):
    from kiosk.ops.alerts import AlertTracker

    bridge, backend = QueueBridge(), FakeBackend()
    backend.broken = True
    player = Player(engine, backend, bridge.post)
    player.play("screen.attract", "zh-CN")
    assert bridge.pump_until(lambda: player.status != "online", 10)
    tracker = AlertTracker(offline_grace_s=0)
    changes = tracker.evaluate({"devices": {"audio": player.health()}})
    assert [(c.change, c.alert.code) for c in changes] == [("raised", "audio.offline")]
    assert "音频设备" in changes[0].alert.message_zh


def test_the_state_names_the_prompt_to_speak():
    from kiosk.session.state import CardView, DeviceView, ErrorView, QrView, ResultView, SessionState, Text
    from kiosk.voice.prompts import prompt_for, speaks_on_entry

    online = DeviceView(printer="online", idcard="online", backend="online", paper="full", printer_ready=True,
                        reader_online=True, backend_ok=True)
    assert prompt_for(SessionState(screen="identify", devices=online)) == "screen.identify"
    assert prompt_for(SessionState(screen="identify", devices=online, card=CardView("reading"))) == "step.card_reading"
    assert prompt_for(SessionState(screen="identify", devices=online, card=CardView("error"))) == "error.card_unread"
    reader_down = DeviceView(reader_online=False, backend="online", backend_ok=True)
    assert prompt_for(SessionState(screen="identify", devices=reader_down, card=CardView("error"))) == \
        "error.reader_offline"
    assert prompt_for(SessionState(screen="identify", devices=online, qr=QrView("scanned"))) == "step.qr_scanned"
    gateway_down = DeviceView(reader_online=True, backend="offline", backend_ok=False)
    assert prompt_for(SessionState(screen="menu", devices=gateway_down, error=ErrorView(Text("x", "x"), "retry"))) \
        == "error.gateway_down"
    assert prompt_for(SessionState(screen="menu", devices=online, error=ErrorView(Text("x", "x")))) == "error.generic"
    paper_out = DeviceView(reader_online=True, backend="online", backend_ok=True, paper="out")
    result = ResultView(Text("t", "t"), Text("m", "m"), printed=False)
    assert prompt_for(SessionState(screen="result", devices=paper_out, result=result)) == "error.paper_out"
    assert prompt_for(SessionState(screen="form", devices=online, countdown=12)) == "step.idle_warning"
    assert speaks_on_entry("elder", True) and not speaks_on_entry("elder", False)
    assert speaks_on_entry("always", False) and not speaks_on_entry("never", True)


def test_the_heartbeat_snapshot_reports_the_player_as_a_device(engine):
    from kiosk.ops.heartbeat import runtime_snapshot

    backend = FakeBackend()
    backend.broken = True
    bridge = QueueBridge()
    player = Player(engine, backend, bridge.post)
    assert runtime_snapshot({"audio": player})["devices"]["audio"] == {"status": "online", "reason": None,
                                                                        "action": "none"}
    player.play("screen.menu", "zh-CN")
    assert bridge.pump_until(lambda: player.status == "hardwareError", 10)
    entry = runtime_snapshot({"audio": player})["devices"]["audio"]
    assert entry["status"] == "hardwareError" and entry["action"] == "maintenance" and "音频设备" in entry["reason"]


def test_the_file_is_prepared_on_the_worker_and_loaded_on_the_ui_thread(engine):
    """Kivy's SoundLoader opens SDL's audio device and makes a Kivy object: UI thread only (screens/audio.py)."""
    bridge, backend = QueueBridge(), FakeBackend()
    player = Player(engine, backend, bridge.post)
    player.play("screen.menu", "zh-CN")
    _said(bridge, player, "screen.menu")
    assert backend.prepared_on == "voice-compose" and backend.loaded_on == threading.current_thread().name


def test_prepared_files_are_in_the_device_format_and_reused(engine, tmp_path):
    import wave

    from screens.audio import DISK_CHANNELS, DISK_RATE, SdlAudio

    audio = SdlAudio(tmp_path / "dev")
    src = engine.path("screen.menu", "zh-CN")
    ready = audio.prepare(src)
    with wave.open(str(ready), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (DISK_RATE, DISK_CHANNELS, 2)
        frames = array("h", w.readframes(w.getnframes()))
    mono = wav.read_pcm(src)
    assert abs(len(frames) // 2 - 2 * len(mono)) <= 2  # twice the rate, two channels
    assert frames[0::2] == frames[1::2] and wav.peak(frames) == wav.peak(mono)
    assert audio.prepare(src) == ready  # the second time: the same file, not converted again
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from screens.audio import SdlAudio; "
            f"SdlAudio(Path({str(tmp_path / 'dev2')!r})).prepare(Path({str(src)!r})); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'kivy'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr  # the worker's part: no Kivy
