"""A deliberately misbehaving HTTPS gateway on loopback, for the client's bounds and deadline tests.

It answers every request with the same raw bytes (status line, headers and body exactly as given), either
at once or (after the first ``at_once`` bytes) trickled ``chunk`` bytes (``-1``: one line) every ``gap_s`` seconds, so a test can send what no well-behaved
server would: a body over the cap, JSON nested 100,000 deep, a reply that never finishes.
"""
from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

DEV_TLS = Path(__file__).resolve().parents[2] / "config" / "dev-tls"


def reply(status: str, body: bytes, headers: dict[str, str] | None = None, *, length: bool = True) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


class HostileGateway:
    def __init__(self, raw: bytes, *, chunk: int = 0, gap_s: float = 0.0, at_once: int = 0) -> None:
        self.raw, self.chunk, self.gap_s, self.at_once = raw, chunk, gap_s, at_once
        self.requests = 0
        self._stop = threading.Event()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(DEV_TLS / "server.pem", DEV_TLS / "server-key.pem")
        self._ctx = ctx
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.base_url = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, name="hostile-gateway", daemon=True)

    def __enter__(self) -> HostileGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(sock,), daemon=True).start()

    def _pieces(self) -> list[bytes]:
        rest = self.raw[self.at_once:]
        if self.chunk < 0:  # one header line at a time (http.client reads the head line by line)
            return rest.splitlines(keepends=True)
        return [rest[i:i + self.chunk] for i in range(0, len(rest), self.chunk)]

    def _answer(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(5)
            with self._ctx.wrap_socket(sock, server_side=True) as tls:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = tls.recv(4096)
                    if not data:
                        return
                    head += data
                self.requests += 1
                if not self.chunk:
                    tls.sendall(self.raw)
                    return
                tls.sendall(self.raw[:self.at_once])
                for piece in self._pieces():
                    if self._stop.wait(self.gap_s):
                        return
                    tls.sendall(piece)
        except OSError:  # the client cut the call (what the deadline tests expect) or went away
            return
