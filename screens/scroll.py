"""The kiosk's ScrollView: Kivy's, with at most one ``bar_color`` binding (why: screens/observers.py).

Registered in Kivy's Factory under Kivy's own name by :func:`screens.observers.install`, so every
``ScrollView:`` in the kv files builds this class; this module is imported the first time one is built
(the attract screen has none, so the cold start does not pay for Kivy's scroll modules).
"""
from __future__ import annotations

from typing import Any

from kivy.uix import scrollview


class ScrollView(scrollview.ScrollView):
    """Kivy 2.3 binds ``bar_color`` on every scroll update and unbinds it once, half a second after the
    last: unbinding first keeps one binding, whatever the number of updates."""

    def update_from_scroll(self, *largs: Any) -> None:
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)
