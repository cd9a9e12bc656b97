"""Minimal plain-ASGI plumbing: types, reading a body, sending a response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import msgspec

__all__ = ["Receive", "Scope", "Send", "encode_json", "read_body", "respond", "respond_json"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_MAX_BODY = 10 * 1024 * 1024
_encoder = msgspec.json.Encoder(decimal_format="number")


def encode_json(payload: object) -> bytes:
    """JSON as Omnium writes it: quantities and prices are numbers, not strings."""
    return _encoder.encode(payload)


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
    send: Send, status: int, body: bytes, content_type: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Send one complete response."""
    all_headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def respond_json(send: Send, status: int, payload: object) -> None:
    """Send a JSON response (msgspec encodes Structs, dataclasses, Decimals and datetimes)."""
    await respond(send, status, encode_json(payload), "application/json; charset=utf-8")
