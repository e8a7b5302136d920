"""Issue 14 §1–§3, §5 for the shell and the menu, measured on the real app and its screenshots:

- the header shows the session countdown during a session (and nothing outside one);
- footer labels stay on one line in Chinese and English, standard and elder, portrait and landscape, with
  icons of at least the button text's size;
- the menu: tiles of equal width (a lone tile too) and equal height on a page, ≤ 35 % empty height in
  portrait standard; elder mode is one column (two in landscape) of ≤ 4 tiles per page with 上一页/下一页;
- the attract screen leaves ≤ 35 % of its height empty;
every variant also passes the MIIT audit (tests/ui/a11y.py). Shots go to build/ui-artifacts/shell/.
"""
from __future__ import annotations

import re
import time

import pytest

from a11y import audit
from conftest import make_kiosk, stop_kiosk
from kiosk_dev import uidriver as ui
from kiosk_dev.screenshots import empty_share
from screens.widgets import Icon, Tile
from uiflow import SIZES, set_variant, sign_in_with_card

VARIANTS = [(lang, elder, orient) for lang in ("zh-CN", "en") for elder in (False, True) for orient in SIZES]
MAX_EMPTY = 0.35


@pytest.fixture
def skewed(kiosk_app, base_cfg, tmp_path):
    offset = [0.0]
    k = make_kiosk(kiosk_app, base_cfg, tmp_path, clock=lambda: time.monotonic() + offset[0])
    k.jump = lambda seconds: offset.__setitem__(0, offset[0] + seconds)
    yield k
    ui.set_window_size(*SIZES["portrait"])
    stop_kiosk(k)


def footer_problems(name: str) -> list[str]:
    problems = []
    for key in ui.find_all("footer."):
        if not ui.visible(key):
            continue
        icon = next(c for c in key.children if isinstance(c, Icon))
        if key.texture_size[0] > key.width + 2:
            problems.append(f"{name}: {key.wid} {key.text!r} wider than its button")
        if "\n" in key.text or key.wrap:
            problems.append(f"{name}: {key.wid} {key.text!r} may break over lines")
        if icon.font_size < key.font_size * 1.3:
            problems.append(f"{name}: {key.wid} icon {icon.font_size:.0f} px < 1.3 × text {key.font_size:.0f} px")
    return problems


def tile_problems(name: str, prefix: str) -> list[str]:
    tiles = [w for w in ui.find_all(prefix) if isinstance(w, Tile) and ui.visible(w)]
    if not tiles:
        return [f"{name}: no {prefix} tiles"]
    widths = {round(t.width) for t in tiles}
    heights = {round(t.height) for t in tiles}
    problems = []
    if max(widths) - min(widths) > 2:
        problems.append(f"{name}: {prefix} tiles of unequal widths {sorted(widths)}")
    if max(heights) - min(heights) > 2:
        problems.append(f"{name}: {prefix} tiles of unequal heights {sorted(heights)}")
    for t in tiles:
        if t.texture_size[0] > t.width + 2 or t.texture_size[1] > t.height + 2:
            problems.append(f"{name}: {t.wid} text larger than the tile")
    return problems


def menu_page_problems(name: str, k) -> list[str]:
    """Menu tiles inside the page box (never over the welcome or the pager); elder: ≤ 4 a page, one column
    in portrait, and 下一页 shows the rest."""
    screen = k.app.root.sm.get_screen("menu")
    box = screen.ids.page
    bx, by = box.to_window(box.x, box.y)
    problems = []
    seen: set[str] = set()
    while True:
        tiles = [w for w in ui.find_all("menu.svc.") if isinstance(w, Tile) and ui.visible(w)]
        for t in tiles:
            x, y = t.to_window(t.x, t.y)
            if y < by - 1 or y + t.height > by + box.height + 1 or x < bx - 1 or x + t.width > bx + box.width + 1:
                problems.append(f"{name}: {t.wid} outside the page box")
        seen |= {t.wid for t in tiles}
        if k.state.elder_mode:
            if len(tiles) > 4:
                problems.append(f"{name}: {len(tiles)} tiles on one elder page")
            if not k.app.landscape and len({round(t.to_window(t.x, t.y)[0]) for t in tiles}) != 1:
                problems.append(f"{name}: elder portrait tiles not in one column")
        if not ui.exists("menu.page.next") or ui.find("menu.page.next").disabled:
            break
        ui.tap("menu.page.next")
    expected = {f"menu.svc.{i.service_id}" for c in k.state.menu for i in c.items}
    if seen != expected:
        problems.append(f"{name}: pages show {sorted(seen)}, not every service")
    while ui.exists("menu.page.prev") and not ui.find("menu.page.prev").disabled:
        ui.tap("menu.page.prev")
    return problems


def seconds_shown() -> int:
    """The header's countdown in seconds ("剩余 1:15" → 75)."""
    minutes, seconds = ui.text_of("header.session").split()[-1].split(":")
    return int(minutes) * 60 + int(seconds)


def test_header_shows_the_session_countdown_during_a_session(skewed):
    k = skewed
    ui.wait_screen("attract")
    assert not ui.exists("header.session")  # no session, no countdown
    sign_in_with_card(k)
    full = k.ctl.idle.limit("menu") + k.cfg.session.countdown_s
    ui.wait_until(lambda: ui.exists("header.session"), timeout=3, what="header countdown")
    assert ui.text_of("header.session").startswith("剩余 ")
    assert full - 3 <= seconds_shown() <= full
    k.jump(20)
    k.app._update_clock(0)
    ui.pump(2)
    assert full - 23 <= seconds_shown() <= full - 20
    ui.tap("menu.title")  # any touch re-arms the idle timer: the countdown starts again from the full time
    k.app._update_clock(0)
    ui.pump(2)
    assert full - 3 <= seconds_shown() <= full
    ui.tap("footer.end")
    ui.wait_screen("attract")
    assert not ui.exists("header.session")


def test_menu_and_attract_layouts_in_every_variant(skewed, shots):
    k = skewed
    out = shots / "shell"
    problems: list[str] = []
    ui.wait_screen("attract")
    for lang, elder, orient in VARIANTS:
        name = "attract-" + set_variant(k, lang, elder, orient)
        problems += [f"{name}: {p}" for p in audit(elder)] + footer_problems(name)
        png = ui.screenshot(out / f"{name}.png")
        if name == "attract-standard-portrait" and empty_share(png) > MAX_EMPTY:
            problems.append(f"{name}: {empty_share(png):.0%} of the height empty")
    set_variant(k, "zh-CN", False, "portrait")
    sign_in_with_card(k)
    for lang, elder, orient in VARIANTS:
        name = "menu-" + set_variant(k, lang, elder, orient)
        problems += [f"{name}: {p}" for p in audit(elder)] + footer_problems(name)
        problems += tile_problems(name, "menu.svc.")
        png = ui.screenshot(out / f"{name}.png")
        problems += menu_page_problems(name, k)
        png = ui.screenshot(out / f"{name}.png")
        if name == "menu-standard-portrait" and empty_share(png) > MAX_EMPTY:
            problems.append(f"{name}: {empty_share(png):.0%} of the height empty")
    assert not problems, "\n".join(problems)


def test_action_bar_keeps_back_left_and_primary_right_and_step_indicator_says_the_step(kiosk):
    from kivy.uix.boxlayout import BoxLayout

    from screens.widgets import NavBar, StepDots, StepIndicator

    app = kiosk.app
    taps: list[str] = []
    box = BoxLayout(orientation="vertical", padding=app.th.pad)
    steps = StepIndicator(step=2, total=4, wid="test.steps")
    bar = NavBar(back_text="返回", back_wid="test.back", primary_text="下一步", primary_wid="test.next",
                    primary_icon="arrow_forward")
    bar.bind(on_back=lambda *_: taps.append("back"), on_primary=lambda *_: taps.append("primary"))
    box.add_widget(steps)
    box.add_widget(BoxLayout())
    box.add_widget(bar)
    app.root.add_widget(box)  # over the screens, like an overlay: the window's full width
    try:
        ui.pump(4)
        back, primary = ui.find("test.back"), ui.find("test.next")
        assert back.right < primary.x and back.x <= app.th.pad + 1
        assert primary.right >= box.width - app.th.pad - 1 and back.y == primary.y <= app.th.pad + 1
        assert ui.text_of("test.steps.text") == "第 2 步 / 共 4 步"
        dots = next(c for c in steps.children if isinstance(c, StepDots))
        assert len(dots.canvas.children) > 4  # a colour and one shape per step
        ui.tap("test.back")
        ui.tap("test.next")
        assert taps == ["back", "primary"]
        where = tuple(back.pos)
        bar.primary_text = ""  # a screen without a primary action: 返回 stays where it was
        ui.pump(3)
        assert not ui.exists("test.next") and tuple(ui.find("test.back").pos) == where
        steps.total = 1
        ui.pump(2)
        assert not ui.exists("test.steps.text")
        kiosk.ctl.set_language("en")
        steps.total = 3
        ui.pump(3)
        assert ui.text_of("test.steps.text") == "Step 2 of 3"
    finally:
        app.root.remove_widget(box)


def test_a_card_placed_on_the_attract_screen_opens_the_menu_without_a_tap(kiosk):
    ui.wait_screen("attract")
    ui.wait_until(lambda: kiosk.rt.reader is not None and kiosk.ctl.identify._watch is not None, timeout=5,
                  what="the attract screen watching the reader")
    kiosk.card("place", card="resident")
    ui.wait_screen("menu", timeout=10)
    kiosk.card("remove")
    assert kiosk.state.identity.method == "idcard" and "李" in ui.text_of("menu.welcome")
    assert ui.exists("header.session")


def test_taps_walker_counts_real_taps_to_the_receipt(kiosk):
    """kiosk_dev/taps.py on the test app: 取号 is one tap, the record two (the card is placed, not tapped)."""
    from kiosk_dev.taps import Walker

    walker = Walker(kiosk.stack, kiosk.ctl)
    ticket = walker.flow("queue-ticket")
    assert (ticket.taps, ticket.keys, ticket.error) == (1, 0, "")
    assert kiosk.state.result.printed is True
    kiosk.ctl.end_session()
    record = walker.flow("social-insurance-record")
    assert (record.taps, record.keys) == (2, 0)
    assert kiosk.state.notice is not None or kiosk.state.result.printed is True


@pytest.mark.parametrize("lang,elder,orient", VARIANTS)
def test_scroll_cue_shows_while_there_is_more_below_and_offers_the_top_at_the_end(kiosk, lang, elder, orient):
    """The one scroll widget (screens/scrollbox.py) in every variant: a visible cue inside the window while
    the content is taller than the box, in the variant's language and wording; none when nothing scrolls."""
    from kivy.uix.widget import Widget

    from screens.scrollbox import ScrollBox

    app = kiosk.app
    set_variant(kiosk, lang, elder, orient)
    box = ScrollBox(wid="test.scroll", size_hint=(None, None), size=(600, 500), pos=(40, 200))
    content = Widget(size_hint_y=None, height=5000)
    box.add_widget(content)
    app.root.add_widget(box)
    try:
        ui.pump(4)
        cue = ui.find("test.scroll.cue")
        assert box.overflows and cue.height > 0 and cue.opacity == 1
        y = cue.to_window(*cue.pos)[1]
        assert 0 <= y and y + cue.height <= box.top and cue.width > 0.9 * box.width
        more = {"zh-CN": "下面还有", "en": "more below"}[lang]
        assert more in ui.text_of("test.scroll.cue").lower()
        box.sv.scroll_y = 0  # the resident reached the end: the cue offers the way back up
        ui.pump(3)
        assert box.at_end and {"zh-CN": "回到开头", "en": "back to the top"}[lang] in ui.text_of("test.scroll.cue")
        box.sv.scroll_y = 1
        content.height = 10  # nothing to scroll: no cue
        ui.pump(3)
        assert not box.overflows and not ui.exists("test.scroll.cue")
    finally:
        app.root.remove_widget(box)
        set_variant(kiosk, "zh-CN", False, "portrait")


#: kv files allowed a bare ScrollView: the staff panel's help list and log get 25–42 px in 长辈模式 (no room
#: for a 90-px cue until the staff layout, the screens helper's, gives them height); residents never see it
BARE_SCROLL_OK = {"staff.kv"}


def test_every_scrolling_screen_uses_the_one_scroll_widget():
    """A bare ScrollView in a screen's kv scrolls without a cue; the cue lives in ScrollBox alone."""
    from pathlib import Path

    import screens
    here = Path(screens.__file__).parent
    bare = {p.name for p in here.glob("*.kv") if re.search(r"^\s*ScrollView:", p.read_text("utf-8"), re.M)}
    assert bare <= BARE_SCROLL_OK
    cues = [p.name for p in here.glob("*.py") if p.name != "scrollbox.py"
            and re.search(r"scroll_more|scroll_top|class \w*Cue\b", p.read_text("utf-8"))]
    assert cues == []
    users = {p.name for p in here.glob("*.kv") if "ScrollBox:" in p.read_text("utf-8")}
    assert {"record.kv", "guide.kv", "licence.kv", "confirm.kv"} <= users


def test_a_card_left_on_the_reader_does_not_sign_its_owner_in_again(kiosk):
    """The resident ends the session and walks away; the card stays on the reader (the real reader driver
    re-reads a lying card whenever its polling is switched back on)."""
    ui.wait_screen("attract")
    ui.wait_until(lambda: kiosk.ctl.identify._watch is not None, timeout=5, what="reader watched")
    kiosk.card("place", card="resident")
    ui.wait_screen("menu", timeout=10)
    ui.tap("footer.end")  # the card is still on the reader
    ui.wait_screen("attract")
    ui.wait_until(lambda: kiosk.ctl.identify._watch is not None, timeout=5, what="reader watched again")
    polls = kiosk.rt.reader.poll_interval if hasattr(kiosk.rt.reader, "poll_interval") else 0.3
    end = time.monotonic() + max(2.0, 6 * polls)
    ui.wait_until(lambda: time.monotonic() > end or ui.current_screen() != "attract", timeout=10,
                  what="a few reader polls")
    assert ui.current_screen() == "attract" and kiosk.state.identity is None
    events: list[str] = []
    unsubscribe = kiosk.rt.reader.subscribe(lambda event: events.append(event.name))
    kiosk.card("remove")  # lifted and placed again: that is a new sign-in
    ui.wait_until(lambda: "card_removed" in events, timeout=5, what="the reader saw the card lifted")
    unsubscribe()
    kiosk.card("place", card="resident")
    ui.wait_screen("menu", timeout=10)
    kiosk.card("remove")
