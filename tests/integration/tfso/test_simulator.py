"""The 24SevenOffice simulator speaks the contract: paths, WSDLs, cookies, faults, enums, controls."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import httpx
import pytest
import zeep
from lxml import etree

from simulators.tfso import SimClock, TfsoSimulator

APP = "5e1f3a0c-1111-4a2b-9c3d-000000000001"
TNS = "http://24sevenOffice.com/webservices"
AUTH = "/authenticate/v001/authenticate.asmx"
INVOICE = "/Economy/InvoiceOrder/V001/InvoiceService.asmx"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _envelope(body: str) -> bytes:
    return f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>{body}</soap:Body></soap:Envelope>'.encode()


def _login(password: str = "pw-secret") -> bytes:  # noqa: S107 - the simulator's test password
    return _envelope(
        f'<Login xmlns="{TNS}"><credential><ApplicationId>{APP}</ApplicationId>'
        f"<Password>{password}</Password><Username>api@kunde.no</Username></credential></Login>"
    )


def _post(sim: TfsoSimulator, path: str, op: str, body: bytes, session: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{TNS}/{op}"'}
    if session:
        headers["Cookie"] = f"ASP.NET_SessionId={session}"
    return httpx.post(sim.base_url + path, content=body, headers=headers)


def _result(response: httpx.Response, op: str) -> str | None:
    return etree.fromstring(response.content).findtext(f".//{{{TNS}}}{op}Result")


@pytest.fixture
def sim() -> TfsoSimulator:
    with TfsoSimulator(application_id=APP, username="api@kunde.no", password="pw-secret", login_limit=3) as simulator:
        yield simulator


def test_login_returns_the_session_as_result_and_cookie_and_records_no_password(sim: TfsoSimulator) -> None:
    response = _post(sim, AUTH, "Login", _login())
    session = _result(response, "Login")
    assert response.status_code == 200
    assert session
    assert response.cookies["ASP.NET_SessionId"] == session
    assert "pw-secret" not in repr(sim.calls)
    refused = _post(sim, AUTH, "Login", _login("wrong"))
    assert refused.status_code == 200
    assert _result(refused, "Login") == ""
    assert "set-cookie" not in refused.headers


def test_business_calls_need_a_live_session(sim: TfsoSimulator) -> None:
    body = _envelope(
        f'<GetOrderSyncList xmlns="{TNS}"><syncParams>'
        "<RegisteredAfter>0001-01-01T00:00:00</RegisteredAfter></syncParams></GetOrderSyncList>"
    )
    denied = _post(sim, INVOICE, "GetOrderSyncList", body)
    assert denied.status_code == 500
    assert b"not authenticated" in denied.content
    session = _result(_post(sim, AUTH, "Login", _login()), "Login")
    assert _post(sim, INVOICE, "GetOrderSyncList", body, session).status_code == 200
    has = _envelope(f'<HasSession xmlns="{TNS}"/>')
    assert _result(_post(sim, AUTH, "HasSession", has, session), "HasSession") == "true"
    sim.expire_sessions()
    assert _result(_post(sim, AUTH, "HasSession", has, session), "HasSession") == "false"  # never a fault
    assert _post(sim, INVOICE, "GetOrderSyncList", body, session).status_code == 500


def test_sessions_expire_after_the_idle_timeout_on_the_clock() -> None:
    clock = SimClock()
    with TfsoSimulator(
        application_id=APP, username="u@x.no", password="p", session_idle_timeout=60, clock=clock
    ) as sim:
        session = sim.sessions.login(application_id=APP, username="u@x.no", password="p")
        clock.advance(30)
        assert sim.sessions.check(session)  # sliding: used at 30 s
        clock.advance(59)
        assert sim.sessions.check(session)
        clock.advance(60)
        assert not sim.sessions.check(session)


def test_logins_are_throttled_until_the_window_passes(sim: TfsoSimulator) -> None:
    for _ in range(3):
        assert _result(_post(sim, AUTH, "Login", _login()), "Login")
    throttled = _post(sim, AUTH, "Login", _login())
    assert throttled.status_code == 500
    assert b"Limit exceeded by 1. Request is blocked. Quarantine ends at" in throttled.content
    sim.clock.advance(61)
    assert _result(_post(sim, AUTH, "Login", _login()), "Login")


def test_soap_action_must_match_the_body(sim: TfsoSimulator) -> None:
    headers = {"Content-Type": "text/xml", "SOAPAction": f"{TNS}/HasSession"}
    response = httpx.post(sim.base_url + AUTH, content=_login(), headers=headers)
    assert response.status_code == 500
    assert b"soap:Client" in response.content


def test_unknown_order_state_is_refused_like_the_dotnet_deserializer(sim: TfsoSimulator) -> None:
    sim.add_product("A-1", stock=1)
    sim.add_company(id=1, name="K")
    order = sim.add_order(customer_id=1, rows=[sim.row("A-1", 1)])
    session = _result(_post(sim, AUTH, "Login", _login()), "Login")
    answers = {}
    for state, status in (("Sent", 500), ("OrderState_Sent", 200)):
        body = _envelope(
            f'<SaveInvoices xmlns="{TNS}"><invoices><InvoiceOrder><OrderId>{order.order_id}</OrderId>'
            f"<OrderStatus>{state}</OrderStatus>"
            '<IncludeVAT xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'
            "</InvoiceOrder></invoices></SaveInvoices>"
        )
        answers[state] = _post(sim, INVOICE, "SaveInvoices", body, session)
        assert answers[state].status_code == status, answers[state].text
    assert b"'Sent' is not a valid value for OrderSlipStateType" in answers["Sent"].content
    assert sim.order(order.order_id).order_status == "OrderState_Sent"


def test_get_invoices_returns_only_the_requested_properties(sim: TfsoSimulator) -> None:
    sim.add_product("A-1", stock=1)
    sim.add_company(id=1, name="K")
    sim.add_order(customer_id=1, rows=[sim.row("A-1", 1, price=Decimal(10))], customer_name="K")
    session = _result(_post(sim, AUTH, "Login", _login()), "Login")
    body = _envelope(
        f'<GetInvoices xmlns="{TNS}"><searchParams/><invoiceReturnProperties><string>OrderId</string>'
        "<string>InvoiceRows</string></invoiceReturnProperties>"
        "<rowReturnProperties><string>ProductNo</string></rowReturnProperties></GetInvoices>"
    )
    order = etree.fromstring(_post(sim, INVOICE, "GetInvoices", body, session).content).find(
        f".//{{{TNS}}}InvoiceOrder"
    )
    assert order is not None
    assert [etree.QName(c).localname for c in order] == ["OrderId", "IncludeVAT", "InvoiceRows"]
    row = order.find(f"{{{TNS}}}InvoiceRows/{{{TNS}}}InvoiceRow")
    assert row is not None
    assert [etree.QName(c).localname for c in row] == ["ProductNo"]


@pytest.mark.parametrize("service", ["Authenticate", "InvoiceService", "ProductService", "CompanyService"])
def test_wsdl_is_served_with_the_address_rewritten_and_zeep_loads_it(sim: TfsoSimulator, service: str) -> None:
    wsdl = httpx.get(sim.url(service) + "?WSDL")
    assert wsdl.status_code == 200
    address = etree.fromstring(wsdl.content).find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location") == sim.url(service)
    client = zeep.Client(sim.url(service) + "?WSDL")
    assert f"{{{TNS}}}{service}Soap" in client.wsdl.bindings


def test_paths_match_case_insensitively(sim: TfsoSimulator) -> None:
    assert _result(_post(sim, AUTH.upper(), "Login", _login()), "Login")


def test_control_api_seeds_and_observes(sim: TfsoSimulator) -> None:
    base = sim.base_url + "/_sim"
    assert httpx.post(f"{base}/products", json={"no": "Z-1", "stock": "4"}).status_code == 200
    assert httpx.post(f"{base}/companies", json={"id": 5, "name": "Firma"}).status_code == 200
    created = httpx.post(
        f"{base}/orders",
        json={
            "customer_id": 5,
            "rows": [{"product_no": "Z-1", "quantity": "2"}],
            "delivery": {"street": "Gate 1", "postal_code": "0150", "postal_area": "OSLO"},
        },
    ).json()
    assert (
        httpx.post(f"{base}/orders/{created['order_id']}/status", json={"status": "Pack"}).json()["order_status"]
        == "Pack"
    )
    assert sim.order(created["order_id"]).rows[0].product_no == "Z-1"
    assert httpx.post(f"{base}/sessions/expire", json={"before": "GetInvoices"}).json() == {"armed": True}
    assert httpx.post(f"{base}/faults", json={"fail_next": {"n": 2}}).json()["armed"][0]["remaining"] == 2
    assert httpx.get(f"{base}/orders/424242").status_code == 404


def test_python_dash_m_starts_the_simulator() -> None:
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "simulators.tfso",
            "--port",
            "0",
            "--application-id",
            APP,
            "--user",
            "u@x.no",
            "--password",
            "p",
            "--product",
            "A-1=3",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("24SevenOffice simulator: http://127.0.0.1:")
        base = line.split(": ", 1)[1].strip()
        products = httpx.get(f"{base}/_sim/products").json()
        assert [(p["no"], p["stock"]) for p in products] == [("A-1", "3")]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
