"""Run the Shopify simulator standalone: `python -m simulators.shopify --port 8082 --token ... --secret ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators._main import add_pairs, pairs, parser, serve
from simulators.shopify.simulator import ShopifySimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def _banner(shop: ShopifySimulator) -> str:
    return (
        f"Shopify simulator: {shop.url}/admin/api/{shop.api_version}/\n"
        f"location: {shop.location_id}\ncontrols: {shop.url}/_sim/\n"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    options = parser("shopify", __doc__, port=8082)
    options.add_argument("--token", required=True, help="the Admin API access token the shop accepts")
    options.add_argument("--secret", required=True, help="the app secret that signs webhooks")
    options.add_argument("--leak-rate", type=float, default=2.0, help="leaky bucket: calls per second (default 2)")
    options.add_argument("--bucket-size", type=int, default=40, help="leaky bucket size (default 40)")
    add_pairs(options, "--webhook", "TOPIC=URL", "subscribe (repeatable)")
    add_pairs(options, "--product", "SKU=AVAILABLE", "add (repeatable)")
    args = options.parse_args(argv)
    shop = ShopifySimulator(
        access_token=args.token,
        webhook_secret=args.secret,
        leak_rate=args.leak_rate,
        bucket_size=args.bucket_size,
        port=args.port,
    )
    for sku, available in pairs(args.product):
        shop.add_product(sku, available=int(available or 0))
    for topic, url in pairs(args.webhook):
        shop.subscribe(topic, url)
    serve(shop, _banner)


if __name__ == "__main__":
    main()
