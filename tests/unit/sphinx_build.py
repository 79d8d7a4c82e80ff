"""One Sphinx HTML build for the tests of the book's extensions (``_ext/``)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from pathlib import Path

import urllib3  # noqa: F401 - Sphinx imports it; its import probes IPv6 with a socket, blocked in tests


def build_html(src: Path, *extra: str) -> tuple[int, str]:
    """``sphinx-build -q -b html [extra] src src/_build``: (exit status, what it wrote to stderr)."""
    from sphinx.cmd.build import build_main

    err = io.StringIO()
    with redirect_stderr(err):
        status = build_main(["-q", "-b", "html", *extra, str(src), str(src / "_build")])
    return status, err.getvalue()
