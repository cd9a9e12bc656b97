"""The simulator's ASGI app: four ASMX services (WSDL and SOAP 1.1 POSTs, fault knobs applied) and `/_sim/`."""

from __future__ import annotations

from functools import partial
from importlib import resources
from typing import TYPE_CHECKING

from lxml import etree

from simulators._asgi import Receive, Scope, Send, SoapApp, header, respond
from simulators.tfso.control import ControlApi
from simulators.tfso.operations import SERVICES, Operations, Outcome
from simulators.tfso.records import RecordedCall
from simulators.tfso.soap import TNS, fault, parse_request

if TYPE_CHECKING:
    from simulators.ongoing_wms.faults import Faults
    from simulators.tfso.sessions import Sessions
    from simulators.tfso.state import TfsoState

__all__ = ["TfsoApp", "load_wsdl"]

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


class TfsoApp(SoapApp[Outcome]):
    """Plain ASGI app serving the four services at their real paths (any letter case)."""

    def __init__(self, *, state: TfsoState, sessions: Sessions, faults: Faults, operations: Operations) -> None:
        super().__init__(
            faults=faults,
            wsdl={path: etree.fromstring(load_wsdl(service)) for path, (service, _) in SERVICES.items()},
        )
        self.state = state
        self.sessions = sessions
        self.operations = operations
        self.control = ControlApi(state, sessions, faults)

    async def _soap(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        service, operations = SERVICES[path]
        element = await self._read_request(receive, send, parse_request, "Server was unable to read request. ---> ")
        if element is None:
            return
        qname = etree.QName(element)
        operation = qname.localname
        action = header(scope, b"soapaction").strip('"') or None
        if qname.namespace != TNS or operation not in operations:
            message = f"Server did not recognize the value of HTTP Header SOAPAction: {action}."
            await respond(send, 500, fault("Client", message))
            return
        if action is not None and action != f"{TNS}/{operation}":
            await respond(send, 500, fault("Client", f"SOAPAction {action} does not match the body's {operation}"))
            return
        session = session_cookie(scope)
        record = partial(self._record, service, operation, action, session)
        await self._process(operation, send, lambda: self.operations.handle(operation, element, session), record)

    async def _answer(self, send: Send, outcome: Outcome) -> None:
        await respond(send, outcome.status, outcome.body, headers=outcome.headers)

    def _record(
        self,
        service: str,
        operation: str,
        action: str | None,
        session: str | None,
        fields: dict[str, object],
        *,
        committed: bool,
        outcome: str,
    ) -> None:
        self.state.record(
            RecordedCall(
                service=service,
                operation=operation,
                soap_action=action,
                session=session,
                fields=fields,
                at=self.state.clock.now(),
                outcome=outcome,
                committed=committed,
            )
        )
