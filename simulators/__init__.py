"""Upstream systems played on loopback with their real wire contracts, for tests, bench and the sandbox."""

from __future__ import annotations

from simulators._server import ServerThread

__all__ = ["ServerThread"]
