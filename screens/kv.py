"""The screens' kv rules: the shared files once per process, each screen's own the first time it is built.

Kept apart from screens/shell.py (which imports the window, and so creates it) so that ``kiosk run`` can
parse and compile the rules for the first frame while the configuration is still being checked.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from kivy.lang import Builder

from screens import observers

_KV_DIR = Path(__file__).parent
#: overlays.kv (error banner, idle/busy/help layers) is loaded by screens/root.py when the first is built
_KV_SHARED = ("widgets", "root")
_kv_loaded = False
_screen_kv_loaded: set[str] = set()


def load_kv() -> None:
    """Load the shared kv files exactly once per process (rules would otherwise apply twice).

    A screen's own kv is loaded by :func:`screen_class` the first time that screen is built, so the
    attract screen can be drawn before the other screens' rules are compiled.
    """
    global _kv_loaded
    if _kv_loaded:
        return
    observers.install()  # before any rule names ScrollView
    for name in _KV_SHARED:
        importlib.import_module(f"screens.{name}")
    for name in _KV_SHARED:
        Builder.load_file(str(_KV_DIR / f"{name}.kv"))
    _kv_loaded = True


def screen_class(name: str) -> type:
    module = importlib.import_module(f"screens.{name}")
    if name not in _screen_kv_loaded:
        Builder.load_file(str(_KV_DIR / f"{name}.kv"))
        _screen_kv_loaded.add(name)
    return getattr(module, "".join(part.title() for part in name.split("_")) + "Screen")


def load_widget_kv(name: str) -> None:
    """A widget module's own kv (keyboard, phone pad, address picker), once, before its first instance."""
    if name not in _screen_kv_loaded:
        Builder.load_file(str(_KV_DIR / f"{name}.kv"))
        _screen_kv_loaded.add(name)
