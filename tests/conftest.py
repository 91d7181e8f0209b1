"""Shared fixtures; Hypothesis profiles ``dev`` (default) and ``ci``, chosen by HYPOTHESIS_PROFILE."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import httpx
import pytest
from hypothesis import HealthCheck, settings

from conformance import LagoMock
from conformance._asgi import ASGISyncTransport
from conformance._mock.serve import serving

if TYPE_CHECKING:
    from collections.abc import Iterator

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

API_KEY = "test-key-0123456789"


@pytest.fixture
def mock() -> LagoMock:
    """A fresh mock with the test API key."""
    return LagoMock(api_key=API_KEY)


@pytest.fixture
def client(mock: LagoMock) -> Iterator[httpx.Client]:
    """An httpx client talking to ``mock`` in-process, base URL ending in /api/v1."""
    transport = ASGISyncTransport(mock)
    with httpx.Client(transport=transport, base_url="http://lago.test/api/v1") as http:
        yield http
    transport.close()


@pytest.fixture
def http_client(mock: LagoMock) -> Iterator[httpx.Client]:
    """An httpx client talking to ``mock`` over real HTTP on 127.0.0.1."""
    with serving(mock) as url, httpx.Client(base_url=url + "/api/v1", timeout=10) as http:
        yield http


pytest_plugins = ["pytester"]
