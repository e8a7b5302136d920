"""Every sentence the session itself decides to show, in zh-CN and en.

Screen labels live in app-ui's i18n catalog; these are the dynamic messages (progress, errors, reasons)
that the state machine chooses, kept in one table so wording is reviewed in one place.
"""
from __future__ import annotations

from kiosk.session.state import Text

T = Text

MSG: dict[str, Text] = {
    "busy.auth": T("正在核验身份，请稍候…", "Checking your identity…"),
    "busy.queue": T("正在取号，请稍候…", "Getting your ticket…"),
    "busy.guide": T("正在获取办事指南…", "Loading the service guide…"),
    "busy.record": T("正在查询，请稍候…", "Looking up your record…"),
    "busy.licences": T("正在获取电子证照…", "Loading your e-licences…"),
    "busy.submit": T("正在提交，请稍候…", "Submitting…"),
    "busy.qr": T("正在生成二维码…", "Creating the QR code…"),
    "card.waiting": T("请将身份证放在读卡区", "Place your ID card on the reader"),
    "card.reading": T("正在读取身份证，请勿移动…", "Reading your ID card, keep it still…"),
    "card.retry": T("请重新放置身份证", "Please place your ID card again"),
    "card.unavailable": T("读卡器暂不可用，请使用随申办扫码", "Card reader unavailable — please scan with Suishenban"),
    "card.unsupported": T("暂不支持此类证件，请使用居民身份证或扫码", "This card type is not supported — use a resident ID card or scan"),
    "qr.waiting": T("请使用随申办扫码登录", "Scan with the Suishenban app to sign in"),
    "qr.scanned": T("请在手机上确认", "Please confirm on your phone"),
    "qr.expired": T("二维码已过期，点击刷新", "QR code expired — tap to refresh"),
    "qr.cancelled": T("已在手机上取消，请重新选择登录方式", "Cancelled on the phone — choose how to sign in"),
    "qr.error": T("二维码暂不可用，请刷身份证或点击重试", "QR code unavailable — use your ID card or tap to retry"),
    "auth.failed": T("身份核验未通过，请重试或联系工作人员", "Identity check failed — try again or ask staff"),
    "scan.busy_pickup": T("正在查询取件信息…", "Looking up your parcel…"),
    "scan.busy_checkin": T("正在签到，请稍候…", "Checking you in…"),
    "scan.pickup_title": T("取件单", "Pick-up slip"),
    "scan.pickup_msg": T("{item}：请凭取件单到{place}取件，格口 {slot}", "{item}: collect it at {place}, slot {slot}, with this slip"),
    "scan.checkin_title": T("签到成功", "Checked in"),
    "scan.checkin_again": T("您已签到，号码不变", "Already checked in — your number is unchanged"),
    "scan.checkin_msg": T("{service}：请凭号票到窗口等候叫号：{window}", "{service}: please wait to be called at {window}"),
    "scan.pickup_unknown": T("未找到此取件码对应的物件，请核对短信或联系工作人员", "No parcel for this pick-up code — check the SMS or ask staff"),
    "scan.appointment_unknown": T("未找到此预约，请核对预约码或联系工作人员", "No appointment for this code — check it or ask staff"),
    "scan.failed": T("无法识别此码，请重新出示", "This code cannot be read, please show it again"),
    "scan.staff_waiting": T("请在扫码窗口出示任意二维码…", "Show any QR code to the scanner…"),
    "scan.staff_ok": T("扫码成功：{kind}，{bytes} 字节 / {chars} 字符，编码 {encoding}（内容不显示）", "Scanned: {kind}, {bytes} bytes / {chars} characters, encoding {encoding} (content not shown)"),
    "scan.staff_failed": T("测试扫码失败：{reason}", "Test scan failed: {reason}"),
    "scan.kind_ssm": T("身份码（随申码或其它）", "identity code (Suishenma or other)"),
    "scan.kind_pickup": T("物流取件码", "pick-up code"),
    "scan.kind_appointment": T("预约签到码", "appointment code"),
    "reason.paper_out": T("打印机缺纸，请联系工作人员", "Printer out of paper — please ask staff"),
    "reason.printer": T("打印机暂不可用，请联系工作人员", "Printer unavailable — please ask staff"),
    "reason.reader": T("读卡器暂不可用，请联系工作人员", "Card reader unavailable — please ask staff"),
    "reason.scanner": T("扫码器暂不可用，请联系工作人员", "Scanner unavailable — please ask staff"),
    "reason.backend": T("网络暂不可用，请稍后再试", "Network unavailable — please try later"),
    "result.queue": T("取号成功", "Your ticket"),
    "result.queue_msg": T("请凭号票到窗口等候叫号：{window}", "Please wait to be called at: {window}"),
    "result.delivered": T("已提交成功", "Submitted"),
    "result.delivered_msg": T("您的申请已送达，请保留回执", "Your request has been delivered. Keep the receipt."),
    "result.queued": T("已受理，待网络恢复后自动提交", "Accepted — it will be sent when the network is back"),
    "result.queued_msg": T("申请已安全保存在本机，不会丢失；回执上有受理编号", "Saved safely on this kiosk and will not be lost; the receipt shows the reference"),
    "result.rejected": T("提交未被受理，请联系工作人员", "The submission was not accepted — please ask staff"),
    "print.printing": T("正在打印…", "Printing…"),
    "print.done": T("打印完成，请取走凭条", "Printed — please take your receipt"),
    "print.failed": T("打印失败：{reason}。您的办理结果已保存，请联系工作人员补打", "Printing failed: {reason}. Your result is saved — ask staff to reprint it"),
    "print.copy_failed": T("打印失败：{reason}，请联系工作人员", "Printing failed: {reason} — please ask staff"),
    "print.unavailable": T("打印机暂不可用，请联系工作人员", "Printer unavailable — please ask staff"),
    "error.backend": T("服务暂时不可用：{reason}", "Service temporarily unavailable: {reason}"),
    "error.timeout": T("等待时间过长，请重试", "This took too long — please try again"),
    "error.form": T("请检查标红的内容", "Please check the highlighted fields"),
    "error.unknown_service": T("该服务暂不可用", "This service is not available"),
    "error.internal": T("出现问题，请重试或联系工作人员", "Something went wrong — try again or ask staff"),
    "help.sent": T("已通知工作人员，请在原地稍候；也可拨打 12345 热线", "Staff have been notified — please wait here, or call 12345"),
    "help.offline": T("请到服务窗口找工作人员，或拨打 12345 热线", "Please go to a staffed window or call 12345"),
    "help.sending": T("正在通知值班人员，请稍候…", "Calling the staff on duty, please wait…"),
    "help.waiting": T("已通知值班人员，请在这里稍候", "The staff on duty have been told. Please wait here."),
    "help.coming": T("{post}已收到，约 {n} 分钟到达，请在这里稍候", "{post} is coming, in about {n} min. Please wait here."),
    "help.call_number": T("值班人员暂时不能前来，请拨打 {phone}", "No one can come just now. Please call {phone}."),
    "help.unreachable": T("暂时联系不上值班人员，请拨打值班电话 {phone}，或拨打 12345 市民服务热线",
                          "The staff on duty cannot be reached. Please call {phone}, or the 12345 hotline."),
    "help.unreachable_hotline": T("暂时联系不上值班人员，请拨打 12345 市民服务热线",
                                  "The staff on duty cannot be reached. Please call the 12345 hotline."),
    "help.resolved": T("值班人员已处理您的求助", "The staff have closed your help request."),
    "help.cancelled": T("已取消求助", "Help request cancelled."),
    "help.status.sending": T("正在发送", "sending"),
    "help.status.pending": T("等待值班人员响应", "waiting for the duty post"),
    "help.status.acknowledged": T("值班人员已响应", "acknowledged"),
    "help.status.call": T("请居民拨打电话", "asked to phone"),
    "help.status.unreachable": T("网关不可达，已给出值班电话", "gateway unreachable, phone numbers shown"),
    "help.status.resolved": T("已处理", "resolved"),
    "help.status.cancelled": T("已取消", "cancelled"),
    "closed.hint": T("现在不在服务时间，可拨打 12345 或使用随申办 App 办理", "Closed now — call 12345 or use the Suishenban app"),
    "handoff": T("请用手机扫码填写", "Scan to fill this in on your phone"),
    "handoff.loading": T("正在生成二维码…", "Preparing the code…"),
    "handoff.done": T("已在手机上填写（{n} 字）", "Filled in on your phone ({n} characters)"),
    "handoff.expired": T("二维码已过期，请点「重试」获取新二维码", "The code has expired — tap Retry for a new one"),
    "handoff.failed": T("手机填写暂不可用：{reason}。请点「重试」，或返回上一步", "Filling in on the phone is unavailable: {reason}. Tap Retry, or go back"),
    "handoff.required": T("请先用手机扫码填写此项", "Please fill this in on your phone first"),
    "staff.locked": T("密码错误次数过多，请 {seconds} 秒后再试", "Too many wrong PINs — try again in {seconds} s"),
    "staff.wrong": T("密码错误，还可尝试 {left} 次", "Wrong PIN — {left} tries left"),
    "staff.test_printed": T("测试页已发送", "Test page sent"),
    "staff.card_ok": T("读卡成功：{name}", "Card read: {name}"),
    "staff.card_failed": T("读卡失败：{reason}", "Card read failed: {reason}"),
    "staff.outbox_retry": T("已触发重发", "Retry triggered"),
    "staff.reprinted": T("已补打最近一张凭条", "Last receipt reprinted"),
    "staff.no_receipt": T("没有可补打的凭条", "No receipt to reprint"),
}


#: the prompt (kiosk/voice/catalog.py) that says a reason aloud — an error built from one names it as its voice
REASON_VOICE: dict[str, str] = {"reason.paper_out": "error.paper_out", "reason.printer": "error.printer_offline",
                                "reason.reader": "error.reader_offline", "reason.backend": "error.gateway_down",
                                "print.unavailable": "error.printer_offline"}


def voice_of(reason: Text) -> str | None:
    """The prompt key for a reason taken from :data:`MSG` (``msg("reason.paper_out")`` → ``error.paper_out``)."""
    return next((REASON_VOICE[k] for k in REASON_VOICE if MSG[k] == reason), None)


def backend_voice(exc: BaseException) -> str:
    """The prompt for a failed gateway call: the network (unreachable, timed out, 5xx) or anything else."""
    from kiosk.backend.errors import NetworkError, ServerError, TimeoutError_

    return "error.gateway_down" if isinstance(exc, (NetworkError, ServerError, TimeoutError_)) else "error.generic"


def msg(key: str, **kw: object) -> Text:
    text = MSG[key]
    return text.format(**kw) if kw else text
