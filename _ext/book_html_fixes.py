"""Small Sphinx fixes for the HTML of this book (loaded from ``_config.yml``).

Sphinx 7.4 registers an inline ``<script>`` that an extension adds after the builder
started (sphinx-thebe, sphinx-togglebutton do) twice: once with ``filename=None`` and
once with ``filename=''``. The second copy of ``const THEBE_JS_URL = ...`` throws
"Identifier 'THEBE_JS_URL' has already been declared" in every reader's console.
This extension drops the duplicates page by page; ``tests/browser`` checks that no
page logs a console error.
"""

from __future__ import annotations

from typing import Any


def _asset_key(asset: Any) -> tuple:
    filename = getattr(asset, "filename", asset) or ""
    attributes = getattr(asset, "attributes", {}) or {}
    return (filename, getattr(asset, "priority", 0), tuple(sorted(attributes.items())))


def dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Keep the first of identical ``<script>`` entries (same file, body and attributes)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for asset in scripts:
        key = _asset_key(asset)
        if key not in seen:
            seen.add(key)
            unique.append(asset)
    scripts[:] = unique


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
