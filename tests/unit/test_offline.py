"""The unit tests run with the network blocked (tests/unit/conftest.py), with or without flags."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_socket import SocketBlockedError

HERE = Path(__file__).resolve()
# pytest-socket warns as it raises; the raise is what these tests check
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")


def test_tcp_connection_attempt_raises():
    with pytest.raises(SocketBlockedError):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(SocketBlockedError):
        socket.getaddrinfo("pypi.org", 443)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no unix sockets on this platform")
def test_unix_sockets_stay_allowed():
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        a.sendall(b"ok")
        assert b.recv(2) == b"ok"


def test_blocked_without_pytest_socket_flags():
    """`pytest tests/unit` without --disable-socket still blocks (the conftest, not the Makefile)."""
    if os.environ.get("_RECSYS_OFFLINE_INNER"):
        pytest.skip("inner run")
    env = dict(os.environ, _RECSYS_OFFLINE_INNER="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"{HERE}::test_tcp_connection_attempt_raises"],
        cwd=HERE.parents[2], env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout, proc.stdout
