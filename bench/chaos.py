"""The long chaos run: many orders, several processes SIGKILLed and restarted, faults everywhere; prints counts.

    .venv/bin/python bench/chaos.py [--orders 600] [--duration 180] [--processes 3] [--sources 4] [--kills 10]
                                    [--seed 1] [--logs DIR]

The same harness as tests/chaos (bench/_chaos.py): 10 % WMS HTTP 500, 5 % commit-then-time-out, added
latency, 20 % of WMS webhooks duplicated and 20 % reordered, 5 % of source callbacks answered 500 and a few
refused with 422; clients retry on another process when theirs dies. `--duration` paces the orders over that
many seconds. Ends with the invariants (lost = duplicated = misrouted = 0) and exits 1 if any is broken.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._chaos import ChaosConfig, run_chaos
from bench._harness import Postgres


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--duration", type=float, default=180.0, help="seconds over which orders are pushed")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--refusals", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--logs", type=Path, default=None, help="where router logs go (default: a temp dir)")
    args = parser.parse_args()
    config = ChaosConfig(
        processes=args.processes,
        sources=args.sources,
        orders=args.orders,
        kills=args.kills,
        refusals=args.refusals,
        seed=args.seed,
        push_rate=args.orders / args.duration if args.duration > 0 else None,
        drain_timeout=300.0,
    )
    logs = args.logs or Path(tempfile.mkdtemp(prefix="router-chaos-"))
    logs.mkdir(parents=True, exist_ok=True)
    pg = Postgres()
    try:
        dsn = await pg.new_database()
        report = await run_chaos(dsn, config, logs)
    finally:
        pg.close()
    print(f"chaos run: {config}")
    print(f"router logs: {logs}")
    print("\n".join(report.lines()))
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
