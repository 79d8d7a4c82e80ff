"""The prose of a gated solution: folded in JupyterLab, open inside the HTML solution.

JupyterLab shows every markdown cell it runs, so after *Run All* the prose of a gated
solution (``solution-start`` ... ``solution-end``, sphinx-exercise) would be visible in the
notebook. The chapters therefore write that prose inside a dropdown admonition with the
marker class ``solution-text``::

    ````{admonition} The rest of the solution
    :class: dropdown solution-text
    ... prose with {eval} numbers ...
    ````

jupyterlab-myst renders a ``dropdown`` admonition closed, so a student clicks to read it. In
the HTML book the whole solution already sits in a closed dropdown, and a second fold inside
it would cost the reader a click for nothing: this extension removes the ``dropdown`` class
from every admonition marked ``solution-text``, so it is shown open there.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

MARKER = "solution-text"


def unfold_solution_text(app: Any, doctree: nodes.document, docname: str) -> None:
    """Drop ``dropdown`` from the classes of admonitions marked ``solution-text``."""
    for node in doctree.findall(nodes.Element):
        classes = node.get("classes", [])
        if MARKER in classes and "dropdown" in classes:
            node["classes"] = [c for c in classes if c != "dropdown"]


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", unfold_solution_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
