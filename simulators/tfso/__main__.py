"""Run the 24SevenOffice simulator standalone: `python -m simulators.tfso --port 8082 ...`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from simulators.tfso.simulator import TfsoSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence

_SERVICES = ("Authenticate", "InvoiceService", "ProductService", "CompanyService")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m simulators.tfso", description=__doc__)
    parser.add_argument("--port", type=int, default=8082, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--application-id", required=True, help="the ApplicationId (GUID) the simulator accepts")
    parser.add_argument("--user", required=True, help="the API user name (an e-mail address) it accepts")
    parser.add_argument("--password", required=True, help="the API password it accepts")
    parser.add_argument("--session-idle", type=float, default=20 * 60, help="session idle timeout in seconds")
    parser.add_argument(
        "--product",
        action="append",
        default=[],
        metavar="NUMBER=STOCK",
        help="pre-create a product with stock (repeatable)",
    )
    args = parser.parse_args(argv)
    simulator = TfsoSimulator(
        application_id=args.application_id,
        username=args.user,
        password=args.password,
        session_idle_timeout=args.session_idle,
        port=args.port,
    )
    for spec in args.product:
        number, _, stock = spec.partition("=")
        simulator.add_product(number, stock=int(stock or 0))
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with simulator:
        sys.stdout.write(f"24SevenOffice simulator: {simulator.base_url}\n")
        for service in _SERVICES:
            sys.stdout.write(f"{service}: {simulator.url(service)}?WSDL\n")
        sys.stdout.write(f"controls: {simulator.base_url}/_sim/\n")
        sys.stdout.flush()
        stop.wait()


if __name__ == "__main__":
    main()
