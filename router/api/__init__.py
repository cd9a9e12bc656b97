"""The REST API (litestar): sources, order push and status, dead letters, inbox, health."""

from __future__ import annotations

from router.api.app import create_app

__all__ = ["create_app"]
