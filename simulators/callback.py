"""A generic source system's callback endpoint: receives signed router events and stock, records them.

Each source gets its own path (`{url}/{name}`). Signatures are checked the way a real receiver would
(HMAC-SHA256 of the exact body with that source's secret); deliveries are recorded with their delivery id
so tests can tell "delivered twice" from "delivered once". Knobs: answer 5xx for the next N deliveries,
or hold the answer until released (to crash the router while the source is accepting).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Self

from simulators._server import ServerThread

__all__ = ["CallbackReceiver", "Delivery"]


@dataclass(frozen=True)
class Delivery:
    """One delivery as received."""

    source: str
    kind: str
    delivery_id: str
    body: dict[str, Any]
    signature_ok: bool
    answered: int
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class _Knobs:
    fail_next: int = 0
    fail_status: int = 500
    hold_next: int = 0
    hold_kind: str | None = None
    held: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)


class CallbackReceiver:
    """`with CallbackReceiver(secrets={"se": "s3"}) as rx: rx.url_for("se")` — an ASGI app on loopback."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = dict(secrets)
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._knobs = _Knobs()

        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            # A plain coroutine function: uvicorn takes a bound method for an ASGI2 app.
            await self._app(scope, receive, send)

        self._server = ServerThread(app, name="callback-receiver")

    def start(self) -> Self:
        """Serve on 127.0.0.1."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving (releases any held answer first)."""
        self._knobs.held.set()
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def url_for(self, source: str) -> str:
        """The callback URL to configure for `source`."""
        return f"{self._server.url}/{source}"

    def deliveries(self, source: str | None = None, kind: str | None = None) -> list[Delivery]:
        """What arrived, in order, optionally for one source and kind."""
        with self._lock:
            return [
                d
                for d in self._deliveries
                if (source is None or d.source == source) and (kind is None or d.kind == kind)
            ]

    def fail_next(self, n: int, status: int = 500) -> None:
        """Answer the next `n` deliveries with `status` (they are still recorded)."""
        with self._lock:
            self._knobs.fail_next, self._knobs.fail_status = n, status

    def hold_next(self, kind: str | None = None) -> threading.Event:
        """Hold the next delivery's answer (of `kind`, e.g. `shipped`, when given) until `release()`.

        Returns an event set once a delivery is being held.
        """
        with self._lock:
            self._knobs.hold_next = 1
            self._knobs.hold_kind = kind
            self._knobs.held = threading.Event()
            self._knobs.holding = threading.Event()
            return self._knobs.holding

    def release(self) -> None:
        """Let a held answer go."""
        self._knobs.held.set()

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        source = scope["path"].strip("/")
        status = self._decide(headers.get("x-router-event", ""))
        secret = self.secrets.get(source, "")
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = {}
        delivery = Delivery(
            source=source,
            kind=headers.get("x-router-event", ""),
            delivery_id=headers.get("x-router-delivery", ""),
            body=parsed if isinstance(parsed, dict) else {},
            signature_ok=hmac.compare_digest(headers.get("x-router-signature-256", ""), expected),
            answered=status if status != 0 else 200,
        )
        with self._lock:
            self._deliveries.append(delivery)
        if status == 0:  # held: answer only once released
            self._knobs.holding.set()
            await _wait_threading_event(self._knobs.held)
            status = 200
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok" if status < 300 else b"nope"})

    def _decide(self, kind: str) -> int:
        with self._lock:
            if self._knobs.hold_next and self._knobs.hold_kind in {None, kind}:
                self._knobs.hold_next -= 1
                return 0
            if self._knobs.fail_next:
                self._knobs.fail_next -= 1
                return self._knobs.fail_status
            return 200


async def _wait_threading_event(event: threading.Event) -> None:
    await asyncio.get_running_loop().run_in_executor(None, event.wait)
