"""The 24SevenOffice ERP connector (kind `tfso`): pulls confirmed orders, reports shipping, pushes stock."""

from __future__ import annotations

from connectors.tfso.client import TfsoClient
from connectors.tfso.connector import TfsoConnector
from connectors.tfso.cursor import Cursor, Phase
from connectors.tfso.faults import SessionExpired
from connectors.tfso.settings import TfsoCredentials, TfsoSettings

__all__ = [
    "Cursor",
    "Phase",
    "SessionExpired",
    "TfsoClient",
    "TfsoConnector",
    "TfsoCredentials",
    "TfsoSettings",
]
