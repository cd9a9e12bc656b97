"""CI-sized chaos run: 3 processes, faults everywhere, SIGKILLs; nothing lost, duplicated or misrouted."""

from __future__ import annotations

import sys
from pathlib import Path

from bench._chaos import ChaosConfig, run_chaos


async def test_chaos_run_loses_duplicates_and_misroutes_nothing(db_dsn: str, tmp_path: Path) -> None:
    config = ChaosConfig(processes=3, sources=3, orders=60, kills=3, refusals=2, seed=11)
    report = await run_chaos(db_dsn, config, tmp_path)
    sys.stderr.write("\n".join(report.lines()) + "\n")
    figures = report.figures
    assert report.violations == []
    assert figures["orders accepted"] == figures["orders in the WMS"] == 60
    assert figures["orders lost"] == figures["orders duplicated"] == 0
    assert figures["events lost"] == figures["events duplicated"] == figures["events misrouted"] == 0
    assert figures["stock mismatches"] == 0
    assert figures["unexpected dead letters"] == 0
    assert figures["dead letters"] == figures["injected permanent faults (4xx)"] > 0
    assert figures["router processes killed (SIGKILL)"] == 3
    # the chaos really happened: faults were injected and met by the router
    assert figures["injected WMS HTTP 500"] > 0
    assert figures["injected commit-then-timeout"] > 0
    assert figures["events delivered (distinct ids)"] > 0
