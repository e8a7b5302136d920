"""Record screen (e.g. social-insurance payment record): the gateway's table (header + rows), printable."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session.views import RecordScreenView
from screens.widgets import KioskScreen, PagedText, label

#: characters of one table cell shown at once; a longer cell is paged ("more"), never laid out whole
CELL_CHARS = 100


class RecordScreen(KioskScreen):
    title_text = StringProperty("")
    holder_text = StringProperty("")
    printable = BooleanProperty(False)

    def signature(self, state: RecordScreenView) -> Any:
        r = state.record
        printable = bool(getattr(state.service, "printable", False))
        return (state.lang, state.elder_mode, printable, None if r is None else
                (r.title, tuple(r.rows), getattr(r, "holder", ""), tuple(getattr(r, "columns", ())),
                 tuple(tuple(row) for row in getattr(r, "table", ()))))

    def build_content(self, state: RecordScreenView) -> None:
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
            # a real table: one header row, one grid row per record row
            table.cols = len(columns)
            for c, head in enumerate(columns):
                table.add_widget(label(head.get(lang), tone="muted", wid=f"record.col.{c}"))
            for n, row in enumerate(rows):
                for c in range(len(columns)):
                    cell = row[c] if c < len(row) else ""
                    table.add_widget(self._cell(str(cell), f"record.cell.{n}.{c}", lang))
            return
        table.cols = 2
        if record is None or not record.rows:
            table.add_widget(label(app.tr("record.empty", lang), tone="muted", wid="record.empty"))
            table.add_widget(label("", wid="record.empty_pad"))
            return
        table.add_widget(label(app.tr("record.col_item", lang), tone="muted", wid="record.col_item"))
        table.add_widget(label(app.tr("record.col_value", lang), tone="muted", wid="record.col_value"))
        for n, (name, value) in enumerate(record.rows):
            table.add_widget(label(name.get(lang), wid=f"record.k.{n}"))
            table.add_widget(self._cell(str(value), f"record.v.{n}", lang))

    @staticmethod
    def _cell(text: str, wid: str, lang: str) -> Any:
        app = App.get_running_app()
        return PagedText(text, page_chars=CELL_CHARS, wid=wid, personal=True,
                         more_text=lambda page, pages: app.tr("common.more", lang, page=page, pages=pages))

    def clear_content(self) -> None:
        self.ids.table.clear_widgets()
        self.title_text = self.holder_text = ""
        self.printable = False
