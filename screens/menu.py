"""Service menu: the staff catalog grouped by category; unavailable services greyed WITH a text reason."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kivy.uix.boxlayout import BoxLayout

from kiosk.session.views import MenuScreenView
from screens.widgets import KGrid, KioskScreen, Tile, icon_button, label


class MenuScreen(KioskScreen):
    welcome = StringProperty("")

    def signature(self, state: MenuScreenView) -> Any:
        app = App.get_running_app()
        who = state.identity.display_name if state.identity is not None else None
        cats = tuple((c.id, c.title, tuple((i.service_id, i.title, i.available, i.reason) for i in c.items))
                     for c in state.menu)
        return (state.lang, state.elder_mode, app.landscape, who, cats)

    def build_content(self, state: MenuScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        self.welcome = (app.tr("menu.welcome", lang, name=state.identity.display_name)
                        if state.identity is not None else app.tr("menu.welcome_anon", lang))
        box = self.ids.categories
        box.clear_widgets()
        # landscape: categories side by side, two per row, so everything fits without scrolling
        box.cols = 2 if app.landscape else 1
        for cat in state.menu:
            if not cat.items:
                continue
            block = BoxLayout(orientation="vertical", size_hint_y=None, spacing=app.th.gap / 2)
            block.bind(minimum_height=block.setter("height"))
            block.add_widget(label(cat.title.get(lang), role="title", wid=f"menu.cat.{cat.id}"))
            grid = KGrid(cols=2, wid=f"menu.grid.{cat.id}")
            for item in cat.items:
                text = item.title.get(lang)
                if not item.available:
                    reason = item.reason.get(lang) if item.reason is not None else app.tr("common.unavailable", lang)
                    text += "\n" + app.tr("menu.unavailable_reason", lang, reason=reason)
                grid.add_widget(icon_button(text, item.icon,
                                            lambda sid=item.service_id: self.act("choose_service", sid),
                                            wid=f"menu.svc.{item.service_id}",
                                            style="secondary" if item.available else "disabled",
                                            disabled=not item.available, role="title", cls=Tile))
            block.add_widget(grid)
            box.add_widget(block)
        if not any(cat.items for cat in state.menu):
            box.add_widget(label(app.tr("menu.empty", lang), tone="muted", wid="menu.empty"))

    def clear_content(self) -> None:
        self.ids.categories.clear_widgets()
        self.welcome = ""
