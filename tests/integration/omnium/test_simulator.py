from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import httpx
import pytest

from simulators.omnium import ManualClock, OmniumSimulator, RateLimits


async def token(http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any) -> dict[str, str]:
    response = await http.post(f"{sim.url}/api/Token", params={"clientId": kit.client_id, "clientSecret": kit.secret})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {"Authorization": f"Bearer {response.text}"}


async def test_tokens_plain_and_json_and_bad_credentials(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any
) -> None:
    plain = await token(http, sim, kit)
    assert plain["Authorization"].startswith("Bearer eyJ")
    as_json = await http.post(
        f"{sim.url}/api/Token", params={"clientId": kit.client_id, "clientSecret": kit.secret, "returnAsJson": "true"}
    )
    assert as_json.json()["tokenType"] == "Bearer"
    assert as_json.json()["expiresIn"] == 864000
    bad = await http.post(f"{sim.url}/api/Token", params={"clientId": kit.client_id, "clientSecret": "nope"})
    assert bad.status_code == 401


async def test_calls_need_a_valid_unexpired_bearer(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any, clock: ManualClock
) -> None:
    sim.add_order(kit.order("1001"))
    assert (await http.get(f"{sim.url}/api/Orders/1001")).status_code == 401
    assert (await http.get(f"{sim.url}/api/Orders/1001", headers={"Authorization": "Bearer x"})).status_code == 401
    auth = await token(http, sim, kit)
    assert (await http.get(f"{sim.url}/api/orders/1001", headers=auth)).status_code == 200
    clock.advance(864_000)
    assert (await http.get(f"{sim.url}/api/Orders/1001", headers=auth)).status_code == 401


async def test_search_honours_filters_paging_limits_and_pascal_case(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any
) -> None:
    for i in range(5):
        sim.add_order(kit.order(f"S{i}", minute=i, status="Completed" if i == 4 else "New"))
    auth = await token(http, sim, kit)
    url = f"{sim.url}/api/Orders/Search"
    since = (kit.t0 + dt.timedelta(minutes=1)).isoformat()
    body = {"ModifiedFrom": since, "SortOrder": "ModifiedAscending", "Take": 2, "Page": 0, "SelectedStatuses": ["New"]}
    first = (await http.post(url, json=body, headers=auth)).json()
    assert set(first) >= {"result", "totalHits", "facets", "scrollId"}
    assert [o["id"] for o in first["result"]] == ["S1", "S2"]  # modifiedFrom is inclusive
    assert first["totalHits"] == 3
    second = (await http.post(url, json={**body, "Page": 1}, headers=auth)).json()
    assert [o["id"] for o in second["result"]] == ["S3"]
    assert (await http.post(url, json={"take": 101}, headers=auth)).status_code == 400
    assert (await http.post(url, json={"take": 100, "page": 101}, headers=auth)).status_code == 400
    assert (await http.post(url, json={"take": 100, "page": 100}, headers=auth)).status_code == 200
    assert (await http.post(url, json={"sortOrder": "Sideways"}, headers=auth)).status_code == 400


async def test_orders_create_get_update_and_patch(http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any) -> None:
    auth = await token(http, sim, kit)
    doc = kit.order("N1")
    assert (await http.post(f"{sim.url}/api/Orders", json=doc, headers=auth)).status_code == 201
    assert (await http.post(f"{sim.url}/api/Orders", json=doc, headers=auth)).status_code == 409
    assert (await http.get(f"{sim.url}/api/Orders/nope", headers=auth)).status_code == 404
    base = f"{sim.url}/api/Orders/N1"
    assert (await http.post(f"{base}/UpdateStatus", json={"status": "Sideways"}, headers=auth)).status_code == 400
    assert (await http.post(f"{base}/UpdateStatus", json={}, headers=auth)).status_code == 400  # status required
    lines = {
        "status": "Completed",
        "lineItemUpdates": [{"lineItemId": "1", "deliveredQuantity": 2}],
        "shipmentInfo": {"shipmentId": "9"},
    }
    result = (await http.post(f"{base}/OrderLinesUpdate", json=lines, headers=auth)).json()
    assert [s["shipmentId"] for s in result["order"]["orderForm"]["shipments"]] == ["1", "2", "9"]
    assert result["order"]["status"] == "PartiallyShipped"
    too_many = {"lineItemUpdates": [{"lineItemId": "1", "deliveredQuantity": 5}], "shipmentInfo": {"shipmentId": "1"}}
    assert (await http.post(f"{base}/OrderLinesUpdate", json=too_many, headers=auth)).status_code == 400
    patch = {"externalIds": [{"providerName": "ERP", "id": "SO-1"}]}
    counts = (await http.patch(f"{base}/PatchOrder", json=patch, headers=auth)).json()
    assert counts == {
        "totalCount": 1,
        "updatedCount": 1,
        "unchangedCount": 0,
        "notFoundCount": 0,
        "errorCount": 0,
        "isModified": True,
    }
    again = (await http.patch(f"{base}/PatchOrder", json=patch, headers=auth)).json()
    assert (again["isModified"], again["unchangedCount"]) == (False, 1)
    missing = (await http.patch(f"{sim.url}/api/Orders/nope/PatchOrder", json=patch, headers=auth)).json()
    assert missing["notFoundCount"] == 1


async def test_update_status_copies_shipment_info_and_can_abort(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any
) -> None:
    sim.add_order(kit.order("1001"))
    auth = await token(http, sim, kit)
    url = f"{sim.url}/api/Orders/1001/UpdateStatus"
    sim.abort_next_workflow("no capture")
    aborted = (await http.post(url, json={"status": "Completed"}, headers=auth)).json()
    assert aborted["isAborted"] is True
    assert sim.order("1001").status == "New"
    info = {"shipmentId": "1", "trackingNumber": "T1", "trackingUrl": "https://t/1", "orderStatus": "Completed"}
    done = (await http.post(url, json={"status": "Completed", "shipmentInfo": info}, headers=auth)).json()
    assert done["isAborted"] is False
    stored = done["order"]["orderForm"]["shipments"][0]
    assert (stored["shipmentTrackingNumber"], stored["shipmentTrackingLink"]) == ("T1", "https://t/1")
    whole = (await http.post(url, json={"status": "Completed"}, headers=auth)).json()
    assert whole["order"]["status"] == "Completed"


async def test_inventory_absolute_delta_search_and_limits(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any
) -> None:
    auth = await token(http, sim, kit)
    url = f"{sim.url}/api/Inventory"
    item = {"sku": "SKU-1", "warehouseCode": "w1", "inventory": 5}
    assert (await http.put(f"{url}/UpdateMany", json=[item], headers=auth)).status_code == 200
    assert (await http.put(f"{url}/UpdateMany", json=[item], headers=auth)).status_code == 200
    assert sim.state.inventory_transactions == 1  # the unchanged second write was skipped
    assert (await http.put(f"{url}/UpdateMany", json=[item] * 1001, headers=auth)).status_code == 400
    delta = [{"skuId": "SKU-1", "warehouseCode": "w1", "inventoryChange": -2}]
    assert (await http.post(f"{url}/ProcessInventoryTransactions", json=delta, headers=auth)).status_code == 200
    assert (await http.get(f"{url}/SKU-1", headers=auth)).json()[0]["inventory"] == 3
    assert (await http.post(f"{url}/Search", json={}, headers=auth)).status_code == 400
    found = (await http.post(f"{url}/Search", json={"productCodes": ["SKU-1"]}, headers=auth)).json()
    assert found["totalHits"] == 1


async def test_the_token_bucket_answers_429_with_retry_after(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any, clock: ManualClock
) -> None:
    sim.set_limits(RateLimits(bucket_capacity=2, refill_tokens=2, refill_seconds=10))
    sim.add_order(kit.order("1001"))
    auth = await token(http, sim, kit)
    statuses = [(await http.get(f"{sim.url}/api/Orders/1001", headers=auth)) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].headers["retry-after"] == "10"
    assert (
        await http.post(f"{sim.url}/api/Token", params={"clientId": kit.client_id, "clientSecret": kit.secret})
    ).status_code == 200
    clock.advance(10)
    assert (await http.get(f"{sim.url}/api/Orders/1001", headers=auth)).status_code == 200


async def test_batch_calls_have_their_own_concurrency_limit(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any
) -> None:
    import asyncio

    sim.set_limits(RateLimits(batch_concurrency=1))
    sim.set_latency(0.1)
    auth = await token(http, sim, kit)
    item = [{"sku": "SKU-1", "warehouseCode": "w1", "inventory": 5}]
    responses = await asyncio.gather(
        *(http.put(f"{sim.url}/api/Inventory/UpdateMany", json=item, headers=auth) for _ in range(3))
    )
    assert sorted(r.status_code for r in responses) == [200, 429, 429]


async def test_the_request_log_never_holds_credentials_or_tokens(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any
) -> None:
    auth = await token(http, sim, kit)
    await http.get(f"{sim.url}/api/Orders/x", headers=auth)
    text = repr(sim.requests)
    assert kit.secret not in text
    assert kit.client_id not in text
    assert auth["Authorization"].split()[1] not in text
    assert [r.path for r in sim.requests] == ["/api/Token", "/api/Orders/x"]


async def test_the_control_api(http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any, clock: ManualClock) -> None:
    seeded = await http.post(f"{sim.url}/_sim/orders", json=kit.order("1001"))
    assert seeded.status_code == 201
    assert (
        await http.post(f"{sim.url}/_sim/faults", json={"throttle_next": {"n": 1, "retry_after": 4}})
    ).status_code == 200
    auth = await token(http, sim, kit)
    refused = await http.get(f"{sim.url}/api/Orders/1001", headers=auth)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "4")
    await http.post(f"{sim.url}/_sim/clock/advance", json={"seconds": 4})
    assert (await http.get(f"{sim.url}/api/Orders/1001", headers=auth)).status_code == 200
    log = (await http.get(f"{sim.url}/_sim/requests")).json()
    assert [r["status"] for r in log] == [200, 429, 200]
    await http.post(f"{sim.url}/_sim/faults", json={"expire_tokens": True})
    assert (await http.get(f"{sim.url}/api/Orders/1001", headers=auth)).status_code == 401
    assert (await http.post(f"{sim.url}/_sim/reset")).json() == {"reset": True}
    assert sim.orders() == []


def test_the_module_runs_standalone() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulators.omnium", "--help"], capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0
    assert "--client-secret" in result.stdout


@pytest.mark.parametrize("status", [500, 503])
async def test_fail_next_answers_without_processing(
    http: httpx.AsyncClient, sim: OmniumSimulator, kit: Any, status: int
) -> None:
    sim.add_order(kit.order("1001"))
    auth = await token(http, sim, kit)
    sim.fail_next(1, status=status, path="UpdateStatus")
    response = await http.post(f"{sim.url}/api/Orders/1001/UpdateStatus", json={"status": "Completed"}, headers=auth)
    assert response.status_code == status
    assert sim.order("1001").status == "New"
