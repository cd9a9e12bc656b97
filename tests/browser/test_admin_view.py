"""The admin view in real headless Chromium (Debian's package, driven by Playwright) against a routing router."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from router.settings import WmsSettings
from router.testing import ADMIN_KEY, RouterUnderTest, make_settings, order_json, running_router
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-router", "wms-password", "GO1"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "Debian's chromium is not installed (`command -v chromium` finds nothing): install it with "
            "`sudo apt-get install -y chromium` (.ci/run does this before the tests)",
            pytrace=False,
        )
    return path


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        sim.add_article("A-1", stock=100)
        yield sim


@pytest.fixture
async def routed(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[RouterUnderTest]:
    settings = WmsSettings(
        url=wms.url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=2.0, strict_xml=True
    )
    async with running_router(make_settings(db_dsn, wms=settings)) as r:
        yield r


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    context = await browser.new_context()
    tab = await context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot = tmp_path / "failure.png"
        await tab.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot of the page at failure ({tab.url}): {shot}")  # noqa: T201
    await context.close()


async def text_of(page: Page, selector: str) -> str:
    return await page.locator(selector).inner_text()


async def reload_until(page: Page, selector: str, expected: str, what: str) -> str:
    """Reload until `selector` shows `expected` (the page is server-rendered: new data needs a new request)."""

    async def shows() -> str | None:
        await page.reload()
        locator = page.locator(selector)
        text = await locator.inner_text() if await locator.count() else ""
        return text if expected in text else None

    return await eventually(shows, what=what)


async def sign_in(page: Page, url: str) -> None:
    """Any page sends the operator to the sign-in first, then back."""
    await page.goto(f"{url}/admin/dead-letters")
    assert "/admin/sign-in" in page.url
    await page.fill("input[name=admin_key]", "adm_wrong")
    await page.click("button:text('Sign in')")
    assert "That is not the admin key." in await text_of(page, "[role=alert]")
    await page.fill("input[name=admin_key]", ADMIN_KEY)
    await page.click("button:text('Sign in')")
    assert page.url.endswith("/admin/dead-letters")
    assert await text_of(page, "h1") == "Dead letters"


async def register_source(page: Page) -> str:
    """Register `se` from the page; its key is shown once, and only on that page."""
    await page.click("nav >> text=Sources")
    await page.fill("input[name=name]", "se")
    await page.select_option("select[name=kind]", "generic")
    await page.fill("input[name=suffix]", "se")
    await page.fill("input[name=order_type]", "B2C")
    await page.click("button:text('Register')")
    assert await text_of(page, "h1") == "Source se registered"
    api_key = (await text_of(page, "#api-key")).strip()
    assert api_key.startswith("rk_")
    await page.click("text=Back to the sources")
    row = await text_of(page, "tr[data-source=se]")
    assert "SE" in row
    assert "B2C" in row
    assert "enabled" in row
    assert "unset" in row
    assert api_key not in await page.content()
    return api_key


async def follow_order(page: Page, routed: RouterUnderTest, wms: OngoingWmsSimulator, api_key: str) -> None:
    """An order pushed as that source arrives with its WMS number; the ledger explains its article."""
    async with routed.client(api_key) as client:
        assert (await client.post("/api/sources/se/orders", json=order_json("5178"))).status_code == 202
    await page.click("nav >> text=Orders")
    await reload_until(page, "tr[data-order='5178']", "in_wms", "order 5178 in the WMS on the orders page")
    row = await text_of(page, "tr[data-order='5178']")
    assert "5178-SE" in row
    placed = wms.order("5178-SE")
    assert placed is not None
    assert f"#{placed.order_id}" in row
    await page.click("a:text('5178')")
    assert await text_of(page, "h1") == "Order 5178 of se"
    detail = await text_of(page, "#order")
    assert "5178-SE" in detail
    assert "in_wms" in detail
    assert "No warehouse events yet." in await text_of(page, "#events")
    await page.click("nav >> text=Stock")
    assert "A-1" in await text_of(page, "tr[data-article='A-1']")
    await page.click("a:text('A-1')")
    assert "5178-SE" in await text_of(page, "#reservations")


async def replay_dead_letter(page: Page, routed: RouterUnderTest, wms: OngoingWmsSimulator, api_key: str) -> None:
    """A permanent WMS fault makes a dead letter; once the cause is gone, replay sends the order."""
    wms.faults.fail_next(1, status=400, operation="ProcessOrder")
    async with routed.client(api_key) as client:
        assert (await client.post("/api/sources/se/orders", json=order_json("5179"))).status_code == 202
    await page.click("nav >> text=Dead letters")
    dead_row = await reload_until(page, "#dead-letters tbody", "5179-SE", "the dead letter on its page")
    assert "order.send" in dead_row
    assert "HTTP 400" in dead_row
    wms.faults.clear()
    await page.click("tr:has-text('5179-SE') >> button:text('Replay')")
    assert "replayed: it is pending again" in await text_of(page, "#replayed")
    assert "No dead letters." in await text_of(page, "#dead-letters")
    await page.goto(f"{routed.url}/admin/orders?source=se")
    await reload_until(page, "tr[data-order='5179']", "in_wms", "the replayed order in the WMS")
    assert wms.order("5179-SE") is not None


async def switch_master(page: Page, routed: RouterUnderTest) -> None:
    """Switch the article master from the page, and switch it again: one master, clearly marked."""
    await routed.add_source("erp", "ERP", "B2B")
    await page.click("nav >> text=Articles")
    assert await text_of(page, "#article-master") == "none"
    await page.select_option("select[name=source]", "erp")
    await page.click("button:text('Switch master')")
    assert await text_of(page, "#switched") == "erp is now the article master."
    assert await text_of(page, "#article-master") == "★ erp"
    await page.select_option("select[name=source]", "se")
    await page.click("button:text('Switch master')")
    assert await text_of(page, "#article-master") == "★ se"
    await page.click("nav >> text=Sources")
    assert "article master" in await text_of(page, "tr[data-source=se]")
    assert "article master" not in await text_of(page, "tr[data-source=erp]")


async def test_operator_signs_in_registers_follows_an_order_replays_and_switches_the_master(
    page: Page, routed: RouterUnderTest, wms: OngoingWmsSimulator
) -> None:
    await sign_in(page, routed.url)
    api_key = await register_source(page)
    await follow_order(page, routed, wms, api_key)
    await replay_dead_letter(page, routed, wms, api_key)
    await switch_master(page, routed)
    # Sign out: the pages need the key again.
    await page.click("button:text('Sign out')")
    assert "/admin/sign-in" in page.url
    await page.goto(f"{routed.url}/admin")
    assert "/admin/sign-in" in page.url
