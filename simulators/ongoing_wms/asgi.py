"""Minimal plain-ASGI plumbing for the simulator: types, body reading, responses, dropping a connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import msgspec

__all__ = ["Receive", "Scope", "Send", "drop_connection", "read_body", "respond", "respond_json"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_MAX_BODY = 10 * 1024 * 1024


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
    """Send one complete response."""
    all_headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def respond_json(send: Send, status: int, payload: object) -> None:
    """Send a JSON response (msgspec encodes dataclasses, Decimals as strings, datetimes as ISO 8601)."""
    await respond(send, status, msgspec.json.encode(payload), "application/json")


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
