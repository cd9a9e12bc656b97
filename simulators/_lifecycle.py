"""Start/stop/context-manager plumbing shared by every simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Self

from simulators._server import ServerThread

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["Sender", "ServedSimulator"]


class Sender(Protocol):
    """A background worker (webhook or event sender) that runs while the simulator serves."""

    def start(self) -> None:
        """Start the worker's thread."""

    def stop(self) -> None:
        """Stop the worker's thread."""


class ServedSimulator:
    """An ASGI app served from a `ServerThread` on loopback, with background senders around it.

    `start()` starts the senders, then the server; `stop()` runs `_before_stop()` (e.g. releasing held
    responses), stops the server, then the senders. Usable as a context manager.
    """

    def __init__(self, app: Callable[..., Any], *, port: int, name: str, senders: Sequence[Sender] = ()) -> None:
        self._server = ServerThread(app, port=port, name=name)
        self._senders = tuple(senders)

    def start(self) -> Self:
        """Serve on 127.0.0.1 (after starting the background senders); returns once connections are accepted."""
        for sender in self._senders:
            sender.start()
        self._server.start()
        return self

    def stop(self) -> None:
        """Run the simulator's own first steps, stop serving, then stop the background senders."""
        self._before_stop()
        self._server.stop()
        for sender in self._senders:
            sender.stop()

    def _before_stop(self) -> None:
        """What must happen before the server stops (nothing by default)."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (the control API lives under `/_sim/`)."""
        return self._server.url

    def _serving_url(self) -> str | None:
        """The base URL while serving, else None (what `__repr__` shows)."""
        return self._server.url if self._server.running else None
