"""Receipt layouts: queue ticket, submission receipt, service guide, e-licence copy, printer test page
(the appointment receipt is in ``appointment``, the record printout in ``record``).

Each function takes plain values (or the backend's dataclasses / dicts with the same field names) and
returns a :class:`devices.printer.document.Document`; nothing here prints or touches a port. Chinese first,
English second; personal data only masked (see ``common``).
"""
from __future__ import annotations

import io
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any, Iterable

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from devices.printer.document import QR, Cut, Document, Feed, Image, KeyValue, Separator, Text
from kiosk.masking import mask_licence_number, mask_name
from kiosk.receipts.common import delivery_status, field, footer, header, when

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def queue_ticket(number: str, service: str, window: str, waiting: int, *, issued_at: datetime | str,
                 progress_url: str, terminal_name: str | None = None, location: str | None = None,
                 service_en: str | None = None, window_en: str | None = None, counter_hours: str | None = None,
                 counter_hours_en: str | None = None, tz: tzinfo | None = None) -> Document:
    """A queue number (取号凭条).

    number        the ticket number, printed 4× (e.g. "A023")
    service       service title in Chinese (e.g. "社保卡业务"); ``service_en`` optional English title
    window        counter(s) serving it (e.g. "3号窗口"); ``window_en`` optional
    waiting       people ahead of the resident
    issued_at     when the number was issued (datetime or ISO string)
    progress_url  what the QR opens: live queue progress (ASCII URL)
    counter_hours when the staffed counter serves (e.g. "工作日 9:00-17:00"); ``counter_hours_en`` optional
    terminal_name/location  this kiosk (from config), printed at the bottom
    tz            the terminal's zone: aware times / ISO strings with an offset are printed in it
    """
    doc = Document(kind="queue_ticket")
    doc.add(*header("排队取号凭条", "Queue ticket"))
    doc.add(Text("您的号码 Your number", align="center"),
            Text(str(number), size=(4, 4), bold=True, align="center"),
            Feed(1),
            Text(service, size=(2, 2), bold=True, align="center"))
    if service_en:
        doc.add(Text(service_en, align="center"))
    doc.add(Separator(),
            KeyValue("办理窗口 Counter", window + (f" {window_en}" if window_en else "")),
            KeyValue("前面等候 Waiting", f"{int(waiting)} 人"),
            KeyValue("取号时间 Issued", when(issued_at, tz)))
    if counter_hours:
        doc.add(KeyValue("窗口办理时间 Counter hours", counter_hours))
        if counter_hours_en:
            doc.add(Text(counter_hours_en, align="right"))
    doc.add(QR(progress_url, module=6),
            Text("微信或随申办扫码查看叫号进度", align="center"),
            Text("Scan to follow the queue", align="center"),
            Text("过号请重新取号，本凭条当日有效。", align="center"),
            *footer(terminal_name, location, issued_at, tz),
            Cut())
    return doc


def submission_receipt(service: str, reference: str, name: str | None, submitted_at: datetime | str, *,
                       delivered: bool, status_url: str, next_steps: Iterable[str] | None = None,
                       terminal_name: str | None = None, location: str | None = None,
                       tz: tzinfo | None = None) -> Document:
    """A submission receipt (办件回执).

    service       service title in Chinese
    reference     the kiosk-generated reference number (the resident quotes it)
    name          resident's name; printed masked (张**); None when not identified
    submitted_at  when the kiosk accepted it
    delivered     True: the government gateway confirmed receipt; False: saved on this kiosk and will be
                  sent automatically (the outbox) — the receipt says so honestly
    status_url    QR target to look the case up (ASCII URL)
    next_steps    what happens next, one line each (defaults per ``delivered``)
    """
    doc = Document(kind="submission_receipt")
    doc.add(*header("办件回执", "Submission receipt"))
    doc.add(KeyValue("事项 Service", service))
    if name:
        doc.add(KeyValue("申请人 Applicant", mask_name(name)))
    doc.add(KeyValue("提交时间 Submitted", when(submitted_at, tz)),
            Text("受理编号 Reference", align="center"),
            Text(reference, size=(2, 2), bold=True, align="center"),
            Separator())
    doc.add(*delivery_status(delivered))
    if delivered:
        steps = list(next_steps or ["工作人员将在规定时限内审核办理", "结果将通过短信或随申办通知您",
                                    "凭受理编号可在随申办或 12345 查询进度"])
    else:
        steps = list(next_steps or ["无需重复提交，本回执即为凭证", "提交成功后短信通知您",
                                    "如 24 小时未收到通知，请凭受理编号拨打 12345"])
    doc.add(Text("后续 Next steps：", bold=True))
    doc.add(*(Text(f"{i}. {step}") for i, step in enumerate(steps, 1)))
    doc.add(QR(status_url, module=6), Text("扫码查询办理进度 Scan to track", align="center"),
            *footer(terminal_name, location, submitted_at, tz), Cut())
    return doc


def service_guide(guide: Any, *, hours: str | None = None, address: str | None = None,
                  fees: str | None = None, url: str | None = None, terminal_name: str | None = None,
                  printed_at: datetime | str, tz: tzinfo | None = None) -> Document:
    """A service guide (办事指南): ``guide`` is the backend Guide (or dict with ``title_zh``, ``title_en``,
    ``sections`` = [{``heading_zh``, ``items_zh``}], ``updated_at``). ``hours``/``address`` come from the
    terminal config; ``fees`` overrides/adds a fee line; ``url`` adds a QR to the online guide."""
    doc = Document(kind="service_guide")
    doc.add(*header("办事指南", "Service guide")[:-1])  # the guide's own name goes above the rule
    title_zh, title_en = field(guide, "title_zh"), field(guide, "title_en")
    if title_zh:
        doc.add(Text(f"《{title_zh}》", size=(1, 2), bold=True, align="center"))
    if title_en:
        doc.add(Text(title_en, align="center"))
    doc.add(Separator())
    for section in field(guide, "sections", ()) or ():
        doc.add(Text(f"【{field(section, 'heading_zh', '')}】", bold=True))
        for item in field(section, "items_zh", ()) or ():
            doc.add(Text(f"· {item}"))
    if fees:
        doc.add(Text("【收费标准】", bold=True), Text(f"· {fees}"))
    if hours:
        doc.add(Text("【办理时间】", bold=True), Text(f"· {hours}"))
    if address:
        doc.add(Text("【办理地址】", bold=True), Text(f"· {address}"))
    if field(guide, "updated_at"):
        doc.add(Text(f"指南更新 Updated：{when(field(guide, 'updated_at'), tz)}"))
    if url:
        doc.add(QR(url, module=5), Text("扫码查看完整指南 Scan for the full guide", align="center"))
    doc.add(*footer(terminal_name, None, printed_at, tz), Cut())
    return doc


def watermark(img: PILImage.Image, text: str) -> PILImage.Image:
    """Repeat ``text`` diagonally over the licence image so a copy cannot pass for the original."""
    base = img.convert("L")
    # darken under the text: it must survive dithering on thermal paper
    return PILImage.composite(_ink(base.size), base, _watermark_mask(base.size, text))


@lru_cache(maxsize=8)
def _ink(size: tuple[int, int]) -> PILImage.Image:
    return PILImage.new("L", size, 90)


@lru_cache(maxsize=8)
def _watermark_mask(size: tuple[int, int], text: str) -> PILImage.Image:
    """The rotated text layer: it depends only on the picture's size and the purpose text, which every
    licence of one kiosk shares, so it is drawn (font load, text, rotation) once, not per print."""
    width, height = size
    layer = PILImage.new("L", (width * 2, height * 2), 0)
    draw = ImageDraw.Draw(layer)
    font = ImageFont.truetype(FONT, max(14, width // 18))
    step_y = max(40, height // 4)
    for row, y in enumerate(range(0, layer.height, step_y)):
        draw.text(((row % 2) * width // 4, y), (text + "    ") * 4, font=font, fill=255)
    layer = layer.rotate(25, resample=PILImage.Resampling.BICUBIC)
    layer = layer.crop((width // 2, height // 2, width // 2 + width, height // 2 + height))
    return layer.point(lambda v: 150 if v > 60 else 0)


def licence_copy(licence: Any, *, purpose: str = "仅供自助终端打印留存使用", image: PILImage.Image | None = None,
                 terminal_name: str | None = None, location: str | None = None,
                 printed_at: datetime | str, tz: tzinfo | None = None) -> Document:
    """A copy of an e-licence (电子证照打印件) with a watermark.

    licence   backend Licence or dict: ``name_zh``, ``name_en``, ``number`` (masked again here),
              ``issuer_zh``, ``valid_to``, and ``image_png`` (PNG bytes) unless ``image`` is given
    purpose   the watermark/purpose text, "仅供…使用" style; printed on the image and under it
    """
    doc = Document(kind="licence_copy")
    doc.add(*header("电子证照打印件", field(licence, "name_en")))
    doc.add(Text(field(licence, "name_zh", ""), size=(2, 1), bold=True, align="center"))
    if image is None and field(licence, "image_png"):
        image = PILImage.open(io.BytesIO(field(licence, "image_png")))
        image.load()
    if image is not None:
        doc.add(Image(watermark(image, purpose), align="center", max_width=560))
    doc.add(KeyValue("证号 Number", mask_licence_number(field(licence, "number", ""))),
            KeyValue("签发机关 Issuer", field(licence, "issuer_zh", "")),
            KeyValue("有效期至 Valid to", field(licence, "valid_to", "")),
            Separator("="),
            Text(purpose, bold=True, align="center"),
            Text("此件为电子证照打印件，不作为原件使用", align="center"),
            Text("A printed copy of an e-licence, not the original", align="center"),
            *footer(terminal_name, location, printed_at, tz), Cut())
    return doc


def test_page(profile: str = "generic-80mm", *, terminal_name: str | None = None,
              printed_at: datetime | str, tz: tzinfo | None = None) -> Document:
    """The printer test page: sizes, Chinese punctuation and symbols, a 4-byte GB18030 character,
    a 48-column ruler, a QR and a raster image — what staff check after changing paper or the profile."""
    from devices.printer.profiles import get_profile
    prof = get_profile(profile)
    ruler = "".join(str(i % 10) for i in range(1, prof.columns + 1))
    doc = Document(kind="test_page")
    doc.add(Text("打印机自检页", size=(2, 2), bold=True, align="center"),
            Text("Printer test page", align="center"),
            Separator(),
            KeyValue("型号配置 Profile", prof.name),
            KeyValue("每行字数 Columns", f"{prof.columns} / {prof.dots} 点"),
            KeyValue("近纸尽传感器 Near-end", "有 yes" if prof.near_end_sensor else "无 no"),
            Text(ruler),
            Text("中文标点：（）【】“”‘’《》、，。：；！？"),
            Text("符号：￥100.00 〇 № ± × ÷ ① ② ③"),
            Text("西文 Latin: ABCdef 0123456789 café"),
            Text("四字节生僻字：𠈌 㐀（字库无此字时按图像打印）"),
            Text("倍宽 2×1", size=(2, 1)),
            Text("倍高 1×2", size=(1, 2)),
            Text("2×2 大字", size=(2, 2), bold=True),
            Text("粗体 Bold", bold=True),
            Text("居中 Centre", align="center"),
            Text("靠右 Right", align="right"),
            Separator("="),
            QR("https://zwdt.sh.gov.cn/", module=5),
            Text("二维码应能被扫描 QR must scan", align="center"),
            Image(_gradient(), align="center", constant=True),
            *footer(terminal_name, None, printed_at, tz), Cut())
    return doc


@lru_cache(maxsize=1)
def _gradient() -> PILImage.Image:
    """A grey ramp with a border: shows dithering and the raster path. Drawn once (never modified)."""
    img = PILImage.new("L", (384, 48), 255)
    draw = ImageDraw.Draw(img)
    for x in range(384):
        draw.line((x, 0, x, 47), fill=int(255 * (1 - x / 383)))
    draw.rectangle((0, 0, 383, 47), outline=0, width=2)
    return img
