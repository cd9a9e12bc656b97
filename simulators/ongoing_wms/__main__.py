"""Run the Ongoing WMS simulator standalone: `python -m simulators.ongoing_wms --port 8081 ...`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from simulators.ongoing_wms.simulator import OngoingWmsSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m simulators.ongoing_wms", description=__doc__)
    parser.add_argument("--port", type=int, default=8081, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--user", required=True, help="the API user name the simulator accepts")
    parser.add_argument("--password", required=True, help="the API password the simulator accepts")
    parser.add_argument("--goods-owner", required=True, help="the GoodsOwnerCode the simulator accepts")
    parser.add_argument("--warehouse", default="demo", help="the warehouse path segment (default: demo)")
    parser.add_argument(
        "--article",
        action="append",
        default=[],
        metavar="NUMBER=STOCK",
        help="pre-create an article with stock on hand (repeatable)",
    )
    args = parser.parse_args(argv)
    simulator = OngoingWmsSimulator(
        username=args.user,
        password=args.password,
        goods_owner_code=args.goods_owner,
        warehouse=args.warehouse,
        port=args.port,
    )
    for spec in args.article:
        number, _, stock = spec.partition("=")
        simulator.add_article(number, stock=int(stock or 0))
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with simulator:
        sys.stdout.write(f"Ongoing WMS simulator: {simulator.url}\n")
        sys.stdout.write(f"WSDL: {simulator.wsdl_url}\ncontrols: {simulator.base_url}/_sim/\n")
        sys.stdout.flush()
        stop.wait()


if __name__ == "__main__":
    main()
