"""A lean HTTP/1.1 keep-alive load generator (raw asyncio streams), so the client spends little CPU."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from urllib.parse import urlsplit


async def _one_connection(url: str, path: str, key: str, bodies: list[bytes], statuses: list[int]) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {key}\r\n"
        "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    try:
        while bodies:
            body = bodies.pop()
            writer.write(head.format(length=len(body)).encode() + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            statuses.append(int(status_line.split()[1]))
    finally:
        writer.close()


async def post_all(
    urls: Sequence[str], path: str, key: str, payloads: list[object], *, connections: int
) -> tuple[float, list[int]]:
    """POST every payload over `connections` keep-alive connections spread over `urls`; (seconds, statuses)."""
    bodies = [json.dumps(p).encode() for p in payloads]
    statuses: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(_one_connection(urls[i % len(urls)], path, key, bodies, statuses) for i in range(connections))
    )
    return time.perf_counter() - started, statuses
