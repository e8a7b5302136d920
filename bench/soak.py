"""Soak: drive N resident sessions through the real app and watch memory, file descriptors and threads.

The real KioskApp (real GL through SDL offscreen + Mesa, real touches through kiosk_dev/uidriver.py), the real
Runtime/SessionController/drivers/GatewayClient/outbox, against the card-reader, printer and gateway
simulators running in a separate process (bench/soak_sims.py) so their own bookkeeping does not count.

Sessions rotate through three flows, in the order of ``--mix`` (default: ticket, guide, ticket, guide,
ticket, guide, guide, submit — a 24-hour area's night: mostly tickets and guides, a 12345 request every
8th session, so 10,000 sessions fit in about two hours on this machine):
  ``ticket``  tap 刷身份证 → card placed → menu → 取号 → ticket printed → 结束办理
  ``guide``   no login: 办事指南 → first topic → text shown → 首页
  ``submit``  card → 12345 form (choice, digit pad, choice, description typed on the phone through the
              hand-off QR) → confirm → delivered + receipt → 结束办理

It prints RSS / open fds (with what each descriptor is) / threads at the start, after warm-up, and every
``--every`` sessions (after a ``gc.collect()``, so garbage not yet collected is not mistaken for a leak),
then the verdict against the targets (issue 19 §3): RSS growth < 5 MB after warm-up, no growth of fds, threads
or Kivy observers (counted at each report, see ``Soak.observers``; the last report against warm-up's); and the
bookkeeping — every ticket and receipt printed exactly once, every submission delivered exactly once. The
verdict also names the Python types whose count grew from warm-up to the end.
While it pumps frames the soak caps them at 120 fps (``--maxfps``; the kiosk itself runs at Kivy's 60), so
wall time goes to the kiosk's work rather than to frame pacing.

    .venv/bin/python bench/soak.py --sessions 10000 --every 500 --warmup 200   # the full soak
    .venv/bin/python bench/soak.py --sessions 300 --json out.json              # what tests/faults/test_soak.py runs
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

_KIVY_HOME = tempfile.mkdtemp(prefix="kiosk-soak-kivy-")
os.environ.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
                  KIVY_NO_FILELOG="1", KIVY_HOME=_KIVY_HOME, KIVY_LOG_MODE="PYTHON")

FLOWS = ("ticket", "guide", "submit")
PHONE = "13912345678"


class Sims:
    """Client of bench/soak_sims.py (JSON lines over the child's stdin/stdout, every read bounded)."""

    def __init__(self, timeout: float = 20.0) -> None:
        self.timeout = timeout
        self.proc = subprocess.Popen([sys.executable, str(REPO / "bench" / "soak_sims.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1, cwd=str(REPO))
        self.urls = json.loads(self._readline())

    def _readline(self) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        if not ready:
            raise TimeoutError(f"simulator process did not answer within {self.timeout}s")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"simulator process ended (exit {self.proc.poll()})")
        return line

    def __call__(self, to: str, cmd: str, **args) -> dict:
        self.proc.stdin.write(json.dumps({"to": to, "cmd": {"cmd": cmd, **args}}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self._readline())
        if not reply.get("ok"):
            raise RuntimeError(f"simulator {to} {cmd}: {reply}")
        return reply

    def close(self) -> None:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def patched_config(base, urls: dict, var: Path):
    """The repository config pointed at the simulators; writable paths under ``var``."""
    devices = base.devices.model_copy(update={
        "idcard": base.devices.idcard.model_copy(update={"port": urls["idcard"], "enabled": True}),
        "printer": base.devices.printer.model_copy(update={"port": urls["printer"], "enabled": True})})
    return base.model_copy(update={
        "devices": devices,
        "backend": base.backend.model_copy(update={"base_url": urls["gateway"]}),
        "outbox": base.outbox.model_copy(update={"path": var / "outbox.sqlite3"}),
        "logging": base.logging.model_copy(update={"dir": var / "log"}),
    })


def figures() -> dict:
    """RSS/fds/OS threads after a GC and a short settle (a task thread finishing its last call is not growth);
    the Python thread names are kept so a growing count can be traced to its owner."""
    import threading

    import psutil
    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget

    from kiosk_dev import uidriver as ui

    time.sleep(0.3)
    malloc_before_gc = malloc_in_use_mb()
    full_collections = gc.get_stats()[2]["collections"]
    gc.collect()
    ui.pump(2)  # Kivy frees the GL textures of collected widgets in its next frame: count live memory only
    gc.collect()
    proc = psutil.Process()
    objects = gc.get_objects()
    kinds: dict[str, int] = {}
    for obj in objects:
        name = type(obj).__name__
        kinds[name] = kinds.get(name, 0) + 1
    gpu = {"textures": sum(isinstance(obj, Texture) for obj in objects),
           "widgets": sum(isinstance(obj, Widget) for obj in objects)}
    del objects
    with proc.oneshot():
        return {"rss_mb": round(proc.memory_info().rss / 1048576, 1), "fds": proc.num_fds(),
                "malloc_in_use_mb": malloc_in_use_mb(), "malloc_before_gc_mb": malloc_before_gc,
                "full_collections": full_collections, "frozen_objects": gc.get_freeze_count(),
                "py_objects": sum(kinds.values()),
                "top_py_types": dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:8]), "py_types": kinds, **gpu,
                "load_1min": round(os.getloadavg()[0], 2),
                "threads": proc.num_threads(),
                "py_threads": sorted(t.name.split("_")[0].rstrip("0123456789-") or t.name
                                     for t in threading.enumerate()),
                "fd_kinds": fd_inventory(proc)}


def malloc_in_use_mb() -> float | None:
    """Bytes the C allocator has handed out and not had back (glibc ``mallinfo2``): with the RSS it tells
    live memory (a leak, a cache) from freed memory the allocator keeps (fragmentation after a peak)."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                         "usmblks", "fsmblks", "uordblks", "fordblks",
                                                         "keepcost")]
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
    except (OSError, AttributeError):  # not glibc ≥ 2.33: the figure is simply not available
        return None
    info = libc.mallinfo2()
    return round((info.uordblks + info.hblkhd) / 1048576, 1)


def fd_inventory(proc) -> dict[str, int]:
    """What each open descriptor is — TCP sockets by the port they talk to, files by name (the temporary
    directory shortened) — so a growing count can be traced to its owner."""
    remote = {c.fd: f"tcp:{c.raddr.port}" if c.raddr else f"tcp-listen:{c.laddr.port}"
              for c in proc.net_connections(kind="inet") if c.fd >= 0}
    kinds: dict[str, int] = {}
    for entry in os.scandir("/proc/self/fd"):
        try:
            target = os.readlink(entry.path)
        except OSError:  # closed between the listing and the read
            continue
        fd = int(entry.name)
        if fd in remote:
            label = remote[fd]
        elif target.startswith(("socket:", "pipe:", "anon_inode:")):
            label = target.split(":")[0] + (":" + target.split(":", 1)[1] if target.startswith("anon") else "")
        else:
            label = target.replace(tempfile.gettempdir(), "$TMP")
        kinds[label] = kinds.get(label, 0) + 1
    return dict(sorted(kinds.items()))


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.counts = {flow: 0 for flow in FLOWS}
        self.references: list[str] = []
        self.tickets = 0
        self.rows: list[dict] = []
        self.errors: list[str] = []
        self.flow_seconds: dict[str, float] = {}

    # ----- set-up -------------------------------------------------------------------------------
    def start(self) -> None:
        from kiosk.app import KivyBridge, configure_kivy, create_app, kivy_environment, register_font
        from kiosk.clock import zone_of
        from kiosk.config.loader import load_config
        from kiosk.logs import setup_logging
        from kiosk.runtime import Runtime
        from kiosk.session.controller import SessionController

        self.var = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
        self.sims = Sims()
        base = load_config(REPO / "config")
        self.cfg = patched_config(base, self.sims.urls, self.var)
        setup_logging(self.cfg.logging.dir, level="WARNING", stderr=False, zone=zone_of(self.cfg))
        kivy_environment(_KIVY_HOME, headless=True)
        configure_kivy(self.cfg.display, windowed=True)
        from kivy.config import Config
        Config.set("graphics", "maxfps", str(self.args.maxfps))
        register_font(self.cfg.display.font_path)
        from kivy.base import EventLoop  # only now: Kivy reads its config at first import
        from kivy.core.window import Window
        from kivy.uix.screenmanager import NoTransition

        self.app = create_app(self.cfg, None, transition=NoTransition(), kiosk_mode=True)
        self.app._run_prepare()
        w, h = self.args.window
        Window.size = (w, h)
        EventLoop.idle()
        self.rt = Runtime(self.cfg, KivyBridge())
        self.ctl = SessionController(self.cfg, self.rt)
        self.rt.attach(self.ctl)
        self.rt.start()
        self.app.bind_controller(self.ctl)
        self.gc_policy = None
        if self.args.gc == "app":  # the collector policy `kiosk run` installs (full GCs between sessions only)
            from kivy.clock import Clock

            from kiosk.app import SessionGc

            self.gc_policy = SessionGc(self.app, self.ctl)
            Clock.schedule_once(self.gc_policy.settle, 0)  # the app has started: settle now
        from kiosk_dev import uidriver as ui
        d = lambda: self.ctl.state.devices  # noqa: E731
        ui.wait_until(lambda: d().reader_online and d().printer_ready and d().backend_ok, timeout=20,
                      what="card reader, printer and gateway online")

    def between_sessions(self) -> None:
        """What the kiosk does in the pause before the next resident (``--gc app``): the policy's full
        collection and heap release. The soak starts the next session at once, before the policy's own
        0.5-s timer fires, so it runs them here; without them a back-to-back soak would keep every session's
        garbage until its next report, which no terminal does with people walking up to it."""
        if self.gc_policy is None:
            return
        from kiosk_dev import uidriver as ui

        self.gc_policy.collect_if_idle()
        ui.pump(2)  # Kivy frees the collected widgets' textures in its next frame
        self.gc_policy.release_if_idle()

    def stop(self) -> None:
        self.app.controller = None
        self.rt.stop()
        self.sims.close()

    # ----- flows --------------------------------------------------------------------------------
    def sign_in(self) -> None:
        from kiosk_dev import uidriver as ui
        ui.wait_screen("attract")
        ui.tap("attract.card")
        ui.wait_screen("identify")
        ui.wait_until(lambda: self.ctl.state.card.state == "waiting", timeout=5, what="reader polling")
        self.sims("idcard", "place", card="resident")
        ui.wait_screen("menu", timeout=10)
        self.sims("idcard", "remove")

    def open_service(self, service_id: str, screen: str) -> None:
        from kiosk_dev import uidriver as ui
        ui.tap(f"menu.svc.{service_id}")
        ui.wait_until(lambda: ui.current_screen() == screen and self.ctl.state.busy is None, timeout=10,
                      what=f"{service_id} -> {screen}")

    def end(self) -> None:
        from kiosk_dev import uidriver as ui
        ui.tap("result.end")
        ui.wait_screen("attract")

    def flow_ticket(self) -> None:
        from kiosk_dev import uidriver as ui
        self.sign_in()
        self.open_service("queue-ticket", "result")
        ui.wait_until(lambda: self.ctl.state.result.printed is not None, timeout=10, what="ticket printed")
        if self.ctl.state.result.printed is not True:
            raise AssertionError(f"ticket not printed: {self.ctl.state.result.print_message}")
        self.tickets += 1
        self.end()

    def flow_guide(self) -> None:
        from kiosk_dev import uidriver as ui
        ui.wait_screen("attract")
        ui.tap("attract.svc.service-guides")
        ui.wait_until(lambda: ui.current_screen() == "guide" and self.ctl.state.guide_topics, timeout=10,
                      what="guide topics")
        ui.pump(1)
        ui.tap(f"guide.topic.{self.ctl.state.guide_topics[0].service_id}")
        ui.wait_until(lambda: self.ctl.state.guide is not None and self.ctl.state.busy is None, timeout=10,
                      what="guide text")
        ui.pump(1)
        ui.tap("footer.home")
        ui.wait_screen("attract")

    def flow_submit(self) -> None:
        from kiosk_dev import uidriver as ui
        self.sign_in()
        self.open_service("hotline-12345", "form")
        ui.tap("form.field.category")
        ui.tap("form.opt.consult")
        ui.tap("form.field.phone")
        for digit in PHONE:
            ui.tap(f"form.key.{digit}")
        ui.tap("form.field.street")
        ui.tap("form.opt.njxl")
        ui.tap("form.field.description")  # the long text is typed on the resident's phone (hand-off QR)
        field = lambda: self.ctl.state.form.field("description")  # noqa: E731
        ui.wait_until(lambda: field().handoff_state == "waiting", timeout=10, what="hand-off code")
        self.sims("gateway", "handoff_submit", text="小区门口路灯坏了一周，请尽快修理。")
        ui.wait_until(lambda: field().handoff_state == "submitted", timeout=10, what="hand-off submitted")
        ui.tap("form.next")
        ui.wait_screen("confirm")
        ui.tap("confirm.submit")
        ui.wait_until(lambda: ui.current_screen() == "result" and self.ctl.state.result.delivered is not None
                      and self.ctl.state.result.printed is not None, timeout=20, what="submission result")
        result = self.ctl.state.result
        if result.printed is not True:
            raise AssertionError(f"receipt not printed: {result.print_message}")
        self.references.append(result.reference)
        self.tickets += 1
        self.end()

    # ----- the run ------------------------------------------------------------------------------
    def run(self) -> dict:
        args = self.args
        t0 = time.monotonic()
        start = figures()
        self.report(0, start, t0)
        warm = None
        n = 0
        mix = [f for f in args.mix.split(",") if f]
        try:
            for n in range(1, args.sessions + 1):
                if args.max_minutes and time.monotonic() - t0 > args.max_minutes * 60:
                    n -= 1
                    print(f"[soak] stopping after {args.max_minutes} min (time budget), {n} sessions done", flush=True)
                    break
                flow = mix[(n - 1) % len(mix)]
                t_flow = time.monotonic()
                try:
                    getattr(self, f"flow_{flow}")()
                except AssertionError as exc:  # a session that went wrong is a finding; get back to attract
                    st = self.ctl.state
                    self.errors.append(f"session {n} ({flow}): {exc} [screen={st.screen} busy={st.busy} "
                                       f"error={st.error} result={st.result}]")
                    print(f"[soak] {self.errors[-1]}", flush=True)
                    self.ctl.end_session()
                    from kiosk_dev import uidriver as ui
                    ui.wait_screen("attract", timeout=10)
                    if len(self.errors) > max(5, args.sessions // 100):
                        raise
                self.counts[flow] += 1
                self.flow_seconds[flow] = self.flow_seconds.get(flow, 0.0) + time.monotonic() - t_flow
                self.between_sessions()
                if n == args.warmup:
                    warm = figures()
                    self.report(n, warm, t0, label="warm-up done")
                if n % args.every == 0 and n != args.warmup:
                    self.report(n, figures(), t0)
        finally:
            end = figures()
            elapsed = time.monotonic() - t0
            check = self.bookkeeping()
            self.stop()
        warm = warm or start
        verdict = {
            "sessions": n, "sessions_requested": args.sessions, "elapsed_s": round(elapsed, 1), "sessions_per_s": round(n / elapsed, 2) if elapsed else 0,
            "counts": self.counts, "gc_policy": args.gc,
            "mean_s_per_flow": {f: round(t / max(1, self.counts[f]), 2) for f, t in self.flow_seconds.items()},
            "start": start, "after_warmup": warm, "end": end,
            "rss_growth_after_warmup_mb": round(end["rss_mb"] - warm["rss_mb"], 1),
            "fd_growth": end["fds"] - warm["fds"], "thread_growth": end["threads"] - warm["threads"],
            "fd_growth_by_kind": {k: end["fd_kinds"].get(k, 0) - warm["fd_kinds"].get(k, 0)
                                  for k in sorted(set(end["fd_kinds"]) | set(warm["fd_kinds"]))
                                  if end["fd_kinds"].get(k, 0) != warm["fd_kinds"].get(k, 0)},
            "gateway_port": urlsplit(self.sims.urls["gateway"]).port,
            "errors": self.errors, **check, "rows": self.rows,
        }
        # which Python types grew from warm-up to the end (a slow leak shows here before it shows in the RSS)
        grown = {k: end["py_types"].get(k, 0) - warm["py_types"].get(k, 0)
                 for k in set(end["py_types"]) | set(warm["py_types"])}
        verdict["py_type_growth_after_warmup"] = dict(sorted(((k, v) for k, v in grown.items() if v),
                                                             key=lambda kv: -abs(kv[1]))[:15])
        for fig in (start, warm, end, *self.rows):
            fig.pop("py_types", None)  # the full census is only for the growth above
        warm_row = next((r for r in self.rows if r["sessions"] == args.warmup), self.rows[0])
        verdict["observer_growth_after_warmup"] = self.rows[-1]["bound_callbacks"] - warm_row["bound_callbacks"]
        verdict["targets_met"] = (verdict["rss_growth_after_warmup_mb"] < 5 and verdict["fd_growth"] <= 0
                                  and verdict["observer_growth_after_warmup"] <= 0
                                  and verdict["thread_growth"] <= 0 and not self.errors
                                  and check["printed_ok"] and check["delivered_once"])
        return verdict

    def bookkeeping(self) -> dict:
        """Compare what the app reported with what the simulators saw: nothing lost, nothing twice."""
        from kiosk_dev import uidriver as ui

        deadline = time.monotonic() + 15
        stats = self.sims("gateway", "stats")
        while time.monotonic() < deadline and any(stats["deliveries_by_reference"].get(r, 0) < 1
                                                  for r in self.references):
            ui.pump(5)
            stats = self.sims("gateway", "stats")
        per_ref = stats["deliveries_by_reference"]
        printer = self.sims("printer", "stats")
        printed = printer["complete"] - int(self.sims.urls.get("printer_jobs_at_start", 0))
        return {"printed_jobs_complete": printed, "tickets_expected": self.tickets,
                "printed_ok": printed == self.tickets,
                "submissions": len(self.references),
                "delivered_once": all(per_ref.get(r) == 1 for r in self.references),
                "outbox_depth_end": self.rt.outbox.depth() if self.rt.outbox is not None else None}

    def observers(self) -> int:
        """Kivy observers bound anywhere (``BoundCallback``), counted on the attract screen after a GC and
        a wipe (the screens drop the last session's widgets there; see screens/observers.py),
        so a count that grows from report to report is observers that outlive their sessions."""
        from kiosk_dev import uidriver as ui

        gc.collect()
        self.ctl.end_session()
        ui.pump(1)
        return sum(1 for obj in gc.get_objects() if type(obj).__name__ == "BoundCallback")

    def report(self, n: int, fig: dict, t0: float, label: str = "") -> None:
        fig = {**fig, "bound_callbacks": self.observers()}
        row = {"sessions": n, "elapsed_s": round(time.monotonic() - t0, 1), **fig}
        previous = self.rows[-1] if self.rows else None
        self.rows.append(row)
        if previous is not None:
            changed = {k: fig["fd_kinds"].get(k, 0) - previous["fd_kinds"].get(k, 0)
                       for k in set(fig["fd_kinds"]) | set(previous["fd_kinds"])}
            changed = {k: v for k, v in changed.items() if v}
            if changed:
                label += f"  fds changed: {changed}"
            if fig["py_threads"] != previous["py_threads"]:
                label += f"  threads now: {fig['py_threads']}"
        print(f"[soak] {n:>6} sessions  {row['elapsed_s']:>8.1f}s  RSS {fig['rss_mb']:>7.1f} MB  "
              f"(malloc {fig['malloc_before_gc_mb']}→{fig['malloc_in_use_mb']} MB, "
              f"gen2 {fig['full_collections']}, {fig['py_objects']} objects, {fig['textures']} textures, "
              f"{fig['widgets']} widgets, {fig['bound_callbacks']} observers, load {fig['load_1min']})  "
              f"fds {fig['fds']:>4}  threads {fig['threads']:>3} (python {len(fig['py_threads'])})  {label}",
              flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1000, help="print figures every N sessions")
    parser.add_argument("--warmup", type=int, default=200, help="sessions before the baseline is taken")
    parser.add_argument("--mix", default="ticket,guide,ticket,guide,ticket,guide,guide,submit", help="flows, comma-separated, in turn")
    parser.add_argument("--window", default="1080x1920", help="window size (the terminal's portrait screen)")
    parser.add_argument("--maxfps", type=int, default=120,
                        help="frame cap while the soak pumps frames (the kiosk itself runs at Kivy's 60)")
    parser.add_argument("--gc", choices=("app", "python"), default="app",
                        help="garbage-collector policy: app = the kiosk's own, as `kiosk run` installs it "
                             "(kiosk.app.SessionGc); python = Python's default (what runs before 2026-12-03 used)")
    parser.add_argument("--max-minutes", type=float, default=0, help="stop early after this long (0 = never)")
    parser.add_argument("--json", help="write the verdict here")
    args = parser.parse_args(argv)
    args.window = tuple(int(v) for v in args.window.split("x"))
    unknown = set(args.mix.split(",")) - set(FLOWS)
    if unknown:
        parser.error(f"unknown flows {sorted(unknown)}; choose from {FLOWS}")
    soak = Soak(args)
    soak.start()
    verdict = soak.run()
    summary = {k: v for k, v in verdict.items() if k != "rows"}
    print("[soak] " + json.dumps(summary, ensure_ascii=False), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(verdict, ensure_ascii=False, indent=2))
    return 0 if verdict["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
