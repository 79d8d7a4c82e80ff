"""Tests of the shared figure helpers (numbers they compute, labels they set, bad input)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import sparse  # noqa: E402

from recsys_helpers import viz  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_head_share_by_hand():
    # 10 items; the top 20% (2 items) hold 50 + 30 of 100 interactions
    counts = [50, 30, 5, 5, 2, 2, 2, 2, 1, 1]
    assert viz.head_share(counts, 0.2) == pytest.approx(0.8)
    assert viz.head_share(np.ones(10), 0.5) == pytest.approx(0.5)
    # the head is rounded up: 20% of 3 items is 1 item
    assert viz.head_share([1, 1, 1], 0.2) == pytest.approx(1 / 3)


@pytest.mark.parametrize("counts", [[], [0, 0], [1, -1]])
def test_head_share_bad_counts(counts):
    with pytest.raises(ValueError, match="counts"):
        viz.head_share(counts)


def test_head_share_bad_fraction():
    with pytest.raises(ValueError, match="head_fraction"):
        viz.head_share([1, 2], 1.0)


def test_long_tail_returns_share_and_labels():
    ax, share = viz.long_tail([5, 3, 1, 1])
    assert share == pytest.approx(0.5)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_rating_histogram_counts_and_nan():
    ax = viz.rating_histogram([1, 5, 5, np.nan])
    heights = [p.get_height() for p in ax.patches]
    assert sorted(heights) == [1, 2]
    with pytest.raises(ValueError, match="ratings"):
        viz.rating_histogram([np.nan])


def test_sparsity_spy_title_has_density():
    R = sparse.csr_matrix(np.array([[1, 0], [0, 0]]))
    ax = viz.sparsity_spy(R)
    assert "25.0%" in ax.get_title()
    with pytest.raises(ValueError, match="R"):
        viz.sparsity_spy(np.ones(3))


def test_flow_diagram_boxes_and_bad_note():
    ax = viz.flow_diagram(["a", "b", "c"], notes={1: "LM"})
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["a", "b", "LM", "c"]
    with pytest.raises(ValueError, match="notes"):
        viz.flow_diagram(["a"], notes={3: "x"})
    with pytest.raises(ValueError, match="boxes"):
        viz.flow_diagram([])
