"""Run the WooCommerce simulator standalone: `python -m simulators.woocommerce --port 8083 --key ... --secret ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators._main import add_pairs, pairs, parser, serve
from simulators.woocommerce.simulator import WooCommerceSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def _banner(site: WooCommerceSimulator) -> str:
    return (
        f"WooCommerce simulator: {site.url}/wp-json/wc/v3/\ncontrols: {site.url}/_sim/\n"
        "webhooks: POST /wp-json/wc/v3/webhooks {topic, delivery_url, secret}\n"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    options = parser("woocommerce", __doc__, port=8083)
    options.add_argument("--key", required=True, help="the consumer key (ck_...) the site accepts")
    options.add_argument("--secret", required=True, help="the consumer secret (cs_...) the site accepts")
    add_pairs(options, "--product", "SKU=STOCK", "add (repeatable)")
    args = options.parse_args(argv)
    site = WooCommerceSimulator(consumer_key=args.key, consumer_secret=args.secret, port=args.port)
    for sku, stock in pairs(args.product):
        site.add_product(sku, stock=int(stock or 0))
    serve(site, _banner)


if __name__ == "__main__":
    main()
