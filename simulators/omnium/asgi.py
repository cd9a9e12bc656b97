"""Minimal plain-ASGI plumbing: types, reading a body, sending a response, JSON as Omnium writes it."""

from __future__ import annotations

import msgspec

from simulators._asgi import Receive, Scope, Send, read_body, respond

__all__ = ["Receive", "Scope", "Send", "encode_json", "read_body", "respond", "respond_json"]

_encoder = msgspec.json.Encoder(decimal_format="number")


def encode_json(payload: object) -> bytes:
    """JSON as Omnium writes it: quantities and prices are numbers, not strings."""
    return _encoder.encode(payload)


async def respond_json(send: Send, status: int, payload: object) -> None:
    """Send a JSON response (msgspec encodes Structs, dataclasses, Decimals and datetimes)."""
    await respond(send, status, encode_json(payload), "application/json; charset=utf-8")
