"""The simulator's ASGI app: the WSDL, SOAP 1.1 POSTs with fault knobs applied, and `/_sim/` controls."""

from __future__ import annotations

from functools import partial
from importlib import resources
from typing import TYPE_CHECKING

from lxml import etree

from simulators._asgi import Receive, Scope, Send, SoapApp, header, respond
from simulators.ongoing_wms.control import ControlApi
from simulators.ongoing_wms.operations import OPERATIONS, Operations, Outcome
from simulators.ongoing_wms.records import RecordedRequest
from simulators.ongoing_wms.soap import fault, parse_request

if TYPE_CHECKING:
    from simulators.ongoing_wms.faults import Faults
    from simulators.ongoing_wms.state import WmsState
    from simulators.ongoing_wms.webhooks import Webhooks

__all__ = ["SimulatorApp", "load_wsdl"]


def load_wsdl() -> bytes:
    """Read the project's own WSDL subset (router/wms/ongoing.wsdl), as shipped in the package."""
    return resources.files("router.wms").joinpath("ongoing.wsdl").read_bytes()


class SimulatorApp(SoapApp[Outcome]):
    """Plain ASGI app for one warehouse path (`/{warehouse}/service.asmx`, any letter case)."""

    def __init__(
        self, *, state: WmsState, faults: Faults, operations: Operations, warehouse: str, webhooks: Webhooks
    ) -> None:
        super().__init__(faults=faults, wsdl={f"/{warehouse}/service.asmx".lower(): etree.fromstring(load_wsdl())})
        self.state = state
        self.operations = operations
        self.warehouse = warehouse
        self.control = ControlApi(state, faults, webhooks)

    async def _soap(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002 - one service
        element = await self._read_request(receive, send, parse_request)
        if element is None:
            return
        operation = etree.QName(element).localname
        action = header(scope, b"soapaction").strip('"')
        if action and action.rsplit("/", 1)[-1] != operation and operation in OPERATIONS:
            await respond(send, 500, fault("Client", f"SOAPAction {action} does not match {operation}"))
            return
        faulted = operation if operation in OPERATIONS else None
        await self._process(
            faulted, send, lambda: self.operations.handle(operation, element), partial(self._record, operation)
        )

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
