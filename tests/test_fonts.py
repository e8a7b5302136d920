"""Every string the kiosk shows is covered by the configured CJK font (no tofu), in every language."""
from pathlib import Path

import pytest
import yaml

from kiosk.fonts import FontError, load_font

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def _strings(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


def _configured_font() -> str:
    terminal = yaml.safe_load((ROOT / "config" / "terminal.yaml").read_text(encoding="utf-8"))
    return (terminal.get("display") or {}).get("font_path") or DEFAULT_FONT


def _ui_strings() -> dict[str, list[str]]:
    sources: dict[str, list[str]] = {}
    for path in sorted((ROOT / "kiosk" / "locale").glob("*.yaml")):
        sources[str(path.relative_to(ROOT))] = list(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    for name in ("terminal.yaml", "services.yaml"):
        path = ROOT / "config" / name
        sources[f"config/{name}"] = list(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return sources


def test_every_ui_and_catalog_string_is_in_the_font():
    font = load_font(_configured_font())
    sources = _ui_strings()
    assert any(p.startswith("kiosk/locale") for p in sources), "no UI catalog found"
    assert sum(len(v) for v in sources.values()) > 100  # the strings were really collected
    missing = {src: "".join(sorted(font.missing(texts))) for src, texts in sources.items()}
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"characters the font {font.family} cannot draw: {missing}"


def test_coverage_check_can_fail():
    """Negative control: characters outside the font (a CJK Ext-B name character, ⌫) are reported."""
    font = load_font(_configured_font())
    assert font.missing(["王𠈌", "⌫"]) == {"𠈌", "⌫"}
    assert font.missing(["一网通办 One-network"]) == set()


def test_missing_or_wrong_font_is_a_clear_error(tmp_path):
    with pytest.raises(FontError, match="找不到中文字体"):
        load_font(tmp_path / "nope.ttf")
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font")
    with pytest.raises(FontError, match="无法读取"):
        load_font(junk)


def test_quick_start_up_check_agrees_and_rejects(tmp_path):
    from kiosk.fonts import quick_check

    assert quick_check(_configured_font()) == load_font(_configured_font()).family
    with pytest.raises(FontError, match="找不到中文字体"):
        quick_check(tmp_path / "nope.ttc")
    junk = tmp_path / "junk.ttc"
    junk.write_bytes(b"ttcf" + b"\0" * 64)
    with pytest.raises(FontError, match="无法读取"):
        quick_check(junk)
