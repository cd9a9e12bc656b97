"""Admin endpoints for failed deliveries and stored payloads: list, inspect, replay."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, PathParameter, QueryParameter

from router.api.auth import Rt, require_admin, require_source
from router.api.schemas import DeadLetterOut, ForeignSummary, InboxOut, OrderAccepted, Page
from router.db import MAX_ID
from router.errors import NotReplayable

__all__ = ["DeadLetterController", "InboxController", "WmsController"]

RowId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
"""A stored row's id in a path."""


class DeadLetterController(Controller):
    """`/api/dead-letters`."""

    path = "/api/dead-letters"
    tags = ["dead letters"]  # noqa: RUF012 - litestar reads it as a class attribute

    @get("/", summary="Failed deliveries, newest first")
    async def list_dead(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        before: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
    ) -> Page:
        """Dead letters."""
        await require_admin(request, rt)
        rows = await rt.outbox.dead_letters(before=before, limit=limit)
        items = [
            DeadLetterOut(
                id=r["id"],
                lane=r["lane"],
                kind=r["kind"],
                attempts=r["attempts"],
                last_error=r["last_error"],
                created_at=r["created_at"],
                failed_at=r["finished_at"],
                source=r["source_name"],
                source_order_number=r["source_order_number"],
                wms_order_number=r["wms_order_number"],
            )
            for r in rows
        ]
        return Page(items=items, next_before=rows[-1]["id"] if len(rows) == limit else None)

    @post("/{dead_letter_id:int}/replay", status_code=202, summary="Replay a dead letter after fixing its cause")
    async def replay(self, request: Request[Any, Any, Any], rt: Rt, dead_letter_id: RowId) -> dict[str, Any]:
        """Pending again with attempts from zero."""
        await require_admin(request, rt)
        job = await rt.outbox.replay(dead_letter_id)
        return {"id": job.id, "state": "pending", "kind": job.kind}


class WmsController(Controller):
    """`/api/wms`: what the router sees of the WMS beyond its own orders."""

    path = "/api/wms"
    tags = ["wms"]  # noqa: RUF012 - litestar reads it as a class attribute

    @get("/foreign-orders", summary="Orders in the WMS the router did not create: counted, never delivered")
    async def foreign(
        self, request: Request[Any, Any, Any], rt: Rt, *, limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50
    ) -> ForeignSummary:
        """Counters and the most recently seen foreign orders."""
        await require_admin(request, rt)
        summary, recent = await rt.orders.foreign(limit)
        return ForeignSummary(
            orders=summary["orders"],
            events_ignored=summary["events_ignored"],
            last_seen_at=summary["last_seen_at"],
            recent=[
                {
                    "wms_order_number": r["wms_order_number"],
                    "last_status": r["last_status"],
                    "sightings": r["sightings"],
                    "last_seen_at": r["last_seen_at"].isoformat(),
                }
                for r in recent
            ],
        )


class InboxController(Controller):
    """`/api/sources/{source}/inbox`: every raw payload a source sent, with its fate."""

    path = "/api/sources/{source:str}/inbox"
    tags = ["inbox"]  # noqa: RUF012 - litestar reads it as a class attribute

    @get("/", summary="Stored payloads of a source, newest first")
    async def list_inbox(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        source: FromPath[str],
        *,
        state_filter: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        before: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
    ) -> Page:
        """Payloads and their fate (accepted, rejected with the reason, ignored)."""
        owner = await require_source(request, rt, source)
        rows = await rt.inbox.list(source_id=owner.id, state=state_filter, before=before, limit=limit)
        items = [
            InboxOut(
                id=r["id"],
                channel=r["channel"],
                received_at=r["received_at"],
                state=r["state"],
                error=r["error"],
                size=r["size"],
            )
            for r in rows
        ]
        return Page(items=items, next_before=rows[-1]["id"] if len(rows) == limit else None)

    @get("/{inbox_id:int}/body", summary="The raw payload exactly as received")
    async def body(
        self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str], inbox_id: RowId
    ) -> Response[bytes]:
        """The stored bytes."""
        owner = await require_source(request, rt, source)
        row = await rt.inbox.get(inbox_id, source_id=owner.id)
        return Response(bytes(row["body"]), media_type="application/octet-stream")

    @post("/{inbox_id:int}/replay", status_code=202, summary="Process a rejected payload again (admin)")
    async def replay(
        self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str], inbox_id: RowId
    ) -> OrderAccepted:
        """Run a stored payload through its connector again, e.g. after the source's settings were fixed."""
        await require_admin(request, rt)
        owner = await rt.sources.get(source)
        row = await rt.inbox.get(inbox_id, source_id=owner.id)
        if row["state"] not in {"rejected", "received"}:
            raise NotReplayable(f"payload {inbox_id} is {row['state']}; only rejected payloads are replayed")
        result = await rt.ingestor.process(
            owner, inbox_id=inbox_id, headers=dict(row["headers"]), body=bytes(row["body"])
        )
        return OrderAccepted(
            outcome=result.outcome,
            source_order_number=result.source_order_number,
            wms_order_number=result.wms_order_number,
            revision=result.revision,
            inbox_id=inbox_id,
        )
