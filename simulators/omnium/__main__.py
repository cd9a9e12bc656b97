"""Run the Omnium simulator standalone: `python -m simulators.omnium --port 8083 --client-id ... ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators._main import add_pairs, pairs, parser, serve
from simulators.omnium.simulator import OmniumSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    options = parser("omnium", __doc__, port=8083)
    options.add_argument("--client-id", required=True, help="the API user's ClientId the simulator accepts")
    options.add_argument("--client-secret", required=True, help="the API user's ClientSecret the simulator accepts")
    options.add_argument("--webhook-url", help="deliver event-subscription webhooks to this URL")
    add_pairs(options, "--webhook-header", "NAME=VALUE", "a custom header sent with every webhook (repeatable)")
    args = options.parse_args(argv)
    simulator = OmniumSimulator(client_id=args.client_id, client_secret=args.client_secret, port=args.port)
    if args.webhook_url:
        simulator.subscribe(args.webhook_url, headers=dict(pairs(args.webhook_header)))
    serve(simulator, lambda sim: f"Omnium simulator: {sim.url}/api/  controls: {sim.url}/_sim/\n")


if __name__ == "__main__":
    main()
