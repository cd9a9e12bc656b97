"""Multi-source order router: many sales sources, one Ongoing WMS goods owner."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
