"""Matplotlib figures the chapters share: long tail, rating histogram, sparsity, flow diagrams.

Each function draws on an ``ax`` (a new figure when none is given), labels its axes,
sets a title and returns the ``Axes`` (plus any number it computed), so a notebook can
add to the plot or ``glue`` the number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import is_color_like
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from scipy import sparse

from . import _checks

__all__ = ["head_share", "long_tail", "rating_histogram", "sparsity_spy", "flow_diagram"]


def _check_ax(ax: object) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise ValueError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")


def _axes(ax: Axes | None, figsize: tuple[float, float] = (6, 4)) -> Axes:
    _check_ax(ax)
    return plt.subplots(figsize=figsize)[1] if ax is None else ax


def _title(title: object, name: str = "title", allow_none: bool = False) -> str | None:
    if title is None and allow_none:
        return None
    if not isinstance(title, str):
        raise ValueError(f"{name}: expected a string{' or None' if allow_none else ''}, "
                         f"got {type(title).__name__}")
    return title


def _colour(value: object, name: str) -> str:
    if not isinstance(value, str) or not is_color_like(value):
        raise ValueError(f"{name}: expected a matplotlib colour such as '#dbe9f6' or 'tab:blue', got {value!r}")
    return value


def head_share(counts: Sequence[float] | np.ndarray | pd.Series, head_fraction: float = 0.2) -> float:
    r"""Share of all interactions that go to the most popular ``head_fraction`` of items.

    .. math:: \frac{\sum_{i \in \text{head}} c_i}{\sum_i c_i}, \quad
              |\text{head}| = \lceil f \cdot |I| \rceil
    """
    c = np.sort(_checks.array(counts, "counts", ndim=1))[::-1]
    if (c < 0).any() or c.sum() == 0:
        raise ValueError("counts: expected a non-empty 1-D array of non-negative counts, not all zero")
    head_fraction = _checks.fraction(head_fraction, "head_fraction", low_open=True, high_open=True)
    n_head = int(np.ceil(head_fraction * c.size))
    return float(c[:n_head].sum() / c.sum())


def long_tail(counts: Sequence[float] | np.ndarray | pd.Series, head_fraction: float = 0.2,
              ax: Axes | None = None, title: str = "The long tail of item popularity") -> tuple[Axes, float]:
    """Items sorted by popularity (x: rank, y: count), the head shaded; returns ``(ax, share)``."""
    share = head_share(counts, head_fraction)
    _title(title)
    _check_ax(ax)
    c = np.sort(np.asarray(counts, dtype=float))[::-1]
    n_head = int(np.ceil(head_fraction * c.size))
    ax = _axes(ax)
    ranks = np.arange(1, c.size + 1)
    ax.fill_between(ranks[:n_head], c[:n_head], color="tab:orange", alpha=0.6,
                    label=f"head: top {head_fraction:.0%} of items ({share:.0%} of interactions)")
    ax.fill_between(ranks[n_head - 1:], c[n_head - 1:], color="tab:blue", alpha=0.4,
                    label=f"long tail ({1 - share:.0%} of interactions)")
    ax.plot(ranks, c, color="black", lw=1)
    ax.set_xlabel("item rank (most popular first)")
    ax.set_ylabel("number of interactions")
    ax.set_title(title)
    ax.legend()
    return ax, share


def rating_histogram(ratings: Sequence[float] | np.ndarray | pd.Series, ax: Axes | None = None,
                     title: str = "Distribution of explicit ratings") -> Axes:
    """Bar chart of how often each rating value occurs (NaN ratings are not counted; infinity is rejected)."""
    r = pd.Series(_checks.array(ratings, "ratings", ndim=1, finite=False)).dropna()
    if r.empty:
        raise ValueError("ratings: expected at least one non-NaN rating")
    if np.isinf(r.to_numpy()).any():
        raise ValueError("ratings: expected finite ratings (NaN is skipped), found infinity")
    _title(title)
    counts = r.value_counts().sort_index()
    ax = _axes(ax)
    ax.bar(counts.index.astype(str), counts.to_numpy(), color="tab:blue")
    ax.set_xlabel("rating")
    ax.set_ylabel("number of ratings")
    ax.set_title(title)
    return ax


def sparsity_spy(R: "np.ndarray | sparse.spmatrix", ax: Axes | None = None, sort: bool = True,
                 markersize: float = 0.3, title: str | None = None) -> Axes:
    """Dot plot of the observed entries of a user x item matrix.

    With ``sort`` the most active users go to the top and the most popular items to the left,
    which makes the dense head and the sparse tail visible. ``R`` is numeric or boolean,
    without NaN or infinity, with at least one row and one column.
    """
    _checks.matrix_like(R, "R")
    if R.dtype.kind not in "biuf":  # type: ignore[union-attr]
        raise ValueError(f"R: expected a numeric or boolean matrix, got dtype {R.dtype}")  # type: ignore[union-attr]
    shape = R.shape  # type: ignore[union-attr]
    if 0 in shape:
        raise ValueError(f"R: expected at least one row and one column, got shape {shape}")
    M = sparse.csr_matrix(R)
    if M.dtype.kind == "f" and not np.isfinite(M.data).all():
        raise ValueError("R: expected finite values, found NaN or infinity")
    sort = _checks.flag(sort, "sort")
    markersize = _checks.number(markersize, "markersize", 0.0, low_open=True)
    _title(title, allow_none=True)
    _check_ax(ax)
    if sort:
        nz = (M != 0)
        rows = np.argsort(-np.asarray(nz.sum(axis=1)).ravel(), kind="stable")
        cols = np.argsort(-np.asarray(nz.sum(axis=0)).ravel(), kind="stable")
        M = M[rows][:, cols]
    density = M.count_nonzero() / (M.shape[0] * M.shape[1])
    ax = _axes(ax, (6, 4))
    ax.spy(M, markersize=markersize, aspect="auto", color="black")
    ax.set_xlabel("items" + (" (most popular first)" if sort else ""))
    ax.set_ylabel("users" + (" (most active first)" if sort else ""))
    ax.set_title(title or f"Observed entries: {density:.1%} of the matrix")
    ax.xaxis.set_ticks_position("bottom")
    return ax


def flow_diagram(boxes: Sequence[str], notes: dict[int, str] | None = None, ax: Axes | None = None,
                 title: str = "", box_color: str = "#dbe9f6", note_color: str = "#fde2c8") -> Axes:
    """Left-to-right boxes joined by arrows; ``notes[i]`` hangs a second box under box ``i``.

    Used to show where a component (e.g. a pretrained language model) plugs into a pipeline.
    ``notes`` maps box indices (integers in ``[0, len(boxes))``) to non-empty strings.
    """
    boxes = _checks.texts(boxes, "boxes", allow_empty_strings=False)
    if notes is None:
        notes = {}
    if not isinstance(notes, Mapping):
        raise ValueError(f"notes: expected a mapping {{box index: text}} or None, got {type(notes).__name__}")
    bad = [i for i in notes if not (_checks.is_int(i) and 0 <= i < len(boxes))]
    if bad:
        raise ValueError(f"notes: index {bad[0]!r} is not a box index in [0, {len(boxes)})")
    notes = {int(i): _checks.text(t, f"notes[{i}]") for i, t in notes.items()}
    _title(title)
    _colour(box_color, "box_color")
    _colour(note_color, "note_color")
    n = len(boxes)
    ax = _axes(ax, (2.3 * n, 3.6))
    w, h, gap = 1.1, 0.55, 0.3
    for i, label in enumerate(boxes):
        x = i * (w + gap)
        ax.add_patch(FancyBboxPatch((x, 1.0), w, h, boxstyle="round,pad=0.03", fc=box_color, ec="black"))
        ax.text(x + w / 2, 1.0 + h / 2, label, ha="center", va="center", fontsize=8.5)
        if i:
            ax.add_patch(FancyArrowPatch((x - gap, 1.0 + h / 2), (x, 1.0 + h / 2),
                                         arrowstyle="-|>", mutation_scale=12, color="black"))
        if i in notes:
            ax.add_patch(FancyBboxPatch((x, 0.0), w, h, boxstyle="round,pad=0.03", fc=note_color,
                                        ec="tab:orange"))
            ax.text(x + w / 2, h / 2, notes[i], ha="center", va="center", fontsize=8)
            ax.add_patch(FancyArrowPatch((x + w / 2, h), (x + w / 2, 1.0), arrowstyle="-|>",
                                         mutation_scale=12, color="tab:orange", ls="--"))
    ax.set_xlim(-0.1, n * (w + gap) - gap + 0.1)
    ax.set_ylim(-0.1, 1.0 + h + 0.15)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
