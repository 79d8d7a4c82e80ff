"""Hostile inputs for every public function of recsys_helpers.viz.

``REJECTED``: one bad argument per call (None, a wrong type, ``True`` for a number or a flag,
an empty input, NaN/inf counts or ratings, a matrix with NaN, note indices that are not box
indices, a colour that is not a colour, an ``ax`` that is not an Axes), each answered by a
``ValueError`` whose message starts with the argument's name. ``DOCUMENTED``: inputs that look
hostile but have a documented answer. Every call checks that its arguments were not mutated,
and that a rejected call leaves no figure open.
"""

from __future__ import annotations

import copy
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from recsys_helpers import viz  # noqa: E402

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)
NAN, INF = float("nan"), float("inf")


from hostile import D, R, assert_unchanged, call_unchanged  # noqa: E402,F401

COUNTS = np.array([10.0, 5.0, 3.0, 1.0, 1.0])
EYE = np.eye(3)
BOXES = ["items", "encoder", "ranker"]

REJECTED = [
    # ---------------------------------------------------------------- head_share / long_tail
    *[R(f"{f.__name__}-counts-{name}", "^counts:", f, bad) for f in (viz.head_share, viz.long_tail)
      for name, bad in (("None", None), ("str", "123"), ("NaN", [1.0, NAN]), ("inf", [1.0, INF]),
                        ("negative", [1.0, -1.0, 5.0]), ("all-zero", [0, 0]), ("empty", []),
                        ("bool", [True, False]), ("2d", [[1, 2]]), ("dict", {1: 2}))],
    R("head_share-counts-numeric-str", "^counts:", viz.head_share, ["1", "3"]),
    *[R(f"head_share-fraction-{name}", "^head_fraction:", viz.head_share, COUNTS, bad)
      for name, bad in (("0", 0), ("1", 1), ("True", True), ("NaN", NAN), ("negative", -0.2), ("str", "0.2"), ("None", None))],
    R("long_tail-fraction-above-1", "^head_fraction:", viz.long_tail, COUNTS, 1.5),
    R("long_tail-ax-str", "^ax:", viz.long_tail, COUNTS, ax="x"),
    R("long_tail-title-None", "^title:", viz.long_tail, COUNTS, title=None),
    R("long_tail-title-int", "^title:", viz.long_tail, COUNTS, title=5),
    # ---------------------------------------------------------------- rating_histogram
    R("ratings-None", "^ratings:", viz.rating_histogram, None),
    R("ratings-all-NaN", "^ratings:.*non-NaN", viz.rating_histogram, [NAN, NAN]),
    R("ratings-inf", "^ratings:.*finite", viz.rating_histogram, [1.0, INF]),
    R("ratings-neg-inf", "^ratings:.*finite", viz.rating_histogram, [1.0, -INF]),
    R("ratings-str", "^ratings:", viz.rating_histogram, ["a", "b"]),
    R("ratings-bool", "^ratings:.*boolean", viz.rating_histogram, [True]),
    R("ratings-empty", "^ratings:", viz.rating_histogram, []),
    R("ratings-2d", "^ratings:", viz.rating_histogram, [[1, 2]]),
    R("ratings-ax-int", "^ax:", viz.rating_histogram, [1, 2], ax=3),
    R("ratings-title-list", "^title:", viz.rating_histogram, [1, 2], title=["t"]),
    # ---------------------------------------------------------------- sparsity_spy
    R("spy-None", "^R:", viz.sparsity_spy, None),
    R("spy-list", "^R:", viz.sparsity_spy, [[1, 0]]),
    R("spy-DataFrame", "^R:", viz.sparsity_spy, pd.DataFrame(EYE)),
    R("spy-no-rows", "^R:.*at least one row", viz.sparsity_spy, np.zeros((0, 3))),
    R("spy-sparse-no-columns", "^R:.*at least one row", viz.sparsity_spy, sp.csr_matrix((3, 0))),
    R("spy-NaN", "^R:.*NaN", viz.sparsity_spy, np.array([[NAN, 1.0]])),
    R("spy-sparse-inf", "^R:.*NaN or infinity", viz.sparsity_spy, sp.csr_matrix(np.array([[INF, 1.0]]))),
    R("spy-str", "^R:.*dtype", viz.sparsity_spy, np.array([["a", "b"]])),
    R("spy-sort-1", "^sort:", viz.sparsity_spy, EYE, sort=1),
    R("spy-sort-None", "^sort:", viz.sparsity_spy, EYE, sort=None),
    R("spy-markersize-negative", "^markersize:", viz.sparsity_spy, EYE, markersize=-1),
    R("spy-markersize-0", "^markersize:", viz.sparsity_spy, EYE, markersize=0),
    R("spy-markersize-True", "^markersize:", viz.sparsity_spy, EYE, markersize=True),
    R("spy-markersize-NaN", "^markersize:", viz.sparsity_spy, EYE, markersize=NAN),
    R("spy-title-int", "^title:", viz.sparsity_spy, EYE, title=5),
    R("spy-ax-str", "^ax:", viz.sparsity_spy, EYE, ax="x"),
    # ---------------------------------------------------------------- flow_diagram
    R("flow-boxes-None", "^boxes:", viz.flow_diagram, None),
    R("flow-boxes-str", "^boxes:.*single string", viz.flow_diagram, "abc"),
    R("flow-boxes-empty", "^boxes:", viz.flow_diagram, []),
    R("flow-boxes-blank", "^boxes:.*empty string", viz.flow_diagram, ["a", " "]),
    R("flow-boxes-int", "^boxes:.*element 1", viz.flow_diagram, ["a", 1]),
    R("flow-boxes-NaN", "^boxes:", viz.flow_diagram, ["a", NAN]),
    R("flow-notes-index-5", "^notes:.*index 5", viz.flow_diagram, BOXES, notes={5: "x"}),
    R("flow-notes-index-negative", "^notes:.*index -1", viz.flow_diagram, BOXES, notes={-1: "x"}),
    R("flow-notes-str-key", "^notes:.*'0'", viz.flow_diagram, BOXES, notes={"0": "x"}),
    R("flow-notes-True-key", "^notes:.*True", viz.flow_diagram, BOXES, notes={True: "x"}),
    R("flow-notes-float-key", "^notes:.*0.0", viz.flow_diagram, BOXES, notes={0.0: "x"}),
    R("flow-notes-list", "^notes:.*mapping", viz.flow_diagram, BOXES, notes=["x"]),
    R("flow-notes-str", "^notes:.*mapping", viz.flow_diagram, BOXES, notes="x"),
    R("flow-notes-value-None", r"^notes\[0\]:", viz.flow_diagram, BOXES, notes={0: None}),
    R("flow-notes-value-int", r"^notes\[0\]:", viz.flow_diagram, BOXES, notes={0: 5}),
    R("flow-notes-value-blank", r"^notes\[1\]:", viz.flow_diagram, BOXES, notes={1: "  "}),
    R("flow-title-None", "^title:", viz.flow_diagram, BOXES, title=None),
    R("flow-title-int", "^title:", viz.flow_diagram, BOXES, title=5),
    R("flow-box_color", "^box_color:", viz.flow_diagram, BOXES, box_color="notacolor"),
    R("flow-box_color-None", "^box_color:", viz.flow_diagram, BOXES, box_color=None),
    R("flow-note_color", "^note_color:", viz.flow_diagram, BOXES, note_color=(1, 2)),
    R("flow-ax-str", "^ax:", viz.flow_diagram, BOXES, ax="x"),
]


@pytest.mark.parametrize("fn, args, kwargs, match", REJECTED)
def test_hostile_input_is_rejected_by_name_and_leaves_no_figure(fn, args, kwargs, match):
    before = set(plt.get_fignums())
    try:
        with pytest.raises(ValueError, match=match):
            call_unchanged(fn, args, kwargs)
        assert set(plt.get_fignums()) == before                     # checked before drawing
    finally:
        plt.close("all")


def _title(ax):
    return ax.get_title()


DOCUMENTED = [
    # a pandas Series of counts is a 1-D array; the head is rounded up (ceil)
    D("head_share-series", lambda got: got == pytest.approx(0.5), viz.head_share, pd.Series([1, 2, 3])),
    D("head_share-ceil", lambda got: got == pytest.approx(10 / 20), viz.head_share, COUNTS, 0.01),
    # NaN ratings are skipped (documented), the rest is counted
    D("ratings-some-NaN", lambda got: [t.get_text() for t in got.get_xticklabels()] == ["1.0", "2.0"],
      viz.rating_histogram, [1.0, NAN, 2.0]),
    # a boolean matrix is a matrix of observed entries
    D("spy-bool", lambda got: "33.3%" in _title(got), viz.sparsity_spy, EYE.astype(bool)),
    D("spy-sparse", lambda got: "33.3%" in _title(got), viz.sparsity_spy, sp.csr_matrix(EYE), sort=False),
    # notes=None and notes={} draw no note; an empty title draws none
    D("flow-notes-empty", lambda got: len(got.patches) == 3 + 2, viz.flow_diagram, BOXES, notes={}),
    D("flow-notes-numpy-int-key", lambda got: len(got.patches) == 3 + 2 + 2, viz.flow_diagram, BOXES,
      notes={np.int64(1): "LM"}),
    D("flow-title-empty", lambda got: got.get_title() == "", viz.flow_diagram, BOXES, title=""),
]


@pytest.mark.parametrize("fn, args, kwargs, check", DOCUMENTED)
def test_hostile_looking_input_has_the_documented_answer(fn, args, kwargs, check):
    try:
        assert check(call_unchanged(fn, args, kwargs))
    finally:
        plt.close("all")


def test_valid_calls_do_not_mutate_their_inputs():
    counts = pd.Series([3, 1, 2], index=["a", "b", "c"])
    ratings = np.array([1.0, NAN, 4.0, 4.0])
    R_ = sp.csr_matrix(np.array([[1, 0, 2], [0, 0, 1]]))
    notes = {1: "pretrained LM"}
    try:
        call_unchanged(viz.long_tail, (counts,), {"head_fraction": 0.4})
        call_unchanged(viz.rating_histogram, (ratings,), {})
        call_unchanged(viz.sparsity_spy, (R_,), {})
        call_unchanged(viz.flow_diagram, (BOXES,), {"notes": notes})
    finally:
        plt.close("all")


@SETTINGS
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=40).filter(any),
       st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_head_share_is_a_share_and_grows_with_the_head(counts, f1, f2):
    lo, hi = sorted((f1, f2))
    a, b = viz.head_share(counts, lo), viz.head_share(counts, hi)
    assert 0 < a <= b <= 1
    assert a >= lo - 1e-12                      # the most popular items hold at least their share
