"""Attract / home screen: who this kiosk is, the time, the two ways to sign in, the no-login services."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.session.views import AttractScreenView
from screens.widgets import KioskScreen, Tile, columns, icon_button


class AttractScreen(KioskScreen):
    keep_on_leave = True
    terminal_name = StringProperty("")
    terminal_location = StringProperty("")

    def signature(self, state: AttractScreenView) -> Any:
        app = App.get_running_app()
        items = tuple((i.service_id, i.title, i.available, i.reason) for i in state.attract_services)
        term = state.terminal
        return (state.lang, state.elder_mode, app.landscape, term.name, term.location,
                getattr(term, "name_en", ""), getattr(term, "location_en", ""), items)

    def build_content(self, state: AttractScreenView) -> None:
        app = App.get_running_app()
        term = state.terminal
        en = state.lang == "en"
        self.terminal_name = (getattr(term, "name_en", "") if en else "") or term.name
        self.terminal_location = (getattr(term, "location_en", "") if en else "") or term.location
        grid = self.ids.services
        grid.clear_widgets()
        grid.cols = columns(app.landscape, 2, 2)
        for item in state.attract_services:
            text = item.title.get(state.lang)
            if not item.available and item.reason is not None:
                text += "\n" + app.tr("menu.unavailable_reason", state.lang, reason=item.reason.get(state.lang))
            grid.add_widget(icon_button(text, item.icon, lambda sid=item.service_id: self.act("choose_service", sid),
                                        wid=f"attract.svc.{item.service_id}",
                                        style="secondary" if item.available else "disabled",
                                        disabled=not item.available, role="title", cls=Tile))
            tile = grid.children[0]
            tile.size_hint_y = 1  # rows share the height left (the tile's own rule gives its least)
            tile.halign = "left" if state.elder_mode or app.landscape else "center"  # words next to the icon
            if app.landscape:  # the tiles share what the sign-in buttons leave of 1080 px: a smaller icon
                tile.icon_size = app.th.icon * 0.6
        self.ids.no_services.opacity = 0 if state.attract_services else 1

    def clear_content(self) -> None:
        self.ids.services.clear_widgets()
