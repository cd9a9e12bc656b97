"""Run the Omnium simulator standalone: `python -m simulators.omnium --port 8083 --client-id ... ...`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from simulators.omnium.simulator import OmniumSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m simulators.omnium", description=__doc__)
    parser.add_argument("--port", type=int, default=8083, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--client-id", required=True, help="the API user's ClientId the simulator accepts")
    parser.add_argument("--client-secret", required=True, help="the API user's ClientSecret the simulator accepts")
    parser.add_argument("--webhook-url", help="deliver event-subscription webhooks to this URL")
    parser.add_argument(
        "--webhook-header",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a custom header sent with every webhook (repeatable)",
    )
    args = parser.parse_args(argv)
    simulator = OmniumSimulator(client_id=args.client_id, client_secret=args.client_secret, port=args.port)
    if args.webhook_url:
        headers = dict(spec.partition("=")[::2] for spec in args.webhook_header)
        simulator.subscribe(args.webhook_url, headers=headers)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with simulator:
        sys.stdout.write(f"Omnium simulator: {simulator.url}/api/  controls: {simulator.url}/_sim/\n")
        sys.stdout.flush()
        stop.wait()


if __name__ == "__main__":
    main()
