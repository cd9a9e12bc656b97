"""Run the Shopify simulator standalone: `python -m simulators.shopify --port 8082 --token ... --secret ...`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from simulators.shopify.simulator import ShopifySimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m simulators.shopify", description=__doc__)
    parser.add_argument("--port", type=int, default=8082, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--token", required=True, help="the Admin API access token the shop accepts")
    parser.add_argument("--secret", required=True, help="the app secret that signs webhooks")
    parser.add_argument("--leak-rate", type=float, default=2.0, help="leaky bucket: calls per second (default 2)")
    parser.add_argument("--bucket-size", type=int, default=40, help="leaky bucket size (default 40)")
    parser.add_argument("--webhook", action="append", default=[], metavar="TOPIC=URL", help="subscribe (repeatable)")
    parser.add_argument("--product", action="append", default=[], metavar="SKU=AVAILABLE", help="add (repeatable)")
    args = parser.parse_args(argv)
    shop = ShopifySimulator(
        access_token=args.token,
        webhook_secret=args.secret,
        leak_rate=args.leak_rate,
        bucket_size=args.bucket_size,
        port=args.port,
    )
    for spec in args.product:
        sku, _, available = spec.partition("=")
        shop.add_product(sku, available=int(available or 0))
    for spec in args.webhook:
        topic, _, url = spec.partition("=")
        shop.subscribe(topic, url)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with shop:
        sys.stdout.write(f"Shopify simulator: {shop.url}/admin/api/{shop.api_version}/\n")
        sys.stdout.write(f"location: {shop.location_id}\ncontrols: {shop.url}/_sim/\n")
        sys.stdout.flush()
        stop.wait()


if __name__ == "__main__":
    main()
