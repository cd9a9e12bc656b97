"""The Ongoing simulator on the wire: WSDL, envelopes valid against the schema, faults, controls, server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from lxml import etree

from simulators import ServerThread
from simulators.ongoing_wms import OngoingWmsSimulator

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from router.domain import RoutedOrder
    from router.wms.client import WmsClient

TNS = "http://ongoingsystems.se/WSI"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
USER, PASSWORD, GOODS_OWNER = "WSI-router-test", "pw-Xq7-never-in-logs", "GO-TEST"  # the conftest's


def envelope(operation: str, inner: str = "", *, password: str = PASSWORD) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:xsi="{XSI}">'
        f'<soap:Body><{operation} xmlns="{TNS}"><GoodsOwnerCode>{GOODS_OWNER}</GoodsOwnerCode>'
        f"<UserName>{USER}</UserName><Password>{password}</Password>{inner}</{operation}></soap:Body>"
        "</soap:Envelope>"
    ).encode()


def post(sim: OngoingWmsSimulator, body: bytes, action: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if action is not None:
        headers["SOAPAction"] = action
    return httpx.post(sim.url, content=body, headers=headers)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The XSD embedded in the project's WSDL, to validate every response body against."""
    wsdl = etree.fromstring(resources.files("router.wms").joinpath("ongoing.wsdl").read_bytes())
    embedded = wsdl.find("{http://schemas.xmlsoap.org/wsdl/}types/{http://www.w3.org/2001/XMLSchema}schema")
    assert embedded is not None
    return etree.XMLSchema(etree.fromstring(etree.tostring(embedded)))


def body_of(response: httpx.Response) -> etree._Element:
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    return root[0][0]


NIL_ORDER = (
    "<co><OrderInfo><OrderIdentification>GoodsOwnerOrderNumber</OrderIdentification>"
    "<OrderOperation>CreateOrUpdate</OrderOperation><GoodsOwnerOrderNumber>N-1</GoodsOwnerOrderNumber>"
    "<DeliveryDate>0001-01-01T00:00:00</DeliveryDate></OrderInfo>"
    "<Customer><CustomerOperation>CreateOrUpdate</CustomerOperation>"
    "<CustomerIdentification>FullNameAndAddress</CustomerIdentification>"
    '<CustomerId xsi:nil="true"/><DeliveryAddressId xsi:nil="true"/><InvoiceAddressId xsi:nil="true"/>'
    "<Name>Ada</Name><IsVisible>true</IsVisible><NotifyBySMS>false</NotifyBySMS>"
    "<NotifyByEmail>false</NotifyByEmail><NotifyByTelephone>false</NotifyByTelephone></Customer>"
    "<CustomerOrderLines><CustomerOrderLine><OrderLineIdentification>ExternalOrderLineCode"
    "</OrderLineIdentification><ArticleIdentification>ArticleNumber</ArticleIdentification>"
    '<SubOrderLineSpecification xsi:nil="true"/><ExternalOrderLineCode>1</ExternalOrderLineCode>'
    "<ArticleNumber>A1</ArticleNumber><NumberOfItems>2</NumberOfItems></CustomerOrderLine>"
    "</CustomerOrderLines></co>"
)


# --- the WSDL ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "query"), [("demo/service.asmx", "WSDL"), ("demo/Service.asmx", "wsdl")])
def test_wsdl_is_served_with_the_address_rewritten(sim: OngoingWmsSimulator, path: str, query: str) -> None:
    response = httpx.get(f"{sim.base_url}/{path}?{query}")

    assert response.status_code == 200
    served = etree.fromstring(response.content)
    [address] = served.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == f"{sim.base_url}/{path}"
    own = etree.fromstring(resources.files("router.wms").joinpath("ongoing.wsdl").read_bytes())
    assert len(list(served.iter())) == len(list(own.iter()))


def test_other_paths_are_404(sim: OngoingWmsSimulator) -> None:
    assert httpx.get(f"{sim.base_url}/other/service.asmx?WSDL").status_code == 404


# --- envelopes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", [f'"{TNS}/ProcessOrder"', f"{TNS}/ProcessOrder", None])
def test_process_order_accepts_nils_min_date_and_any_soapaction_form(
    sim: OngoingWmsSimulator, schema: etree.XMLSchema, action: str | None
) -> None:
    response = post(sim, envelope("ProcessOrder", NIL_ORDER), action)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    result = body_of(response)
    schema.assertValid(etree.ElementTree(result))
    assert result.findtext(f"{{{TNS}}}ProcessOrderResult/{{{TNS}}}Success") == "true"
    assert sim.order("N-1") is not None


def test_every_response_validates_against_the_wsdl_schema(sim: OngoingWmsSimulator, schema: etree.XMLSchema) -> None:
    post(sim, envelope("ProcessOrder", NIL_ORDER))
    sim.pick("N-1")
    sim.ship("N-1", way_bill="WB-9")
    calls = [
        ("GetOrdersByQuery", "<query><OrderStatusFrom xsi:nil='true'/></query>"),
        ("GetInventoryByQuery", "<GetInventoryQuery/>"),
        (
            "UpdateOrderLines",
            (
                "<UpdateOrderLines><UpdateOrderIdentification><OrderIdentificationType>GoodsOwnerOrderNumber"
                "</OrderIdentificationType><GoodsOwnerOrderNumber>N-1</GoodsOwnerOrderNumber><OrderId>0</OrderId>"
                "</UpdateOrderIdentification><OrderLines><UpdateOrderLine><UpdateOrderLineIdentification>"
                "<OrderLineIdentificationType>ExternalOrderLineCode</OrderLineIdentificationType>"
                "<ExternalOrderLineCode>1</ExternalOrderLineCode><OrderLineId xsi:nil='true'/>"
                "</UpdateOrderLineIdentification><UpdateReportedNumberOfItems><ReportedNumberOfItems>2"
                "</ReportedNumberOfItems></UpdateReportedNumberOfItems></UpdateOrderLine></OrderLines>"
                "</UpdateOrderLines>"
            ),
        ),
        (
            "ProcessArticle",
            (
                "<art><ArticleOperation>CreateOrUpdate</ArticleOperation><ArticleIdentification>ArticleNumber"
                "</ArticleIdentification><ArticleSystemId xsi:nil='true'/><ArticleNumber>B7</ArticleNumber>"
                "<IsStockArticle xsi:nil='true'/></art>"
            ),
        ),
        (
            "ProcessOrder",
            (
                "<co><OrderInfo><OrderIdentification>GoodsOwnerOrderNumber</OrderIdentification>"
                "<OrderOperation>Remove</OrderOperation><GoodsOwnerOrderNumber>N-1</GoodsOwnerOrderNumber>"
                "<DeliveryDate>0001-01-01T00:00:00</DeliveryDate></OrderInfo></co>"
            ),
        ),
    ]
    results = {}
    for operation, inner in calls:
        response = post(sim, envelope(operation, inner))
        assert response.status_code == 200, response.text
        result = body_of(response)
        schema.assertValid(etree.ElementTree(result))
        results[operation] = result

    orders = results["GetOrdersByQuery"].findall(f".//{{{TNS}}}Order")
    assert len(orders) == 1
    assert orders[0].findtext(f".//{{{TNS}}}WayBill") == "WB-9"
    assert results["GetInventoryByQuery"].findtext(f".//{{{TNS}}}SellableNumberOfItems") == "8"
    assert results["ProcessOrder"].findtext(f".//{{{TNS}}}Success") == "false"  # shipped: too late to remove
    assert sim.order("N-1").lines[0].reported == Decimal(2)  # type: ignore[union-attr]


def test_no_match_is_an_empty_orders_element(sim: OngoingWmsSimulator) -> None:
    inner = "<query><OrderNumbersToGet><string>none</string></OrderNumbersToGet></query>"
    result = body_of(post(sim, envelope("GetOrdersByQuery", inner)))
    orders = result.find(f"{{{TNS}}}GetOrdersByQueryResult/{{{TNS}}}Orders")
    assert orders is not None
    assert len(orders) == 0


def test_order_ids_and_status_filters_combine(sim: OngoingWmsSimulator) -> None:
    post(sim, envelope("ProcessOrder", NIL_ORDER))
    post(sim, envelope("ProcessOrder", NIL_ORDER.replace("N-1<", "N-2<")))
    first = sim.order("N-1")
    assert first is not None
    sim.set_status("N-2", 320)

    def numbers(query: str) -> list[str | None]:
        result = body_of(post(sim, envelope("GetOrdersByQuery", f"<query>{query}</query>")))
        return [n.text for n in result.iter(f"{{{TNS}}}GoodsOwnerOrderNumber")]

    assert numbers(f"<OrderIdsToGet><int>{first.order_id}</int></OrderIdsToGet>") == ["N-1"]
    assert numbers("<OrderStatusFrom>300</OrderStatusFrom><OrderStatusTo xsi:nil='true'/>") == ["N-2"]
    assert (
        numbers(f"<OrderStatusFrom>300</OrderStatusFrom><OrderIdsToGet><int>{first.order_id}</int></OrderIdsToGet>")
        == []
    )
    assert sim.order("N-2").lines[0].allocated == Decimal(2)  # type: ignore[union-attr]


def test_unknown_operation_and_garbage_are_client_faults(sim: OngoingWmsSimulator) -> None:
    unknown = post(sim, envelope("ProcessShipment"))
    garbage = post(sim, b"<not-soap")

    for response in (unknown, garbage):
        assert response.status_code == 500
        assert body_of(response).findtext("faultcode") == "soap:Client"


def test_bad_credentials_guessed_shapes(sim: OngoingWmsSimulator) -> None:
    # Both shapes are guesses (CONTRACT.md 9.4): Success=false for writes, a soap:Client fault for reads.
    write = post(sim, envelope("ProcessOrder", NIL_ORDER, password="nope"))
    read = post(sim, envelope("GetOrdersByQuery", "<query/>", password="nope"))

    assert write.status_code == 200
    assert body_of(write).findtext(f".//{{{TNS}}}Success") == "false"
    assert read.status_code == 500
    assert body_of(read).findtext("faultcode") == "soap:Client"
    assert sim.orders() == []
    assert all(PASSWORD not in str(r.fields) and "nope" not in str(r.fields) for r in sim.requests)


# --- fault knobs ------------------------------------------------------------------------------------


def test_faults_are_scoped_to_an_operation_and_counted(sim: OngoingWmsSimulator) -> None:
    sim.faults.fail_next(2, status=500, operation="ProcessOrder")

    read = post(sim, envelope("GetOrdersByQuery", "<query/>"))
    first, second, third = (post(sim, envelope("ProcessOrder", NIL_ORDER)) for _ in range(3))

    assert read.status_code == 200
    assert [first.status_code, second.status_code, third.status_code] == [500, 500, 200]
    assert body_of(first).findtext("faultcode") == "soap:Server"
    assert [r.committed for r in sim.requests if r.operation == "ProcessOrder"] == [False, False, True]
    assert sim.faults.armed() == []


def test_latency_is_added_to_every_call(sim: OngoingWmsSimulator) -> None:
    sim.faults.latency = 0.25
    started = time.monotonic()
    response = post(sim, envelope("GetOrdersByQuery", "<query/>"))
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.25


def test_drop_closes_the_connection_without_a_response(sim: OngoingWmsSimulator) -> None:
    sim.faults.drop_next()
    with pytest.raises(httpx.RemoteProtocolError):
        post(sim, envelope("ProcessOrder", NIL_ORDER))
    assert sim.orders() == []
    assert post(sim, envelope("ProcessOrder", NIL_ORDER)).status_code == 200


def test_stop_releases_held_responses_at_once() -> None:
    simulator = OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER).start()
    simulator.add_article("A1", stock=1)
    simulator.faults.commit_then_timeout(delay=60)
    outcome: list[Any] = []
    caller = threading.Thread(target=lambda: outcome.append(post(simulator, envelope("ProcessOrder", NIL_ORDER))))
    caller.start()
    simulator.wait_until(lambda: simulator.order("N-1"))
    started = time.monotonic()
    simulator.stop()
    caller.join(10)
    assert time.monotonic() - started < 5
    assert [r.status_code for r in outcome] == [200]


async def test_concurrent_orders_get_unique_increasing_ids(
    sim: OngoingWmsSimulator, client: WmsClient, make_routed: Callable[..., RoutedOrder]
) -> None:
    ids = await asyncio.gather(*(client.process_order(make_routed(f"{n}-SE")) for n in range(12)))

    assert sorted(ids) == list(range(1000, 1012))
    assert sorted(o.order_id for o in sim.orders()) == sorted(ids)
    assert sim.inventory("A1").sellable == Decimal(10 - 2 * 12)


# --- JSON control API ------------------------------------------------------------------------------


def test_http_controls_drive_the_simulator(sim: OngoingWmsSimulator) -> None:
    base = f"{sim.base_url}/_sim"
    assert httpx.post(f"{base}/articles", json={"number": "Z1", "name": "Zed", "stock": "3"}).status_code == 201
    post(sim, envelope("ProcessOrder", NIL_ORDER.replace("<ArticleNumber>A1", "<ArticleNumber>Z1")))

    orders = httpx.get(f"{base}/orders").json()
    assert [(o["number"], o["status"], o["lines"][0]["article_number"]) for o in orders] == [("N-1", 200, "Z1")]
    assert httpx.post(f"{base}/orders/N-1/status", json={"status": 300}).json()["status"] == 300
    assert httpx.post(f"{base}/orders/N-1/pick", json={}).json()["lines"][0]["picked"] == "2"
    assert httpx.post(f"{base}/orders/N-1/ship", json={"way_bill": "WB"}).json()["way_bill"] == "WB"
    assert httpx.get(f"{base}/orders/missing").status_code == 404
    assert {a["number"]: a["stock"] for a in httpx.get(f"{base}/articles").json()}["Z1"] == "1"

    armed = httpx.post(f"{base}/faults", json={"fail_next": {"n": 1, "status": 503}, "latency": 0}).json()
    assert [(f["kind"], f["status"]) for f in armed["armed"]] == [("fail", 503)]
    assert post(sim, envelope("GetOrdersByQuery", "<query/>")).status_code == 503
    assert httpx.post(f"{base}/faults", json={"drop_next": {"n": 2}}).status_code == 200
    assert httpx.delete(f"{base}/faults").json()["armed"] == []
    assert httpx.post(f"{base}/faults", json={"bogus": 1}).status_code == 400

    requests = httpx.get(f"{base}/requests").json()
    assert [r["operation"] for r in requests] == ["ProcessOrder", "GetOrdersByQuery"]
    assert requests[1]["outcome"] == "failed with HTTP 503"
    assert httpx.post(f"{base}/reset").status_code == 200
    assert sim.orders() == []


# --- ServerThread and the standalone entry point ---------------------------------------------------


def test_server_thread_stops_while_a_handler_sleeps() -> None:
    entered = threading.Event()

    async def sleepy(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            entered.set()
            await asyncio.sleep(60)

    server = ServerThread(sleepy, shutdown_timeout=1).start()
    assert server.url == f"http://127.0.0.1:{server.port}"
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(httpx.get(server.url, timeout=30).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    assert entered.wait(5)
    server.stop()  # the handler would sleep 60 s: stop() returning and the caller ending below prove the cut
    caller.join(10)

    assert not server.running
    assert not caller.is_alive()
    assert len(outcome) == 1  # the sleeping request was cut off, not left hanging


def test_two_servers_get_different_ephemeral_ports() -> None:
    async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"hi"})

    with ServerThread(hello) as one, ServerThread(hello) as two:
        assert one.port != two.port
        assert httpx.get(one.url).text == httpx.get(two.url).text == "hi"


@pytest.fixture
def standalone() -> Iterator[tuple[subprocess.Popen[str], str]]:
    command = [sys.executable, "-m", "simulators.ongoing_wms", "--port", "0", "--user", USER]
    command += ["--password", PASSWORD, "--goods-owner", GOODS_OWNER, "--article", "A1=4"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:  # noqa: S603
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        try:
            yield process, url
        finally:
            process.terminate()
            process.wait(10)
            process.stdout.close()


def test_standalone_simulator_serves_the_wsdl(standalone: tuple[subprocess.Popen[str], str]) -> None:
    process, url = standalone
    assert url.endswith("/demo/service.asmx")
    assert httpx.get(f"{url}?WSDL").status_code == 200
    base = url.removesuffix("/demo/service.asmx")
    assert httpx.get(f"{base}/_sim/articles").json()[0]["stock"] == "4"
    assert process.poll() is None


def test_server_thread_serves_a_bound_async_method() -> None:
    class App:
        async def handle(self, scope: dict[str, Any], _receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b"bound"})

    with ServerThread(App().handle) as server:
        assert httpx.get(server.url).text == "bound"


def test_server_thread_start_fails_instead_of_hanging_when_lifespan_never_completes() -> None:
    async def stuck(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                pass  # never answers lifespan.startup

    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"lifespan\.startup\.complete"):
        ServerThread(stuck, startup_timeout=0.5).start()
    assert time.monotonic() - started < 5
