"""Minimal plain-ASGI plumbing for the simulator: types, body reading, responses, dropping a connection."""

from __future__ import annotations

import msgspec

from simulators._asgi import Receive, Scope, Send, drop_connection, read_body, respond

__all__ = ["Receive", "Scope", "Send", "drop_connection", "read_body", "respond", "respond_json"]


async def respond_json(send: Send, status: int, payload: object) -> None:
    """Send a JSON response (msgspec encodes dataclasses, Decimals as strings, datetimes as ISO 8601)."""
    await respond(send, status, msgspec.json.encode(payload), "application/json")
