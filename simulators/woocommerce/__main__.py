"""Run the WooCommerce simulator standalone: `python -m simulators.woocommerce --port 8083 --key ... --secret ...`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from simulators.woocommerce.simulator import WooCommerceSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m simulators.woocommerce", description=__doc__)
    parser.add_argument("--port", type=int, default=8083, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--key", required=True, help="the consumer key (ck_...) the site accepts")
    parser.add_argument("--secret", required=True, help="the consumer secret (cs_...) the site accepts")
    parser.add_argument("--product", action="append", default=[], metavar="SKU=STOCK", help="add (repeatable)")
    args = parser.parse_args(argv)
    site = WooCommerceSimulator(consumer_key=args.key, consumer_secret=args.secret, port=args.port)
    for spec in args.product:
        sku, _, stock = spec.partition("=")
        site.add_product(sku, stock=int(stock or 0))
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with site:
        sys.stdout.write(f"WooCommerce simulator: {site.url}/wp-json/wc/v3/\ncontrols: {site.url}/_sim/\n")
        sys.stdout.write("webhooks: POST /wp-json/wc/v3/webhooks {topic, delivery_url, secret}\n")
        sys.stdout.flush()
        stop.wait()


if __name__ == "__main__":
    main()
