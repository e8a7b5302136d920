"""The duty console: a small web page the gateway simulator serves at ``/_sim/console`` (loopback only).

What the on-duty staff of a service centre watch: every terminal the gateway heard from, with its last
heartbeat, device statuses and open alerts, and the open 一键求助 requests with an acknowledge action (duty
post + ETA in minutes) or a number to call instead. Plain HTML and a little JavaScript polling
``/_sim/console/state``; actions are JSON POSTs (a cross-site form cannot send JSON without a preflight the
simulator never grants, so another page in the staff's browser cannot acknowledge in their name). Not part
of the kiosk contract: a real gateway has its own console; this one lets a developer (and the browser test)
play the duty staff.
"""
from __future__ import annotations

import json
import time
from typing import Any

from kiosk.backend.simulator.help import OPEN_STATES
from kiosk.backend.simulator.replies import GatewayState, iso

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>值班台 · 一网通办自助终端</title>
<style>
body{font-family:"WenQuanYi Micro Hei",sans-serif;margin:1.5em;color:#1a1a1a}
h1{font-size:1.4em;color:#0b4ea2} h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#eef3fb} .bad{color:#b00020;font-weight:bold} .ok{color:#1b7a1b} .old{color:#b06000}
tr.pending{background:#fff4f4} button{font-size:1em;padding:.2em .8em} .empty{color:#777}
</style></head><body>
<h1>值班台 Duty console</h1>
<p id="updated" class="empty">…</p>
<h2>求助 Help requests</h2>
<table><thead><tr><th>时间</th><th>终端 / 位置</th><th>页面 / 事项</th><th>长辈模式</th><th>状态</th><th>处理</th></tr></thead>
<tbody id="requests"></tbody></table>
<h2>终端 Terminals</h2>
<table><thead><tr><th>终端</th><th>最近心跳</th><th>设备</th><th>告警</th></tr></thead>
<tbody id="terminals"></tbody></table>
<script>
const POSTS = __POSTS__;
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function cell(row, text, cls) { const td = el("td", cls ? {class: cls} : {}, text); row.appendChild(td); return td; }
async function act(path, body) {
  const r = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                               body: JSON.stringify(body)});
  const reply = await r.json();
  if (!reply.ok) alert(reply.message || "failed");
  refresh();
}
function stateText(r) {
  if (r.state === "pending") return "等待响应";
  if (r.state === "acknowledged") return "已响应：" + r.duty_post.name_zh + "，约 " + r.eta_minutes + " 分钟";
  if (r.state === "call") return "请居民拨打 " + r.call_phone;
  return r.state;
}
function renderRequests(list) {
  // rows are kept by id and only their state cell is updated: a refresh must not wipe what the duty staff
  // are typing (post, ETA, phone) or swap the button under their finger
  const body = document.getElementById("requests");
  const ids = new Set(list.map(r => r.id));
  for (const tr of [...body.children]) if (!ids.has(tr.getAttribute("data-id"))) tr.remove();
  if (!list.length) {
    const tr = el("tr", {"data-id": ""});
    cell(tr, "没有待处理的求助", "empty").colSpan = 6;
    body.appendChild(tr);
    return;
  }
  for (const r of list) {
    let tr = body.querySelector(`tr[data-id="${r.id}"]`);
    if (!tr) { tr = requestRow(r); body.appendChild(tr); }
    tr.className = r.state;
    const st = tr.querySelector(".state");
    st.textContent = stateText(r);
    st.className = "state " + (r.state === "pending" ? "bad" : "ok");
  }
}
function requestRow(r) {
  const tr = el("tr", {"data-id": r.id});
  cell(tr, r.created_at.slice(11, 19));
  cell(tr, r.terminal_id + " · " + r.location);
  cell(tr, r.screen + (r.service_id ? " / " + r.service_id : ""));
  cell(tr, r.elder_mode ? "是" : "否");
  cell(tr, "", "state");
  const td = cell(tr, "");
  const post = el("select", {class: "post"});
  for (const p of POSTS) post.appendChild(el("option", {value: p.id}, p.name_zh));
  const eta = el("input", {class: "eta", type: "number", min: "0", max: "120", value: "3", size: "3"});
  const ack = el("button", {class: "ack"}, "响应");
  ack.onclick = () => act("/_sim/console/ack", {id: r.id, post_id: post.value, eta_minutes: parseInt(eta.value, 10)});
  const phone = el("input", {class: "phone", value: "12345", size: "12"});
  const call = el("button", {class: "call"}, "请其拨打");
  call.onclick = () => act("/_sim/console/call", {id: r.id, phone: phone.value});
  const done = el("button", {class: "resolve"}, "已处理");
  done.onclick = () => act("/_sim/console/resolve", {id: r.id});
  td.append(post, " 约 ", eta, " 分钟 ", ack, " ", phone, call, " ", done);
  return tr;
}
function renderTerminals(list) {
  const body = document.getElementById("terminals"); body.replaceChildren();
  if (!list.length) { const tr = el("tr"); cell(tr, "尚未收到心跳", "empty").colSpan = 4; body.appendChild(tr); return; }
  for (const t of list) {
    const tr = el("tr", {"data-terminal": t.id});
    cell(tr, t.id);
    cell(tr, t.last_heartbeat.slice(11, 19) + "（" + t.age_s + " 秒前）", t.age_s > 90 ? "old" : "");
    cell(tr, Object.entries(t.devices).map(([k, v]) => k + ": " + v).join("，") || "—");
    cell(tr, t.alerts.map(a => a.message_zh || a.code).join("；") || "无", t.alerts.length ? "bad" : "ok");
    body.appendChild(tr);
  }
}
async function refresh() {
  try {
    const s = await (await fetch("/_sim/console/state")).json();
    renderRequests(s.requests); renderTerminals(s.terminals);
    document.getElementById("updated").textContent = "更新于 " + s.now.slice(11, 19);
  } catch (e) { document.getElementById("updated").textContent = "连接网关失败：" + e; }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>
"""


def state(sim: GatewayState) -> dict[str, Any]:
    desk = sim.duty
    now = time.time()
    with desk.lock:
        requests = [{**desk.view(desk.get(rid)), "terminal_id": e["terminal_id"]}
                    for rid, e in desk.requests.items() if desk.get(rid)["state"] in OPEN_STATES]
        terminals = []
        for tid, seen in sorted(desk.terminals.items()):
            beat = seen["heartbeat"]
            devices = {name: (d.get("status") if isinstance(d, dict) else d)
                       for name, d in (beat.get("devices") or {}).items()}
            terminals.append({"id": tid, "last_heartbeat": iso(seen["at"]), "age_s": int(now - seen["at"]),
                              "devices": devices, "alerts": list(beat.get("alerts") or [])})
    return {"now": iso(now), "requests": requests, "terminals": terminals}


def handle(sim: GatewayState, method: str, path: str, headers: Any, body: bytes) -> tuple[int, str, bytes]:
    """(status, content type, body) for one ``/_sim/console…`` request."""
    if method == "GET" and path in ("/_sim/console", "/_sim/console/"):
        page = PAGE.replace("__POSTS__", json.dumps(list(sim.duty.posts), ensure_ascii=False))
        return 200, "text/html; charset=utf-8", page.encode("utf-8")
    if method == "GET" and path == "/_sim/console/state":
        return _json(200, state(sim))
    actions = {"/_sim/console/ack": lambda d: sim.duty.acknowledge(str(d["id"]), str(d["post_id"]), d["eta_minutes"]),
               "/_sim/console/call": lambda d: sim.duty.call(str(d["id"]), str(d["phone"])),
               "/_sim/console/resolve": lambda d: sim.duty.resolve(str(d["id"]))}
    if method != "POST" or path not in actions:
        return _json(404, {"code": "not_found", "message": f"no such console action {method} {path}"})
    if not str(headers.get("Content-Type", "")).startswith("application/json"):
        return _json(415, {"code": "bad_json", "message": "JSON only"})
    try:
        data = json.loads(body or b"{}")
        entry = actions[path](data)
    except KeyError as exc:
        return _json(404, {"code": "not_found", "message": f"unknown help request or missing field {exc}"})
    except (ValueError, TypeError) as exc:
        return _json(400, {"code": "validation_failed", "message": str(exc)[:200]})
    return _json(200, {"ok": True, "request": sim.duty.view(entry)})


def _json(status: int, payload: dict) -> tuple[int, str, bytes]:
    return status, "application/json; charset=utf-8", json.dumps(payload, ensure_ascii=False).encode("utf-8")
