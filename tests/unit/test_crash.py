"""kiosk/crash.py: the last resort logs an exception's type and frames, never its message, and never raises."""
from __future__ import annotations

import logging

from kiosk.crash import LastResort, summary

SECRET = "王小明 310106198807155218"


def _fail():
    try:
        {}["310106198807155218"]
    except KeyError as exc:
        raise ValueError(SECRET) from exc


def test_summary_names_type_frames_and_causes_but_not_the_message():
    try:
        _fail()
    except ValueError as exc:
        text = summary(exc)
    assert text.startswith("builtins.ValueError at tests/unit/test_crash.py:")
    assert "in _fail" in text and "caused by KeyError" in text
    assert "王小明" not in text and "310106198807155218" not in text


def test_guard_hands_the_exception_to_fail_safe_and_returns(caplog):
    kinds = []
    last = LastResort(kinds.append)
    with caplog.at_level(logging.ERROR):
        assert last.guard(_fail, "timer")() is None
    assert kinds == ["timer"] and last.count == 1 and last.last["type"] == "ValueError"
    assert "王小明" not in caplog.text and "ValueError" in caplog.text
    (code, level, zh, en), = last.alert()
    assert code == LastResort.ALERT_CODE and level == "critical" and "timer ValueError" in en


def test_a_failing_fail_safe_is_logged_not_raised_and_does_not_recurse(caplog):
    def broken(kind):
        raise RuntimeError(SECRET)
    last = LastResort(broken)
    with caplog.at_level(logging.ERROR):
        last.handle(ValueError(SECRET), "task")
    assert last.count == 1 and "failed while failing safe" in caplog.text and "王小明" not in caplog.text
    assert LastResort().alert() == []
