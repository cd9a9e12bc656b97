from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from router.settings import FanbackSettings, WmsSettings
from router.testing import RouterUnderTest, make_settings, order_json, running_router
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-articles", "wms-password", "GO1"
NO_PULL = {"poll_interval_seconds": 3600}  # ERP and OMS kinds are pull sources: registered, never really pulled


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        sim.add_article("A-1", stock=100)
        yield sim


def settings_for(db_dsn: str, sim: OngoingWmsSimulator, **wms_fields: Any) -> Any:
    wms = WmsSettings(
        url=sim.url,
        username=USER,
        password=PASSWORD,
        goods_owner_code=GOODS_OWNER,
        timeout=2.0,
        strict_xml=True,
        **wms_fields,
    )
    settings = make_settings(db_dsn, wms=wms)
    return dataclasses.replace(settings, fanback=FanbackSettings(poll_seconds=0.2, overlap_seconds=5))


@pytest.fixture
async def routed(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[RouterUnderTest]:
    async with running_router(settings_for(db_dsn, wms)) as r:
        yield r


async def add_sources(router: RouterUnderTest) -> dict[str, str]:
    """ERP (24SevenOffice kind), two web shops, and X (Omnium kind)."""
    return {
        "erp": await router.add_source("erp", "ERP", "B2B", kind="tfso", settings=NO_PULL),
        "se": await router.add_source("se", "SE"),
        "eu": await router.add_source("eu", "EU"),
        "x": await router.add_source(
            "x", "X", "B2B", kind="omnium", settings={**NO_PULL, "base_url": "http://127.0.0.1:9/unused"}
        ),
    }


async def make_master(router: RouterUnderTest, name: str) -> dict[str, Any]:
    response = await router.admin.put("/api/articles/master", json={"source": name})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["master"] == name
    return body


async def push_article(router: RouterUnderTest, key: str, source: str, **fields: Any) -> dict[str, Any]:
    async with router.client(key) as client:
        response = await client.post(f"/api/sources/{source}/articles", json=fields)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def master_view(router: RouterUnderTest) -> dict[str, Any]:
    body: dict[str, Any] = (await router.admin.get("/api/articles/master")).json()
    return body


def article_names_sent(sim: OngoingWmsSimulator) -> list[object]:
    return [r.fields["name"] for r in sim.requests if r.operation == "ProcessArticle"]


async def test_only_the_master_updates_articles_and_a_switch_takes_effect_at_once(
    routed: RouterUnderTest, wms: OngoingWmsSimulator
) -> None:
    keys = await add_sources(routed)
    await make_master(routed, "erp")

    sent = await push_article(routed, keys["erp"], "erp", article_number="A-7", name="Mug", barcode="7350000000017")
    assert (sent["fate"], sent["reason"]) == ("pending", None)
    for shop in ("se", "eu"):
        ignored = await push_article(routed, keys[shop], shop, article_number="A-7", name=f"{shop} mug")
        assert (ignored["fate"], ignored["reason"]) == ("ignored", "not master")

    article = await eventually(lambda: wms.article("A-7"), what="A-7 created by the master")
    assert (article.name, article.barcode) == ("Mug", "7350000000017")
    view = await eventually(lambda: _fates(routed, "erp", ["sent"]), what="the ERP's update listed as sent")
    assert view["master"] == "erp"
    assert view["master_kind"] == "tfso"
    assert [(u["article_number"], u["fate"], u["reason"]) for u in view["updates"]["se"]] == [
        ("A-7", "ignored", "not master")
    ]
    assert [(u["article_number"], u["fate"]) for u in view["updates"]["eu"]] == [("A-7", "ignored")]

    await make_master(routed, "x")
    late = await push_article(routed, keys["erp"], "erp", article_number="A-7", name="ERP after the switch")
    assert late["fate"] == "ignored"
    await push_article(routed, keys["x"], "x", article_number="A-7", name="X mug")
    await eventually(lambda: wms.article("A-7").name == "X mug", what="X's update in the WMS")  # type: ignore[union-attr]

    view = await eventually(lambda: _fates(routed, "x", ["sent"]), what="X's update listed as sent")
    assert article_names_sent(wms) == ["Mug", "X mug"]
    assert [u["fate"] for u in view["updates"]["erp"]] == ["ignored", "sent"]
    assert [u["fate"] for u in view["updates"]["x"]] == ["sent"]
    assert view["updates"]["x"][0]["sent_at"] is not None


async def _fates(router: RouterUnderTest, source: str, fates: list[str]) -> dict[str, Any] | None:
    view = await master_view(router)
    found = [u["fate"] for u in view["updates"].get(source, [])]
    return view if found == fates else None


async def test_two_sources_are_never_master_together_even_when_switched_concurrently(
    routed: RouterUnderTest,
) -> None:
    await add_sources(routed)
    names = ["erp", "x", "se", "eu"] * 5

    responses = await asyncio.gather(
        *(routed.admin.put("/api/articles/master", json={"source": name}) for name in names)
    )

    assert {r.status_code for r in responses} == {200}
    masters = await routed.rt.pool.fetch("SELECT name FROM sources WHERE is_article_master")
    assert len(masters) == 1
    assert (await master_view(routed))["master"] == masters[0]["name"]

    taken = await routed.admin.post(
        "/api/sources",
        json={"name": "erp2", "kind": "generic", "suffix": "ERP2", "order_type": "B2B", "is_article_master": True},
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "article_master_taken"
    other = "se" if masters[0]["name"] != "se" else "eu"
    patched = await routed.admin.patch(f"/api/sources/{other}", json={"is_article_master": True})
    assert patched.status_code == 409
    missing = await routed.admin.put("/api/articles/master", json={"source": "nobody"})
    assert missing.status_code == 404
    assert len(await routed.rt.pool.fetch("SELECT name FROM sources WHERE is_article_master")) == 1


async def test_a_source_key_cannot_switch_the_master(routed: RouterUnderTest) -> None:
    keys = await add_sources(routed)
    async with routed.client(keys["se"]) as client:
        response = await client.put("/api/articles/master", json={"source": "se"})
    assert response.status_code == 404
    assert (await master_view(routed))["master"] is None


async def test_deactivating_an_article_makes_it_obsolete_and_clears_its_barcode(
    routed: RouterUnderTest, wms: OngoingWmsSimulator
) -> None:
    keys = await add_sources(routed)
    await make_master(routed, "erp")
    await push_article(
        routed, keys["erp"], "erp", article_number="A-8", name="Plate", barcode="7350000000024", weight="0.4"
    )
    created = await eventually(lambda: wms.article("A-8"), what="A-8 in the WMS")
    assert created.barcode == "7350000000024"
    assert not created.is_obsolete

    await push_article(routed, keys["erp"], "erp", article_number="A-8", name="Plate", active=False)

    gone = await eventually(
        lambda: (a := wms.article("A-8")) is not None and a.is_obsolete and a, what="A-8 obsolete in the WMS"
    )
    assert gone.barcode is None
    await push_article(routed, keys["erp"], "erp", article_number="A-8", barcode="7350000000031")
    await push_article(routed, keys["erp"], "erp", article_number="A-8", deleted=True)
    await eventually(lambda: _fates(routed, "erp", ["sent"] * 4), what="every update sent")
    assert wms.article("A-8").barcode is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"article_number": "A_1"}, "article_number"),
        ({"article_number": "A\\1"}, "article_number"),
        ({"article_number": "A-1", "weight": "-1"}, "weight"),
        ({"article_number": "A-1", "country_of_origin": "XX"}, "country_of_origin"),
        ({"name": "no number"}, "article_number"),
    ],
)
async def test_a_bad_article_update_is_422_naming_the_field_and_stays_stored(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, fields: dict[str, Any], field: str
) -> None:
    keys = await add_sources(routed)
    await make_master(routed, "erp")
    async with routed.client(keys["erp"]) as client:
        response = await client.post("/api/sources/erp/articles", json=fields)
        inbox = (await client.get("/api/sources/erp/inbox")).json()

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert [(p["channel"], p["state"]) for p in inbox["items"]] == [("articles", "rejected")]
    assert article_names_sent(wms) == []


async def test_an_order_for_an_unknown_article_waits_until_the_master_creates_it(
    routed: RouterUnderTest, wms: OngoingWmsSimulator
) -> None:
    keys = await add_sources(routed)
    await make_master(routed, "erp")
    async with routed.client(keys["se"]) as se:
        assert (await se.post("/api/sources/se/orders", json=order_json("5178", article="NEW-1"))).status_code == 202

        async def waiting() -> dict[str, Any] | None:
            order: dict[str, Any] = (await se.get("/api/sources/se/orders/5178")).json()["order"]
            return order if order["state"] == "received" and order["last_error"] else None

        order = await eventually(waiting, what="the order waiting for NEW-1")
        assert "waiting for article NEW-1" in order["last_error"]
        assert "does not exist" in order["last_error"]  # the WMS's own words
        assert wms.order("5178-SE") is None

        await push_article(routed, keys["erp"], "erp", article_number="NEW-1", name="New thing")

        async def placed() -> dict[str, Any] | None:
            order: dict[str, Any] = (await se.get("/api/sources/se/orders/5178")).json()["order"]
            return order if order["state"] == "in_wms" else None

        order = await eventually(placed, what="the order sent once NEW-1 exists")
    assert order["last_error"] is None
    in_wms = wms.order("5178-SE")
    assert in_wms is not None
    assert [line.article_number for line in in_wms.lines] == ["NEW-1"]


async def test_an_order_for_an_unknown_article_dead_letters_when_configured(
    db_dsn: str, wms: OngoingWmsSimulator
) -> None:
    async with running_router(settings_for(db_dsn, wms, unknown_article="dead_letter")) as routed:
        key = await routed.add_source("se", "SE")
        async with routed.client(key) as se:
            assert (await se.post("/api/sources/se/orders", json=order_json("9", article="NEW-2"))).status_code == 202

            async def dead() -> dict[str, Any] | None:
                order: dict[str, Any] = (await se.get("/api/sources/se/orders/9")).json()["order"]
                return order if order["state"] == "dead_letter" else None

            order = await eventually(dead, what="the order dead-lettered")
    assert "NEW-2 does not exist" in order["last_error"]
    assert wms.order("9-SE") is None
