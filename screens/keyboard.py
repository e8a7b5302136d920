"""On-screen pinyin keyboard with a candidate bar, for every free-text field a resident fills at the kiosk.

Letters build a composition (``shequweixiu``); the bar shows the engine's candidates for all of it (社区维修
first, then words for its start); tapping one appends it to the text and leaves the letters it did not read.
The engine (kiosk.ime) opens on a worker the first time a keyboard is shown; until then letters still
collect and the bar says it is getting ready. Every addition goes through kiosk.ime.limits: the field's cap,
no emoji, no control characters — a refusal is shown in words (``message``) and announced with
``on_refused`` so the form can speak it. ``reset()`` wipes text, composition and bar (session end).
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk import ime
from kiosk.ime import limits
from screens.kv import load_widget_kv
from screens.widgets import KButton

#: QWERTY, as on every phone the resident may have seen; ' separates syllables (xi'an)
ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm'")
PUNCTUATION = ("，", "。", "？", "！")
#: longest composition: past it a resident is asked to pick first (the bar stays quick)
MAX_COMPOSING = 40
#: characters of the text shown above the keys (two lines of title type across a portrait screen, one in landscape)
SHOWN_CHARS = 40


class ImeKey(KButton):
    """A keyboard key: at least 90 px high (more in elder mode, see keyboard.kv)."""


class CandidateButton(KButton):
    """One candidate in the bar: as wide as its text; ``index`` is its place in the whole candidate list."""

    index = NumericProperty(0)


class PinyinKeyboard(BoxLayout):
    wid = StringProperty("ime")
    lang = StringProperty("zh-CN")
    text = StringProperty("")        # the field's value: personal, wiped by reset()
    composing = StringProperty("")   # pinyin letters not yet turned into characters
    cap = NumericProperty(limits.DEFAULT_TEXT_CAP)
    message = StringProperty("")     # what the resident must know now (refusal, loading), translated
    refusal = StringProperty("")     # the last refusal's reason key (kiosk.ime.limits), for the owner to speak
    count_text = StringProperty("")
    shown = StringProperty("")       # the end of ``text`` that fits above the keys
    landscape = BooleanProperty(False)   # the app's orientation (keyboard.kv): how much of ``text`` fits
    per_page = NumericProperty(6)
    page = NumericProperty(0)

    __events__ = ("on_change", "on_refused")

    def __init__(self, **kwargs: Any) -> None:
        load_widget_kv("keyboard")
        super().__init__(**kwargs)
        self._cands: list[ime.Candidate] = []
        self._parts: list[tuple[str, ime.Candidate]] = []   # picks making up the current composition
        self._engine = ime.ready()
        self._pool: list[CandidateButton] = []
        self._more: ImeKey | None = None
        self._spacer: Widget | None = None
        self.bind(text=self._count, cap=self._count, lang=self._count, landscape=self._count)
        self.bind(lang=lambda *_: Clock.schedule_once(self._build_keys, 0))   # 删除/空格/清空 in the new language
        Clock.schedule_once(self._build_keys, 0)
        if self._engine is None:
            self.message = self._tr("ime.loading")
            ime.load_async(lambda engine, error: Clock.schedule_once(lambda _dt: self._loaded(engine, error), 0))
        self._count()

    # --- events (the owner binds these) -----------------------------------------------------------------
    def on_change(self, text: str) -> None:
        """The text changed (the owner stores it)."""

    def on_refused(self, reason: str) -> None:
        """Something was refused; ``reason`` is the translated sentence (the owner may speak it)."""

    # --- building ---------------------------------------------------------------------------------------
    def _tr(self, key: str, **params: Any) -> str:
        return App.get_running_app().tr(key, self.lang, **params)

    def _key(self, text: str, on_release: Any, wid: str, *, style: str = "secondary", stretch: float = 1.0,
             role: str = "title") -> ImeKey:
        key = ImeKey(text=text, wid=f"{self.wid}.key.{wid}", style=style, role=role, size_hint_x=stretch)
        key.bind(on_release=lambda *_: on_release())
        return key

    def _build_keys(self, *_: Any) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        for letters in ROWS:
            row = KeyRow()
            for ch in letters:
                row.add_widget(self._key(ch, lambda c=ch: self.press(c), "apos" if ch == "'" else ch))
            if letters == ROWS[-1]:
                row.add_widget(self._key(self._tr("ime.delete"), self.delete, "delete", stretch=2.0,
                                         role="button"))
            rows.add_widget(row)
        last = KeyRow()
        for i, mark in enumerate(PUNCTUATION):
            last.add_widget(self._key(mark, lambda m=mark: self.punctuate(m), f"punct{i}"))
        last.add_widget(self._key(self._tr("ime.space"), self.space, "space", stretch=3.0, role="button"))
        last.add_widget(self._key(self._tr("ime.clear"), self.clear_all, "clear", stretch=2.0, role="button"))
        rows.add_widget(last)
        self._show_candidates()

    def _loaded(self, engine: Any, error: BaseException | None) -> None:
        if engine is None:
            self.message = self._tr("ime.unavailable")
            return
        self._engine = engine
        self.message = ""
        self._refresh()

    def _count(self, *_: Any) -> None:
        self.count_text = self._tr("ime.count", n=len(self.text), max=int(self.cap))
        # a long complaint shows its end, where the resident is typing
        # landscape: one line (the keys need the height); portrait: two
        shown = SHOWN_CHARS // 2 if self.landscape else SHOWN_CHARS
        self.shown = self.text if len(self.text) <= shown else "…" + self.text[-shown:]

    # --- typing -----------------------------------------------------------------------------------------
    def press(self, letter: str) -> None:
        if len(self.text) >= self.cap:
            self._refuse(limits.Verdict(self.text, "ime.too_long", (("max", int(self.cap)),)))
            return
        if len(self.composing) >= MAX_COMPOSING:
            return
        self.composing += letter
        self._refresh()

    def delete(self) -> None:
        self.message = ""
        if self.composing:
            self.composing = self.composing[:-1]
            if not self.composing:
                self._parts.clear()
            self._refresh()
        elif self.text:
            self._set_text(self.text[:-1])

    def clear_all(self) -> None:
        self.composing = ""
        self._parts.clear()
        self.message = ""
        self._set_text("")
        self._refresh()

    def space(self) -> None:
        if self.composing:
            if self._cands:
                self.choose(0)
        else:
            self.insert(" ")

    def punctuate(self, mark: str) -> None:
        if self.composing and self._cands:
            self.choose(0)
        if not self.composing:
            self.insert(mark)

    def insert(self, addition: str) -> bool:
        """Append ``addition`` as it is (punctuation, a space, text from elsewhere) if the limits allow."""
        verdict = limits.append(self.text, addition, int(self.cap))
        if verdict.reason is not None:
            self._refuse(verdict)
            return False
        self.message = ""
        self._set_text(verdict.text)
        return True

    def choose(self, index: int) -> None:
        """The resident tapped candidate ``index`` of the bar (all candidates, not just the page)."""
        if not 0 <= index < len(self._cands) or self._engine is None:
            return
        cand = self._cands[index]
        typed, rest = limits.split_typed(self.composing, cand.letters)
        if not self.insert(cand.text):
            return
        self._engine.pick(typed, cand)
        self._parts.append((typed, cand))
        self.composing = rest
        if not rest:
            if len(self._parts) > 1:
                # the phrase built piece by piece ranks first next time it is typed whole
                whole = ime.Candidate("".join(c.text for _, c in self._parts),
                                      sum(c.letters for _, c in self._parts),
                                      " ".join(c.key for _, c in self._parts))
                self._engine.pick("".join(t for t, _ in self._parts), whole)
            self._parts.clear()
        self._refresh()

    def _set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.dispatch("on_change", text)

    def _refuse(self, verdict: limits.Verdict) -> None:
        self.refusal = verdict.reason or ""
        self.message = self._tr(verdict.reason, **dict(verdict.params))
        self.dispatch("on_refused", self.message)

    # --- the candidate bar ------------------------------------------------------------------------------
    def _refresh(self) -> None:
        self.page = 0
        self._cands = []
        if self.composing and self._engine is not None:
            try:
                self._cands = self._engine.candidates(self.composing)
            except ime.NotPinyin:
                self.message = self._tr("ime.no_candidates")
            else:
                if self.message == self._tr("ime.no_candidates"):
                    self.message = ""
        self._show_candidates()

    def _pages(self) -> list[int]:
        """Where each page of the bar starts: as many candidates as fit the bar's width (a long phrase
        takes more room), at most ``per_page``, leaving room for the 更多 key."""
        th = App.get_running_app().th
        room = max(self.ids.bar.width, self._key_width() * 4) - self._more_width() - th.gap
        starts, used, count = [0], 0.0, 0
        for i, cand in enumerate(self._cands):
            width = self._cand_width(cand.text) + th.gap / 2
            if count and (used + width > room or count >= self.per_page):
                starts.append(i)
                used, count = 0.0, 0
            used += width
            count += 1
        return starts

    @staticmethod
    def _key_width() -> float:
        return max(90.0, App.get_running_app().th.target * 1.7)

    def _cand_width(self, text: str) -> float:
        th = App.get_running_app().th
        return max(len(text) * th.title + th.gap * 2, self._key_width())

    def _more_width(self) -> float:
        th = App.get_running_app().th
        return max(len(self._tr("ime.more")) * th.button + th.gap * 2, self._key_width())

    def more(self) -> None:
        self.page = (self.page + 1) % len(self._pages())
        self._show_candidates()

    def _show_candidates(self) -> None:
        """Fill the bar from a pool of buttons made once: building a themed button costs ~10 ms (kv rules),
        seven of them per keystroke would be most of the tap's budget."""
        bar = self.ids.bar
        bar.clear_widgets()
        starts = self._pages()
        page = min(int(self.page), len(starts) - 1)
        first = starts[page]
        last = starts[page + 1] if page + 1 < len(starts) else len(self._cands)
        for slot, i in enumerate(range(first, last)):
            btn = self._slot(slot)
            btn.index = i
            btn.text = self._cands[i].text
            btn.style = "primary" if i == 0 else "secondary"
            btn.width = self._cand_width(btn.text)
            bar.add_widget(btn)
        if len(starts) > 1:
            if self._more is None:
                self._spacer = Widget()   # 更多 stays at the right end, where the eye expects paging
                self._more = ImeKey(text=self._tr("ime.more"), wid=f"{self.wid}.more", role="button",
                                    size_hint_x=None, width=self._more_width())
                self._more.bind(on_release=lambda *_: self.more())
            bar.add_widget(self._spacer)
            bar.add_widget(self._more)

    def _slot(self, n: int) -> "CandidateButton":
        while len(self._pool) <= n:
            btn = CandidateButton(wid=f"{self.wid}.cand.{len(self._pool)}")
            btn.bind(on_release=lambda b: self.choose(int(b.index)))
            self._pool.append(btn)
        return self._pool[n]

    def candidates(self) -> list[str]:
        """The texts the bar offers now (all pages), for tests and the screen reader."""
        return [c.text for c in self._cands]

    def reset(self) -> None:
        """Forget the text, the composition and the bar (the session ended or the field closed)."""
        self.composing = ""
        self._parts.clear()
        self._cands = []
        self.message = ""
        self.text = ""
        self.page = 0
        if "bar" in self.ids:
            self.ids.bar.clear_widgets()
        for btn in self._pool:   # off the bar they still hold what was offered for the resident's letters
            btn.text = ""


class KeyRow(BoxLayout):
    """One row of keys, spaced evenly."""
