from __future__ import annotations

from typing import Any

import asyncpg

SECRET = "s3cr3t-upstream-password"


async def test_register_returns_the_key_once_and_never_the_credentials(router: Any, db: asyncpg.Pool) -> None:
    response = await router.admin.post(
        "/api/sources",
        json={
            "name": "se",
            "kind": "generic",
            "suffix": "se",
            "order_type": "B2C",
            "credentials": {"password": SECRET},
        },
    )
    assert response.status_code == 201
    created = response.json()
    key = created["api_key"]
    assert key.startswith("rk_")
    assert created["source"]["suffix"] == "SE"
    assert created["source"]["has_credentials"] is True
    assert SECRET not in response.text

    for path in ("/api/sources", "/api/sources/se"):
        listed = await router.admin.get(path)
        assert listed.status_code == 200
        assert SECRET not in listed.text
        assert key not in listed.text
        assert "api_key" not in listed.text

    row = await db.fetchrow("SELECT credentials, api_key_hash, api_key_id FROM sources WHERE name = 'se'")
    assert SECRET.encode() not in bytes(row["credentials"])
    assert key.split("_", 2)[2].encode() not in bytes(row["api_key_hash"])
    assert len(row["api_key_hash"]) == 32


async def test_suffix_is_unique_case_insensitively(router: Any) -> None:
    await router.add_source("se", "SE")
    response = await router.admin.post(
        "/api/sources", json={"name": "se2", "kind": "generic", "suffix": "se", "order_type": "B2C"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "suffix_taken"


async def test_bad_fields_are_named(router: Any) -> None:
    cases = [
        ({"name": "x", "kind": "generic", "suffix": "S-E", "order_type": "B2C"}, "suffix"),
        ({"name": "x", "kind": "generic", "suffix": "ABCDEFGHIJK", "order_type": "B2C"}, "suffix"),
        ({"name": "x", "kind": "nope", "suffix": "X", "order_type": "B2C"}, "kind"),
        ({"name": "Not A Slug", "kind": "generic", "suffix": "X", "order_type": "B2C"}, "name"),
        (
            {
                "name": "x",
                "kind": "generic",
                "suffix": "X",
                "order_type": "B2C",
                "settings": {"order_number_template": "{number}"},
            },
            "settings.order_number_template",
        ),
        ({"name": "x", "kind": "generic", "suffix": "X"}, "order_type"),
        (
            {"name": "x", "kind": "generic", "suffix": "X", "order_type": "B2C", "settings": {"stock_buffer": -1}},
            "settings.stock_buffer",
        ),
        (
            {"name": "x", "kind": "generic", "suffix": "X", "order_type": "B2C", "settings": {"stock_buffer": "2"}},
            "settings.stock_buffer",
        ),
        (
            {"name": "x", "kind": "generic", "suffix": "X", "order_type": "B2C", "settings": {"shortage_policy": "x"}},
            "settings.shortage_policy",
        ),
    ]
    for body, field in cases:
        response = await router.admin.post("/api/sources", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text, (body, response.text)


async def test_patch_changes_only_given_fields_and_can_clear_credentials(router: Any) -> None:
    await router.add_source("eu", "EU", credentials={"token": SECRET})
    response = await router.admin.patch("/api/sources/eu", json={"order_type": "B2B"})
    assert response.status_code == 200
    body = response.json()
    assert (body["order_type"], body["suffix"], body["has_credentials"]) == ("B2B", "EU", True)
    response = await router.admin.patch("/api/sources/eu", json={"credentials": None})
    assert response.json()["has_credentials"] is False


async def test_suffix_is_fixed_once_the_source_has_orders(router: Any, make_order: Any) -> None:
    key = await router.add_source("se", "SE")
    assert (await router.admin.patch("/api/sources/se", json={"suffix": "SWE"})).status_code == 200
    async with router.client(key) as client:
        assert (await client.post("/api/sources/se/orders", json=make_order())).status_code == 202
    response = await router.admin.patch("/api/sources/se", json={"suffix": "SE"})
    assert response.status_code == 409
    assert response.json()["code"] == "source_has_orders"


async def test_disabled_source_key_stops_working(router: Any, make_order: Any) -> None:
    key = await router.add_source("se", "SE")
    assert (await router.admin.delete("/api/sources/se")).json()["enabled"] is False
    async with router.client(key) as client:
        assert (await client.post("/api/sources/se/orders", json=make_order())).status_code == 401


async def test_admin_endpoints_need_the_admin_key(router: Any) -> None:
    key = await router.add_source("se", "SE")
    async with router.client(None) as anonymous, router.client(key) as source, router.client("adm_wrong") as wrong:
        assert (await anonymous.get("/api/sources")).status_code == 401
        assert (await wrong.get("/api/sources")).status_code == 401
        assert (await source.get("/api/sources")).status_code == 404
        assert (await source.get("/api/dead-letters")).status_code == 404


async def test_a_kinds_own_settings_are_checked_at_registration_and_router_keys_do_not_upset_it(router: Any) -> None:
    base = {"kind": "tfso", "suffix": "ERP", "order_type": "B2B"}
    too_fast = await router.admin.post(
        "/api/sources", json={"name": "erp", **base, "settings": {"poll_interval_seconds": 2}}
    )
    assert too_fast.status_code == 422
    assert too_fast.json()["field"] == "settings.poll_interval_seconds"
    created = await router.admin.post(
        "/api/sources", json={"name": "erp", **base, "settings": {"stock_buffer": 2, "shortage_policy": "hold"}}
    )
    assert created.status_code == 201, created.text
    patched = await router.admin.patch("/api/sources/erp", json={"settings": {"pull_states": []}})
    assert (patched.status_code, patched.json()["field"]) == (422, "settings.pull_states")
