"""Record printout (个人记录打印): a backend table split into pages, each headed "第 x/y 页" and cut.

Column widths come from the content (display width, CJK = 2) and are shrunk to the paper width, so a
backend adding a column still prints legibly (cells wrap inside their column).
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from devices.printer.document import Cut, Document, KeyValue, Separator, Table, Text, text_width
from kiosk.masking import mask_name
from kiosk.receipts.common import field, footer, header, when

COLUMNS = 48


def column_widths(titles: list[str], rows: list[list[str]], total: int = COLUMNS) -> list[int]:
    """Widths (including one space gap) that fit ``total`` columns, proportional to the content."""
    natural = [max([text_width(t)] + [text_width(r[i]) for r in rows]) + 1 for i, t in enumerate(titles)]
    if sum(natural) <= total:
        return natural
    floor = [min(n, 7) for n in natural]  # keep every column at least a few characters wide
    spare = total - sum(floor)
    extra = [n - f for n, f in zip(natural, floor)]
    share = sum(extra) or 1
    widths = [f + (e * spare) // share for f, e in zip(floor, extra)]
    widths[-1] += total - sum(widths)
    return widths


def record_printout(record: Any, *, rows_per_page: int = 20, terminal_name: str | None = None,
                    location: str | None = None, printed_at: datetime | None = None,
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
    rows = [[str(field(r, k, "") or "") for k in keys] for r in field(record, "rows", ()) or ()]
    widths = column_widths(titles, rows)
    per_page = max(1, rows_per_page)
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    title = field(record, "title_zh", "个人记录")
    doc = Document(kind="record_printout")
    for number, page_rows in enumerate(pages, 1):
        doc.add(*header(title, field(record, "title_en")))
        doc.add(KeyValue("持有人 Holder", mask_name(field(record, "holder", ""))),
                KeyValue("数据生成 Generated", when(field(record, "generated_at"), tz)),
                KeyValue("页码 Page", f"第 {number}/{len(pages)} 页  {number}/{len(pages)}", bold=True),
                Separator())
        if page_rows:
            doc.add(Table(tuple(titles), tuple(tuple(r) for r in page_rows), tuple(widths)))
        else:
            doc.add(Text("暂无记录 No records", align="center"))
        if number == len(pages):
            doc.add(Separator(), Text(f"共 {len(rows)} 条记录 {len(rows)} rows in total"),
                    Text("本打印件仅供个人查询参考，如需加盖公章请至窗口办理。"))
        doc.add(*footer(terminal_name, location, printed_at, tz), Cut())
    return doc
