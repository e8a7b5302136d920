"""The pinyin engine against the real installed dictionary index (built by set-up): ranking, segmentation,
session picks, input checks and the ``kiosk ime candidates`` command's output and exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ime import NotPinyin, PinyinEngine, default_index_path
from kiosk.ime import limits

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))   # session_fakes


@pytest.fixture(scope="module")
def engine():
    # set-up builds the index; a missing one is built here once (slow, but never skipped)
    eng = PinyinEngine.open()
    yield eng
    eng.close()


def test_shequ_offers_shequ_among_first_five(engine):
    assert "社区" in engine.words("shequ", limit=5)


def test_whole_phrase_from_two_words(engine):
    cands = engine.candidates("shequweixiu", limit=5)
    assert cands[0].text == "社区维修"
    assert cands[0].letters == len("shequweixiu")
    assert cands[0].key == "she qu wei xiu"
    # the first word alone is offered too, consuming only its letters, so it can be picked piece by piece
    piece = next(c for c in engine.candidates("shequweixiu") if c.text == "社区")
    assert piece.letters == len("shequ")


def test_segmentation_is_ambiguous_where_pinyin_is(engine):
    seg = engine.syllables.segment("xian")
    assert ["xian"] in seg and ["xi", "an"] in seg
    assert seg[0] == ["xian"]                              # fewest syllables first
    assert engine.syllables.segment("xi'an")[0] == ["xi", "an"]   # the apostrophe forces the split
    words = engine.words("xian", limit=20)
    assert "先" in words and "西安" in words
    assert "西安" in engine.words("xi'an", limit=3)
    assert "先" not in engine.words("xi'an")


def test_partial_last_syllable(engine):
    assert engine.syllables.segment("shequw") == [["she", "qu", "w…"]]
    words = engine.words("wom", limit=3)
    assert words[0] == "我们"
    cands = engine.candidates("shequw")
    assert any(c.text == "社区" and c.letters == 5 for c in cands)
    assert all(c.letters <= 6 for c in cands)


def test_v_types_u_umlaut(engine):
    assert "绿" in engine.words("lv", limit=5)
    assert "女" == engine.words("nv", limit=1)[0]


def test_session_picks_rank_first_and_are_wiped(engine):
    before = engine.candidates("shequ")
    rare = before[3]
    assert before[0].text != rare.text
    engine.pick("shequ", rare)
    assert engine.words("shequ", limit=1) == [rare.text]
    # the pick also ranks first where its reading is the start of a longer input
    assert engine.candidates("shequweixiu")[0].text == rare.text
    assert any("she qu" in key for key in engine._cache)
    engine.clear()
    assert engine.pick_count == 0
    assert not engine._cache  # nothing of what was typed is kept after the session
    assert engine.words("shequ") == [c.text for c in before]


def test_not_pinyin_is_refused(engine):
    for bad in ("she1", "社区", "", "   ", "iii", "she-qu"):
        with pytest.raises(NotPinyin):
            engine.candidates(bad)


def test_input_limits_refuse_emoji_control_and_overflow():
    assert limits.append("路灯", "坏了", 10) == limits.Verdict("路灯坏了")
    assert limits.append("路灯", "😀", 10).reason == "ime.refused_emoji"
    assert limits.append("路灯", "❤", 10).reason == "ime.refused_emoji"
    assert limits.append("路灯", "坏\u200d", 10).reason == "ime.refused_emoji"
    assert limits.append("路灯", "\x07", 10).reason == "ime.refused_control"
    assert limits.append("路灯", "\u202e", 10).reason == "ime.refused_control"   # bidi override
    over = limits.append("路灯坏了", "一周", 5)
    assert over.text == "路灯坏了" and over.reason == "ime.too_long" and dict(over.params) == {"max": 5}
    assert limits.cap_for("phone", None) == 11
    assert limits.cap_for("handoff_text", 1000) == 1000
    assert limits.cap_for("handoff_text", 5000) == 1000        # never above the contract's field bound
    assert limits.cap_for("handoff_text", None) == 200


def test_contract_bounds_a_submitted_field():
    import yaml

    spec = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
    fields = spec["components"]["schemas"]["Submission"]["properties"]["fields"]
    assert fields["additionalProperties"]["maxLength"] == limits.CONTRACT_FIELD_MAX
    assert limits.check("门口路灯，晚上很黑。", 200).reason is None


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "ime", "candidates", *args],
                          capture_output=True, text=True, timeout=60)


def test_cli_prints_candidates_in_rank_order(engine):
    out = _cli("shequ", "--limit", "5", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == engine.words("shequ", limit=5)
    plain = _cli("shequweixiu", "--limit", "3")
    assert plain.returncode == 0
    assert plain.stdout.splitlines() == engine.words("shequweixiu", limit=3)


def test_cli_exit_2_for_non_pinyin():
    for bad in ("she1", "社区", "a b"):
        out = _cli(bad)
        assert out.returncode == 2, (bad, out)
        assert "不是拼音" in out.stderr
        assert out.stdout == ""


def test_index_lives_under_the_venv(monkeypatch):
    monkeypatch.delenv("KIOSK_IME_INDEX", raising=False)
    assert default_index_path().is_relative_to(sys.prefix)


def test_session_wipe_forgets_the_picks(engine):
    import kiosk.ime as shared_ime
    from session_fakes import identify_by_card, make

    eng = shared_ime.shared()
    ctl, rt, _clock = make()
    identify_by_card(ctl, rt)
    eng.pick("shequ", eng.candidates("shequ")[2])
    assert eng.pick_count == 1
    ctl.wipe()
    assert eng.pick_count == 0
    assert eng.words("shequ", limit=1) == ["社区"]


def test_phone_grouping_and_typed_split():
    assert limits.group_phone("13800138000") == "138 0013 8000"
    assert limits.group_phone("1380") == "138 0"
    assert limits.split_typed("xi'anshi", 4) == ("xi'an", "shi")
    assert limits.split_typed("xi'anshi", 2) == ("xi", "anshi")
    assert limits.split_typed("shequ", 5) == ("shequ", "")


def test_address_config_is_typed(tmp_path):
    import shutil

    from kiosk.config.loader import check_config, load_config

    cfg = load_config(REPO / "config")
    assert len(cfg.addresses.districts) == 16
    assert cfg.addresses.district("jingan").streets[0].zh == "南京西路街道"
    original = (REPO / "config" / "services.yaml").read_text(encoding="utf-8")

    def problems(text: str) -> str:
        bad = tmp_path / str(len(list(tmp_path.iterdir())))
        shutil.copytree(REPO / "config", bad)
        (bad / "services.yaml").write_text(text, encoding="utf-8")
        cfg, issues = check_config(bad)
        assert cfg is None
        return "\n".join(str(i) for i in issues)

    assert "区 id 'huangpu' 重复" in problems(original.replace("id: xuhui", "id: huangpu"))
    assert "addresses.districts[15].towns: 未知的配置项" in problems(original.replace(
        "name: {zh: 崇明区, en: Chongming}", "name: {zh: 崇明区, en: Chongming}\n      towns: []"))
    assert "街道（镇） 外滩街道 重复" in problems(original.replace("{zh: 小东门街道, en: Xiaodongmen}",
                                                              "{zh: 外滩街道, en: Xiaodongmen}"))


def test_load_async_hands_over_the_engine():
    import threading

    import kiosk.ime as shared_ime

    got = {}
    done = threading.Event()

    def callback(engine, error):
        got.update(engine=engine, error=error)
        done.set()

    shared_ime.load_async(callback).join(timeout=120)
    assert done.wait(timeout=1)
    assert got["error"] is None and got["engine"] is shared_ime.shared() is shared_ime.ready()


def test_missing_index_is_refused_without_build(tmp_path):
    from kiosk.ime import IndexError_

    with pytest.raises(IndexError_, match="kiosk ime build"):
        PinyinEngine.open(tmp_path / "none.sqlite3", build=False)
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexError_, match="无法读取"):
        PinyinEngine.open(tmp_path / "junk.sqlite3")


def test_load_async_reports_an_unexpected_failure(monkeypatch):
    """A failure of any kind reaches the callback: the keyboard must never wait for an engine forever."""
    import threading

    import kiosk.ime as shared_ime

    def broken(*_a, **_k):
        raise RuntimeError("index half written")
    monkeypatch.setattr(shared_ime, "_engine", None)
    monkeypatch.setattr(shared_ime.PinyinEngine, "open", broken)
    got, done = {}, threading.Event()
    shared_ime.load_async(lambda engine, error: (got.update(engine=engine, error=error), done.set()))
    assert done.wait(timeout=10)
    assert got["engine"] is None and isinstance(got["error"], RuntimeError)
