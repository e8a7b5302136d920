"""Plainer wording for 长辈模式 on the content screens (issue 14 §5): the elder layout says less, in
shorter sentences. A key ``x.y`` has an elder wording when the catalog also holds ``x.y_elder``; otherwise
both modes read the same text. Used from the screens' Python (kv files hold no literal suffixes)."""
from __future__ import annotations

from typing import Any

from kiosk import i18n


def say(key: str, lang: str, elder: bool, **params: Any) -> str:
    """The text of ``key`` in ``lang``, in its elder wording when ``elder`` and the catalog has one."""
    plain = f"{key}_elder"
    if elder and plain in i18n.catalog(lang):
        return i18n.tr(plain, lang, **params)
    return i18n.tr(key, lang, **params)
