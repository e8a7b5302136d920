"""Kivy observers a scroll view leaves behind: one ``bar_color`` binding at most, however often it scrolls.

Kivy 2.3's ScrollView binds ``bar_color`` on every scroll update and unbinds it once (screens/observers.py);
the kiosk's ScrollView, which every ``ScrollView:`` in the kv files builds, keeps one binding.
"""
from __future__ import annotations

from kivy.factory import Factory
from kivy.uix.label import Label

from screens.kv import load_kv


def _bar_color_observers(view) -> int:
    return sum(1 for obs in view.get_property_observers("bar_color") if "_change_bar_color" in repr(obs))


def test_kv_scroll_views_keep_one_bar_color_binding_however_often_they_scroll():
    load_kv()
    view = Factory.ScrollView(size=(400, 300))
    view.add_widget(Label(size_hint_y=None, height=2000))
    for step in range(50):  # a page laid out: many updates within Kivy's half-second fade delay
        view.scroll_y = 1 - step / 50
        view.update_from_scroll()
    assert type(view).__module__ == "screens.scroll"
    assert _bar_color_observers(view) == 1


def test_no_screen_builds_kivys_own_scroll_view_in_python():
    """A ScrollView made in Python bypasses the Factory: it must be screens.scroll's (review's ScrollBox was
    not, and the 40-session soak counted ~5 stale bar_color bindings per session again)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "screens"
    offenders = [p.name for p in root.glob("*.py")
                 if p.name != "scroll.py" and "from kivy.uix.scrollview import" in p.read_text(encoding="utf-8")]
    assert offenders == []
