"""The generic connector: a source pushes canonical JSON orders with its API key."""

from __future__ import annotations

from connectors.generic.connector import GenericConnector

__all__ = ["GenericConnector"]
