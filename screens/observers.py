"""Kivy observers that outlive their session, and how the kiosk keeps them from piling up.

A 24/7 kiosk builds some widgets per session (menu tiles, guide topics, form fields) and drops them at the
wipe; observers bound to long-lived objects must go with them. Counted by ``bench/soak.py`` (every
``BoundCallback`` after a GC and a wipe), they grew by ~2.3 per session, all from one Kivy 2.3 bug:

``ScrollView.update_from_scroll`` binds ``bar_color`` again on every call and unbinds it once, half a second
after the last call; several updates within that half second (a page of new text laid out) leave extra
bindings on the long-lived guide/record/staff scroll views. screens/scroll.py's ScrollView unbinds before
Kivy binds, so there is one binding at most; :func:`install` registers it under Kivy's own name, so every
``ScrollView:`` in the kv files (today's and any added later) is that class.

What does not pile up, measured the same way: kv rules bound to app-level properties (``app.th``,
``app.lang``, elder mode) — Kivy unbinds a widget's rules when the widget is collected — and the
pixel-scale observers each ``'15sp'``-style value registers (dead ones linger until the next widget is
created, which drops them).
"""
from __future__ import annotations

from kivy.factory import Factory


def install() -> None:
    """Make ``ScrollView`` in every kv rule the kiosk's class (screens/scroll.py), imported on first use."""
    if Factory.classes.get("ScrollView", {}).get("module") != "screens.scroll":
        Factory.unregister("ScrollView")
        Factory.register("ScrollView", module="screens.scroll")
