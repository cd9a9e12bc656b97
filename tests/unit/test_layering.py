"""The package boundaries the architecture promises, read from the import statements of every module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KINDS = sorted(p.name for p in (ROOT / "connectors").iterdir() if (p / "__init__.py").is_file())
SHARED_CONNECTOR_MODULES = {
    "connectors",
    "connectors.base",
    "connectors._http",
    "connectors._webhooks",
    "connectors._shop",
}


def imported(path: Path) -> Iterator[str]:
    """Every absolute module name `path` imports (at any depth: lazy imports count too)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def offenders(package: str, allowed: object) -> list[str]:
    """`file: module` for each import out of `package` that `allowed(module)` refuses."""
    assert callable(allowed)
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no modules under {package}"
    return [f"{p.relative_to(ROOT)}: {m}" for p in files for m in imported(p) if not allowed(m)]


def top(module: str) -> str:
    return module.split(".", 1)[0]


def test_the_kinds_are_found() -> None:
    assert {"generic", "omnium", "shopify", "tfso", "woocommerce"} <= set(KINDS)


def test_simulators_share_no_code_with_the_router_or_its_clients() -> None:
    # A simulator reads the contract on its own: sharing the client's models would let one misreading pass both.
    assert offenders("simulators", lambda m: top(m) not in {"router", "connectors"}) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_connector_kind_uses_only_its_own_package_and_the_shared_connector_modules(kind: str) -> None:
    def allowed(module: str) -> bool:
        if top(module) != "connectors":
            return top(module) != "simulators"
        return module in SHARED_CONNECTOR_MODULES or module.split(".")[1] == kind

    assert offenders(f"connectors/{kind}", allowed) == []


def test_the_core_knows_connectors_only_through_the_registry_and_the_protocols() -> None:
    # Adding a kind is one package and one entry point: nothing in router/ may name a kind.
    def allowed(module: str) -> bool:
        return top(module) not in {"connectors", "simulators"} or module in {"connectors", "connectors.base"}

    core = offenders("router", allowed)
    runs_simulators = {"router/sandbox.py", "router/sandbox_world.py"}  # `router sandbox` starts every simulator
    assert [o for o in core if o.split(":")[0] not in runs_simulators] == []
    assert [o for o in core if "connectors." in o.split(": ")[1] and o.split(": ")[1] != "connectors.base"] == []
