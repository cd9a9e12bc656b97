"""Every endpoint x {no key, wrong key, source A, source B, admin}: who gets what; nothing leaks across sources."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from router.api.app import create_app
from router.crypto import parse_api_key
from router.testing import ADMIN_KEY, SECRET_KEY, RouterUnderTest, make_settings, order_json, running_router

WMS_HOOK_SECRET = "wms-hook-secret-Zq81"
SECRETS = {
    "alpha": "alpha-callback-secret-8Hk2",
    "beta": "beta-callback-secret-Lm40",
    "shop_token": "shpat_matrix-token-Pp19",
    "shop_hook": "shpss_matrix-hook-Qe77",
}
PRINCIPALS = ("none", "wrong", "a", "b", "admin")
ALLOWED = "allowed"  # authenticated and authorized: anything but 401/403/404 (validation may still say 4xx)


@dataclasses.dataclass
class World:
    """The router under test and what exists in it."""

    router: RouterUnderTest
    keys: dict[str, str]
    ids: dict[str, int]
    counter: itertools.count[int] = dataclasses.field(default_factory=lambda: itertools.count(1))

    def key_of(self, principal: str) -> str | None:
        if principal == "none":
            return None
        if principal == "wrong":  # A's key id with another secret: the id alone opens nothing
            return f"rk_{parse_api_key(self.keys['a']).key_id}_{'x' * 43}"
        return self.keys[principal]


Request = Callable[[World], tuple[str, dict[str, Any]]]
"""Builds (concrete path, httpx request arguments) for one call."""


@dataclasses.dataclass(frozen=True)
class Rule:
    """Expected answer per principal: a status, (status, text the problem's detail contains), or ALLOWED."""

    expect: dict[str, Any]
    request: Request


def admin_only(ok: Any, request: Request) -> Rule:
    return Rule({"none": 401, "wrong": 401, "a": 404, "b": 404, "admin": ok}, request)


def own_or_admin(ok: Any, request: Request, *, b: Any = 404) -> Rule:
    """Paths under source A: A and the admin pass; B gets 404, exactly as for something that does not exist."""
    return Rule({"none": 401, "wrong": 401, "a": ok, "b": b, "admin": ok}, request)


def everyone(status: Any, request: Request) -> Rule:
    return Rule(dict.fromkeys(PRINCIPALS, status), request)


def get(path: str, **kwargs: Any) -> Request:
    return lambda w: (path.format(**w.ids), kwargs)


def post_json(path: str, body: Callable[[World], Any]) -> Request:
    return lambda w: (path.format(**w.ids), {"json": body(w)})


def new_source(w: World) -> dict[str, Any]:
    n = next(w.counter)
    return {"name": f"new{n}", "kind": "generic", "suffix": f"NW{n}", "order_type": "B2C"}


SOURCE_PATH = "/api/sources/{source:str}"
MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/api/sources"): admin_only(200, get("/api/sources")),
    ("POST", "/api/sources"): admin_only(201, post_json("/api/sources", new_source)),
    ("GET", SOURCE_PATH): admin_only(200, get("/api/sources/victim")),
    ("PATCH", SOURCE_PATH): admin_only(
        200, lambda _: ("/api/sources/victim", {"json": {"settings": {"note": "patched"}}})
    ),
    ("DELETE", SOURCE_PATH): admin_only(200, get("/api/sources/victim")),
    ("POST", "/api/sources/{source:str}/orders"): own_or_admin(
        202, post_json("/api/sources/alpha/orders", lambda _: order_json("100", article="M-1"))
    ),
    ("GET", "/api/sources/{source:str}/orders"): own_or_admin(200, get("/api/sources/alpha/orders")),
    ("GET", "/api/sources/{source:str}/orders/{number:str}"): own_or_admin(200, get("/api/sources/alpha/orders/100")),
    ("POST", "/api/sources/{source:str}/orders/{number:str}/cancel"): own_or_admin(
        202, get("/api/sources/alpha/orders/101/cancel")
    ),
    ("GET", "/api/sources/{source:str}/inbox"): own_or_admin(200, get("/api/sources/alpha/inbox")),
    ("GET", "/api/sources/{source:str}/inbox/{inbox_id:int}/body"): own_or_admin(
        200, get("/api/sources/alpha/inbox/{inbox}/body")
    ),
    ("POST", "/api/sources/{source:str}/inbox/{inbox_id:int}/replay"): admin_only(
        ALLOWED, get("/api/sources/alpha/inbox/{rejected}/replay")
    ),
    ("GET", "/api/dead-letters"): admin_only(200, get("/api/dead-letters")),
    ("POST", "/api/dead-letters/{dead_letter_id:int}/replay"): admin_only(202, get("/api/dead-letters/{dead}/replay")),
    ("GET", "/api/wms/foreign-orders"): admin_only(200, get("/api/wms/foreign-orders")),
    ("GET", "/api/stock/{article:str}"): admin_only(200, get("/api/stock/M-1")),
    ("GET", "/api/articles/master"): admin_only(200, get("/api/articles/master")),
    ("PUT", "/api/articles/master"): admin_only(
        ALLOWED, lambda _: ("/api/articles/master", {"json": {"source": "alpha"}})
    ),
    ("POST", "/api/sources/{source:str}/articles"): own_or_admin(
        ALLOWED, post_json("/api/sources/alpha/articles", lambda _: {"article_number": "M-1", "name": "Mug"})
    ),
    ("POST", "/api/sources/{source:str}/purchase-orders"): own_or_admin(
        ALLOWED, post_json("/api/sources/alpha/purchase-orders", lambda _: {"number": "PO-1"})
    ),
    ("GET", "/api/sources/{source:str}/purchase-orders/{number:str}"): own_or_admin(
        (404, "purchase order"), get("/api/sources/alpha/purchase-orders/PO-404"), b=(404, "no source named")
    ),
    ("GET", "/api/purchase-orders/foreign"): admin_only(200, get("/api/purchase-orders/foreign")),
    # Webhooks: API keys count for nothing; without the secret or signature nobody gets in.
    ("POST", "/hooks/wms"): everyone(401, lambda _: ("/hooks/wms", {"content": b'{"orderNumber": "1-AL"}'})),
    ("POST", "/hooks/{source:str}"): everyone(401, lambda _: ("/hooks/shop", {"content": b'{"id": 1}'})),
    # Anyone on the network.
    ("GET", "/healthz"): everyone(200, get("/healthz")),
    ("GET", "/readyz"): everyone(200, get("/readyz")),
    ("GET", "/metrics"): everyone(200, get("/metrics")),
    # The admin view is opened by its session cookie only: no API key (not even the admin's) opens a page.
    ("GET", "/admin/sign-in"): everyone(200, get("/admin/sign-in")),
    ("POST", "/admin/sign-in"): everyone(403, lambda _: ("/admin/sign-in", {"data": {"admin_key": ADMIN_KEY}})),
    ("POST", "/admin/sign-out"): everyone(403, lambda _: ("/admin/sign-out", {"data": {}})),
    ("GET", "/admin"): everyone(303, get("/admin")),
    ("POST", "/admin/sources"): everyone(403, lambda _: ("/admin/sources", {"data": {"name": "x"}})),
    ("GET", "/admin/orders"): everyone(303, get("/admin/orders")),
    ("GET", "/admin/orders/{source:str}/{number:str}"): everyone(303, get("/admin/orders/alpha/100")),
    ("GET", "/admin/stock"): everyone(303, get("/admin/stock")),
    ("GET", "/admin/stock/{article:str}"): everyone(303, get("/admin/stock/M-1")),
    ("GET", "/admin/dead-letters"): everyone(303, get("/admin/dead-letters")),
    ("POST", "/admin/dead-letters/{dead_letter_id:int}/replay"): everyone(
        403, lambda w: ("/admin/dead-letters/{dead}/replay".format(**w.ids), {"data": {}})
    ),
    ("GET", "/admin/foreign"): everyone(303, get("/admin/foreign")),
    ("GET", "/admin/articles"): everyone(303, get("/admin/articles")),
    ("POST", "/admin/articles/master"): everyone(403, lambda _: ("/admin/articles/master", {"data": {"source": "a"}})),
}
# The API documentation is public (it holds no data).
SCHEMA_PAGES = ("", "/openapi.json", "/openapi.yaml", "/openapi.yml", "/redoc", "/swagger", "/elements", "/rapidoc")
for _page in SCHEMA_PAGES:
    MATRIX["GET", f"/schema{_page}"] = everyone(200, get(f"/schema{_page}"))
MATRIX["GET", "/schema/{path:str}"] = everyone(ALLOWED, get("/schema/openapi.json"))
MATRIX["GET", "/schema/oauth2-redirect.html"] = everyone(ALLOWED, get("/schema/oauth2-redirect.html"))


def routes(router: RouterUnderTest) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, from its route table; OPTIONS is litestar's preflight (tested apart)."""
    app = create_app(router.rt)
    return {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"OPTIONS", "HEAD"}
    }


@pytest.fixture
async def world(db_dsn: str) -> AsyncIterator[World]:
    base = make_settings(db_dsn)
    settings = dataclasses.replace(base, fanback=dataclasses.replace(base.fanback, webhook_secret=WMS_HOOK_SECRET))
    async with running_router(settings) as router:
        keys = {
            "a": await router.add_source(
                "alpha",
                "AL",
                settings={"callback_url": "http://127.0.0.1:9/a"},
                credentials={"callback_secret": SECRETS["alpha"]},
            ),
            "b": await router.add_source(
                "beta",
                "BE",
                settings={"callback_url": "http://127.0.0.1:9/b"},
                credentials={"callback_secret": SECRETS["beta"]},
            ),
            "admin": ADMIN_KEY,
        }
        await router.add_source("victim", "VI")
        shop = {
            "name": "shop",
            "kind": "shopify",
            "suffix": "SH",
            "order_type": "B2C",
            "settings": {"shop_domain": "matrix.myshopify.com", "poll_interval_seconds": 3600},
            "credentials": {"access_token": SECRETS["shop_token"], "webhook_secret": SECRETS["shop_hook"]},
        }
        assert (await router.admin.post("/api/sources", json=shop)).status_code == 201
        async with router.client(keys["a"]) as a, router.client(keys["b"]) as b:
            accepted = await a.post("/api/sources/alpha/orders", json=order_json("100", article="M-1"))
            assert accepted.status_code == 202, accepted.text
            assert (await a.post("/api/sources/alpha/orders", json=order_json("101", article="M-1"))).status_code == 202
            assert (await a.post("/api/sources/alpha/orders", json={"order_number": "bad"})).status_code == 422
            assert (await b.post("/api/sources/beta/orders", json=order_json("200", article="M-1"))).status_code == 202
        rejected = (await router.admin.get("/api/sources/alpha/inbox", params={"state": "rejected"})).json()["items"]
        dead = await router.rt.pool.fetchval(
            "INSERT INTO outbox (lane, kind, priority, idempotency_key, state, last_error, finished_at)"
            " VALUES ('matrix:test', 'matrix.test', 90, 'matrix:dead:1', 'dead', 'for the matrix', now()) RETURNING id"
        )
        ids = {"inbox": accepted.json()["inbox_id"], "rejected": rejected[0]["id"], "dead": dead}
        yield World(router=router, keys=keys, ids=ids)


def secret_values(world: World) -> list[str]:
    """Every secret the router holds: keys, their secret parts and hashes, credentials, the credential key."""
    values = [*SECRETS.values(), SECRET_KEY, WMS_HOOK_SECRET]
    for key in world.keys.values():
        values += [key, hashlib.sha256(key.encode()).hexdigest()]
        if key.startswith("rk_"):  # split as the router splits it: the secret itself may contain "_"
            secret = parse_api_key(key).secret
            values += [secret, hashlib.sha256(secret.encode()).hexdigest()]
    return values


def matches(expected: Any, response: httpx.Response) -> bool:
    if expected == ALLOWED:
        return response.status_code not in {401, 403, 404} and response.status_code < 500
    if isinstance(expected, tuple):
        status, detail = expected
        return response.status_code == status and detail in str(response.json().get("detail", ""))
    return bool(response.status_code == expected)


async def test_every_endpoint_has_an_expectation_and_nothing_else_is_listed(world: World) -> None:
    served = routes(world.router)
    missing = sorted(served - MATRIX.keys())
    stale = sorted(MATRIX.keys() - served)
    assert not missing, f"endpoints without an authorization expectation: {missing}"
    assert not stale, f"expectations for endpoints that no longer exist: {stale}"


async def test_every_endpoint_answers_each_caller_as_the_matrix_says(world: World) -> None:
    wrong: list[str] = []
    bodies: list[str] = []
    for (method, template), rule in sorted(MATRIX.items()):
        for principal in ("none", "wrong", "b", "a", "admin"):  # B first: its attempts must change nothing
            path, kwargs = rule.request(world)
            async with world.router.client(world.key_of(principal)) as client:
                response = await client.request(method, path, **kwargs)
            bodies.append(f"{method} {path} {dict(response.headers)} {response.text}")
            expected = rule.expect[principal]
            if not matches(expected, response):
                got = f"{response.status_code} (want {expected}) {response.text[:200]}"
                wrong.append(f"{method} {template} as {principal}: {got}")
            if response.status_code == 303:
                assert response.headers["location"].startswith("/admin/sign-in"), response.headers
    assert not wrong, "\n".join(wrong)
    leaked = [s for s in secret_values(world) if any(s in body for body in bodies)]
    assert not leaked, f"secrets in responses: {leaked}"


async def test_preflight_options_reveal_nothing_to_anyone(world: World) -> None:
    for method, template in sorted(MATRIX):
        path, _ = MATRIX[method, template].request(world)
        for principal in PRINCIPALS:
            async with world.router.client(world.key_of(principal)) as client:
                response = await client.options(path)
            assert response.status_code == 204, (path, principal, response.status_code)
            assert response.content == b"", (path, principal)


async def test_a_source_never_sees_or_changes_another_sources_orders_inbox_or_stock(world: World) -> None:
    async with world.router.client(world.keys["b"]) as b, world.router.client(world.keys["a"]) as a:
        # Through its own path, B cannot reach A's order by A's number or by its WMS number.
        for number in ("100", "100-AL", "101"):
            assert (await b.get(f"/api/sources/beta/orders/{number}")).status_code == 404
            assert (await b.post(f"/api/sources/beta/orders/{number}/cancel")).status_code == 404
        listed = (await b.get("/api/sources/beta/orders")).json()["items"]
        assert [o["source_order_number"] for o in listed] == ["200"]
        inbox = (await b.get("/api/sources/beta/inbox")).json()["items"]
        assert world.ids["inbox"] not in {i["id"] for i in inbox}
        assert (await b.get(f"/api/sources/beta/inbox/{world.ids['inbox']}/body")).status_code == 404
        # B's key as X-API-Key as well as Bearer.
        alt = await b.get("/api/sources/alpha/orders", headers={"Authorization": "", "X-API-Key": world.keys["b"]})
        assert alt.status_code == 404
        # Stock and credentials are the admin's: a source gets 404, as for anything that does not exist.
        assert (await b.get("/api/stock/M-1")).status_code == 404
        assert (await b.get("/api/sources/alpha")).status_code == 404
        # A's order is untouched by B's attempts.
        order = (await a.get("/api/sources/alpha/orders/101")).json()["order"]
        assert order["state"] == "queued", order
        assert [o["source_order_number"] for o in (await a.get("/api/sources/alpha/orders")).json()["items"]] == [
            "101",
            "100",
        ]
    sources = (await world.router.admin.get("/api/sources")).json()
    alpha = next(s for s in sources if s["name"] == "alpha")
    assert alpha["has_credentials"] is True
    assert "credentials" not in alpha


async def test_webhooks_check_the_secret_or_signature_before_reading_the_body(world: World) -> None:
    malformed = b'{"orderNumber": [1, 2'  # not even JSON
    async with httpx.AsyncClient(base_url=world.router.url) as client:
        no_secret = await client.post("/hooks/wms", content=malformed)
        bad_secret = await client.post("/hooks/wms", content=malformed, headers={"X-Webhook-Secret": "nope"})
        good_secret = await client.post("/hooks/wms", content=malformed, headers={"X-Webhook-Secret": WMS_HOOK_SECRET})
        bad_signature = await client.post(
            "/hooks/shop",
            content=malformed,
            headers={"X-Shopify-Hmac-Sha256": "AAAA", "X-Shopify-Topic": "orders/create"},
        )
        unsigned = await client.post("/hooks/shop", content=malformed, headers={"X-Shopify-Topic": "orders/create"})
    assert (no_secret.status_code, bad_secret.status_code) == (401, 401)
    assert good_secret.status_code == 422  # the same body with the secret is read, and found malformed
    assert (bad_signature.status_code, unsigned.status_code) == (401, 401)
    for response in (no_secret, bad_secret, bad_signature, unsigned):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "unauthorized"
