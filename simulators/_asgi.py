"""Plain-ASGI plumbing shared by the simulators' apps.

Types, reading a body, sending or dropping a response, the lifespan protocol, `BaseApp` (the `/_sim/` control
routing and latency that `stop()` can cut short) and `SoapApp` (ASMX services: `?wsdl`, reading a SOAP request,
the fault knobs and the answer).
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from simulators._soap import SoapError, fault, relocated

if TYPE_CHECKING:
    from lxml import etree

    from simulators.ongoing_wms.faults import Fault, Faults

__all__ = [
    "PLAIN_TEXT",
    "Answer",
    "BaseApp",
    "Handler",
    "Receive",
    "Record",
    "Scope",
    "Send",
    "SoapApp",
    "drop_connection",
    "header",
    "lifespan",
    "read_body",
    "respond",
]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Handler = Callable[[Scope, Receive, Send], Awaitable[None]]

PLAIN_TEXT = "text/plain; charset=utf-8"
_MAX_BODY = 10 * 1024 * 1024
_SERVER_FAULT = "Server was unable to process request. ---> Simulated failure."
# Values of `simulators.ongoing_wms.faults.FaultKind` (a StrEnum): importing it here would be circular.
_DROP = "drop"
_COMMIT_THEN_TIMEOUT = "commit_then_timeout"


async def read_body(receive: Receive) -> bytes:
    """Read the whole request body (at most 10 MiB)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_BODY:
            raise ValueError("request body too large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "text/xml; charset=utf-8",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Send one complete response (XML unless told otherwise)."""
    all_headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def drop_connection(send: Send) -> None:
    """Close the TCP connection without answering.

    Plain ASGI has no such message, so this reaches into uvicorn's h11 cycle (the owner of `send`):
    it closes the transport and marks the cycle disconnected so uvicorn writes no 500 afterwards.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None:
        raise RuntimeError("dropping a connection needs uvicorn's h11 protocol")
    transport.close()
    cycle.disconnected = True


def header(scope: Scope, name: bytes) -> str:
    """One request header (a lower-case name; the last one when repeated), "" when absent."""
    value: bytes = dict(scope.get("headers", [])).get(name, b"")
    return value.decode()


async def lifespan(receive: Receive, send: Send) -> None:
    """Complete the startup and the shutdown of a lifespan scope at once; return after the shutdown."""
    while True:
        kind = (await receive())["type"]
        if kind in {"lifespan.startup", "lifespan.shutdown"}:
            await send({"type": f"{kind}.complete"})
        if kind == "lifespan.shutdown":
            return


class BaseApp(ABC):
    """A simulator's plain ASGI app: lifespan, `/_sim/...` to `control`, any other HTTP request to `_serve`.

    Waits on latency or a held response go through `_sleep`, which `release_held_responses()` cuts short.
    """

    control: Handler
    """The JSON control API under `/_sim/`."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._released: asyncio.Event | None = None

    def release_held_responses(self) -> None:
        """Wake every handler sleeping on latency or a held response (thread-safe; used on stop)."""
        if self._loop is not None and self._released is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._released.set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (lifespan or HTTP)."""
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if self._released is None:
            self._loop = asyncio.get_running_loop()
            self._released = asyncio.Event()
        path: str = scope["path"]
        if path.startswith("/_sim/"):
            await self.control(scope, receive, send)
        else:
            await self._serve(scope, receive, send)

    @abstractmethod
    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request outside `/_sim/`."""

    async def _sleep(self, seconds: float) -> None:
        """Wait `seconds` (nothing when not positive), or less once the held responses are released."""
        if seconds <= 0 or self._released is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), timeout=seconds)


class Answer(Protocol):
    """What a SOAP operation produced: the HTTP answer and what the request log records."""

    @property
    def status(self) -> int:
        """The HTTP status."""

    @property
    def body(self) -> bytes:
        """The response body."""

    @property
    def committed(self) -> bool:
        """Whether the call changed the state."""

    @property
    def outcome(self) -> str:
        """What the request log says happened."""

    @property
    def fields(self) -> dict[str, object]:
        """The request's fields the log keeps."""


class Record(Protocol):
    """Logs one SOAP call: its fields, whether it committed and what happened."""

    def __call__(self, fields: dict[str, object], *, committed: bool, outcome: str) -> None:
        """Append the call to the request log."""


AnswerT = TypeVar("AnswerT", bound=Answer)


class SoapApp(BaseApp, Generic[AnswerT]):
    """ASMX services, each at a path (any letter case) with its WSDL: `GET ?wsdl`, SOAP 1.1 `POST`s.

    A subclass reads and checks the request in `_soap(path, ...)` and hands the call to `_process`.
    """

    def __init__(self, *, faults: Faults, wsdl: dict[str, etree._Element]) -> None:
        super().__init__()
        self.faults = faults
        self._wsdl = wsdl  # by lower-case path

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].lower()
        wsdl = self._wsdl.get(path)
        if wsdl is None:
            await respond(send, 404, b"Not Found", PLAIN_TEXT)
        elif scope["method"] == "GET" and scope.get("query_string", b"").lower() == b"wsdl":
            # soap:address points at this server, the way ASMX rewrites it
            host = header(scope, b"host") or "{}:{}".format(*scope["server"])
            await respond(send, 200, relocated(wsdl, f"http://{host}{scope['path']}"))
        elif scope["method"] == "POST":
            await self._soap(path, scope, receive, send)
        else:
            await respond(send, 405, b"Method Not Allowed", PLAIN_TEXT)

    @abstractmethod
    async def _soap(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one SOAP POST to the service at `path` (lower case)."""

    @staticmethod
    async def _read_request(
        receive: Receive, send: Send, parse: Callable[[bytes], etree._Element], unreadable: str = ""
    ) -> etree._Element | None:
        """The operation element `parse` finds in the body; None once a soap:Client fault answered it.

        The fault's message is `unreadable` followed by why the body cannot be read.
        """
        body = await read_body(receive)
        try:
            return parse(body)
        except SoapError as exc:
            await respond(send, 500, fault("Client", f"{unreadable}{exc}"))
            return None

    async def _process(self, operation: str | None, send: Send, handle: Callable[[], AnswerT], record: Record) -> None:
        """Process one call with the latency and the first fault armed for `operation` (None: no fault applies).

        A failing or dropping fault stops the call before `handle()`; commit-then-timeout processes the call,
        then holds its response for the fault's delay. Every call is recorded before it is answered.
        """
        await self._sleep(self.faults.latency)
        armed = None if operation is None else self.faults.take(operation)
        if armed is not None and armed.kind != _COMMIT_THEN_TIMEOUT:
            await self._fail_before_processing(armed, send, record)
            return
        outcome = handle()
        held = f", response held {armed.delay}s" if armed is not None else ""
        record(outcome.fields, committed=outcome.committed, outcome=outcome.outcome + held)
        if armed is not None:
            await self._sleep(armed.delay)
        await self._answer(send, outcome)

    async def _fail_before_processing(self, armed: Fault, send: Send, record: Record) -> None:
        if armed.kind == _DROP:
            record({}, committed=False, outcome="dropped")
            drop_connection(send)
            return
        record({}, committed=False, outcome=f"failed with HTTP {armed.status}")
        if armed.status == 500:
            await respond(send, 500, fault("Server", _SERVER_FAULT))
            return
        headers = [(b"retry-after", b"1")] if armed.status in (429, 503) else []
        await respond(send, armed.status, b"Service Unavailable", PLAIN_TEXT, headers)

    async def _answer(self, send: Send, outcome: AnswerT) -> None:
        """Send a processed call's answer."""
        await respond(send, outcome.status, outcome.body)
