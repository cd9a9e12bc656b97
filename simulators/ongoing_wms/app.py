"""The simulator's ASGI app: the WSDL, SOAP 1.1 POSTs with fault knobs applied, and `/_sim/` controls."""

from __future__ import annotations

import asyncio
import contextlib
from importlib import resources
from typing import TYPE_CHECKING

from lxml import etree

from simulators.ongoing_wms.asgi import Receive, Scope, Send, drop_connection, read_body, respond
from simulators.ongoing_wms.control import ControlApi
from simulators.ongoing_wms.faults import Fault, FaultKind, Faults
from simulators.ongoing_wms.operations import OPERATIONS, Operations, Outcome
from simulators.ongoing_wms.records import RecordedRequest
from simulators.ongoing_wms.soap import SoapRequestError, fault, parse_request, serialize

if TYPE_CHECKING:
    from simulators.ongoing_wms.state import WmsState
    from simulators.ongoing_wms.webhooks import Webhooks

__all__ = ["SimulatorApp", "load_wsdl"]

_SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
_SERVER_FAULT = "Server was unable to process request. ---> Simulated failure."


def load_wsdl() -> bytes:
    """Read the project's own WSDL subset (router/wms/ongoing.wsdl), as shipped in the package."""
    return resources.files("router.wms").joinpath("ongoing.wsdl").read_bytes()


class SimulatorApp:
    """Plain ASGI app for one warehouse path (`/{warehouse}/service.asmx`, any letter case)."""

    def __init__(
        self, *, state: WmsState, faults: Faults, operations: Operations, warehouse: str, webhooks: Webhooks
    ) -> None:
        self.state = state
        self.faults = faults
        self.operations = operations
        self.warehouse = warehouse
        self.control = ControlApi(state, faults, webhooks)
        self._wsdl = etree.fromstring(load_wsdl())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._released: asyncio.Event | None = None

    def release_held_responses(self) -> None:
        """Wake every handler sleeping on latency or a held response (thread-safe; used on stop)."""
        if self._loop is not None and self._released is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._released.set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (lifespan or HTTP)."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if self._released is None:
            self._loop = asyncio.get_running_loop()
            self._released = asyncio.Event()
        path: str = scope["path"]
        if path.startswith("/_sim/"):
            await self.control(scope, receive, send)
        elif path.lower() == f"/{self.warehouse}/service.asmx".lower():
            await self._service(scope, receive, send)
        else:
            await respond(send, 404, b"Not Found", "text/plain; charset=utf-8")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _service(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "GET" and scope.get("query_string", b"").lower() == b"wsdl":
            await respond(send, 200, self._wsdl_for(scope))
        elif method == "POST":
            await self._soap(scope, receive, send)
        else:
            await respond(send, 405, b"Method Not Allowed", "text/plain; charset=utf-8")

    def _wsdl_for(self, scope: Scope) -> bytes:
        """Return the WSDL with its soap:address pointing at this server, the way ASMX rewrites it."""
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode() or "{}:{}".format(*scope["server"])
        document = etree.fromstring(etree.tostring(self._wsdl))
        for address in document.iter(_SOAP_ADDRESS):
            address.set("location", f"http://{host}{scope['path']}")
        return serialize(document)

    async def _soap(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        try:
            element = parse_request(body)
        except SoapRequestError as exc:
            await respond(send, 500, fault("Client", str(exc)))
            return
        operation = etree.QName(element).localname
        action = dict(scope.get("headers", [])).get(b"soapaction", b"").decode().strip('"')
        if action and action.rsplit("/", 1)[-1] != operation and operation in OPERATIONS:
            await respond(send, 500, fault("Client", f"SOAPAction {action} does not match {operation}"))
            return
        await self._sleep(self.faults.latency)
        armed = self.faults.take(operation) if operation in OPERATIONS else None
        if armed is not None and armed.kind is not FaultKind.COMMIT_THEN_TIMEOUT:
            await self._fail_before_processing(armed, operation, send)
            return
        outcome = self.operations.handle(operation, element)
        held = f", response held {armed.delay}s" if armed is not None else ""
        self._record(operation, outcome.fields, committed=outcome.committed, outcome=outcome.outcome + held)
        if armed is not None:
            await self._sleep(armed.delay)
        await self._answer(send, outcome)

    async def _fail_before_processing(self, armed: Fault, operation: str, send: Send) -> None:
        if armed.kind is FaultKind.DROP:
            self._record(operation, {}, committed=False, outcome="dropped")
            drop_connection(send)
            return
        self._record(operation, {}, committed=False, outcome=f"failed with HTTP {armed.status}")
        if armed.status == 500:
            await respond(send, 500, fault("Server", _SERVER_FAULT))
            return
        headers = [(b"retry-after", b"1")] if armed.status in (429, 503) else []
        await respond(send, armed.status, b"Service Unavailable", "text/plain; charset=utf-8", headers)

    async def _answer(self, send: Send, outcome: Outcome) -> None:
        await respond(send, outcome.status, outcome.body)

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0 or self._released is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), timeout=seconds)

    def _record(self, operation: str, fields: dict[str, object], *, committed: bool, outcome: str) -> None:
        self.state.record(
            RecordedRequest(
                operation=operation,
                fields=fields,
                at=self.state.now(),
                committed=committed,
                outcome=outcome,
            )
        )
