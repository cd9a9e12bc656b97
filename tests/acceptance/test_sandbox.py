"""`router sandbox` as a subprocess: an order from every simulated source reaches the WMS with its suffix."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from bench._cluster import inherited_env
from simulators.testing import eventually

SUFFIXES = {"se": "SE", "eu": "EU", "erp": "ERP", "om": "OM"}


class Sandbox:
    """The subprocess and its stdout, read line by line on a thread (a line is awaited, never slept for)."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        env = inherited_env()
        self.log = log
        with log.open("wb") as err:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "router", "sandbox", "--rate", "240", "--data-dir", str(data_dir)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert self.proc.stdout is not None
        self.reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self, timeout: float) -> str:
        line = self.lines.get(timeout=timeout)
        assert line is not None, f"the sandbox ended early (exit {self.proc.wait()}):\n{self.output()}"
        return line

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.reader.join(timeout=10)  # it has read to the end of stdout
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    running = Sandbox(tmp_path / "data", tmp_path / "sandbox.log")
    try:
        yield running
    finally:
        running.stop()


async def wms_numbers(client: httpx.AsyncClient, wms_url: str) -> dict[str, list[str]]:
    orders: list[dict[str, Any]] = (await client.get(f"{wms_url}/_sim/orders")).json()
    found: dict[str, list[str]] = {}
    for order in orders:
        found.setdefault(order["number"].rpartition("-")[2], []).append(order["number"])
    return found


async def signed_in(client: httpx.AsyncClient, router: str, admin_key: str) -> None:
    form = await client.get(f"{router}/admin/sign-in")
    match = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert match, form.text
    response = await client.post(
        f"{router}/admin/sign-in", data={"csrf": match[1], "admin_key": admin_key, "next": "/admin"}
    )
    assert response.status_code == 303, response.text


async def test_an_order_from_every_source_reaches_the_wms_with_its_suffix_and_the_admin_page_lists_it(
    sandbox: Sandbox,
) -> None:
    where = json.loads(sandbox.next_line(timeout=120))
    assert where["sandbox"] == "ready"
    assert set(where["sources"]) == set(SUFFIXES)
    assert {name: s["suffix"] for name, s in where["sources"].items()} == SUFFIXES

    async with httpx.AsyncClient(timeout=10) as client:
        wms_url = where["simulators"]["ongoing_wms"]

        async def every_suffix() -> dict[str, list[str]]:
            found = await wms_numbers(client, wms_url)
            return found if set(SUFFIXES.values()) <= found.keys() else {}

        found = await eventually(every_suffix, timeout=120, interval=0.5, what="an order of every source in the WMS")
        for name, suffix in SUFFIXES.items():
            assert all(re.fullmatch(rf"[A-Za-z0-9-]+-{suffix}", n) for n in found[suffix]), (name, found[suffix])

        await signed_in(client, where["router"], where["admin_key"])
        for name, suffix in SUFFIXES.items():
            page = await client.get(f"{where['router']}/admin/orders/", params={"source": name})
            assert page.status_code == 200
            assert any(number in page.text for number in found[suffix]), (name, page.text[-2000:])

        schema = await client.get(where["schema"] + "/openapi.json")
        assert schema.status_code == 200

    assert sandbox.stop() == 0, sandbox.output()
    summary = sandbox.next_line(timeout=10)
    assert summary.startswith("sandbox: orders placed se "), summary
