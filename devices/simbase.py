"""Base for device simulators: serve a byte protocol on a pty or a TCP port, paced like the real wire.

A simulator subclass implements :meth:`SimulatorBase.on_bytes` (bytes in → bytes out, reusing the
device's ``protocol.py``) and :meth:`SimulatorBase.control` (commands such as ``place``, ``paper_out``).
The base provides:

* ``transport="pty"``: a pty pair; the slave path is published as a stable symlink (``link``), and
  ``unplug``/``replug`` close and re-create the pty behind that same link — like a USB device leaving
  and coming back under its udev name;
* ``transport="tcp"``: a loopback TCP server (``socket://127.0.0.1:PORT``) accepting one client at a time;
  ``unplug`` drops the client and resets every connection until ``replug``. The listening socket stays
  bound from ``start()`` to ``stop()``: closing and re-binding it on replug let another process take the
  port in between on a busy machine (and ``replug`` then failed);
* pacing: replies are written in chunks at the configured baud rate, so timing is realistic;
* a JSON-lines control server on loopback TCP (``control_port``) for tests and other terminals:
  send ``{"cmd": "...", ...}``, get ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``.

Usable in-process (``start()``/``stop()``) or as a process (``kiosk sim ...``).
"""
from __future__ import annotations

import json
import logging
import os
import select
import socket
import socketserver
import struct
import threading
import time
import tty
from pathlib import Path
from typing import Any

from devices.transport import wire_seconds

log = logging.getLogger(__name__)


class SimulatorBase:
    kind = "device"

    def __init__(self, *, transport: str = "pty", port: int = 0, link: str | os.PathLike | None = None,
                 baudrate: int = 115200, pace: bool = True, control_port: int | None = None,
                 host: str = "127.0.0.1") -> None:
        if transport not in ("pty", "tcp"):
            raise ValueError(f"transport must be pty or tcp, not {transport!r}")
        self.transport = transport
        self.host = host
        self.tcp_port = port
        self.link = Path(link) if link else None
        self.baudrate = baudrate
        self.pace = pace
        self.control_port = control_port
        self.plugged = True
        self.silent = False  # "no answer" fault: read and drop everything
        self.extra_delay = 0.0  # "slow device" fault, seconds before each reply
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._master: int | None = None
        self._slave: int | None = None
        self._pty_path: str | None = None
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None
        self._control: socketserver.ThreadingTCPServer | None = None

    # ----- what subclasses implement -------------------------------------------------------------
    def on_bytes(self, data: bytes) -> bytes:
        """Consume bytes from the host; return the bytes to send back (may be empty)."""
        raise NotImplementedError

    def control(self, cmd: str, **args: Any) -> dict[str, Any]:
        """Handle a device-specific control command; return extra reply fields. Raise ValueError if unknown."""
        raise ValueError(f"unknown command {cmd!r}")

    def on_disconnect(self) -> None:
        """The host side went away (or the cable was pulled): reset parser state."""

    # ----- public --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The pyserial URL a driver should open."""
        if self.transport == "tcp":
            return f"socket://{self.host}:{self.tcp_port}"
        return str(self.link) if self.link else (self._pty_path or "")

    def start(self) -> "SimulatorBase":
        self._stop.clear()
        self._plug()
        self._spawn(self._serve_loop, "io")
        if self.control_port is not None:
            self._start_control()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._control is not None:
            self._control.shutdown()
            self._control.server_close()
            self._control = None
        with self._lock:
            self._unplug()
        for t in self._threads:
            t.join(2.0)
        self._threads.clear()
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()

    def __enter__(self) -> "SimulatorBase":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle_control(self, request: dict[str, Any]) -> dict[str, Any]:
        """Common control commands, then the subclass's."""
        cmd = request.get("cmd")
        args = {k: v for k, v in request.items() if k != "cmd"}
        try:
            if cmd == "unplug":
                with self._lock:
                    self.plugged = False
                    self._unplug(keep_listener=True)
                return {"ok": True}
            if cmd == "replug":
                with self._lock:
                    self.plugged = True
                    self._plug()
                return {"ok": True, "url": self.url}
            if cmd == "silent":
                self.silent = bool(args.get("on", True))
                return {"ok": True}
            if cmd == "slow":
                self.extra_delay = float(args.get("seconds", 1.0))
                return {"ok": True}
            if cmd == "baud":
                self.baudrate = int(args["baudrate"])
                return {"ok": True}
            if cmd == "info":
                return {"ok": True, "url": self.url, "plugged": self.plugged, "baudrate": self.baudrate,
                        **self.control("info")}
            return {"ok": True, **self.control(str(cmd), **args)}
        except (ValueError, KeyError, TypeError) as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

    # ----- plumbing ------------------------------------------------------------------------------
    def _spawn(self, target, name: str) -> None:
        t = threading.Thread(target=target, name=f"sim-{self.kind}-{name}", daemon=True)
        t.start()
        self._threads.append(t)

    def _plug(self) -> None:
        if self.transport == "pty":
            master, slave = os.openpty()
            tty.setraw(slave)
            tty.setraw(master)
            self._master, self._slave = master, slave
            self._pty_path = os.ttyname(slave)
            if self.link is not None:
                self.link.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.link.with_name(self.link.name + ".tmp")
                if tmp.is_symlink() or tmp.exists():
                    tmp.unlink()
                tmp.symlink_to(self._pty_path)
                os.replace(tmp, self.link)
        elif self._listener is None:  # bound once per start(); replug reuses it
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.tcp_port))
            listener.listen(1)
            self.tcp_port = listener.getsockname()[1]
            self._listener = listener

    def _unplug(self, *, keep_listener: bool = False) -> None:
        for fd_name in ("_master", "_slave"):
            fd = getattr(self, fd_name)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    log.debug("%s already closed", fd_name)
                setattr(self, fd_name, None)
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()
        for sock_name in ("_client",) if keep_listener else ("_client", "_listener"):
            sock = getattr(self, sock_name)
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    log.debug("%s already closed", sock_name)
                setattr(self, sock_name, None)
        self.on_disconnect()

    def _serve_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                readable = self._readable_fds()
            if not readable:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select(readable, [], [], 0.05)
            except (OSError, ValueError):  # fd closed by unplug between snapshot and select
                continue
            for fd in ready:
                self._on_readable(fd)

    def _readable_fds(self) -> list:
        if self.transport == "pty":
            return [self._master] if self._master is not None else []
        if self._client is not None:
            return [self._client]
        return [self._listener] if self._listener is not None else []

    def _on_readable(self, fd) -> None:
        with self._lock:
            if self.transport == "tcp" and fd is self._listener:
                try:
                    client, _ = self._listener.accept()
                except OSError:
                    return
                if not self.plugged:  # the cable is out: the host's connection dies at once (RST)
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    client.close()
                    return
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._client = client
                return
            try:
                data = os.read(fd, 65536) if self.transport == "pty" else fd.recv(65536)
            except (OSError, ValueError):
                data = b""
            if not data:
                if self.transport == "tcp":
                    # the host closed its end: wait for the next connection
                    if self._client is not None:
                        self._client.close()
                    self._client = None
                    self.on_disconnect()
                else:
                    time.sleep(0.01)  # pty with no client yet (EIO): nothing to read
                return
            if self.silent or not self.plugged:
                return
            reply = self.on_bytes(data)
        if reply:
            self.send(reply)

    #: bytes per paced write (16 bytes = 1.4 ms at 115200 baud)
    pace_piece = 16

    def send(self, data: bytes) -> None:
        """Write to the host, paced at the baud rate (a pty or socket is otherwise instant)."""
        if self.extra_delay:
            time.sleep(self.extra_delay)
        self.paced_write(data)

    def paced_write(self, data: bytes) -> None:
        """Write ``data`` in small pieces, each released only once its last byte would have crossed the wire
        (a UART cannot deliver a byte early, so timing figures measured against a simulator are honest)."""
        start = time.monotonic()
        for offset in range(0, len(data), self.pace_piece):
            piece = data[offset:offset + self.pace_piece]
            if self.pace:
                delay = start + wire_seconds(offset + len(piece), self.baudrate) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            with self._lock:
                if not self.plugged:
                    return
                try:
                    if self.transport == "pty" and self._master is not None:
                        os.write(self._master, piece)
                    elif self.transport == "tcp" and self._client is not None:
                        self._client.sendall(piece)
                    else:
                        return
                except OSError:
                    return  # the host side is gone; the serve loop notices and resets

    def _start_control(self) -> None:
        sim = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for line in self.rfile:
                    try:
                        request = json.loads(line)
                        if not isinstance(request, dict):
                            raise ValueError("request must be a JSON object")
                        reply = sim.handle_control(request)
                    except ValueError as exc:
                        reply = {"ok": False, "error": str(exc)}
                    self.wfile.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._control = socketserver.ThreadingTCPServer((self.host, self.control_port), Handler)
        self._control.daemon_threads = True
        self.control_port = self._control.server_address[1]
        self._spawn(self._control.serve_forever, "control")


def send_control(port: int, request: dict[str, Any], *, host: str = "127.0.0.1",
                 timeout: float = 5.0) -> dict[str, Any]:
    """Send one control command to a running simulator and return its reply."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            part = sock.recv(65536)
            if not part:
                break
            buf += part
    return json.loads(buf or b'{"ok": false, "error": "no reply"}')
