"""Run the 24SevenOffice simulator standalone: `python -m simulators.tfso --port 8082 ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators._main import add_pairs, pairs, parser, serve
from simulators.tfso.simulator import TfsoSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence

_SERVICES = ("Authenticate", "InvoiceService", "ProductService", "CompanyService")


def _banner(simulator: TfsoSimulator) -> str:
    services = "".join(f"{service}: {simulator.url(service)}?WSDL\n" for service in _SERVICES)
    return f"24SevenOffice simulator: {simulator.base_url}\n{services}controls: {simulator.base_url}/_sim/\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, serve until SIGINT or SIGTERM."""
    options = parser("tfso", __doc__, port=8082)
    options.add_argument("--application-id", required=True, help="the ApplicationId (GUID) the simulator accepts")
    options.add_argument("--user", required=True, help="the API user name (an e-mail address) it accepts")
    options.add_argument("--password", required=True, help="the API password it accepts")
    options.add_argument("--session-idle", type=float, default=20 * 60, help="session idle timeout in seconds")
    add_pairs(options, "--product", "NUMBER=STOCK", "pre-create a product with stock (repeatable)")
    args = options.parse_args(argv)
    simulator = TfsoSimulator(
        application_id=args.application_id,
        username=args.user,
        password=args.password,
        session_idle_timeout=args.session_idle,
        port=args.port,
    )
    for number, stock in pairs(args.product):
        simulator.add_product(number, stock=int(stock or 0))
    serve(simulator, _banner)


if __name__ == "__main__":
    main()
