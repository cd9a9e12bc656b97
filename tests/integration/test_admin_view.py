"""The admin view over plain HTTP: sign-in, redirects, CSRF, cookie flags, and no secret in any page."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from router.crypto import parse_api_key
from router.testing import ADMIN_KEY, RouterUnderTest, csrf_of, running_router
from router.testing import admin_sign_in as sign_in

PAGES = ["/admin", "/admin/orders", "/admin/stock", "/admin/dead-letters", "/admin/foreign"]


@pytest.fixture
async def browser(router: RouterUnderTest) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client that follows no redirects (each test looks at them)."""
    async with httpx.AsyncClient(base_url=router.url, timeout=10) as client:
        yield client


async def test_every_page_redirects_to_the_sign_in_without_a_session(browser: httpx.AsyncClient) -> None:
    for path in PAGES:
        response = await browser.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/admin/sign-in?next="), path
    forged = "gAAAAABnot-a-real-token"
    browser.cookies.set("router_admin", forged, path="/admin")
    assert (await browser.get("/admin")).status_code == 303


async def test_a_wrong_key_is_refused_and_the_right_one_signs_in(browser: httpx.AsyncClient) -> None:
    wrong = await sign_in(browser, key="adm_not-the-key")
    assert wrong.status_code == 401
    assert "That is not the admin key." in wrong.text
    assert (await browser.get("/admin")).status_code == 303

    right = await sign_in(browser)
    assert right.status_code == 303
    assert right.headers["location"] == "/admin/stock"
    home = await browser.get("/admin")
    assert home.status_code == 200
    assert "Register a source" in home.text


async def test_the_session_cookie_is_http_only_and_same_site_strict(browser: httpx.AsyncClient) -> None:
    anonymous = (await browser.get("/admin/sign-in")).headers["set-cookie"]
    signed_in = (await sign_in(browser)).headers["set-cookie"]
    for header in (anonymous, signed_in):
        flags = {part.strip().lower() for part in header.split(";")}
        assert header.startswith("router_admin=")
        assert "httponly" in flags
        assert "samesite=strict" in flags
        assert "path=/admin" in flags
        assert "secure" not in flags  # plain http on loopback: `auto` leaves it off
    signed_out_page = await browser.get("/admin")
    out = await browser.post("/admin/sign-out", data={"csrf": csrf_of(signed_out_page.text)})
    assert out.status_code == 303
    assert "max-age=0" in out.headers["set-cookie"].lower()
    assert (await browser.get("/admin")).status_code == 303


async def copy_of(browser: httpx.AsyncClient, router: RouterUnderTest) -> httpx.AsyncClient:
    """Another client holding the same session cookie (a stolen or second-tab copy)."""
    copy = httpx.AsyncClient(base_url=router.url, timeout=10)
    copy.cookies.set("router_admin", browser.cookies["router_admin"], path="/admin")
    return copy


async def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(
    browser: httpx.AsyncClient, router: RouterUnderTest
) -> None:
    await sign_in(browser)
    async with await copy_of(browser, router) as copy:
        assert (await copy.get("/admin")).status_code == 200
        out = await browser.post("/admin/sign-out", data={"csrf": csrf_of((await browser.get("/admin")).text)})
        assert out.status_code == 303
        assert (await copy.get("/admin")).status_code == 303
        assert (await copy.post("/admin/sources", data={"name": "x"})).status_code == 403
    ended = await router.rt.pool.fetch("SELECT ended_reason FROM admin_sessions")
    assert [r["ended_reason"] for r in ended] == ["signed out"]
    assert (await sign_in(browser)).status_code == 303  # and one can sign in again at once
    assert (await browser.get("/admin")).status_code == 200


async def test_a_new_admin_key_ends_the_sessions_the_old_one_opened(
    browser: httpx.AsyncClient, router: RouterUnderTest
) -> None:
    await sign_in(browser)
    assert (await browser.get("/admin")).status_code == 200
    rotated = dataclasses.replace(
        router.rt.settings, security=dataclasses.replace(router.rt.settings.security, admin_key="adm_rotated-key")
    )
    async with running_router(rotated) as after, await copy_of(browser, after) as same_cookie:
        assert (await same_cookie.get("/admin")).status_code == 303
        assert (await sign_in(same_cookie, key="adm_rotated-key")).status_code == 303
        assert (await same_cookie.get("/admin")).status_code == 200
    assert (await browser.get("/admin")).status_code == 200  # the router still on the old key still knows it


async def test_posts_without_or_with_a_wrong_csrf_token_are_refused(
    browser: httpx.AsyncClient, router: RouterUnderTest
) -> None:
    # No session and no token: even the sign-in form refuses (a cross-site POST cannot sign anyone in).
    assert (await browser.post("/admin/sign-in", data={"admin_key": ADMIN_KEY})).status_code == 403
    await sign_in(browser)
    source = {"name": "se", "kind": "generic", "suffix": "SE", "order_type": "B2C"}
    assert (await browser.post("/admin/sources", data=source)).status_code == 403
    refused = await browser.post("/admin/sources", data={**source, "csrf": "forged"})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    assert (await browser.post("/admin/dead-letters/1/replay", data={"csrf": "forged"})).status_code == 403
    assert (await browser.post("/admin/sign-out", data={})).status_code == 403
    assert (await router.admin.get("/api/sources")).json() == []

    accepted = await browser.post(
        "/admin/sources", data={**source, "csrf": csrf_of((await browser.get("/admin")).text)}
    )
    assert accepted.status_code == 201
    assert [s["name"] for s in (await router.admin.get("/api/sources")).json()] == ["se"]


async def test_a_bad_registration_is_shown_on_the_page_not_as_an_error(browser: httpx.AsyncClient) -> None:
    await sign_in(browser)
    token = csrf_of((await browser.get("/admin")).text)
    bad = await browser.post(
        "/admin/sources", data={"csrf": token, "name": "se", "kind": "generic", "suffix": "S E", "order_type": "B2C"}
    )
    assert bad.status_code == 422
    assert "Not registered" in bad.text
    good = {"csrf": token, "name": "se", "kind": "generic", "suffix": "SE", "order_type": "B2C"}
    assert (await browser.post("/admin/sources", data=good)).status_code == 201
    taken = await browser.post("/admin/sources", data={**good, "name": "se2"})
    assert taken.status_code == 409
    assert "Not registered" in taken.text
    unknown = await browser.get("/admin/orders/se/nope")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")


async def test_no_credential_value_or_key_hash_appears_in_any_page(
    browser: httpx.AsyncClient, router: RouterUnderTest
) -> None:
    secret = "callback-secret-value-7f3a"
    created = await router.admin.post(
        "/api/sources",
        json={
            "name": "eu",
            "kind": "generic",
            "suffix": "EU",
            "order_type": "B2C",
            "is_article_master": True,
            "credentials": {"callback_secret": secret},
        },
    )
    api_key = created.json()["api_key"]
    async with router.client(api_key) as client:
        order = {
            "order_number": "77",
            "lines": [{"article_number": "A-1", "quantity": 1, "unit_price": "1.00"}],
            "ship_to": {"name": "A", "address1": "B 1", "postcode": "1", "city": "C", "country_code": "SE"},
        }
        assert (await client.post("/api/sources/eu/orders", json=order)).status_code == 202
    async with router.rt.pool.acquire() as conn:
        stored = await conn.fetchrow("SELECT api_key_hash, credentials FROM sources WHERE name = 'eu'")
    await sign_in(browser)
    pages = [*PAGES, "/admin/orders?source=eu", "/admin/orders/eu/77", "/admin/stock/A-1"]
    forbidden = [secret, api_key, parse_api_key(api_key).secret, ADMIN_KEY, stored["api_key_hash"].hex()]
    forbidden.append(bytes(stored["credentials"]).decode())
    for path in pages:
        response = await browser.get(path)
        assert response.status_code == 200, path
        for value in forbidden:
            assert value not in response.text, (path, value[:12])
    home = (await browser.get("/admin")).text
    row = re.search(r'<tr data-source="eu">(.*?)</tr>', home, re.DOTALL)
    assert row
    assert "article master" in row.group(1)
    assert ">set<" in row.group(1)


async def test_the_admin_pages_stay_out_of_the_openapi_schema(router: RouterUnderTest) -> None:
    paths = (await router.admin.get("/schema/openapi.json")).json()["paths"]
    assert paths
    assert not [p for p in paths if p.startswith("/admin")]
