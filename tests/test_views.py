"""Each screen binds to its own view state (issue 18): a typed slice of the session, nothing more.

Pure checks (no Kivy): the views hold only their fields and cannot be changed; every screen has a builder;
and, read from the screens' source, every ``state.<field>`` a screen method reads is a field of the view
class its ``state`` parameter is annotated with — so a screen that starts reading a session field outside
its view fails here, not in front of a resident.
"""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from kiosk.session import views
from kiosk.session.state import (FieldView, FormView, Identity, MenuCategory, MenuItem, SCREENS, SessionState,
                                 Text)

ROOT = Path(__file__).resolve().parents[1]
VIEW_CLASSES = {name: cls for name, cls in vars(views).items()
                if isinstance(cls, type) and dataclasses.is_dataclass(cls) and issubclass(cls, views.ScreenView)}


def _full_state() -> SessionState:
    item = MenuItem("svc", Text("办事", "Service"), "icon", True, None, False)
    return SessionState(screen="menu", identity=Identity("张*", "idcard"),
                        menu=[MenuCategory("c", Text("类", "Cat"), [item])], attract_services=[item],
                        form=FormView([FieldView("phone", Text("电话", "Phone"), "phone", value="13800138000")]),
                        busy=Text("请稍候", "Wait"), countdown=9)


def test_every_screen_has_its_own_builder():
    assert set(views.BUILDERS) == set(SCREENS)
    state = _full_state()
    for name in SCREENS:
        view = views.view_for(name, state)
        assert isinstance(view, views.ScreenView) and type(view) is not views.ScreenView, name
        assert (view.lang, view.elder_mode) == (state.lang, state.elder_mode)


def test_a_view_holds_only_its_own_fields():
    state = _full_state()
    menu = views.view_for("menu", state)
    assert menu.menu[0].items[0].service_id == "svc" and menu.identity.display_name == "张*"
    for outside in ("form", "busy", "countdown", "screen", "terminal", "staff"):
        with pytest.raises(AttributeError):
            getattr(menu, outside)
    attract = views.view_for("attract", state)
    with pytest.raises(AttributeError):
        getattr(attract, "identity")  # the attract screen never learns who is signed in
    form = views.view_for("form", state)
    assert form.form.fields[0].value == "13800138000"
    with pytest.raises(AttributeError):
        getattr(form, "menu")
    root = views.root_view(state)
    assert (root.busy, root.countdown, root.screen) == (state.busy, 9, "menu")
    with pytest.raises(AttributeError):
        getattr(root, "form")


def test_a_view_cannot_be_changed_by_its_screen():
    menu = views.menu_view(_full_state())
    with pytest.raises(dataclasses.FrozenInstanceError):
        menu.lang = "en"  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        menu.form = None  # type: ignore[attr-defined]
    assert isinstance(menu.menu, tuple)  # the session's list is not handed out


def _state_reads(fn: ast.FunctionDef) -> set[str]:
    """Every field ``fn`` reads from its ``state`` parameter: ``state.x`` and ``getattr(state, "x", …)``."""
    reads = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "state":
            reads.add(node.attr)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "state"
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
            reads.add(node.args[1].value)
    return reads


def _screen_methods():
    """(file, function, view class name) for every function in screens/ with a ``state`` parameter."""
    for path in sorted((ROOT / "screens").glob("*.py")):
        if path.name == "shell.py":
            continue  # the app: it receives the whole session and builds the views
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                arg = next((a for a in node.args.args if a.arg == "state"), None)
                if arg is not None:
                    note = ast.unparse(arg.annotation) if arg.annotation is not None else ""
                    yield path.name, node, note


def test_screens_read_only_fields_of_their_view():
    methods = list(_screen_methods())
    assert len(methods) >= 25, len(methods)  # the scan really found the screens' methods
    wrong = []
    for fname, fn, note in methods:
        cls = VIEW_CLASSES.get(note)
        if cls is None:
            wrong.append(f"{fname}:{fn.lineno} {fn.name}(state: {note or '—'}) does not name a view class")
            continue
        allowed = {f.name for f in dataclasses.fields(cls)}
        outside = _state_reads(fn) - allowed
        if outside:
            wrong.append(f"{fname}:{fn.lineno} {fn.name} reads {sorted(outside)} outside {note}")
    assert not wrong, "\n".join(wrong)


def test_the_scan_sees_a_read_outside_the_view():
    """The check above can fail: a menu method that reads the form is caught."""
    fn = ast.parse("def signature(self, state: MenuScreenView):\n    return state.lang, state.form\n").body[0]
    assert _state_reads(fn) - {f.name for f in dataclasses.fields(views.MenuScreenView)} == {"form"}


def test_kv_rules_read_no_session_state():
    """kv rules read the app's own properties (lang, th, landscape, clock/terminal text), never the session."""
    bad = [f"{p.name}:{n}" for p in sorted((ROOT / "screens").glob("*.kv"))
           for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if re.search(r"\bapp\.(controller|state|cfg|runtime)\b", line)]
    assert not bad, bad


def test_screens_reach_the_session_only_through_their_view():
    """No screen reads ``controller.state`` (the whole session) behind its view's back; the app (shell.py)
    is the one that holds the session and hands it to ``KioskScreen.render``."""
    bad = [f"{p.name}:{n}" for p in sorted((ROOT / "screens").glob("*.py")) if p.name != "shell.py"
           for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if re.search(r"controller\s*\.\s*state\b", line)]
    assert not bad, bad
