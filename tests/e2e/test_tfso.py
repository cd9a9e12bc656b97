"""24SevenOffice through a running router: the seed mapping field by field into the WMS simulator, shipped back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from router.testing import RouterUnderTest
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.ongoing_wms.records import Order as WmsOrder
from simulators.tfso import Company, PostalAddress, TfsoSimulator

APP, USER, PASSWORD = "00000000-0000-0000-0000-0000000000e2", "api@e2e.no", "tfso-e2e-password"
DELIVERY = PostalAddress(
    street="Storgata 1\nBakgården", postal_code="0155", postal_area="OSLO", country="NO", state="03"
)

INVOICE = PostalAddress(street="Fakturaveien 2", postal_code="0150", postal_area="OSLO", country="NO", state="03")


@pytest.fixture
def erp() -> Iterator[TfsoSimulator]:
    with TfsoSimulator(application_id=APP, username=USER, password=PASSWORD) as sim:
        sim.add_company(Company(id=20002, name="Kunde AS", phone_mobile="+47 900 00 000"))
        for sku in ("SKU-1", "SKU-2"):
            sim.add_product(sku, f"Product {sku}", stock=5)
        yield sim


# (what the seed mapping says, how the WMS simulator shows it, the value expected there)
MAPPING: list[tuple[str, Callable[[WmsOrder], Any], Any]] = [
    ("GoodsOwnerOrderNumber ← OrderId + suffix", lambda o: o.number.endswith("-ERP"), True),
    ("DeliveryDate ← DeliveryDate", lambda o: o.delivery_date and o.delivery_date.date(), dt.date(2026, 3, 2)),
    ("WayOfDelivery ← DeliveryMethod (mapped)", lambda o: o.way_of_delivery, "BRING-PARCEL"),
    (
        "WayOfDeliveryType Code/Name ← DeliveryMethod Id/Description",
        lambda o: o.way_of_delivery_type,
        ("7", "Bring pakke"),
    ),
    ("ReferenceNumber ← ReferenceNumber", lambda o: o.reference_number, "REF-5178"),
    ("SalesCode ← YourReference", lambda o: o.sales_code, "Ola Nordmann"),
    ("OrderRemark ← InvoiceTitle", lambda o: o.remark, "Ordre fra ERP"),
    ("CustomerNumber ← CustomerId", lambda o: o.consignee.customer_number, "20002"),
    ("Name ← CustomerDeliveryName", lambda o: o.consignee.name, "Kunde AS Lager"),
    ("Address ← delivery Street (first line)", lambda o: o.consignee.address, "Storgata 1"),
    ("Address2 ← delivery Street (second line)", lambda o: o.consignee.address2, "Bakgården"),
    ("PostCode ← delivery PostalCode", lambda o: o.consignee.postcode, "0155"),
    ("City ← delivery PostalArea", lambda o: o.consignee.city, "OSLO"),
    ("CountryCode ← delivery Country", lambda o: o.consignee.country_code, "NO"),
    ("CountryStateCode ← delivery State", lambda o: o.consignee.state_code, "03"),
    ("TelePhone ← CustomerDeliveryPhone", lambda o: o.consignee.phone, "+47 22 00 00 00"),
    ("MobilePhone ← CustomerDeliveryPhone", lambda o: o.consignee.mobile, "+47 22 00 00 00"),
    ("invoice address name ← CustomerName", lambda o: o.consignee.invoice_address.name, "Kunde AS"),
    (
        "invoice address ← invoice Street/PostalCode/PostalArea/Country/State",
        lambda o: (
            o.consignee.invoice_address.address,
            o.consignee.invoice_address.postcode,
            o.consignee.invoice_address.city,
            o.consignee.invoice_address.country_code,
            o.consignee.invoice_address.state_code,
        ),
        ("Fakturaveien 2", "0150", "OSLO", "NO", "03"),
    ),
    ("Email ← InvoiceEmailAddress", lambda o: o.consignee.email, "faktura@kunde.no"),
    ("ProductCode ← ProductNo", lambda o: [line.article_number for line in o.lines], ["SKU-1", "SKU-2"]),
    ("NumberOfItems ← Quantity", lambda o: [line.ordered for line in o.lines], [Decimal(2), Decimal("1.5")]),
    ("ExternalOrderLineCode ← RowId", lambda o: all(line.code for line in o.lines), True),
    ("OrderType ← the source's type", lambda o: o.order_type, "B2B"),
]


async def test_every_mapped_field_reaches_the_wms_and_shipping_sets_the_invoice_sent_once(
    router: RouterUnderTest, kit: Any, wms: OngoingWmsSimulator, erp: TfsoSimulator
) -> None:
    order = erp.add_order(
        customer_id=20002,
        rows=[erp.row("SKU-1", 2, price=Decimal("99.50")), erp.row("SKU-2", Decimal("1.5"))],
        delivery_address=DELIVERY,
        invoice_address=INVOICE,
        invoice_title="Ordre fra ERP",
        reference_number="REF-5178",
        your_reference="Ola Nordmann",
        customer_name="Kunde AS",
        customer_delivery_name="Kunde AS Lager",
        customer_delivery_phone="+47 22 00 00 00",
        invoice_email="faktura@kunde.no",
        delivery_date=dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC),
        delivery_method_id=7,
        delivery_method="Bring pakke",
        currency="NOK",
    )
    await kit.register(
        router,
        name="erp",
        kind="tfso",
        suffix="ERP",
        order_type="B2B",
        settings={
            "base_url": erp.base_url,
            "poll_interval_seconds": 5,
            "timeout_seconds": 5,
            "delivery_methods": {"7": "BRING-PARCEL"},
        },
        credentials={"application_id": APP, "username": USER, "password": PASSWORD},
    )
    number = f"{order.order_id}-ERP"
    stored = await kit.eventually(lambda: wms.order(number), what="the ERP order in the WMS")
    mismatches = {name: (read(stored), want) for name, read, want in MAPPING if read(stored) != want}
    assert mismatches == {}

    wms.pick(number)
    wms.ship(number, "WB-ERP-1", tracking_url="https://track.example/WB-ERP-1")
    await kit.eventually(lambda: erp.order(order.order_id).order_status == "OrderState_Sent", what="OrderState_Sent")
    wms.create_foreign_order("9001-SE", {"SKU-1": 1})
    wms.pick("9001-SE")
    wms.ship("9001-SE", "WB-FOREIGN")

    async def foreign_seen(db: Any = router.rt.pool) -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM foreign_orders WHERE last_status >= 450"))

    await kit.eventually(foreign_seen, what="the poll reading the foreign shipment")
    saves = [c for c in erp.calls_to("SaveInvoices") if str(order.order_id) in str(c)]
    assert len(saves) == 1
    # Pulls, the event report and stock pushes share the source's one connector, hence one session.
    assert erp.calls_to("GetInvoices")
    assert len(erp.calls_to("Login")) == 1
