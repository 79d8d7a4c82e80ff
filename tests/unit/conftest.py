"""Unit tests never reach the network, however pytest is started.

``make test-unit`` passes ``--disable-socket --allow-unix-socket`` to pytest-socket; this hook
blocks sockets for every unit test even without those flags (``pytest tests/unit``), so the
Makefile is not the only guard. Unix sockets stay allowed (local IPC only). A test that
truly needs a socket says so with ``@pytest.mark.enable_socket`` (pytest-socket's own marker,
applied after this hook).
"""

from __future__ import annotations

import pytest
from pytest_socket import disable_socket


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    disable_socket(allow_unix_socket=True)
