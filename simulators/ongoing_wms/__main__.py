"""Run the Ongoing WMS simulator standalone: `python -m simulators.ongoing_wms --port 8081 ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators._main import add_pairs, pairs, parser, serve
from simulators.ongoing_wms.simulator import OngoingWmsSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    options = parser("ongoing_wms", __doc__, port=8081)
    options.add_argument("--user", required=True, help="the API user name the simulator accepts")
    options.add_argument("--password", required=True, help="the API password the simulator accepts")
    options.add_argument("--goods-owner", required=True, help="the GoodsOwnerCode the simulator accepts")
    options.add_argument("--warehouse", default="demo", help="the warehouse path segment (default: demo)")
    add_pairs(options, "--article", "NUMBER=STOCK", "pre-create an article with stock on hand (repeatable)")
    args = options.parse_args(argv)
    simulator = OngoingWmsSimulator(
        username=args.user,
        password=args.password,
        goods_owner_code=args.goods_owner,
        warehouse=args.warehouse,
        port=args.port,
    )
    for number, stock in pairs(args.article):
        simulator.add_article(number, stock=int(stock or 0))
    serve(
        simulator,
        lambda sim: f"Ongoing WMS simulator: {sim.url}\nWSDL: {sim.wsdl_url}\ncontrols: {sim.base_url}/_sim/\n",
    )


if __name__ == "__main__":
    main()
