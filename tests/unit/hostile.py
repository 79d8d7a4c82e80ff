"""Shared helpers of the hostile-input test modules (``test_hostile_*.py``).

A hostile case is either *rejected* (``R``: the call must raise a ``ValueError`` whose message
matches, naming the argument) or *documented* (``D``: the call returns an answer that a check
accepts). Either way :func:`call_unchanged` checks that the call left its arguments unchanged.
"""

from __future__ import annotations

import copy
import math
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp


def _torch():
    """torch, when a test module has imported it (the helpers never import it themselves)."""
    return sys.modules.get("torch")


def assert_unchanged(before: object, after: object) -> None:
    """Deep equality that treats NaN as equal to NaN (frames, arrays, sparse, tensors, containers)."""
    if isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(before, after)
    elif isinstance(before, pd.Index):
        pd.testing.assert_index_equal(before, after)
    elif isinstance(before, np.ndarray):
        assert before.shape == after.shape and before.dtype == after.dtype
        if before.dtype.kind in "fc":
            np.testing.assert_array_equal(before, after)  # NaN == NaN here
        else:
            assert (before == after).all()
    elif sp.issparse(before):
        assert before.shape == after.shape and before.dtype == after.dtype
        assert (before != after).nnz == 0 or np.array_equal(before.toarray(), after.toarray(), equal_nan=True)
    elif _torch() is not None and isinstance(before, _torch().Tensor):
        assert before.dtype == after.dtype and _torch().equal(before.nan_to_num(), after.nan_to_num())
    elif _torch() is not None and isinstance(before, _torch().nn.Module):
        sa, sb = before.state_dict(), after.state_dict()
        assert list(sa) == list(sb) and all(_torch().equal(sa[k], sb[k]) for k in sa)
    elif isinstance(before, dict):
        assert list(before) == list(after)
        for k in before:
            assert_unchanged(before[k], after[k])
    elif isinstance(before, (list, tuple)):
        assert len(before) == len(after)
        for a, b in zip(before, after):
            assert_unchanged(a, b)
    elif isinstance(before, float) and math.isnan(before):
        assert math.isnan(after)
    else:
        assert before == after


def call_unchanged(fn, args: tuple, kwargs: dict):
    """Call ``fn`` on the arguments and check that it left them as they were."""
    before = copy.deepcopy((args, kwargs))
    try:
        return fn(*args, **kwargs)
    finally:
        assert_unchanged(before, (args, kwargs))


def R(case_id: str, match: str, fn, *args, **kwargs):
    """A rejected call: ``fn(*args, **kwargs)`` must raise ValueError matching ``match``."""
    return pytest.param(fn, args, kwargs, match, id=case_id)


def D(case_id: str, check, fn, *args, **kwargs):
    """A documented call: ``check(fn(*args, **kwargs))`` must hold."""
    return pytest.param(fn, args, kwargs, check, id=case_id)


def tiny_catalogue(varied_ratings: bool = False):
    """12 items in two classes, three reviews each, whose texts use a few style words.

    ``varied_ratings`` gives the items mean ratings 3.0, 3.5 and 4.0 in turn (else all 3.0).
    """
    from recsys_helpers import data

    words = ["casual everyday tee", "for work at the office", "party dress for a wedding",
             "boho embroidered top", "cozy winter knit", "beach summer vacation"]
    reviews, items = [], []
    for i in range(12):
        cls, dept = ("Dresses", "Dresses") if i < 6 else ("Knits", "Tops")
        for r in range(3):
            reviews.append({"review_id": len(reviews), "item_id": 100 + i, "age": 30 + r, "title": f"Title {i}",
                            "text": f"Lovely {words[(i + r) % 6]}.", "rating": 1 + (i + r) % 5,
                            "recommended": 1, "positive_feedback": r, "division": "General",
                            "department": dept, "class_name": cls})
        items.append({"item_id": 100 + i, "title": f"{cls} #{100 + i}", "text": f"{cls} item",
                      "categories": [dept, cls], "department": dept, "class_name": cls, "n_reviews": 3,
                      "mean_rating": 3.0 + ((i % 3) / 2 if varied_ratings else 0.0)})
    return data.ClothingReviews(pd.DataFrame(items), pd.DataFrame(reviews),
                                data.CleaningReport(len(reviews), len(reviews), {}))
