"""The prompt catalog: every spoken sentence of the kiosk, by prompt key, in zh-CN and English.

One key per screen (``screen.<name>``), per step inside a screen and per error a resident can meet; each text
is at most two short sentences that say what to do *now* (the voice style is in docs/voice.md). ``piece.*``
keys are the words that dynamic sentences are built from (digits, letters, 号, 窗口, 分钟 …, see
:mod:`kiosk.voice.numbers`) — the way a counter clerk reads out "A023" digit by digit but "3号窗口" as a
number. The cache (:mod:`kiosk.voice.cache`) synthesises every entry at set-up; a deployer may replace any
of them with a recording named by the same key.
"""
from __future__ import annotations

import re

LANGS = ("zh-CN", "en")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

#: key -> (zh-CN, en); ≤ 2 short sentences, what to do now
PROMPTS: dict[str, tuple[str, str]] = {
    # --- one per screen, spoken on entering it -------------------------------------------------------
    "screen.attract": ("您好，请点击屏幕选择要办理的事项。需要帮助请按一键求助。",
                       "Hello. Touch the screen to choose a service; press Help if you need a person."),
    "screen.identify": ("请将身份证放在下方感应区，或用随申办扫码。",
                        "Place your ID card on the reader below, or scan the code with Suishenban."),
    "screen.menu": ("请选择要办理的事项。", "Please choose a service."),
    "screen.guide": ("请选择要了解的事项，可以打印带走。", "Choose a topic to read; you can print it."),
    "screen.record": ("这是您的查询结果，需要可以打印。", "Here is your record; press Print to take a copy."),
    "screen.licence": ("这是您的电子证照，请向工作人员出示。", "Here is your e-licence; show it to the staff."),
    "screen.form": ("请按提示填写，填好后按下一步。", "Fill in each field, then press Next."),
    "screen.confirm": ("请核对信息，无误请按确认提交。", "Check the details, then press Confirm."),
    "screen.result": ("办理完成，请取走凭条。", "Done. Please take your receipt."),
    "screen.closed": ("自助服务暂停，请到人工窗口或拨打一二三四五。",
                      "Self-service is closed now. Please go to a staffed counter or call one two three four five."),
    "screen.staff_pin": ("请输入工作人员密码。", "Enter the staff PIN."),
    "screen.staff": ("工作人员模式。", "Staff mode."),
    # --- steps inside a screen -------------------------------------------------------------------------
    "step.card_reading": ("正在读卡，请不要移开身份证。", "Reading the card. Please keep it in place."),
    "step.card_done": ("读卡成功，请取回身份证。", "Card read. Please take back your ID card."),
    "step.qr_scanned": ("已扫码，请在手机上确认。", "Scanned. Please confirm on your phone."),
    "step.printing": ("正在打印，请稍候。", "Printing, please wait."),
    "step.take_receipt": ("请取走凭条。", "Please take your receipt."),
    "step.busy": ("正在处理，请稍候。", "Working on it, please wait."),
    "step.idle_warning": ("您还在吗？请按继续，否则将退出办理。",
                          "Are you still there? Press Continue, or the session will end."),
    "step.goodbye": ("已退出，您的信息已清除。", "Session ended; your details have been cleared."),
    # --- errors: what happened and what to do --------------------------------------------------------------
    "error.card_unread": ("没有读到身份证，请重新放好。", "The card could not be read. Please place it again."),
    "error.card_expired": ("身份证已过期，请到人工窗口办理。", "This ID card has expired. Please go to a staffed counter."),
    "error.reader_offline": ("读卡器暂时不能使用，请用随申办扫码。",
                             "The card reader is not working. Please scan the code with Suishenban."),
    "error.paper_out": ("打印纸用完了，请按一键求助联系工作人员。",
                        "The printer is out of paper. Press Help to call a member of staff."),
    "error.printer_offline": ("打印机暂时不能使用，请按一键求助。", "The printer is not working. Please press Help."),
    "error.gateway_down": ("网络暂时中断，请稍后再试或按一键求助。",
                           "The network is down. Please try again later or press Help."),
    "error.input": ("填写有误，请按红字提示修改。", "Something is not right. Please correct the field in red."),
    "error.generic": ("暂时无法办理，请按一键求助。", "This cannot be done now. Please press Help."),
    "error.scan_expired": ("这个码已过期，请在随申办里刷新后再扫。", "This code has expired. Refresh it in Suishenban and scan again."),
    "error.scan_replayed": ("这个码已经用过了，请刷新后再扫。", "This code was already used. Refresh it and scan again."),
    "error.scan_invalid": ("这不是随申码，请打开随申办出示随申码。", "This is not a Suishenban code. Please show your Suishenban code."),
    # --- help ----------------------------------------------------------------------------------------------
    "help.sending": ("正在通知值班人员，请稍候。", "Calling the staff on duty, please wait."),
    "help.notified": ("已通知值班人员，请在这里稍候。", "The staff on duty have been told. Please wait here."),
    "help.call": ("暂时联系不上值班人员，请拨打屏幕上的电话。",
                  "No staff could be reached. Please call the number on the screen."),
    "help.cancelled": ("已取消求助。", "Help request cancelled."),
    "help.unreachable": ("暂时联系不上值班人员。", "The staff on duty cannot be reached just now."),
    "help.resolved": ("值班人员已处理您的求助。", "The staff have closed your help request."),
    # --- pieces for dynamic sentences (kiosk/voice/numbers.py) ----------------------------------------------
    "piece.your_number": ("您的号码是", "Your number is"),
    "piece.hao": ("号", "."),
    "piece.please_go": ("请到", "Please go to counter"),
    "piece.window": ("号窗口", "."),
    "piece.about": ("约", "arriving in about"),
    "piece.minutes_arrive": ("分钟到达", "minutes"),
    "piece.minute_arrive": ("分钟到达", "minute"),
    "piece.helper_coming": ("已通知值班人员", "Staff are on their way,"),
    "piece.call": ("请拨打", "Please call"),
    "piece.or_hotline": ("或拨打一二三四五市民服务热线", "or call the one two three four five citizen hotline"),
    "piece.hotline": ("请拨打一二三四五市民服务热线", "Please call the one two three four five citizen hotline"),
}

ZH_DIGITS = "零一二三四五六七八九"
EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# letters as a clerk says them in Mandarin queues: the English letter name (espeak reads "A" well in cmn)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _pieces() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for d, zh in enumerate(ZH_DIGITS):
        out[f"piece.digit.{d}"] = (zh, EN_ONES[d])  # read one by one: 零二三
    out["piece.zh.liang"] = ("两", "two")  # 两分钟, not 二分钟
    out["piece.zh.yao"] = ("幺", "one")  # phone digits: 幺 is not heard as 七
    out["piece.zh.shi"] = ("十", "ten")
    out["piece.zh.bai"] = ("百", "hundred")
    for n in range(10, 20):
        out[f"piece.en.{n}"] = ("", EN_ONES[n])
    for t in range(2, 10):
        out[f"piece.en.tens{t}"] = ("", EN_TENS[t])
    out["piece.en.hundred"] = ("", "hundred")
    for ch in LETTERS:
        out[f"piece.letter.{ch.lower()}"] = (ch, ch)
    return out


PROMPTS.update(_pieces())


def text(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` (zh-CN or en); KeyError for an unknown key or language."""
    zh, en = PROMPTS[key]
    if lang not in LANGS:
        raise KeyError(f"no voice for language {lang!r}")
    return en if lang == "en" else zh


def entries(lang: str) -> dict[str, str]:
    """Every key with a text in ``lang`` (pieces used by one language only are skipped in the other)."""
    return {k: text(k, lang) for k in PROMPTS if text(k, lang).strip(" .")}


def screen_key(screen: str) -> str | None:
    """The prompt spoken on entering ``screen``, or None when the screen has none."""
    key = f"screen.{screen}"
    return key if key in PROMPTS else None
