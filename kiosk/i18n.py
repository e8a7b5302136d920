"""The UI text catalog: every string a resident or staff member reads comes from kiosk/locale/<lang>.yaml.

zh-CN is the default and the reference: en must define exactly the same keys (a test checks). Keys are
dotted paths into the YAML tree (``attract.title``); ``{name}`` placeholders are filled with str.format.
A missing key is a bug, so it is logged and shown as the bare key (visible in screenshots) instead of
crashing the kiosk in front of a resident. No Kivy here; the app binds widgets to ``tr(key, lang)``.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = str(value)
    return out


_catalogs: dict[str, dict[str, str]] = {}


def catalog(lang: str) -> dict[str, str]:
    """Flat key -> text map of one language (read once per process)."""
    if lang in _catalogs:
        return _catalogs[lang]
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    import yaml  # here, not at import: ``kiosk run`` gets the catalogs from its config check (preload)

    path = LOCALE_DIR / f"{lang}.yaml"
    with path.open(encoding="utf-8") as fh:
        # libyaml's parser when PyYAML has it (its wheels do): the pure-Python one took ~15 ms
        tree = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(tree, dict):
        raise ValueError(f"{path}: top level must be a mapping")
    return _catalogs.setdefault(lang, _flatten(tree))


def catalogs() -> dict[str, dict[str, str]]:
    """Every language's catalog (read if not read yet)."""
    return {lang: catalog(lang) for lang in LANGUAGES}


def preload(loaded: dict[str, dict[str, str]]) -> None:
    """Use catalogs read elsewhere — by ``kiosk run``'s config check, which reads the YAML files in a forked
    child so the kiosk process needs no YAML parser before its first frame."""
    for lang, flat in loaded.items():
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
        _catalogs.setdefault(lang, dict(flat))


def normalise(lang: str | None) -> str:
    """Map config/user spellings (zh, zh_CN, en-US) onto a catalog language."""
    if not lang:
        return DEFAULT_LANGUAGE
    low = lang.replace("_", "-").lower()
    if low.startswith("zh"):
        return "zh-CN"
    if low.startswith("en"):
        return "en"
    raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")


def tr(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    text = catalog(lang).get(key)
    if text is None:
        log.error("i18n key missing in %s: %s", lang, key)
        return key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError) as exc:
            log.error("i18n key %s in %s: bad placeholder (%s)", key, lang, exc)
            return text
    return text


def pick(pair: Any, lang: str) -> str:
    """Text from a bilingual pair given by other layers: a {"zh": .., "en": ..} mapping or an object with
    .zh/.en (config titles) or message_zh/message_en (typed errors)."""
    if pair is None:
        return ""
    if isinstance(pair, str):
        return pair
    en = lang == "en"
    if isinstance(pair, dict):
        return str(pair.get("en" if en else "zh") or pair.get("zh") or pair.get("en") or "")
    for zh_name, en_name in (("zh", "en"), ("message_zh", "message_en"), ("title_zh", "title_en")):
        if hasattr(pair, zh_name):
            return str(getattr(pair, en_name if en else zh_name) or getattr(pair, zh_name) or "")
    return str(pair)
