"""Hostile inputs for every public function of recsys_helpers.metrics.

Each case in ``REJECTED`` feeds one bad argument (None, a wrong type, ``True`` for a number, an
empty input, a missing column, NaN/inf in ids, scores, gains or vectors, a duplicate or unknown
id, a mismatched shape, a cut-off larger than possible, a negative value) and expects a
``ValueError`` whose message starts with the name of the argument. ``DOCUMENTED`` lists the
inputs that look hostile but have a documented answer, and checks that answer. Every call of
both tables also checks that no argument was mutated. The hypothesis tests at the end check the
exact tie handling of ``full_ranking_metrics`` against a brute-force average over tie orders,
the contract of ``top_k`` and the ranges of the metrics.
"""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import metrics as m

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)
NAN, INF = float("nan"), float("inf")


from hostile import D, R, assert_unchanged, call_unchanged  # noqa: E402,F401


# --------------------------------------------------------------------------- small valid inputs
REC = {1: [10, 20, 30], 2: [20, 30, 40]}
REL = {1: {10}, 2: {40, 50}}
EXP = {1: [10], 2: [20]}
POP = {10: 0.5, 20: 0.25, 30: 0.125, 40: 1.0}
VEC = {10: [1.0, 0.0], 20: [0.0, 1.0], 30: [1.0, 1.0], 40: [1.0, 2.0]}
VEC_DF = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 2.0]], index=[10, 20, 30, 40])
S3 = np.array([[3.0, 1.0, 2.0], [1.0, 1.0, 1.0]])


def rec_df(**cols) -> pd.DataFrame:
    df = pd.DataFrame({"user_id": [1, 1, 1, 2, 2, 2], "item_id": [10, 20, 30, 20, 30, 40]})
    for k, v in cols.items():
        df[k] = v
    return df


def inter(**cols) -> pd.DataFrame:
    df = pd.DataFrame({"user_id": [1, 1, 2, 3], "item_id": [10, 20, 20, 30]})
    for k, v in cols.items():
        df[k] = v
    return df


ACCURACY = [m.precision_at_k, m.recall_at_k, m.f1_at_k, m.ndcg_at_k, m.map_at_k, m.mrr_at_k, m.hit_rate_at_k]

REJECTED = [
    # ---------------------------------------------------------------- the lists (shared by all list metrics)
    *[R(f"{f.__name__}-rec-None", "^recommended:", f, None, REL, 2) for f in ACCURACY],
    *[R(f"{f.__name__}-k-True", "^k:", f, REC, REL, True) for f in ACCURACY],
    *[R(f"{f.__name__}-per_user-1", "^per_user:", f, REC, REL, 2, per_user=1) for f in ACCURACY],
    R("rec-str", "^recommended:", m.precision_at_k, "abc", REL, 2),
    R("rec-list-of-lists", "^recommended:", m.precision_at_k, [[10, 20]], REL, 2),
    R("rec-items-str", r"^recommended\[1\]:.*single string", m.precision_at_k, {1: "abc"}, {1: {"a"}}, 2),
    R("rec-user-None", r"^recommended \(users\):", m.precision_at_k, {None: [10]}, {None: {10}}, 2),
    R("rec-user-NaN", r"^recommended \(users\):", m.precision_at_k, {NAN: [10]}, {NAN: {10}}, 2),
    R("rec-item-NaN", r"^recommended\[1\]:.*NaN", m.precision_at_k, {1: [10, NAN]}, REL, 2),
    R("rec-item-unhashable", "^recommended:.*unhashable", m.precision_at_k, {1: [[10], [20]]}, REL, 2),
    R("rec-duplicate-item", "^recommended:.*repeats", m.precision_at_k, {1: [10, 10]}, REL, 2),
    R("rec-empty-mapping", "^recommended:.*at least one user", m.precision_at_k, {}, REL, 2),
    R("rec-df-NaN-user", "^recommended:.*'user_id'.*NaN", m.precision_at_k, rec_df(user_id=[1, 1, NAN, 2, 2, 2]), REL, 2),
    R("rec-df-None-item", "^recommended:.*'item_id'.*NaN", m.precision_at_k, rec_df(item_id=[10, None, 30, 20, 30, 40]), REL, 2),
    R("rec-df-missing-column", "^recommended:.*missing column", m.precision_at_k, rec_df().rename(columns={"item_id": "item"}), REL, 2),
    R("rec-df-empty", "^recommended:.*at least one user", m.precision_at_k, rec_df().iloc[:0], REL, 2),
    R("rec-df-duplicate-item", "^recommended:.*repeats", m.precision_at_k, rec_df(item_id=[10, 10, 30, 20, 30, 40]), REL, 2),
    R("rec-df-rank-NaN", "^recommended:.*'rank'.*NaN", m.precision_at_k, rec_df(rank=[1, NAN, 3, 1, 2, 3]), REL, 2),
    R("rec-df-rank-str", "^recommended:.*'rank' must hold numbers", m.precision_at_k, rec_df(rank=list("123123")), REL, 2),
    R("rec-df-rank-bool", "^recommended:.*'rank' must hold numbers", m.precision_at_k, rec_df(rank=[True] * 6), REL, 2),
    R("rec-df-rank-repeated", "^recommended:.*repeated value in column 'rank'", m.precision_at_k, rec_df(rank=[1, 1, 2, 1, 2, 3]), REL, 2),
    R("rec-df-score-NaN", "^recommended:.*'score'.*NaN", m.precision_at_k, rec_df(score=[0.3, NAN, 0.1, 3, 2, 1]), REL, 2),
    R("rec-df-score-str", "^recommended:.*'score' must hold numbers", m.precision_at_k, rec_df(score=list("abcabc")), REL, 2),
    R("rec-array-1d", "^recommended:.*2-D", m.precision_at_k, np.array([0, 1]), {0: {0}}, 2),
    R("rec-array-float", "^recommended:.*dtype float64", m.precision_at_k, np.array([[0.5, 1.5]]), {0: {0.5}}, 2),
    R("rec-array-NaN", "^recommended:.*dtype float64", m.precision_at_k, np.array([[0.0, NAN]]), {0: {0}}, 2),
    R("rec-array-bool", "^recommended:.*dtype bool", m.precision_at_k, np.array([[True, False]]), {0: {True}}, 2),
    R("rec-array-object-None", r"^recommended\[0\]:.*NaN/None", m.precision_at_k, np.array([[1, None]], dtype=object), {0: {1}}, 2),
    R("rec-array-no-rows", "^recommended:.*at least one user", m.precision_at_k, np.zeros((0, 2), int), {0: {0}}, 2),
    R("as_lists-None", "^recommended:", m.as_lists, None),
    R("as_lists-set", "^recommended:", m.as_lists, {1, 2}),
    # ---------------------------------------------------------------- the cut-off
    R("k-0", "^k:", m.precision_at_k, REC, REL, 0),
    R("k-negative", "^k:", m.recall_at_k, REC, REL, -3),
    R("k-float", "^k:", m.ndcg_at_k, REC, REL, 2.0),
    R("k-None", "^k:", m.map_at_k, REC, REL, None),
    R("k-str", "^k:", m.mrr_at_k, REC, REL, "10"),
    R("k-NaN", "^k:", m.hit_rate_at_k, REC, REL, NAN),
    # ---------------------------------------------------------------- the relevant items
    R("rel-None", "^relevant:", m.precision_at_k, REC, None, 2),
    R("rel-list", "^relevant:", m.precision_at_k, REC, [[10], [40]], 2),
    R("rel-str-items", "^relevant:.*got str", m.recall_at_k, REC, {1: "10", 2: "40"}, 2),
    R("rel-NaN-item", r"^relevant\[1\]:.*NaN", m.recall_at_k, REC, {1: {NAN}, 2: {40}}, 2),
    R("rel-unhashable-item", r"^relevant\[1\]:.*unhashable", m.recall_at_k, REC, {1: [[10]], 2: [40]}, 2),
    R("rel-empty-set", "^relevant:.*no relevant item", m.recall_at_k, REC, {1: set(), 2: {40}}, 2),
    R("rel-missing-user", "^relevant:.*missing", m.recall_at_k, REC, {1: {10}}, 2),
    R("rel-unknown-users-only", "^relevant:.*missing", m.recall_at_k, REC, {"1": {10}, "2": {40}}, 2),
    R("rel-df-NaN-user", "^relevant:.*'user_id'.*NaN", m.precision_at_k, REC, pd.DataFrame({"user_id": [1, 2, NAN], "item_id": [10, 40, 3]}), 2),
    R("rel-df-missing-column", "^relevant:.*missing column", m.precision_at_k, REC, pd.DataFrame({"user_id": [1, 2]}), 2),
    R("gain-negative", r"^relevant\[1\]\[10\]:", m.ndcg_at_k, REC, {1: {10: -1.0, 20: 1.0}, 2: {40: 1}}, 2),
    R("gain-NaN", r"^relevant\[1\]\[10\]:", m.ndcg_at_k, REC, {1: {10: NAN}, 2: {40: 1}}, 2),
    R("gain-inf", r"^relevant\[1\]\[10\]:", m.ndcg_at_k, REC, {1: {10: INF}, 2: {40: 1}}, 2),
    R("gain-True", r"^relevant\[1\]\[10\]:", m.ndcg_at_k, REC, {1: {10: True}, 2: {40: 1}}, 2),
    R("gain-str", r"^relevant\[1\]\[10\]:", m.ndcg_at_k, REC, {1: {10: "1"}, 2: {40: 1}}, 2),
    R("gain-all-zero", "^relevant:.*no relevant item", m.ndcg_at_k, REC, {1: {10: 0}, 2: {40: 1}}, 2),
    R("log_base-1", "^log_base:", m.ndcg_at_k, REC, REL, 2, log_base=1),
    R("log_base-True", "^log_base:", m.ndcg_at_k, REC, REL, 2, log_base=True),
    R("log_base-NaN", "^log_base:", m.ndcg_at_k, REC, REL, 2, log_base=NAN),
    R("log_base-inf", "^log_base:", m.ndcg_at_k, REC, REL, 2, log_base=INF),
    R("log_base-str", "^log_base:", m.ndcg_at_k, REC, REL, 2, log_base="2"),
    # ---------------------------------------------------------------- catalogue coverage
    R("catalog-True", "^catalog:", m.catalog_coverage, REC, True),
    R("catalog-False", "^catalog:", m.catalog_coverage, REC, False),
    R("catalog-float", "^catalog:", m.catalog_coverage, REC, 10.0),
    R("catalog-None", "^catalog:", m.catalog_coverage, REC, None),
    R("catalog-str", "^catalog:.*single string", m.catalog_coverage, {1: ["a", "b"]}, "abc"),
    R("catalog-mapping", "^catalog:", m.catalog_coverage, REC, {10: 1, 20: 1, 30: 1, 40: 1}),
    R("catalog-0", "^catalog:", m.catalog_coverage, REC, 0),
    R("catalog-negative", "^catalog:", m.catalog_coverage, REC, -5),
    R("catalog-too-small", "^catalog:.*smaller", m.catalog_coverage, REC, 3),
    R("catalog-empty", "^catalog:", m.catalog_coverage, REC, []),
    R("catalog-NaN-id", "^catalog:.*NaN", m.catalog_coverage, REC, [10, 20, 30, 40, NAN]),
    R("catalog-duplicates", "^catalog:.*distinct", m.catalog_coverage, REC, [10, 20, 30, 40, 40]),
    R("catalog-unknown-item", "^catalog:.*not in it", m.catalog_coverage, REC, [10, 20, 30]),
    R("coverage-k-True", "^k:", m.catalog_coverage, REC, 10, True),
    R("coverage-k-0", "^k:", m.catalog_coverage, REC, 10, 0),
    # ---------------------------------------------------------------- item popularity
    R("popularity-None", "^interactions:", m.item_popularity, None),
    R("popularity-list", "^interactions:", m.item_popularity, [[1, 10]]),
    R("popularity-empty", "^interactions:", m.item_popularity, inter().iloc[:0]),
    R("popularity-missing-column", "^interactions:.*missing", m.item_popularity, inter().drop(columns="user_id")),
    R("popularity-NaN-user", "^interactions:.*'user_id'.*NaN", m.item_popularity, inter(user_id=[1, NAN, 2, 3])),
    R("popularity-NaN-item", "^interactions:.*'item_id'.*NaN", m.item_popularity, inter(item_id=[10, 20, NAN, 30])),
    R("popularity-items-str", "^items:.*single string", m.item_popularity, inter(item_id=list("abbc")), items="abc"),
    R("popularity-items-NaN", "^items:.*NaN", m.item_popularity, inter(), items=[10, 20, 30, NAN]),
    R("popularity-items-duplicates", "^items:.*distinct", m.item_popularity, inter(), items=[10, 20, 30, 30]),
    R("popularity-items-empty", "^items:", m.item_popularity, inter(), items=[]),
    R("popularity-items-missing", "^items:.*missing", m.item_popularity, inter(), items=[10, 20]),
    R("smoothing-NaN", "^smoothing:", m.item_popularity, inter(), smoothing=NAN),
    R("smoothing-inf", "^smoothing:", m.item_popularity, inter(), smoothing=INF),
    R("smoothing-True", "^smoothing:", m.item_popularity, inter(), smoothing=True),
    R("smoothing-negative", "^smoothing:", m.item_popularity, inter(), smoothing=-1),
    # ---------------------------------------------------------------- novelty
    R("novelty-pop-above-1", "^popularity:.*item 10", m.novelty, REC, {**POP, 10: 2.0}),
    R("novelty-pop-0", "^popularity:.*item 10", m.novelty, REC, {**POP, 10: 0.0}),
    R("novelty-pop-negative", "^popularity:.*item 10", m.novelty, REC, {**POP, 10: -0.5}),
    R("novelty-pop-NaN", "^popularity:.*item 10", m.novelty, REC, {**POP, 10: NAN}),
    R("novelty-pop-str", "^popularity:.*numbers", m.novelty, REC, {**POP, 10: "a"}),
    R("novelty-pop-True", "^popularity:.*numbers", m.novelty, REC, {**POP, 10: True}),
    R("novelty-pop-bool-series", "^popularity:.*numbers", m.novelty, REC, pd.Series(True, index=[10, 20, 30, 40])),
    R("novelty-pop-None", "^popularity:", m.novelty, REC, None),
    R("novelty-pop-list", "^popularity:", m.novelty, REC, [0.5, 0.5, 0.5, 0.5]),
    R("novelty-pop-DataFrame", "^popularity:", m.novelty, REC, pd.DataFrame({"p": [0.5]})),
    R("novelty-pop-duplicate-index", "^popularity:.*repeats", m.novelty, REC, pd.Series([.5, .5, .5, .5, .2], index=[10, 20, 30, 40, 40])),
    R("novelty-pop-NaN-index", r"^popularity \(item ids\):", m.novelty, REC, pd.Series([.5, .5, .5, .5, .2], index=[10, 20, 30, 40, NAN])),
    R("novelty-unknown-item", "^popularity:.*item 20", m.novelty, REC, {10: 0.5}),
    R("novelty-empty-list", "^recommended:.*non-empty", m.novelty, {1: []}, POP),
    R("novelty-per_user-str", "^per_user:", m.novelty, REC, POP, per_user="yes"),
    # ---------------------------------------------------------------- intra-list diversity
    R("ild-vectors-None", "^item_vectors:", m.intra_list_diversity, REC, None),
    R("ild-vectors-list", "^item_vectors:", m.intra_list_diversity, REC, [[1, 0]] * 4),
    R("ild-mapping-NaN", r"^item_vectors\[10\]:.*NaN", m.intra_list_diversity, REC, {**VEC, 10: [NAN, 1.0]}),
    R("ild-mapping-inf", r"^item_vectors\[10\]:.*finite", m.intra_list_diversity, REC, {**VEC, 10: [INF, 1.0]}),
    R("ild-mapping-ragged", "^item_vectors:.*different lengths", m.intra_list_diversity, REC, {**VEC, 10: [1.0, 1.0, 1.0]}),
    R("ild-mapping-str", r"^item_vectors\[10\]:", m.intra_list_diversity, REC, {**VEC, 10: "ab"}),
    R("ild-mapping-bool", r"^item_vectors\[10\]:.*boolean", m.intra_list_diversity, REC, {**VEC, 10: [True, False]}),
    R("ild-mapping-missing", "^item_vectors:.*no vector for item 40", m.intra_list_diversity, REC, {k: v for k, v in VEC.items() if k != 40}),
    R("ild-df-NaN", "^item_vectors:.*NaN", m.intra_list_diversity, REC, VEC_DF.mask(VEC_DF == 0.0)),
    R("ild-df-str", "^item_vectors:", m.intra_list_diversity, REC, VEC_DF.astype(str)),
    R("ild-df-duplicate-index", "^item_vectors:.*repeats", m.intra_list_diversity, REC, pd.concat([VEC_DF, VEC_DF.iloc[:1]])),
    R("ild-df-missing-row", "^item_vectors:.*no row for item 40", m.intra_list_diversity, REC, VEC_DF.iloc[:3]),
    R("ild-array-NaN", "^item_vectors:.*NaN", m.intra_list_diversity, {0: [0, 1]}, np.array([[NAN, 1.0], [1.0, 0.0]])),
    R("ild-array-1d", "^item_vectors:.*2-D", m.intra_list_diversity, {0: [0, 1]}, np.array([1.0, 0.0])),
    R("ild-array-bool-items", "^item_vectors:.*row indices", m.intra_list_diversity, {0: [True, False]}, np.eye(2)),
    R("ild-array-str-items", "^item_vectors:.*row indices", m.intra_list_diversity, {0: ["a", "b"]}, np.eye(2)),
    R("ild-array-index-out-of-range", "^item_vectors:.*row indices", m.intra_list_diversity, {0: [0, 5]}, np.eye(2)),
    R("ild-array-negative-index", "^item_vectors:.*row indices", m.intra_list_diversity, {0: [0, -1]}, np.eye(2)),
    R("ild-zero-vector", "^item_vectors:.*zero", m.intra_list_diversity, {0: [0, 1]}, np.array([[0.0, 0.0], [1.0, 0.0]])),
    R("ild-list-of-one", "^recommended:.*at least 2", m.intra_list_diversity, {0: [0]}, np.eye(2)),
    # ---------------------------------------------------------------- serendipity
    R("serendipity-expected-missing-user", "^expected:.*missing", m.serendipity, REC, REL, {1: [10]}, 2),
    R("serendipity-expected-None", "^expected:", m.serendipity, REC, REL, None, 2),
    R("serendipity-expected-str", "^expected:", m.serendipity, REC, REL, "abc", 2),
    R("serendipity-expected-NaN-item", r"^expected\[1\]:.*NaN", m.serendipity, REC, REL, {1: [NAN], 2: [20]}, 2),
    R("serendipity-expected-duplicate", "^expected:.*repeats", m.serendipity, REC, REL, {1: [10, 10], 2: [20]}, 2),
    R("serendipity-normalize", "^normalize:", m.serendipity, REC, REL, EXP, 2, normalize="x"),
    R("serendipity-normalize-None", "^normalize:", m.serendipity, REC, REL, EXP, 2, normalize=None),
    R("serendipity-normalize-list", "^normalize:", m.serendipity, REC, REL, EXP, 2, normalize=["k"]),
    R("serendipity-k-True", "^k:", m.serendipity, REC, REL, EXP, True),
    R("serendipity-relevant-missing-user", "^relevant:.*missing", m.serendipity, REC, {1: {10}}, EXP, 2),
    # ---------------------------------------------------------------- tie keys
    R("tie_keys-seed-True", "^seed:", m.tie_keys, np.arange(2), np.arange(2), True),
    R("tie_keys-seed-negative", "^seed:", m.tie_keys, np.arange(2), np.arange(2), -1),
    R("tie_keys-rows-negative", "^rows:.*non-negative", m.tie_keys, np.array([-1]), np.arange(2)),
    R("tie_keys-rows-float", "^rows:.*integers", m.tie_keys, np.array([0.5]), np.arange(2)),
    R("tie_keys-rows-NaN", "^rows:.*integers", m.tie_keys, np.array([NAN]), np.arange(2)),
    R("tie_keys-rows-str", "^rows:", m.tie_keys, "ab", np.arange(2)),
    R("tie_keys-rows-None", "^rows:", m.tie_keys, None, np.arange(2)),
    R("tie_keys-cols-bool", "^cols:.*boolean", m.tie_keys, np.arange(2), np.array([True, False])),
    R("tie_keys-shapes", "^cols:.*broadcast", m.tie_keys, np.arange(3), np.arange(2)),
    # ---------------------------------------------------------------- top_k
    R("top_k-None", "^scores:", m.top_k, None, 1),
    R("top_k-str", "^scores:", m.top_k, "abc", 1),
    R("top_k-1d", "^scores:.*2-D", m.top_k, np.array([1.0, 2.0]), 1),
    R("top_k-NaN", "^scores:.*NaN", m.top_k, np.array([[1.0, NAN]]), 1),
    R("top_k-plus-inf", r"^scores:.*\+inf", m.top_k, np.array([[1.0, INF]]), 1),
    R("top_k-bool", "^scores:.*boolean", m.top_k, np.array([[True, False]]), 1),
    R("top_k-str-array", "^scores:", m.top_k, np.array([["a", "b"]]), 1),
    R("top_k-numeric-str-array", "^scores:", m.top_k, [["1", "2"]], 1),
    R("top_k-no-rows", "^scores:.*at least one", m.top_k, np.zeros((0, 3)), 1),
    R("top_k-no-columns", "^scores:.*at least one", m.top_k, np.zeros((2, 0)), 1),
    R("top_k-k-too-large", "^k:", m.top_k, S3, 4),
    R("top_k-k-0", "^k:", m.top_k, S3, 0),
    R("top_k-k-True", "^k:", m.top_k, S3, True),
    R("top_k-k-float", "^k:", m.top_k, S3, 1.0),
    R("top_k-seed-negative", "^seed:", m.top_k, S3, 1, seed=-1),
    R("top_k-seed-True", "^seed:", m.top_k, S3, 1, seed=True),
    R("top_k-exclude-shape", "^exclude:.*shape", m.top_k, S3, 1, exclude=np.array([[True]])),
    R("top_k-exclude-str", "^exclude:", m.top_k, S3, 1, exclude="ab"),
    R("top_k-exclude-NaN", "^exclude:.*NaN", m.top_k, S3, 1, exclude=np.array([[NAN, 0, 0], [0, 0, 0]])),
    R("top_k-exclude-object", "^exclude:", m.top_k, S3, 1, exclude=np.array([[None, 0, 0], [0, 0, 0]])),
    R("top_k-exclude-everything", "^exclude:.*leaves only 0", m.top_k, S3, 1, exclude=np.ones((2, 3), bool)),
    R("top_k-exclude-too-many", "^exclude:.*leaves only 2", m.top_k, S3, 3, exclude=sp.csr_matrix(np.array([[1, 0, 0], [0, 0, 0]]))),
    R("top_k-neg-inf-too-many", "^scores:.*leaves only 1", m.top_k, np.array([[-INF, -INF, 1.0]]), 2),
    R("top_k-neg-inf-plus-exclude", "^exclude:.*leaves only 1", m.top_k, np.array([[-INF, 2.0, 1.0]]), 2, exclude=np.array([[False, True, False]])),
    # ---------------------------------------------------------------- full_ranking_metrics
    R("frm-scores-None", "^scores:", m.full_ranking_metrics, None, [0]),
    R("frm-scores-NaN", "^scores:.*NaN", m.full_ranking_metrics, np.array([[NAN, 1.0, 2.0]]), [0], 2),
    R("frm-scores-plus-inf", "^scores:", m.full_ranking_metrics, np.array([[INF, 1.0, 2.0]]), [0], 2),
    R("frm-relevant-None", "^relevant:", m.full_ranking_metrics, S3, None, 2),
    R("frm-relevant-str", "^relevant:", m.full_ranking_metrics, S3, "01", 2),
    R("frm-relevant-float", "^relevant:.*target column", m.full_ranking_metrics, S3, [0.5, 1], 2),
    R("frm-relevant-negative", "^relevant:.*target column", m.full_ranking_metrics, S3, [-1, 1], 2),
    R("frm-relevant-unknown-column", "^relevant:.*target column", m.full_ranking_metrics, S3, [3, 1], 2),
    R("frm-relevant-NaN", "^relevant:.*NaN", m.full_ranking_metrics, S3, [NAN, 1], 2),
    R("frm-relevant-True", "^relevant:.*boolean", m.full_ranking_metrics, S3, [True, True], 2),
    R("frm-relevant-wrong-length", "^relevant:.*2 target", m.full_ranking_metrics, S3, [0], 2),
    R("frm-relevant-ragged", "^relevant:", m.full_ranking_metrics, S3, [[0, 1], [2]], 2),
    R("frm-relevant-mask-shape", "^relevant:.*shape", m.full_ranking_metrics, S3, np.ones((2, 2), bool), 2),
    R("frm-relevant-mask-NaN", "^relevant:.*NaN", m.full_ranking_metrics, S3, np.array([[NAN, 0, 1], [1, 0, 0]]), 2),
    R("frm-relevant-row-empty", "^relevant:.*row 1 has no relevant", m.full_ranking_metrics, S3, np.array([[True, False, False], [False] * 3]), 2),
    R("frm-k-too-large", "^k:", m.full_ranking_metrics, S3, [0, 1], 4),
    R("frm-k-True", "^k:", m.full_ranking_metrics, S3, [0, 1], True),
    R("frm-k-negative", "^k:", m.full_ranking_metrics, S3, [0, 1], -1),
    R("frm-per_user-1", "^per_user:", m.full_ranking_metrics, S3, [0, 1], 2, per_user=1),
    R("frm-exclude-shape", "^exclude:.*shape", m.full_ranking_metrics, S3, [0, 1], 2, exclude=np.ones((1, 3), bool)),
    R("frm-exclude-str", "^exclude:", m.full_ranking_metrics, S3, [0, 1], 2, exclude="abc"),
]


@pytest.mark.parametrize("fn, args, kwargs, match", REJECTED)
def test_hostile_input_is_rejected_by_name(fn, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        call_unchanged(fn, args, kwargs)


def close(x: float):
    return lambda got: got == pytest.approx(x)


DOCUMENTED = [
    # an empty list recommends nothing, so it finds nothing: 0 on every accuracy metric
    D("empty-list-scores-0", lambda got: got.tolist() == [0.0, 0.5], m.precision_at_k,
      {1: [], 2: [40, 20]}, REL, 2, per_user=True),
    # an array with no columns is a list of empty lists
    D("array-without-columns-scores-0", close(0.0), m.hit_rate_at_k, np.zeros((1, 0), int), {0: {0}}, 2),
    # lists shorter than k still divide by k (as microsoft/recommenders does)
    D("short-list-divides-by-k", close(0.1), m.precision_at_k, {1: [10]}, {1: {10}}, 10),
    # the column names only matter for DataFrames; a mapping ignores them
    D("column-names-ignored-for-mappings", close(0.25), m.precision_at_k, REC, REL, 2, col_user=None),
    # a score column orders the list (higher first), a rank column too (1 first)
    D("score-column-orders-the-list", close(1.0), m.hit_rate_at_k, rec_df(score=[0.1, 0.2, 0.9, 3, 2, 1]),
      {1: {30}, 2: {20}}, 1),
    D("rank-column-orders-the-list", close(1.0), m.hit_rate_at_k, rec_df(rank=[3, 2, 1, 1, 2, 3]),
      {1: {30}, 2: {20}}, 1),
    # users in relevant that were not recommended anything are ignored
    D("extra-relevant-users-ignored", close(0.25), m.precision_at_k, REC, {**REL, 3: {99}}, 2),
    # a graded relevance mapping counts every positive gain as relevant for the binary metrics
    D("graded-relevance-binary", close(0.5), m.hit_rate_at_k, REC, {1: {10: 3.0, 20: 0.0}, 2: {99: 1.0}}, 2),
    # NumPy numbers are numbers: np.int64 log_base, np.int64 catalogue size
    D("numpy-log-base", close(m.ndcg_at_k(REC, REL, 2)), m.ndcg_at_k, REC, REL, 2, log_base=np.int64(3)),
    D("numpy-catalog-size", close(0.4), m.catalog_coverage, REC, np.int64(10)),
    # a cut-off above the list length is the whole list
    D("coverage-k-above-list-length", close(0.4), m.catalog_coverage, REC, 10, 100),
    # extra users in expected are ignored; empty baseline lists make everything unexpected
    D("serendipity-extra-expected-user", close(0.0), m.serendipity, REC, REL, {**EXP, 3: [1]}, 2),
    D("serendipity-empty-baseline", close(0.25), m.serendipity, REC, REL, {1: [], 2: []}, 2),
    # -inf in full_ranking_metrics is the lowest score (tied with other -inf), not a removal
    D("frm-neg-inf-target-ranks-last", lambda got: got["mrr"] == pytest.approx(1 / 3) and got["hit@2"] == 0.0,
      m.full_ranking_metrics, np.array([[-INF, 1.0, 1.0]]), [0], 2),
    D("frm-all-neg-inf-is-chance", lambda got: got["hit@2"] == pytest.approx(2 / 3),
      m.full_ranking_metrics, np.full((1, 3), -INF), [0], 2),
    # a relevant item is never excluded; precision still divides by k
    D("frm-excluded-target-kept", lambda got: got["hit@1"] == 1.0 and got["precision@1"] == 1.0,
      m.full_ranking_metrics, np.array([[0.0, 1.0, 2.0]]), [0], 1, exclude=np.array([[True, True, True]])),
    D("frm-fewer-items-than-k-left", lambda got: got["precision@2"] == 0.5,
      m.full_ranking_metrics, np.ones((1, 3)), [0], 2, exclude=np.array([[False, True, True]])),
    # a 2-D list is a relevance mask, like a boolean array
    D("frm-relevant-2d-list-is-a-mask", lambda got: got == m.full_ranking_metrics(S3, np.array([[1, 0, 0], [0, 1, 0]], bool), 2),
      m.full_ranking_metrics, S3, [[True, False, False], [False, True, False]], 2),
    # scores may be a nested list; exclude a nested list of booleans
    D("top_k-nested-lists", lambda got: got.tolist() == [[2]], m.top_k, [[1, 2, 3]], 1, exclude=[[False, False, False]]),
    D("top_k-neg-inf-not-needed", lambda got: got.tolist() == [[2, 1]], m.top_k, np.array([[-INF, 1.0, 2.0]]), 2),
    D("tie_keys-scalar-row", lambda got: got.shape == (3,), m.tie_keys, 0, np.arange(3)),
    D("tie_keys-empty", lambda got: got.shape == (0,), m.tie_keys, np.arange(0), np.arange(0)),
]


@pytest.mark.parametrize("fn, args, kwargs, check", DOCUMENTED)
def test_hostile_looking_input_has_the_documented_answer(fn, args, kwargs, check):
    assert check(call_unchanged(fn, args, kwargs))


def test_valid_calls_do_not_mutate_their_inputs():
    df = rec_df(score=[0.1, 0.9, 0.5, 3, 2, 1])
    rel_df = pd.DataFrame({"user_id": [1, 2], "item_id": [10, 40]})
    for f in ACCURACY:
        call_unchanged(f, (df, rel_df, 2), {})
    call_unchanged(m.item_popularity, (inter(),), {"items": [10, 20, 30, 40], "smoothing": 1})
    pop = pd.Series(POP)
    call_unchanged(m.novelty, (df, pop), {})
    call_unchanged(m.intra_list_diversity, (df, VEC_DF), {})
    call_unchanged(m.serendipity, (df, rel_df, EXP, 2), {})
    scores = np.array([[1.0, 1.0, 0.0, -INF], [2.0, 0.0, 0.0, 1.0]])
    exclude = sp.csr_matrix(np.array([[0, 0, 1, 0], [1, 0, 0, 0]]))
    call_unchanged(m.top_k, (scores, 2), {"exclude": exclude})
    call_unchanged(m.full_ranking_metrics, (scores, np.array([1, 3]), 2), {"exclude": exclude})


# --------------------------------------------------------------------------- properties
def _brute_force_rows(s: np.ndarray, rel: np.ndarray, keep: np.ndarray, k: int,
                      tie_orders) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean and standard error of each metric over the given tie orders (rows of keys, smaller first)."""
    means, errors = [], []
    for u in range(s.shape[0]):
        cols = np.flatnonzero(keep[u])
        su, ru = s[u, cols], rel[u, cols]
        keys = tie_orders(len(cols))                                    # (n_orders, n_kept)
        order = np.lexsort((keys, np.broadcast_to(-su, keys.shape)), axis=-1)
        ranked = ru[order]                                              # relevance in rank order
        disc = 1.0 / np.log2(np.arange(ranked.shape[1]) + 2.0)
        n_rel = ru.sum()
        first = ranked.argmax(axis=1)
        found = ranked[:, :k].sum(axis=1)
        draws = {"rank": first + 1.0, f"hit@{k}": (found > 0).astype(float),
                 f"recall@{k}": found / n_rel, f"precision@{k}": found / k,
                 f"ndcg@{k}": (ranked[:, :k] * disc[:k]).sum(axis=1) / disc[:min(n_rel, k)].sum(),
                 "mrr": 1.0 / (first + 1)}
        means.append({c: v.mean() for c, v in draws.items()})
        errors.append({c: v.std() / np.sqrt(len(keys)) for c, v in draws.items()})
    return pd.DataFrame(means), pd.DataFrame(errors)


@st.composite
def tied_problems(draw, max_items: int):
    n_users = draw(st.integers(1, 3))
    n_items = draw(st.integers(2, max_items))
    levels = draw(st.integers(1, 3))                                    # few distinct scores: many ties
    s = np.array(draw(st.lists(st.integers(0, levels), min_size=n_users * n_items,
                               max_size=n_users * n_items)), float).reshape(n_users, n_items)
    rel = np.array(draw(st.lists(st.booleans(), min_size=s.size, max_size=s.size))).reshape(s.shape)
    rel[np.arange(n_users), draw(st.lists(st.integers(0, n_items - 1), min_size=n_users, max_size=n_users))] = True
    exclude = None
    if draw(st.booleans()):
        exclude = np.array(draw(st.lists(st.booleans(), min_size=s.size, max_size=s.size))).reshape(s.shape)
    k = draw(st.integers(1, n_items))
    return s, rel, exclude, k


@SETTINGS
@given(tied_problems(max_items=6))
def test_full_ranking_metrics_equal_the_average_over_every_tie_order(problem):
    s, rel, exclude, k = problem
    keep = np.ones(s.shape, bool) if exclude is None else ~exclude | rel

    def every_order(n):                                                # all n! orders, exactly
        return np.array(list(itertools.permutations(range(n))))

    want, _ = _brute_force_rows(s, rel, keep, k, every_order)
    got = m.full_ranking_metrics(s, rel, k, exclude, per_user=True)
    pd.testing.assert_frame_equal(got, want, check_exact=False, atol=1e-9, rtol=0)


@SETTINGS
@given(tied_problems(max_items=20), st.integers(0, 2**31))
def test_full_ranking_metrics_agree_with_random_tie_orders_within_monte_carlo_error(problem, seed):
    s, rel, exclude, k = problem
    keep = np.ones(s.shape, bool) if exclude is None else ~exclude | rel
    rng = np.random.default_rng(seed)

    def random_orders(n, draws=1000):
        return rng.random((draws, n))

    want, error = _brute_force_rows(s, rel, keep, k, random_orders)
    got = m.full_ranking_metrics(s, rel, k, exclude, per_user=True)
    # within 5 standard errors, plus a floor for outcomes too rare to show up in the draws
    floor = pd.Series(0.005, index=got.columns)
    floor["rank"] = 0.005 * s.shape[1]
    assert (np.abs(got - want) <= 5 * error + floor).all().all()


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 12), st.integers(0, 3), st.data())
def test_top_k_returns_k_distinct_allowed_columns_best_first_ties_by_tie_keys(n_rows, n_items, levels, data):
    s = np.array(data.draw(st.lists(st.integers(0, levels), min_size=n_rows * n_items,
                                    max_size=n_rows * n_items)), float).reshape(n_rows, n_items)
    forbidden = np.array(data.draw(st.lists(st.booleans(), min_size=s.size, max_size=s.size))).reshape(s.shape)
    forbidden[:, 0] = False                                             # at least one item per row
    as_inf = data.draw(st.booleans())                                   # -inf or an exclude mask
    scores = np.where(forbidden, -np.inf, s) if as_inf else s
    k = data.draw(st.integers(1, int((~forbidden).sum(axis=1).min())))
    seed = data.draw(st.integers(0, 1000))
    before = scores.copy()
    got = m.top_k(scores, k, exclude=None if as_inf else forbidden, seed=seed)
    np.testing.assert_array_equal(scores, before)
    assert got.shape == (n_rows, k) and got.dtype.kind == "i"
    for u in range(n_rows):
        row = got[u]
        assert len(set(row.tolist())) == k and not forbidden[u, row].any()
        assert (np.diff(s[u, row]) <= 0).all()                          # best first
        allowed = np.flatnonzero(~forbidden[u])
        keys = m.tie_keys(u, allowed, seed)
        want = allowed[np.lexsort((keys, -s[u, allowed]))][:k]          # the definition
        np.testing.assert_array_equal(row, want)


@st.composite
def lists_and_relevance(draw):
    users = draw(st.integers(1, 5))
    rec = {u: draw(st.lists(st.integers(0, 19), max_size=8, unique=True)) for u in range(users)}
    rel = {u: draw(st.dictionaries(st.integers(0, 19), st.floats(0, 5), min_size=1, max_size=6)) for u in range(users)}
    for u in rel:
        rel[u][draw(st.integers(0, 19))] = draw(st.floats(0.5, 5))     # at least one positive gain
    exp = {u: draw(st.lists(st.integers(0, 19), max_size=5, unique=True)) for u in range(users)}
    return rec, rel, exp, draw(st.integers(1, 10))


@SETTINGS
@given(lists_and_relevance())
def test_metrics_stay_in_zero_one(problem):
    rec, rel, exp, k = problem
    binary = {u: {i for i, g in r.items() if g > 0} for u, r in rel.items()}
    for f in ACCURACY:
        for relevant in (binary, rel):
            values = f(rec, relevant, k, per_user=True)
            assert ((values >= 0) & (values <= 1 + 1e-12)).all(), f.__name__
    for norm in ("k", "unexpected"):
        v = m.serendipity(rec, binary, exp, k, normalize=norm, per_user=True)
        assert ((v >= 0) & (v <= 1)).all()
    assert 0 <= m.catalog_coverage(rec, range(20), k) <= 1
    p, r, f1 = (f(rec, binary, k, per_user=True) for f in (m.precision_at_k, m.recall_at_k, m.f1_at_k))
    assert (f1 <= np.maximum(p, r) + 1e-12).all()


@SETTINGS
@given(tied_problems(max_items=12))
def test_full_ranking_metrics_stay_in_range(problem):
    s, rel, exclude, k = problem
    got = m.full_ranking_metrics(s, rel, k, exclude, per_user=True)
    values = got.drop(columns="rank").to_numpy()
    assert ((values >= -1e-12) & (values <= 1 + 1e-12)).all()
    assert ((got["rank"] >= 1) & (got["rank"] <= s.shape[1])).all()
