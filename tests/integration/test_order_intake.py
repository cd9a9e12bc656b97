from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import anyio
import asyncpg


async def test_same_order_twice_is_one_order_and_two_2xx(router: Any, make_order: Any, db: asyncpg.Pool) -> None:
    key = await router.add_source("se", "SE")
    async with router.client(key) as client:
        first = await client.post("/api/sources/se/orders", json=make_order())
        second = await client.post("/api/sources/se/orders", json=make_order())
    assert (first.status_code, second.status_code) == (202, 202)
    assert (first.json()["outcome"], second.json()["outcome"]) == ("created", "duplicate")
    assert first.json()["wms_order_number"] == "5178-SE"
    assert await db.fetchval("SELECT count(*) FROM orders") == 1
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE kind = 'order.send'") == 1
    assert await db.fetchval("SELECT count(*) FROM inbox WHERE state = 'accepted'") == 2


async def test_concurrent_duplicates_still_make_one_order(router: Any, make_order: Any, db: asyncpg.Pool) -> None:
    key = await router.add_source("se", "SE")
    statuses: list[int] = []
    async with router.client(key) as client:

        async def push() -> None:
            statuses.append((await client.post("/api/sources/se/orders", json=make_order("77"))).status_code)

        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(push)
    assert statuses == [202] * 8
    assert await db.fetchval("SELECT count(*) FROM orders") == 1
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE state = 'pending'") == 1


async def test_a_changed_order_before_dispatch_replaces_it(router: Any, make_order: Any, db: asyncpg.Pool) -> None:
    key = await router.add_source("se", "SE")
    async with router.client(key) as client:
        await client.post("/api/sources/se/orders", json=make_order(quantity=1))
        changed = await client.post("/api/sources/se/orders", json=make_order(quantity=3))
        status = await client.get("/api/sources/se/orders/5178")
    assert changed.json()["outcome"] == "replaced"
    assert changed.json()["revision"] == 2
    assert status.json()["order"]["revision"] == 2
    assert await db.fetchval("SELECT quantity FROM order_lines") == 3
    rows = await db.fetch("SELECT state, payload->>'revision' AS rev FROM outbox ORDER BY id")
    assert [(r["state"], r["rev"]) for r in rows] == [("superseded", "1"), ("pending", "2")]


BAD = [
    ({"ship_to": "Storgatan 1, 11122 Stockholm"}, "ship_to"),
    ({"ship_to": {"name": "A", "address1": "S 1", "postcode": "1", "country_code": "SE"}}, "ship_to.city"),
    (
        {"ship_to": {"name": "A", "address1": "S 1", "postcode": "1", "city": "S", "country_code": "ZZ"}},
        "ship_to.country_code",
    ),
    ({"lines": [{"article_number": "", "quantity": 1}]}, "lines[0].article_number"),
    ({"lines": [{"article_number": "AB%1", "quantity": 1}]}, "lines[0].article_number"),
    ({"lines": [{"article_number": "AB\\1", "quantity": 1}]}, "lines[0].article_number"),
    ({"lines": [{"article_number": "A", "quantity": 0}]}, "lines[0].quantity"),
    ({"lines": [{"article_number": "A", "quantity": -2}]}, "lines[0].quantity"),
    ({"order_number": "1" * 48}, "order_number"),
    ({"order_type": "B2B"}, "order_type"),
]


async def test_bad_input_is_422_naming_the_field_and_kept_as_rejected(
    router: Any, make_order: Any, db: asyncpg.Pool
) -> None:
    key = await router.add_source("se", "SE")
    async with router.client(key) as client:
        for changes, field in BAD:
            body = json.dumps(make_order(**changes)).encode()
            response = await client.post(
                "/api/sources/se/orders", content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code == 422, (field, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            problem = response.json()
            assert problem["field"] == field
            assert problem["status"] == 422
            stored = await db.fetchrow("SELECT body, state, error FROM inbox ORDER BY id DESC LIMIT 1")
            assert bytes(stored["body"]) == body
            assert stored["state"] == "rejected"
            assert stored["error"]["field"] == field
        for raw in (b"", b"{", b"null", b"[]", b"\xff\xfe", b'{"order_number": 5}'):
            response = await client.post("/api/sources/se/orders", content=raw)
            assert response.status_code == 422, (raw, response.text)
            assert response.json()["field"]
        listing = await client.get("/api/sources/se/inbox", params={"state": "rejected"})
    assert len(listing.json()["items"]) == len(BAD) + 6
    assert await db.fetchval("SELECT count(*) FROM orders") == 0


async def test_a_rejected_payload_is_replayable_after_the_cause_is_fixed(
    router: Any, make_order: Any, db: asyncpg.Pool
) -> None:
    key = await router.add_source("erp", "ERP", "B2B")
    async with router.client(key) as client:
        response = await client.post("/api/sources/erp/orders", json=make_order(order_type="B2C"))
    assert response.status_code == 422
    inbox_id = await db.fetchval("SELECT id FROM inbox WHERE state = 'rejected'")

    fixed = await router.admin.patch("/api/sources/erp", json={"settings": {"allowed_order_types": ["B2C"]}})
    assert fixed.status_code == 200
    replayed = await router.admin.post(f"/api/sources/erp/inbox/{inbox_id}/replay")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["outcome"] == "created"
    assert await db.fetchval("SELECT order_type FROM orders") == "B2C"
    assert await db.fetchval("SELECT state FROM inbox WHERE id = $1", inbox_id) == "accepted"
    again = await router.admin.post(f"/api/sources/erp/inbox/{inbox_id}/replay")
    assert again.status_code == 409


async def test_a_source_sees_only_its_own_orders(router: Any, make_order: Any) -> None:
    se = await router.add_source("se", "SE")
    eu = await router.add_source("eu", "EU")
    async with router.client(se) as se_client, router.client(eu) as eu_client:
        assert (await se_client.post("/api/sources/se/orders", json=make_order())).status_code == 202
        assert (await eu_client.post("/api/sources/eu/orders", json=make_order())).status_code == 202
        mine = await se_client.get("/api/sources/se/orders/5178")
        assert mine.status_code == 200
        assert mine.json()["order"]["wms_order_number"] == "5178-SE"
        assert (await se_client.get("/api/sources/se/orders/5178-SE")).status_code == 200
        assert (await se_client.get("/api/sources/se/orders/5178-EU")).status_code == 404
        assert (await se_client.get("/api/sources/eu/orders/5178")).status_code == 404
        assert (await se_client.get("/api/sources/eu/orders")).status_code == 404
        assert (await se_client.post("/api/sources/eu/orders", json=make_order("1"))).status_code == 404
        assert (await se_client.get("/api/sources/eu/inbox")).status_code == 404
        page = (await se_client.get("/api/sources/se/orders")).json()
    assert [o["wms_order_number"] for o in page["items"]] == ["5178-SE"]
    async with router.client(None) as anonymous, router.client("rk_0000000000000000_wrong") as wrong:
        assert (await anonymous.get("/api/sources/se/orders/5178")).status_code == 401
        assert (await wrong.get("/api/sources/se/orders/5178")).status_code == 401


async def test_order_list_pages_newest_first(router: Any, make_order: Any) -> None:
    key = await router.add_source("se", "SE")
    async with router.client(key) as client:
        for n in range(5):
            await client.post("/api/sources/se/orders", json=make_order(f"10{n}"))
        first = (await client.get("/api/sources/se/orders", params={"limit": 2})).json()
        second = (
            await client.get("/api/sources/se/orders", params={"limit": 2, "before": first["next_before"]})
        ).json()
        bad = await client.get("/api/sources/se/orders", params={"limit": 0})
    assert [o["source_order_number"] for o in first["items"]] == ["104", "103"]
    assert [o["source_order_number"] for o in second["items"]] == ["102", "101"]
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_a_generic_source_takes_webhooks_only_signed_with_its_webhook_secret(
    router: Any, make_order: Any, db: asyncpg.Pool
) -> None:
    await router.add_source("plain", "PL")  # no webhook secret: no webhook endpoint at all
    await router.add_source("signed", "SG", credentials={"webhook_secret": "wh-secret"})
    body = json.dumps(make_order("900")).encode()
    good = "sha256=" + hmac.new(b"wh-secret", body, hashlib.sha256).hexdigest()
    async with router.client(None) as anonymous:
        unsigned = await anonymous.post("/hooks/plain", content=body)
        forged = await anonymous.post("/hooks/plain", content=body, headers={"X-Router-Signature-256": good})
        wrong = await anonymous.post("/hooks/signed", content=body, headers={"X-Router-Signature-256": "sha256=00"})
        unknown = await anonymous.post("/hooks/nobody", content=body, headers={"X-Router-Signature-256": good})
        signed = await anonymous.post("/hooks/signed", content=body, headers={"X-Router-Signature-256": good})
    assert [r.status_code for r in (unsigned, forged, wrong, unknown)] == [401, 401, 401, 401]
    assert unknown.json()["detail"] == wrong.json()["detail"]  # an unknown name is not told apart
    assert (signed.status_code, signed.json()["wms_order_number"]) == (200, "900-SG")
    assert await db.fetchval("SELECT count(*) FROM orders") == 1
    assert await db.fetchval("SELECT count(*) FROM inbox WHERE state = 'rejected'") == 3  # kept, inspectable
