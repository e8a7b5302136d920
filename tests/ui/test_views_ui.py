"""Each real screen renders from its own view (kiosk/session/views.py), built in KioskScreen.render.

Every screen of the app is rendered from a session state that has something in every field; what its
build_content receives is recorded: the screen's own view class, without the fields of other screens.
"""
from __future__ import annotations

from kiosk.session import views
from kiosk.session.state import (CardView, FieldView, FormView, Identity, MenuCategory, MenuItem, QrView,
                                 ResultView, SCREENS, ServiceView, SessionState, StaffView, Text)


def _busy_state() -> SessionState:
    item = MenuItem("svc", Text("办事", "Service"), "description", True, None, False)
    return SessionState(
        identity=Identity("张*", "idcard"), service=ServiceView("svc", Text("办事", "Service"), "form", "c"),
        menu=[MenuCategory("c", Text("类", "Cat"), [item])], attract_services=[item], guide_topics=[item],
        form=FormView([FieldView("phone", Text("电话", "Phone"), "phone", value="13800138000")]),
        result=ResultView(Text("已提交", "Submitted"), Text("好", "OK"), reference="R1"),
        qr=QrView("waiting", "https://example.invalid/t/1", 60), card=CardView("waiting"),
        staff=StaffView(pin_digits=2), closed=Text("9:00-17:00", "9:00-17:00"), countdown=5)


def test_each_screen_gets_only_its_view(kiosk_app, monkeypatch):
    state = _busy_state()
    seen: dict[str, object] = {}
    for name in SCREENS:
        screen = kiosk_app.ensure_screen(name)
        original = screen.build_content

        def record(view, _name=name, _original=original):
            seen[_name] = view
            _original(view)  # the real body runs on the view alone
        monkeypatch.setattr(screen, "build_content", record)
        screen.clear()
        screen.render(state)
        screen.clear()
    assert set(seen) == set(SCREENS)
    for name, view in seen.items():
        assert type(view) is type(views.BUILDERS[name](state)), name
        assert not hasattr(view, "screen") and not hasattr(view, "countdown"), name
    assert not hasattr(seen["menu"], "form") and seen["menu"].identity.display_name == "张*"
    assert not hasattr(seen["attract"], "identity")
    assert seen["form"].form.fields[0].value == "13800138000"


def test_the_root_renders_from_its_view(kiosk_app):
    state = _busy_state()
    root = kiosk_app.root
    root.render(views.root_view(state))
    try:
        assert root._overlays["idle"].seconds == 5  # the idle layer read the countdown from the root view
    finally:
        root.render(views.root_view(SessionState()))
        root.clear_all()


def test_a_wipe_drops_the_view_a_screen_kept(kiosk_app):
    screen = kiosk_app.ensure_screen("menu")
    screen.render(_busy_state())
    assert screen.view is not None and screen.view.identity.display_name == "张*"
    screen.clear()
    assert screen.view is None  # nothing of the resident stays behind in the screen object
    screen.rerender()  # and a re-render after a wipe has nothing to show, not the old view
    assert screen.view is None
