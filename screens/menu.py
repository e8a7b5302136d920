"""Service menu: the staff catalog as icon tiles grouped by theme, one page at a time, filling the screen.

Standard mode: each theme a heading and rows of two tiles (themes side by side in landscape); every tile
has the same width (a lone tile too: the other cell stays empty) and, on a page, the same height — the
tiles grow to share the height, so the page is filled rather than floated at the top. Elder mode is its own
layout: one column (two in landscape) of at most four large tiles per page, each with its plain one-line
summary, and 上一页/下一页 as big buttons. When the themes do not fit at the tiles' least height, standard
mode pages too. Unavailable services stay in place, greyed, with the reason in words.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget
from kivy.utils import escape_markup

from kiosk.session.views import MenuScreenView
from screens.widgets import KioskScreen, Tile, icon_button, label

#: elder mode: tiles per page (spec resident-ui.md: at most 4)
ELDER_PER_PAGE = 4


class MenuScreen(KioskScreen):
    welcome = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._groups: list[tuple[Any, list[Tile]]] = []
        self._pages: list[list[tuple[Any, list[Tile]]]] = []
        self._page = 0
        self._min_h = 0.0
        self._relayout = Clock.create_trigger(lambda _dt: self._paginate(0.0), 0)
        self.ids.page.bind(size=lambda *_: self._relayout())

    def signature(self, state: MenuScreenView) -> Any:
        """The tile grid's signature. The resident's name is not in it: the grid (catalog, languages,
        device readiness — nothing about the resident) is built once and kept across sessions; the name is
        the welcome line's alone, set on every render (a new name must not rebuild ~7 tiles and their
        ~340 kv handlers on the card → menu path)."""
        app = App.get_running_app()
        cats = tuple((c.id, c.title, tuple((i.service_id, i.title, i.available, i.reason) for i in c.items))
                     for c in state.menu)
        return (state.lang, state.elder_mode, app.landscape, cats)

    def rerender(self) -> None:
        state = self.view
        if state is not None:
            self._welcome(state)
        super().rerender()

    def _welcome(self, state: MenuScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        self.welcome = (app.tr("menu.welcome", lang, name=state.identity.display_name)
                        if state.identity is not None else app.tr("menu.welcome_anon", lang))

    def build_content(self, state: MenuScreenView) -> None:
        lang = state.lang
        self._groups = [(cat, [self._tile(item, lang, bool(state.elder_mode)) for item in cat.items])
                        for cat in state.menu if cat.items]
        self._page = 0
        self._paginate(0.0)

    def clear(self) -> None:
        """Leaving the menu or a wipe: the resident's name goes (the welcome line) and the next visit starts
        on the first page; the tiles stay built for the next session, their signature kept with them."""
        self.view = None
        self.welcome = ""
        if self._page != 0:
            self._page = 0
            self._show()

    def _tile(self, item: Any, lang: str, elder: bool) -> Tile:
        app = App.get_running_app()
        text = escape_markup(item.title.get(lang))
        if not item.available:
            reason = item.reason.get(lang) if item.reason is not None else app.tr("common.unavailable", lang)
            text += "\n" + escape_markup(app.tr("menu.unavailable_reason", lang, reason=reason))
        elif elder and item.summary is not None:  # plainer: what the service does, in one sentence
            text += f"\n[size={int(app.th.body)}]{escape_markup(item.summary.get(lang))}[/size]"
        tile = icon_button(text, item.icon, lambda sid=item.service_id: self.act("choose_service", sid),
                           wid=f"menu.svc.{item.service_id}", style="secondary" if item.available else "disabled",
                           disabled=not item.available, role="title", cls=Tile)
        tile.markup = True
        tile.size_hint_y = None
        # beside the icon (elder, landscape) the words start right after it; above it they are centred
        tile.halign = "left" if elder or App.get_running_app().landscape else "center"
        return tile

    # ----- pages -------------------------------------------------------------------------------------
    def _shape(self) -> tuple[bool, int, int]:
        """(elder, theme blocks side by side, tile columns per block)."""
        app = App.get_running_app()
        elder = bool(app.th.elder)
        if elder:
            return True, 1, 2 if app.landscape else 1
        return False, 2 if app.landscape else 1, 2

    def _least_h(self) -> float:
        th = App.get_running_app().th
        return max(self._min_h, th.button_h * (1.4 if th.elder else 1.25))

    def _heading_h(self) -> float:
        th = App.get_running_app().th
        return th.title * th.line_height * 1.15 + 4  # one line of the title role, with Kivy's leading

    def _need(self, blocks: list[tuple[Any, list[Tile]]], per_row: int, cols: int, tile_h: float) -> float:
        """Height a page of ``blocks`` takes with tiles ``tile_h`` high."""
        gap = App.get_running_app().th.gap
        total = 0.0
        for i in range(0, len(blocks), per_row):
            row = blocks[i:i + per_row]
            rows = max(-(-len(tiles) // cols) for _cat, tiles in row)
            total += self._heading_h() + gap + rows * (tile_h + gap)
        return total

    def _paginate(self, min_h: float) -> None:
        """Split the groups into pages that fit the page box with tiles at least ``min_h`` high (measured
        afresh at every new size: widths change the words' lines), then show the current page."""
        self._min_h = min_h
        box = self.ids.page
        if box.height <= 1 or not self._groups:
            self._show()
            return
        elder, per_row, cols = self._shape()
        if elder:  # no theme headings: one list, in theme order, four tiles a page
            tiles = [(cat, t) for cat, group in self._groups for t in group]
            self._pages = [[(None, [t for _c, t in tiles[i:i + ELDER_PER_PAGE]])]
                           for i in range(0, len(tiles), ELDER_PER_PAGE)]
        else:
            self._pages = [[]]
            for group in self._groups:
                trial = self._pages[-1] + [group]
                if self._pages[-1] and self._need(trial, per_row, cols, self._least_h()) > box.height:
                    self._pages.append([group])
                else:
                    self._pages[-1] = trial
        self._page = min(self._page, len(self._pages) - 1)
        self._show()

    def turn(self, step: int) -> None:
        self._page = max(0, min(len(self._pages) - 1, self._page + step))
        self._show()

    def _show(self) -> None:
        box = self.ids.page
        box.clear_widgets()
        for _cat, tiles in self._groups:
            for t in tiles:
                if t.parent is not None:
                    t.parent.remove_widget(t)
        pager = self.ids.pager
        pager.pages, pager.page = max(1, len(self._pages)), self._page + 1
        if not self._groups:
            app = App.get_running_app()
            box.add_widget(label(app.tr("menu.empty", app.lang), tone="muted", wid="menu.empty"))
            return
        if not self._pages or box.height <= 1:
            return
        elder, per_row, cols = self._shape()
        blocks = self._pages[self._page]
        tile_w = self._tile_width(per_row, cols)
        need = self._measure(blocks, tile_w)
        if need > self._least_h() + 1:  # long words: every tile grows to the tallest's need, pages again
            self._paginate(need)
            return
        tile_h = self._tile_height(blocks, per_row, cols)
        gap = App.get_running_app().th.gap
        for i in range(0, len(blocks), per_row):
            line = BoxLayout(spacing=gap * 2, size_hint_y=None)
            rows = max(-(-len(tiles) // cols) for _cat, tiles in blocks[i:i + per_row])
            line.height = (0 if elder else self._heading_h() + gap) + rows * (tile_h + gap) - gap
            for cat, tiles in blocks[i:i + per_row]:
                line.add_widget(self._block(cat, tiles, cols, tile_h, rows))
            for _ in range(per_row - len(blocks[i:i + per_row])):
                line.add_widget(Widget())  # a theme alone on its line keeps a theme's width
            box.add_widget(line)
        box.add_widget(Widget())  # what the tiles' greatest height leaves, at the bottom

    def _tile_width(self, per_row: int, cols: int) -> float:
        """Every tile's width: the page shared by the theme blocks on a line, a block by its columns."""
        gap = App.get_running_app().th.gap
        block_w = (self.ids.page.width - (per_row - 1) * gap * 2) / per_row
        return (block_w - (cols - 1) * gap) / cols

    def _measure(self, blocks: list, tile_w: float) -> float:
        """The height the tallest tile of ``blocks`` needs for its words at width ``tile_w``."""
        gap = App.get_running_app().th.gap
        need = 0.0
        for _cat, tiles in blocks:
            for t in tiles:
                t.size_hint_x, t.width = None, tile_w  # equal widths, known before the layout runs
                t.texture_update()
                need = max(need, t.texture_size[1] + gap, t.icon_px + 2 * gap)
        return need

    def _tile_height(self, blocks: list, per_row: int, cols: int) -> float:
        """Tiles share the page's height: as tall as fits, between their least and 3.5 button heights."""
        th = App.get_running_app().th
        least = self._least_h()
        spare = self.ids.page.height - self._need(blocks, per_row, cols, 0.0)
        rows = sum(max(-(-len(t) // cols) for _c, t in blocks[i:i + per_row]) for i in range(0, len(blocks), per_row))
        return max(least, min(th.button_h * 3.5, spare / max(1, rows)))

    def _block(self, cat: Any, tiles: list[Tile], cols: int, tile_h: float, rows: int) -> BoxLayout:
        app = App.get_running_app()
        gap = app.th.gap
        block = BoxLayout(orientation="vertical", spacing=gap, size_hint_y=None)
        block.height = (0 if cat is None else self._heading_h() + gap) + rows * (tile_h + gap) - gap
        if cat is not None:
            heading = label(cat.title.get(app.lang), role="title", wid=f"menu.cat.{cat.id}")
            block.add_widget(heading)
        for r in range(0, len(tiles), cols):
            row = BoxLayout(spacing=gap, size_hint_y=None, height=tile_h)
            for t in tiles[r:r + cols]:
                t.height = tile_h
                row.add_widget(t)
            for _ in range(cols - len(tiles[r:r + cols])):
                row.add_widget(Widget())  # the lone tile keeps the width of a tile in a full row
            block.add_widget(row)
        return block

    def clear_content(self) -> None:
        """Drop the grid (its signature too): the next render builds it afresh."""
        self._sig = None
        self.ids.page.clear_widgets()
        self._groups, self._pages, self._page = [], [], 0
        self.welcome = ""
