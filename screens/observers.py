"""Kivy observers that outlive what they observe, and how the kiosk keeps them from piling up.

A 24/7 kiosk builds some widgets per session (menu tiles, guide topics, form fields) and drops them at the
wipe. Two kinds of Kivy 2.3 observers stayed behind and grew by ~23 per session (bench/soak.py counts them):

* **Pixel-scale observers.** Every numeric property that receives a value with a unit (``'15sp'``, Kivy's
  own defaults included) registers a callback in Kivy's module-level pixel-scale list, holding a weak
  reference to its widget. Nothing removes it when the widget dies; Kivy drops dead entries only when the
  pixel scale is dispatched (dpi, density or font scale changing — never, on a kiosk). About 20 per session.
  :func:`drop_dead_observers` dispatches it once per wipe: live widgets keep their value (a value set
  later as a plain number is not reset; an unchanged value is not re-dispatched), dead entries go.
* **ScrollView's bar-colour binding.** ``ScrollView.update_from_scroll`` binds ``bar_color`` again on every
  call and unbinds it once, half a second after the last one; several updates within that half second (a
  page of new text laid out) leave extra bindings on the long-lived guide/record/staff scroll views, ~2.5
  per session. screens/scroll.py's ScrollView unbinds before Kivy binds, so there is one binding at most;
  :func:`install` registers it under Kivy's own name, so every ``ScrollView:`` in the kv files is that class.

Bindings the kv rules make on app-level properties (``app.th``, ``app.lang``) are not among them: Kivy
unbinds a widget's rules when the widget is collected.
"""
from __future__ import annotations

from kivy.factory import Factory
from kivy.metrics import dispatch_pixel_scale


def install() -> None:
    """Make ``ScrollView`` in every kv rule the kiosk's class (screens/scroll.py), loaded on first use."""
    if Factory.classes.get("ScrollView", {}).get("module") != "screens.scroll":
        Factory.unregister("ScrollView")
        Factory.register("ScrollView", module="screens.scroll")


def drop_dead_observers() -> None:
    """Forget the pixel-scale observers of widgets that no longer exist (a few ms; called at each wipe)."""
    dispatch_pixel_scale()
