"""The simulator's ASGI app: four ASMX services (WSDL and SOAP 1.1 POSTs, fault knobs applied) and `/_sim/`."""

from __future__ import annotations

import asyncio
import contextlib
from importlib import resources
from typing import TYPE_CHECKING

from lxml import etree

from simulators.ongoing_wms.asgi import Receive, Scope, Send, drop_connection, read_body, respond
from simulators.ongoing_wms.faults import Fault, FaultKind, Faults
from simulators.tfso.control import ControlApi
from simulators.tfso.operations import SERVICES, Operations, Outcome
from simulators.tfso.records import RecordedCall
from simulators.tfso.soap import TNS, SoapRequestError, fault, parse_request, serialize

if TYPE_CHECKING:
    from simulators.tfso.sessions import Sessions
    from simulators.tfso.state import TfsoState

__all__ = ["TfsoApp", "load_wsdl"]

_SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
_SERVER_FAULT = "Server was unable to process request. ---> Simulated failure."
_COOKIE = "ASP.NET_SessionId"


def load_wsdl(service: str) -> bytes:
    """The project's own WSDL subset of one service, as shipped in `connectors/tfso/wsdl/`."""
    return resources.files("connectors.tfso").joinpath("wsdl", f"{service}.wsdl").read_bytes()


def session_cookie(scope: Scope) -> str | None:
    """The `ASP.NET_SessionId` cookie of a request, if any."""
    for name, value in scope.get("headers", []):
        if name != b"cookie":
            continue
        header: bytes = value
        for part in header.decode("latin-1").split(";"):
            key, _, cookie = part.strip().partition("=")
            if key == _COOKIE and cookie:
                return cookie
    return None


class TfsoApp:
    """Plain ASGI app serving the four services at their real paths (any letter case)."""

    def __init__(self, *, state: TfsoState, sessions: Sessions, faults: Faults, operations: Operations) -> None:
        self.state = state
        self.sessions = sessions
        self.faults = faults
        self.operations = operations
        self.control = ControlApi(state, sessions, faults)
        self._wsdl = {path: etree.fromstring(load_wsdl(service)) for path, (service, _) in SERVICES.items()}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._released: asyncio.Event | None = None

    def release_held_responses(self) -> None:
        """Wake every handler sleeping on latency or a held response (thread-safe; used on stop)."""
        if self._loop is not None and self._released is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._released.set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (lifespan or HTTP)."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if self._released is None:
            self._loop = asyncio.get_running_loop()
            self._released = asyncio.Event()
        path: str = scope["path"]
        if path.startswith("/_sim/"):
            await self.control(scope, receive, send)
        elif path.lower() in SERVICES:
            await self._service(path.lower(), scope, receive, send)
        else:
            await respond(send, 404, b"Not Found", "text/plain; charset=utf-8")

    async def _service(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "GET" and scope.get("query_string", b"").lower() == b"wsdl":
            await respond(send, 200, self._wsdl_for(path, scope))
        elif method == "POST":
            await self._soap(path, scope, receive, send)
        else:
            await respond(send, 405, b"Method Not Allowed", "text/plain; charset=utf-8")

    def _wsdl_for(self, path: str, scope: Scope) -> bytes:
        """The WSDL with its soap:address pointing at this server, the way ASMX rewrites it."""
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode() or "{}:{}".format(*scope["server"])
        document = etree.fromstring(etree.tostring(self._wsdl[path]))
        for address in document.iter(_SOAP_ADDRESS):
            address.set("location", f"http://{host}{scope['path']}")
        return serialize(document)

    async def _soap(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        service, operations = SERVICES[path]
        body = await read_body(receive)
        try:
            element = parse_request(body)
        except SoapRequestError as exc:
            await respond(send, 500, fault("Client", f"Server was unable to read request. ---> {exc}"))
            return
        qname = etree.QName(element)
        operation = qname.localname
        action = dict(scope.get("headers", [])).get(b"soapaction", b"").decode().strip('"') or None
        if qname.namespace != TNS or operation not in operations:
            message = f"Server did not recognize the value of HTTP Header SOAPAction: {action}."
            await respond(send, 500, fault("Client", message))
            return
        if action is not None and action != f"{TNS}/{operation}":
            await respond(send, 500, fault("Client", f"SOAPAction {action} does not match the body's {operation}"))
            return
        session = session_cookie(scope)
        await self._sleep(self.faults.latency)
        armed = self.faults.take(operation)
        if armed is not None and armed.kind is not FaultKind.COMMIT_THEN_TIMEOUT:
            await self._fail_before_processing(armed, service, operation, action, session, send)
            return
        outcome = self.operations.handle(operation, element, session)
        held = f", response held {armed.delay}s" if armed is not None else ""
        self._record(service, operation, action, session, outcome, extra=held)
        if armed is not None:
            await self._sleep(armed.delay)
        await respond(send, outcome.status, outcome.body, headers=outcome.headers)

    async def _fail_before_processing(  # noqa: PLR0917 - what the record needs
        self, armed: Fault, service: str, operation: str, action: str | None, session: str | None, send: Send
    ) -> None:
        if armed.kind is FaultKind.DROP:
            self._record(service, operation, action, session, Outcome(status=0, body=b"", outcome="dropped"))
            drop_connection(send)
            return
        failed = Outcome(status=armed.status, body=b"", outcome=f"failed with HTTP {armed.status}")
        self._record(service, operation, action, session, failed)
        if armed.status == 500:
            await respond(send, 500, fault("Server", _SERVER_FAULT))
            return
        headers = [(b"retry-after", b"1")] if armed.status in (429, 503) else []
        await respond(send, armed.status, b"Service Unavailable", "text/plain; charset=utf-8", headers)

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0 or self._released is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), timeout=seconds)

    def _record(
        self,
        service: str,
        operation: str,
        action: str | None,
        session: str | None,
        outcome: Outcome,
        *,
        extra: str = "",
    ) -> None:
        self.state.record(
            RecordedCall(
                service=service,
                operation=operation,
                soap_action=action,
                session=session,
                fields=outcome.fields,
                at=self.state.clock.now(),
                outcome=outcome.outcome + extra,
                committed=outcome.committed,
            )
        )
