"""A webhook endpoint on loopback for tests: records every request and answers with a status it is given."""

from __future__ import annotations

import threading
from typing import NamedTuple

from simulators import ServerThread
from simulators._asgi import PLAIN_TEXT, Receive, Scope, Send, lifespan, read_body, respond


class Received(NamedTuple):
    """One request as it arrived (header names in lower case); unpacks as `(headers, body)`."""

    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Records each request in `received`; answers `next_status()` (200 unless a subclass scripts it).

    Serves at `url` between `start()` and `stop()`.
    """

    path = "/hooks/source"

    def __init__(self, name: str = "webhook-receiver") -> None:
        self.received: list[Received] = []
        self._cond = threading.Condition()
        self.server = ServerThread(self, name=name)

    @property
    def url(self) -> str:
        return f"{self.server.url}{self.path}"

    def next_status(self) -> int:
        """The status for the request just recorded (called under the lock)."""
        return 200

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] == "http":
            await self._record(scope, receive, send)

    async def _record(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self._cond:
            self.received.append(Received(headers=headers, body=body))
            status = self.next_status()
            self._cond.notify_all()
        await respond(send, status, b"", PLAIN_TEXT)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Every request so far, once there are at least `count` (TimeoutError after `timeout` seconds)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} requests arrived")
            return list(self.received)

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
