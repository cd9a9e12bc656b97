"""The chaos run's invariants, checked against the simulators' own records, and the figures it prints."""

from __future__ import annotations

import collections
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simulators.callback import Delivery
from simulators.ongoing_wms.records import CANCELLED, Order

SHIPPED = 450


@dataclass(frozen=True, kw_only=True)
class Planned:
    """One order the run pushes."""

    source: str
    suffix: str
    order_type: str
    number: str
    lines: tuple[tuple[str, str, int], ...]  # (line id, article, quantity)

    @property
    def wms_number(self) -> str:
        return f"{self.number}-{self.suffix}"


@dataclass
class ChaosReport:
    """Counts of everything injected and observed, and every broken invariant in words."""

    figures: dict[str, float] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    def add(self, name: str, value: float = 1) -> None:
        self.figures[name] = self.figures.get(name, 0) + value

    def lines(self) -> list[str]:
        out = [f"{name:<34} {value:g}" for name, value in self.figures.items()]
        out.append(f"{'violations':<34} {len(self.violations)}")
        out.extend(f"  ! {v}" for v in self.violations[:50])
        return out


def check_orders(report: ChaosReport, plans: Sequence[Planned], accepted: set[str], wms: Sequence[Order]) -> None:
    """Every accepted order exactly once in the WMS under its source's suffix and order type; nothing else."""
    counts = collections.Counter(o.number for o in wms if not o.foreign)
    by_number = {o.number: o for o in wms}
    planned = {p.wms_number: p for p in plans}
    for p in plans:
        n = p.wms_number
        if n not in accepted:
            report.violations.append(f"order {n} was never accepted by the API")
        if counts[n] == 0:
            report.add("orders lost")
            report.violations.append(f"order {n} accepted but not in the WMS")
        elif counts[n] > 1:
            report.add("orders duplicated")
            report.violations.append(f"order {n} is in the WMS {counts[n]} times")
        elif by_number[n].order_type != p.order_type:
            report.violations.append(f"order {n} has order type {by_number[n].order_type}, not {p.order_type}")
    for number in counts:
        if number not in planned:
            report.violations.append(f"the WMS holds {number}, which no source sent")
    report.figures.setdefault("orders lost", 0)
    report.figures.setdefault("orders duplicated", 0)
    report.add("orders in the WMS", sum(1 for n in counts if n in planned))


def _sums(bodies: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = collections.defaultdict(Decimal)
    for body in bodies:
        for line in body.get("lines") or []:
            total[str(line["line_id"])] += Decimal(str(line["quantity"]))
    return dict(total)


def check_events(
    report: ChaosReport, plans: Sequence[Planned], wms: Sequence[Order], deliveries: Sequence[Delivery]
) -> None:
    """Each warehouse event at its owner under exactly one delivery id, never at another source.

    Delivery is at least once with a stable `X-Router-Delivery` id: copies with the same id are
    re-deliveries (counted, allowed); two ids for the same thing, or quantities summing beyond the WMS's,
    are duplicates.
    """
    owner = {p.wms_number: p.source for p in plans}
    events = [d for d in deliveries if d.kind != "stock"]
    first: dict[str, Delivery] = {}
    for d in events:
        number = str(d.body.get("wms_order_number"))
        if owner.get(number) != d.source:
            report.add("events misrouted")
            report.violations.append(f"{d.kind} {d.delivery_id} of {number} reached source {d.source}")
        if not d.signature_ok:
            report.violations.append(f"delivery {d.delivery_id} to {d.source} has a bad signature")
        seen = first.setdefault(d.delivery_id, d)
        if seen.source != d.source:
            report.add("events misrouted")
            report.violations.append(f"delivery id {d.delivery_id} reached {seen.source} and {d.source}")
    report.figures.setdefault("events misrouted", 0)
    report.add("event deliveries received", len(events))
    report.add("events delivered (distinct ids)", len(first))
    report.add("re-deliveries (same id again)", len(events) - len(first))
    by_order: dict[str, dict[str, list[Delivery]]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for d in first.values():
        by_order[str(d.body.get("wms_order_number"))][d.kind].append(d)
    lost = duplicated = 0
    for order in wms:
        if order.number not in owner:
            continue
        got = by_order.get(order.number, {})
        problems = _order_event_problems(order, got)
        for kind, problem in problems:
            lost += kind == "lost"
            duplicated += kind == "duplicated"
            report.violations.append(f"{order.number} (status {order.status}): {problem}")
    report.add("events lost", lost)
    report.add("events duplicated", duplicated)


def _order_event_problems(order: Order, got: Mapping[str, list[Delivery]]) -> list[tuple[str, str]]:
    """What the owner should have heard about `order`, judged from its final state in the WMS."""
    problems: list[tuple[str, str]] = []
    ids = {kind: sorted(d.delivery_id for d in ds) for kind, ds in got.items()}
    picked = {ln.code or "": ln.picked for ln in order.lines if ln.picked}
    returned = {ln.code or "": ln.returned for ln in order.lines if ln.returned}
    if order.status == CANCELLED:
        if ids != {"cancelled": [f"cancelled:{order.number}"]}:
            problems.append(("lost" if "cancelled" not in ids else "duplicated", f"cancelled: got {ids}"))
        return problems
    if "cancelled" in ids:
        problems.append(("duplicated", f"cancelled although not cancelled in the WMS: {ids['cancelled']}"))
    problems.extend(_pick_and_ship_problems(order, got, ids, picked))
    told_back = _sums(d.body for d in got.get("returned", []))
    if told_back != returned:
        kind = "lost" if sum(told_back.values()) < sum(returned.values()) else "duplicated"
        problems.append((kind, f"returned events report {told_back}, the WMS has {returned} returned"))
    unexpected = set(ids) - {"picked", "shipped", "returned", "cancelled"}
    if unexpected:
        problems.append(("duplicated", f"unexpected event kinds {sorted(unexpected)}"))
    return problems


def _pick_and_ship_problems(
    order: Order, got: Mapping[str, list[Delivery]], ids: Mapping[str, list[str]], picked: Mapping[str, Decimal]
) -> list[tuple[str, str]]:
    """Shipped: one `shipped` id, picks told never beyond the WMS's; not shipped: picks told exactly."""
    told = _sums(d.body for d in got.get("picked", []))
    if order.status >= SHIPPED:
        problems = []
        if ids.get("shipped") != [f"shipped:{order.number}"]:
            problems.append(("lost" if "shipped" not in ids else "duplicated", f"shipped: got {ids.get('shipped')}"))
        if any(q > picked.get(line, Decimal(0)) for line, q in told.items()):
            problems.append(("duplicated", f"picked events report {told}, the WMS picked {picked}"))
        return problems
    problems = [("duplicated", f"shipped although the WMS has not: {ids['shipped']}")] if "shipped" in ids else []
    if told != picked:
        kind = "lost" if sum(told.values()) < sum(picked.values()) else "duplicated"
        problems.append((kind, f"picked events report {told}, the WMS picked {picked}"))
    return problems


def drained(plans: Sequence[Planned], wms: Sequence[Order], deliveries: Sequence[Delivery]) -> bool:
    """Whether the owners have heard everything the WMS's final state implies (the run's drain condition)."""
    probe = ChaosReport()
    check_events(probe, plans, wms, deliveries)
    return not probe.violations


def check_stock(report: ChaosReport, ledger: Mapping[str, Mapping[str, Any]], sellable: Mapping[str, Decimal]) -> None:
    """Ledger available equals the WMS's sellable figure for every article, after a final stock read."""
    for article, figure in sellable.items():
        available = Decimal(str(ledger[article]["available"]))
        if available != figure:
            report.add("stock mismatches")
            row = ledger[article]
            report.violations.append(
                f"{article}: ledger available {available}, WMS sellable {figure}"
                f" (ledger sellable {row.get('sellable')}, held {row.get('held')}, placed {row.get('placed')},"
                f" snapshot {row.get('snapshot')}, reservations {row.get('reservations')})"
            )
    report.figures.setdefault("stock mismatches", 0)
    report.add("articles checked", len(sellable))


def check_dead_letters(report: ChaosReport, deliveries: Sequence[Delivery], items: Sequence[Mapping[str, Any]]) -> None:
    """Dead letters exactly for the injected permanent faults (a source refusing a delivery with a 4xx), one each."""
    refused = [d for d in deliveries if 400 <= d.answered < 500]
    expected = collections.Counter(
        ("stock", "") if d.kind == "stock" else ("event.deliver", str(d.body.get("wms_order_number"))) for d in refused
    )

    def key(item: Mapping[str, Any]) -> tuple[str, str]:
        kind = str(item.get("kind"))
        return ("stock", "") if kind.startswith("stock") else (kind, str(item.get("wms_order_number")))

    seen = collections.Counter(key(i) for i in items)
    for wanted, count in expected.items():
        if seen[wanted] != count:
            report.violations.append(f"{wanted} refused {count}x by its source but has {seen[wanted]} dead letters")
    for wanted, count in seen.items():
        if count > expected[wanted]:
            report.add("unexpected dead letters", count - expected[wanted])
            errors = [i.get("last_error") for i in items if key(i) == wanted]
            report.violations.append(f"unexpected dead letter {wanted}: {errors}")
    report.figures.setdefault("unexpected dead letters", 0)
    report.add("injected permanent faults (4xx)", len(refused))
    report.add("dead letters", len(items))
