"""The tfso connector's settings (non-secret, from `source.settings`) and credentials (from the context)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import msgspec

from connectors.base import ROUTER_SETTINGS, decode_error_to_input_error
from router.errors import InputError

__all__ = ["DEFAULT_BASE_URL", "ORDER_STATES", "TfsoCredentials", "TfsoSettings"]

DEFAULT_BASE_URL = "https://api.24sevenoffice.com"
# OrderSlipStateType (InvoiceService WSDL); there is no plain "Sent", the sent state is OrderState_Sent.
ORDER_STATES = frozenset(
    """None Offer Pack Invoiced Web Repeating CollectingOrder Return Distribution Rest ForInvoicing OvertimeRent
    Confirmed OrderState_Sent Production PaymentReminder OnAccount Lending InvoicedCashAccount InvoicedPack
    Inactive Hours OrderState_SuperStore Draft""".split()  # noqa: SIM905 - the WSDL's list reads better as a block
)
_EVENT_KINDS = frozenset({"picked", "cancelled", "returned", "rejected", "received"})
_SESSION_FAULT = r"(?i)not authenticated|session (has )?(expired|timed out)|not logged in|authenticate\.asmx"

Seconds = Annotated[float, msgspec.Meta(ge=0, le=86_400)]


class TfsoSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`source.settings` of a tfso source; every field is optional."""

    base_url: str = DEFAULT_BASE_URL
    """Scheme and host of the four services; their real paths are appended (`/authenticate/v001/...`)."""
    poll_interval_seconds: Annotated[float, msgspec.Meta(ge=5, le=86_400)] = 60.0
    """How often the router should call `pull` (read by the router's poller, not by the connector)."""
    overlap_seconds: Seconds = 600.0
    """`ChangedAfter` is the cursor's last DateChanged minus this window (covers clock skew and late commits)."""
    page_size: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 200
    """OrderIds per GetInvoices call during the full sync (the API caps it at 1000)."""
    pull_states: Annotated[tuple[str, ...], msgspec.Meta(min_length=1)] = ("Confirmed",)
    """The OrderStatus values that make an order ready for the warehouse."""
    shipped_state: str = "OrderState_Sent"
    """The OrderStatus written by `report` when the warehouse shipped the order."""
    event_states: dict[str, str] = {}
    """OrderStatus to write for other events (`picked`, `cancelled`, `returned`, `rejected`); none by default."""
    import_state: str | None = None
    """If set, the OrderStatus pulled orders are moved to once the router stored them (off by default)."""
    order_types: dict[str, str] = {}
    """Order type per `TypeOfSaleId` (as a string key); without a match the source's own type (B2B) applies."""
    delivery_methods: dict[str, str] = {}
    """WMS way-of-delivery code per `DeliveryMethod.Id` (as a string key); unmapped methods send none."""
    default_country: str = "NO"
    """Country code for delivery addresses without one (24SevenOffice is Norwegian)."""
    company_fallback: bool = True
    """Read phone and e-mail from CompanyService when an order has none."""
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 30.0
    """HTTP timeout of one SOAP call."""
    session_check_seconds: Seconds = 300.0
    """Ask `HasSession` before the next call when the session has been idle this long."""
    session_fault_pattern: str = _SESSION_FAULT
    """Regular expression recognising the fault text of an expired session (the real text is unpublished)."""

    def __post_init__(self) -> None:
        for index, state in enumerate(self.pull_states):
            _check_state(state, f"settings.pull_states[{index}]")
        _check_state(self.shipped_state, "settings.shipped_state")
        if self.import_state is not None:
            _check_state(self.import_state, "settings.import_state")
            if self.import_state in self.pull_states:
                raise InputError("import_state must not be one of pull_states", field="settings.import_state")
        for kind, state in self.event_states.items():
            if kind not in _EVENT_KINDS:
                raise InputError(
                    f"unknown event kind {kind!r} (shipped uses shipped_state)", field="settings.event_states"
                )
            _check_state(state, f"settings.event_states.{kind}")
        if not self.base_url.startswith(("https://", "http://")):
            raise InputError("base_url must be an http(s) URL", field="settings.base_url")

    @classmethod
    def from_mapping(cls, settings: Mapping[str, object]) -> TfsoSettings:
        """Validate a source's settings; problems are InputErrors naming `settings.<field>`."""
        try:
            return msgspec.convert({k: v for k, v in settings.items() if k not in ROUTER_SETTINGS}, cls)
        except msgspec.ValidationError as exc:
            error = decode_error_to_input_error(exc)
            unknown = error.message.removeprefix("Object contains unknown field `").rstrip("`")
            field = unknown if unknown != error.message else error.field
            raise InputError(error.message, field=f"settings.{field}" if field != "body" else "settings") from None


class TfsoCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """The secrets Login needs: `ApplicationId` (GUID), `Username` (an e-mail) and `Password`."""

    application_id: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")]
    username: Annotated[str, msgspec.Meta(min_length=1)]
    password: Annotated[str, msgspec.Meta(min_length=1)]
    identity_id: str | None = None
    """Optional IdentityId (GUID) choosing which client the session belongs to."""

    def __repr__(self) -> str:
        return "TfsoCredentials(***)"

    @classmethod
    def from_mapping(cls, credentials: Mapping[str, object]) -> TfsoCredentials:
        """Validate the decrypted credentials; the error names the field, never a value."""
        try:
            return msgspec.convert(dict(credentials), cls)
        except msgspec.ValidationError as exc:
            error = decode_error_to_input_error(exc)
            raise InputError(
                f"credentials: {error.field} is missing or invalid", field=f"credentials.{error.field}"
            ) from None


def _check_state(state: str, field: str) -> None:
    if state not in ORDER_STATES:
        raise InputError(f"{state!r} is not an OrderSlipStateType (the sent state is OrderState_Sent)", field=field)
