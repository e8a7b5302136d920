"""``kiosk outbox …`` (staff: inspect and retry queued submissions) and ``kiosk sim backend`` (the gateway
simulator), plus ``kiosk sim backend-control`` to drive a running simulator (scan/confirm a QR, faults).

Staff output is masked: field values go through ``kiosk.logs`` masking, session tokens are never shown.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import tzinfo

from kiosk.cli import action_group
from kiosk.clock import DEFAULT_ZONE, at, zone_of

# staff read times in the terminal's zone (the machine runs UTC); set from the config when one is loaded
_zone: tzinfo = DEFAULT_ZONE


def _open_outbox(args: argparse.Namespace):
    from kiosk.backend.outbox import Outbox
    if args.db:
        from pathlib import Path
        if not Path(args.db).is_file():  # a typo must not create a fresh, empty outbox
            print(f"找不到待发送库文件 (outbox file not found): {args.db}", file=sys.stderr)
            raise SystemExit(2)
        return _or_exit(lambda: Outbox(args.db, create_key=False))
    from kiosk.config.issues import ConfigError
    from kiosk.config.loader import default_config_dir, load_config
    try:
        cfg = load_config(args.config or default_config_dir())
    except ConfigError as exc:
        print(f"配置无效 (configuration invalid):\n{exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    global _zone
    _zone = zone_of(cfg)
    return _or_exit(lambda: Outbox.from_config(cfg, create_key=False))


def _or_exit(open_outbox):
    from kiosk.backend.sealing import KeyFileError

    try:
        return open_outbox()
    except KeyFileError as exc:  # staff tools never create the key: the kiosk does, as its own user
        print(exc, file=sys.stderr)
        raise SystemExit(2) from exc


def _t(ts: float | None) -> str:
    return at(ts, _zone).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _list(args: argparse.Namespace) -> int:
    ob = _open_outbox(args)
    states = tuple(args.state) if args.state else ("pending", "in_flight", "done", "dead")
    soon = ob.dead_purge_notice()
    rows = ob.list(states, limit=args.limit)
    counts = ob.counts()
    print(f"待发送 pending {counts['pending']}  发送中 in_flight {counts['in_flight']}  "
          f"已送达 done {counts['done']}  失败 dead {counts['dead']}")
    if soon:
        print(f"注意 / NOTE: {len(soon)} 件失败记录即将按保留期限清除 (dead rows to be purged soon): "
              + ", ".join(f"{r.id} @ {_t(ob.purge_due_at(r))}" for r in soon))
    print(f"{'ID':>6}  {'参考号 reference':24}  {'状态 state':10} {'次数':>4}  {'服务 service':22} "
          f"{'下次/送达 next/delivered':20}  原因 reason")
    for r in rows:
        when = _t(r.delivered_at) if r.state == "done" else _t(ob.due_wall(r)) if r.state == "pending" \
            else f"清除 purge {_t(ob.purge_due_at(r))}" if r.state == "dead" else "-"
        reason = r.dead_reason or r.last_error or ""
        print(f"{r.id:>6}  {r.reference:24}  {r.state:10} {r.attempts:>4}  {r.service_id[:22]:22} "
              f"{when:20}  {_masked_text(reason)[:60]}")
    ob.close()
    return 0


def _mask_field(key: str, value: object) -> str:
    from kiosk.masking import mask_field
    return mask_field(key, value)


def _masked_text(text: str) -> str:
    from kiosk.masking import mask_text
    return mask_text(text)


def _show(args: argparse.Namespace) -> int:
    ob = _open_outbox(args)
    r = ob.get(args.id)
    due = ob.due_wall(r) if r is not None and r.state == "pending" else None
    ob.close()
    if r is None:
        print(f"没有编号为 {args.id} 的记录 (no outbox row {args.id})", file=sys.stderr)
        return 1
    for label, value in [("编号 id", r.id), ("参考号 reference", r.reference), ("服务 service", r.service_id),
                         ("类型 kind", r.kind), ("状态 state", r.state), ("尝试次数 attempts", r.attempts),
                         ("创建 created", _t(r.created_at)), ("下次尝试 next attempt", _t(due)),
                         ("送达 delivered", _t(r.delivered_at)), ("网关状态 gateway status", r.gateway_status or "-"),
                         ("最近错误 last error", _masked_text(r.last_error or "-")),
                         ("失败原因 dead reason", _masked_text(r.dead_reason or "-")),
                         ("登录凭证 session token", "(有 present)" if r.token else "-")]:
        print(f"{label:28} {value}")
    if r.fields is None:
        print(f"{'填写内容 fields':28} (已清除 purged after delivery)")
    else:
        print(f"{'填写内容 fields':28} (已打码 masked)")
        for key, value in sorted(r.fields.items()):
            print(f"    {key:24} {_mask_field(key, value)}")
    return 0


def _retry(args: argparse.Namespace) -> int:
    ob = _open_outbox(args)
    ok = ob.retry(args.id)
    ob.close()
    if not ok:
        print(f"记录 {args.id} 不存在或已送达/发送中，无法重试 (row {args.id} is unknown, done or in flight)",
              file=sys.stderr)
        return 1
    print(f"记录 {args.id} 已安排立即重发 (row {args.id} is due now; the running kiosk will send it)")
    return 0


def _purge_done(args: argparse.Namespace) -> int:
    ob = _open_outbox(args)
    n = ob.purge_done(older_than_s=args.older_than_days * 86400)
    ob.scrub()
    ob.close()
    print(f"已删除 {n} 条已送达记录 (deleted {n} done row(s); pending and dead rows are kept)")
    return 0


def _sim_backend(args: argparse.Namespace) -> int:
    import threading

    from kiosk.backend.simulator.server import DEV_TERMINALS, GatewaySimulator
    catalog = {}
    terminals = set(DEV_TERMINALS)
    if args.config:
        from kiosk.config.loader import load_config
        cfg = load_config(args.config)
        catalog = {s.id: (s.title.zh, s.title.en) for s in cfg.services}
        terminals.add(cfg.terminal.id)  # the kiosk configured there is registered with this gateway
    sim = GatewaySimulator(port=args.port, host=args.host, catalog=catalog, known_terminals=terminals).start()
    print(f"网关模拟器已启动 gateway simulator on {sim.base_url} (dev TLS; Ctrl-C to stop)", flush=True)
    print('  控制 control: kiosk sim backend-control \'{"cmd": "qr_confirm"}\'  '
          '(qr_scan, qr_confirm, qr_deny, qr_expire, inject, clear, counts)', flush=True)
    import signal
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            continue
    except KeyboardInterrupt:
        print("停止 stopping", flush=True)
    finally:
        sim.stop()
    return 0


def _sim_control(args: argparse.Namespace) -> int:
    import requests

    from kiosk.backend.simulator.server import DEV_TLS
    try:
        cmd = json.loads(args.command)
    except json.JSONDecodeError as exc:
        print(f"命令必须是 JSON (command must be JSON): {exc}", file=sys.stderr)
        return 2
    try:
        r = requests.post(f"https://{args.host}:{args.port}/_sim/control", json=cmd,
                          verify=str(DEV_TLS / "ca.pem"), timeout=(3, 10))
    except requests.RequestException as exc:
        print(f"模拟器未运行？(is the simulator running?) {exc}", file=sys.stderr)
        return 1
    print(r.text)
    return 0 if r.ok else 1


def register(groups: dict) -> None:
    sub = action_group(groups, "outbox", "待发送申请 / queued submissions (staff)", exit_code=2)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        where = p.add_mutually_exclusive_group()
        where.add_argument("--config", metavar="DIR", help="config directory (outbox.path from terminal.yaml)")
        where.add_argument("--db", metavar="PATH", help="outbox SQLite file")
        return p

    p = common(sub.add_parser("list", help="列出 / list rows"))
    p.add_argument("--state", action="append", choices=("pending", "in_flight", "done", "dead"))
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_list)
    p = common(sub.add_parser("show", help="查看一条（打码）/ show one row, masked"))
    p.add_argument("id", type=int)
    p.set_defaults(func=_show)
    p = common(sub.add_parser("retry", help="立即重发 / make a dead or waiting row due now"))
    p.add_argument("id", type=int)
    p.set_defaults(func=_retry)
    p = common(sub.add_parser("purge-done", help="删除已送达记录 / delete delivered rows"))
    p.add_argument("--older-than-days", type=float, default=0.0)
    p.set_defaults(func=_purge_done)

    p = groups["sim"].add_parser("backend", help="网关模拟器 / gateway simulator (https, dev cert)")
    p.add_argument("--port", type=int, default=17100)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--config", metavar="DIR", help="serve generic guides for this config's service catalog")
    p.set_defaults(func=_sim_backend)
    p = groups["sim"].add_parser("backend-control", help="控制网关模拟器 / drive a running gateway simulator")
    p.add_argument("command", help='JSON, e.g. \'{"cmd": "qr_confirm"}\' or \'{"cmd": "inject", "kind": "status"}\'')
    p.add_argument("--port", type=int, default=17100)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=_sim_control)
