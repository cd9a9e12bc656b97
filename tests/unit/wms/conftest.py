"""Shared for the Ongoing WMS mapping tests: request envelopes built by strict zeep from the project's WSDL."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest
import zeep
from lxml import etree

TNS = "{http://ongoingsystems.se/WSI}"

Message = Callable[..., etree._Element]
"""`message(operation, **parameters)`: the SOAP envelope zeep builds (credentials added), or zeep's error."""


@pytest.fixture(scope="module")
def message() -> Message:
    """Build requests against `router/wms/ongoing.wsdl` exactly as the client does, so a wrong name fails here."""
    wsdl = resources.files("router.wms").joinpath("ongoing.wsdl")
    with resources.as_file(wsdl) as path:
        client = zeep.Client(str(path))
    service = client.bind("Service", "ServiceSoap")
    credentials = {"GoodsOwnerCode": "GO", "UserName": "u", "Password": "p"}

    def build(operation: str, **parameters: Any) -> etree._Element:
        envelope: etree._Element = client.create_message(service, operation, **parameters, **credentials)
        return envelope

    return build
