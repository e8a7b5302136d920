"""Record printout (个人记录打印): a backend table split into pages, each headed "第 x/y 页" and cut.

Column widths come from the content (display width, CJK = 2) and are shrunk to the paper width, so a
backend adding a column still prints legibly (cells wrap inside their column).
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from itertools import chain
from operator import itemgetter
from typing import Any

from devices.printer.document import Cut, Document, KeyValue, Separator, Table, Text, text_width
from kiosk.masking import mask_name
from kiosk.receipts.common import field, footer, header, when

COLUMNS = 48


def column_widths(titles: list[str], rows: list[list[str]], total: int = COLUMNS) -> list[int]:
    """Widths (including one space gap) that fit ``total`` columns, proportional to the content."""
    # each distinct value measured once: a record repeats its amounts and statuses down a column
    columns = list(zip(*rows)) if rows else [()] * len(titles)
    natural = [max(text_width(t), _widest(set(col))) + 1 for t, col in zip(titles, columns)]
    if sum(natural) <= total:
        return natural
    floor = [min(n, 7) for n in natural]  # keep every column at least a few characters wide
    spare = total - sum(floor)
    extra = [n - f for n, f in zip(natural, floor)]
    share = sum(extra) or 1
    widths = [f + (e * spare) // share for f, e in zip(floor, extra)]
    widths[-1] += total - sum(widths)
    return widths


def _widest(values: set[str]) -> int:
    if not values:
        return 0
    if "".join(values).isascii():  # amounts and dates: the width is the length
        return max(map(len, values))
    return max(map(text_width, values))


def record_printout(record: Any, *, rows_per_page: int = 20, terminal_name: str | None = None,
                    location: str | None = None, printed_at: datetime | str,
                    tz: tzinfo | None = None) -> Document:
    """Print a personal record table.

    record   the backend Record (or a dict with the same fields): ``title_zh``, ``title_en``, ``holder``
             (printed masked), ``columns`` = [{``key``, ``zh``, ``en``}], ``rows`` = [{key: str}],
             ``generated_at``
    rows_per_page  rows on one page; each page is cut separately and numbered 第 x/y 页 (page x/y)
    """
    columns = list(field(record, "columns", ()) or ())
    keys = [field(c, "key") for c in columns]
    titles = [field(c, "zh") or field(c, "key") for c in columns]
    rows = _rows(list(field(record, "rows", ()) or ()), keys)
    widths = column_widths(titles, rows)
    per_page = max(1, rows_per_page)
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    title = field(record, "title_zh", "个人记录")
    doc = Document(kind="record_printout")
    # the blocks every page repeats are built once (they are immutable)
    top = [*header(title, field(record, "title_en")),
           KeyValue("持有人 Holder", mask_name(field(record, "holder", ""))),
           KeyValue("数据生成 Generated", when(field(record, "generated_at"), tz))]
    bottom = [*footer(terminal_name, location, printed_at, tz), Cut()]
    head, width_tuple = tuple(titles), tuple(widths)
    for number, page_rows in enumerate(pages, 1):
        doc.add(*top, KeyValue("页码 Page", f"第 {number}/{len(pages)} 页  {number}/{len(pages)}", bold=True),
                Separator())
        if page_rows:
            doc.add(Table(head, tuple(page_rows), width_tuple))
        else:
            doc.add(Text("暂无记录 No records", align="center"))
        if number == len(pages):
            doc.add(Separator(), Text(f"共 {len(rows)} 条记录 {len(rows)} rows in total"),
                    Text("本打印件仅供个人查询参考，如需加盖公章请至窗口办理。"))
        doc.add(*bottom)
    return doc


def _rows(raw: list[Any], keys: list[str]) -> list[tuple[str, ...]]:
    """Every row's cells in column order ('' for a missing or empty value). The usual backend reply — dict
    rows whose cells are all non-empty strings — is read by ``itemgetter`` without a Python loop per cell."""
    if len(keys) > 1 and all(type(r) is dict for r in raw):
        try:
            rows = list(map(itemgetter(*keys), raw))
        except KeyError:
            rows = []
        if rows and all(map(all, rows)) and set(map(type, chain.from_iterable(rows))) == {str}:
            return rows
    return [_cells(r, keys) for r in raw]


def _cells(row: Any, keys: list[str]) -> tuple[str, ...]:
    if isinstance(row, dict):
        get = row.get
        return tuple([str(get(k) or "") for k in keys])
    return tuple([str(field(row, k, "") or "") for k in keys])
