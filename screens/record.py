"""Record screen (e.g. social-insurance payment record): the gateway's table (header + rows), printable.

Each record row is its own tinted strip in large type, so an eye (or a finger) can follow one month across;
the table scrolls in a :class:`ScrollBox` with a visible cue when it is taller than the screen (长辈模式,
landscape). 返回 bottom-left, 打印记录 bottom-right.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session.views import RecordScreenView
from screens.plain import say
from screens.scrollbox import ScrollBox
from screens.widgets import KioskScreen, PagedText, Panel, label

__all__ = ["RecordScreen", "ScrollBox"]

#: characters of one table cell shown at once; a longer cell is paged ("more"), never laid out whole
CELL_CHARS = 100


class RecordScreen(KioskScreen):
    title_text = StringProperty("")
    holder_text = StringProperty("")
    count_text = StringProperty("")
    printable = BooleanProperty(False)

    def signature(self, state: RecordScreenView) -> Any:
        r = state.record
        printable = bool(getattr(state.service, "printable", False))
        return (state.lang, state.elder_mode, printable, None if r is None else
                (r.title, tuple(r.rows), getattr(r, "holder", ""), tuple(getattr(r, "columns", ())),
                 tuple(tuple(row) for row in getattr(r, "table", ()))))

    def build_content(self, state: RecordScreenView) -> None:
        self.ids.scroll.to_top()
        app = App.get_running_app()
        lang = state.lang
        table = self.ids.table
        table.clear_widgets()
        record = state.record
        self.printable = bool(getattr(state.service, "printable", False)) and record is not None
        self.title_text = app.tr("record.title", lang) if record is None else record.title.get(lang)
        self.holder_text = (app.tr("record.holder", lang, name=record.holder)
                            if record is not None and getattr(record, "holder", "") else "")
        columns = list(getattr(record, "columns", ()) or ()) if record is not None else []
        rows = list(getattr(record, "table", ()) or ()) if record is not None else []
        if columns and rows:
            # a real table: one header strip, one tinted strip per record row
            table.add_widget(self._row([label(head.get(lang), role="body", tone="secondary_text",
                                              wid=f"record.col.{c}") for c, head in enumerate(columns)],
                                       "secondary_bg", "record.head"))
            for n, row in enumerate(rows):
                cells = [self._cell(str(row[c]) if c < len(row) else "", f"record.cell.{n}.{c}", lang)
                         for c in range(len(columns))]
                table.add_widget(self._row(cells, "stripe_bg", f"record.row.{n}"))
            self.count_text = say("record.count", lang, bool(state.elder_mode), n=len(rows))
            return
        self.count_text = ""
        if record is None or not record.rows:
            table.add_widget(label(app.tr("record.empty", lang), role="title", tone="muted", wid="record.empty"))
            return
        table.add_widget(self._row([label(app.tr("record.col_item", lang), role="title", tone="secondary_text",
                                          wid="record.col_item"),
                                    label(app.tr("record.col_value", lang), role="title", tone="secondary_text",
                                          wid="record.col_value")], "secondary_bg", "record.head"))
        for n, (name, value) in enumerate(record.rows):
            table.add_widget(self._row([label(name.get(lang), role="title", wid=f"record.k.{n}"),
                                        self._cell(str(value), f"record.v.{n}", lang)], "stripe_bg",
                                       f"record.row.{n}"))

    @staticmethod
    def _row(cells: list[Any], bg: str, wid: str) -> Panel:
        """One strip: the cells side by side, as tall as the tallest cell plus the theme's gap."""
        th = App.get_running_app().th
        row = Panel(orientation="horizontal", bg_name=bg, wid=wid, size_hint_y=None, spacing=th.gap,
                    padding=(th.pad, th.gap * 0.75))
        for cell in cells:
            row.add_widget(cell)

        def fit(*_: Any) -> None:
            row.height = max((c.height for c in cells), default=0) + th.gap * 1.5
        for cell in cells:
            cell.bind(height=fit)
        fit()
        return row

    @staticmethod
    def _cell(text: str, wid: str, lang: str) -> Any:
        app = App.get_running_app()
        return PagedText(text, page_chars=CELL_CHARS, wid=wid, personal=True, role="title",
                         more_text=lambda page, pages: app.tr("common.more", lang, page=page, pages=pages))

    def clear_content(self) -> None:
        self.ids.table.clear_widgets()
        self.title_text = self.holder_text = self.count_text = ""
        self.printable = False
