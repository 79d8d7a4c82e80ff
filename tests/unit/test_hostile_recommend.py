"""Hostile inputs for every public function of recsys_helpers.recommend.

``REJECTED``: one bad argument per call (None, a wrong type, ``True`` for a number, an empty
input, a missing column, NaN/inf in ids, values, features or scores, duplicate and unknown ids,
mismatched shapes, ``k`` larger than possible), each answered by a ``ValueError`` whose message
starts with the argument's name. ``DOCUMENTED``: inputs that look hostile but have a documented
answer. Every call checks that its arguments were not mutated. Hypothesis properties close the
file (blend and min-max ranges, MMR lists, the ``top_k`` -> ``to_lists`` round trip).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import recommend as rc

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)
NAN, INF = float("nan"), float("inf")


from hostile import D, R, assert_unchanged, call_unchanged  # noqa: E402,F401

# --------------------------------------------------------------------------- small valid inputs
def inter(**cols) -> pd.DataFrame:
    df = pd.DataFrame({"user_id": [1, 1, 2], "item_id": [10, 20, 30], "rating": [5.0, 3.0, 4.0]})
    for k, v in cols.items():
        df[k] = v
    return df


RM = sp.csr_matrix(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))
X3 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
UV = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=[1, 2])
IV = pd.DataFrame(X3, index=[10, 20, 30])
IDX = np.array([[0, 1], [2, 0]])
S = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 1.0]])


def seen(**cols) -> pd.DataFrame:
    df = pd.DataFrame({"user_id": [1], "item_id": [10]})
    for k, v in cols.items():
        df[k] = v
    return df


REJECTED = [
    # ---------------------------------------------------------------- interaction_matrix
    R("im-None", "^interactions:", rc.interaction_matrix, None),
    R("im-list", "^interactions:", rc.interaction_matrix, [[1, 10]]),
    R("im-empty", "^interactions:.*at least one row", rc.interaction_matrix, inter().iloc[:0]),
    R("im-missing-column", "^interactions:.*missing", rc.interaction_matrix, inter().drop(columns="item_id")),
    R("im-NaN-user", "^interactions:.*'user_id'.*NaN", rc.interaction_matrix, inter(user_id=[1, NAN, 2])),
    R("im-None-item", "^interactions:.*'item_id'.*NaN", rc.interaction_matrix, inter(item_id=[10, None, 30])),
    R("im-mixed-item-types", "^interactions:.*'item_id' mixes id types", rc.interaction_matrix, inter(item_id=[10, "a", 30])),
    R("im-users-str", "^users:.*single string", rc.interaction_matrix, inter(), users="12"),
    R("im-items-str", "^items:.*single string", rc.interaction_matrix, inter(), items="abc"),
    R("im-users-dict", "^users:", rc.interaction_matrix, inter(), users={1: 0, 2: 0}),
    R("im-users-duplicates", "^users:.*unique", rc.interaction_matrix, inter(), users=[1, 1, 2]),
    R("im-users-NaN", "^users:.*NaN", rc.interaction_matrix, inter(), users=[1, 2, NAN]),
    R("im-users-missing-one", "^users:.*id .*2", rc.interaction_matrix, inter(), users=[1]),
    R("im-items-missing-one", "^items:.*30", rc.interaction_matrix, inter(), items=[10, 20]),
    R("im-items-empty", "^items:", rc.interaction_matrix, inter(), items=[]),
    R("im-value-missing", "^value:", rc.interaction_matrix, inter(), value="score"),
    R("im-value-True", "^value:", rc.interaction_matrix, inter(), value=True),
    R("im-value-list", "^value:", rc.interaction_matrix, inter(), value=["rating"]),
    R("im-value-NaN", "^interactions: column 'rating'.*NaN", rc.interaction_matrix, inter(rating=[NAN, 1.0, 2.0]), value="rating"),
    R("im-value-inf", "^interactions: column 'rating'.*finite", rc.interaction_matrix, inter(rating=[INF, 1.0, 2.0]), value="rating"),
    R("im-value-str", "^interactions: column 'rating'", rc.interaction_matrix, inter(rating=["a", "b", "c"]), value="rating"),
    R("im-value-bool", "^interactions: column 'rating'.*boolean", rc.interaction_matrix, inter(rating=[True, False, True]), value="rating"),
    R("im-col_user-None", "^interactions:.*missing", rc.interaction_matrix, inter(), col_user=None),
    # ---------------------------------------------------------------- to_lists
    R("tl-None", "^indices:", rc.to_lists, None, [1], [10]),
    R("tl-float", "^indices:.*float64", rc.to_lists, np.array([[0.0, 1.0]]), [1], [10, 20]),
    R("tl-bool", "^indices:.*bool", rc.to_lists, np.array([[True, False]]), [1], [10, 20]),
    R("tl-1d", "^indices:", rc.to_lists, np.array([0, 1]), [1, 2], [10, 20]),
    R("tl-more-users-than-rows", r"^indices:.*\(2, k\)", rc.to_lists, IDX[:1], [1, 2], [10, 20, 30]),
    R("tl-more-rows-than-users", r"^indices:.*\(1, k\)", rc.to_lists, IDX, [1], [10, 20, 30]),
    R("tl-column-too-large", r"^indices:.*\[0, 2\)", rc.to_lists, np.array([[0, 5]]), [1], [10, 20]),
    R("tl-negative-column", r"^indices:.*\[0, 2\)", rc.to_lists, np.array([[0, -1]]), [1], [10, 20]),
    R("tl-repeated-column", "^indices:.*repeats", rc.to_lists, np.array([[0, 0]]), [1], [10, 20]),
    R("tl-no-columns", "^indices:.*at least one column", rc.to_lists, np.zeros((1, 0), int), [1], [10, 20]),
    R("tl-user_ids-str", "^user_ids:.*single string", rc.to_lists, IDX, "ab", [10, 20, 30]),
    R("tl-user_ids-None", "^user_ids:", rc.to_lists, IDX, None, [10, 20, 30]),
    R("tl-item_ids-str", "^item_ids:.*single string", rc.to_lists, np.array([[0, 1]]), [1], "ab"),
    R("tl-user_ids-duplicates", "^user_ids:.*distinct", rc.to_lists, IDX, [1, 1], [10, 20, 30]),
    R("tl-item_ids-duplicates", "^item_ids:.*distinct", rc.to_lists, IDX, [1, 2], [10, 10, 30]),
    R("tl-user_ids-NaN", "^user_ids:.*NaN", rc.to_lists, IDX, [1, NAN], [10, 20, 30]),
    R("tl-item_ids-None", "^item_ids:.*NaN", rc.to_lists, IDX, [1, 2], [10, None, 30]),
    # ---------------------------------------------------------------- recommendation_scores
    R("rs-user-None", "^user:", rc.recommendation_scores, None, X3),
    R("rs-user-str", "^user:", rc.recommendation_scores, "ab", X3),
    R("rs-user-NaN", "^user:.*NaN", rc.recommendation_scores, [NAN, 1.0], X3),
    R("rs-user-inf", "^user:.*finite", rc.recommendation_scores, [INF, 1.0], X3),
    R("rs-user-bool", "^user:.*boolean", rc.recommendation_scores, [True, False], X3),
    R("rs-user-empty", "^user:", rc.recommendation_scores, [], X3),
    R("rs-user-zero-cosine", "^user:.*zero", rc.recommendation_scores, [0.0, 0.0], X3),
    R("rs-user-wrong-length", "^items:.*3 columns", rc.recommendation_scores, [1.0, 0.0, 0.0], X3),
    R("rs-items-list", "^items:", rc.recommendation_scores, [1.0, 0.0], [[1.0, 0.0]]),
    R("rs-items-DataFrame", "^items:", rc.recommendation_scores, [1.0, 0.0], IV),
    R("rs-items-NaN", "^items:.*NaN", rc.recommendation_scores, [1.0, 0.0], np.array([[NAN, 0.0]])),
    R("rs-items-sparse-NaN", "^items:.*NaN", rc.recommendation_scores, [1.0, 0.0], sp.csr_matrix(np.array([[NAN, 0.0]]))),
    R("rs-items-bool", "^items:.*boolean", rc.recommendation_scores, [1.0, 0.0], np.array([[True, False]])),
    R("rs-items-sparse-bool", "^items:.*dtype bool", rc.recommendation_scores, [1.0, 0.0], sp.csr_matrix(np.array([[True, False]]))),
    R("rs-items-no-rows", "^items:", rc.recommendation_scores, [1.0, 0.0], np.zeros((0, 2))),
    R("rs-items-sparse-no-rows", "^items:", rc.recommendation_scores, [1.0, 0.0], sp.csr_matrix((0, 2))),
    R("rs-method", "^method:", rc.recommendation_scores, [1.0, 0.0], X3, method="euclid"),
    R("rs-method-None", "^method:", rc.recommendation_scores, [1.0, 0.0], X3, method=None),
    # ---------------------------------------------------------------- recommend_from_vectors
    R("rfv-users-None", "^user_vectors:", rc.recommend_from_vectors, None, IV),
    R("rfv-users-array", "^user_vectors:", rc.recommend_from_vectors, UV.to_numpy(), IV),
    R("rfv-items-list", "^item_vectors:", rc.recommend_from_vectors, UV, X3.tolist()),
    R("rfv-users-empty", "^user_vectors:.*at least one row", rc.recommend_from_vectors, UV.iloc[:0], IV),
    R("rfv-dimensions", "^item_vectors:.*2 dimensions", rc.recommend_from_vectors, UV, IV.iloc[:, :1], 1),
    R("rfv-users-NaN", "^user_vectors:.*NaN", rc.recommend_from_vectors, UV.mask(UV == 0.0), IV, 1),
    R("rfv-items-inf", "^item_vectors:.*finite", rc.recommend_from_vectors, UV, IV.replace(0.0, INF), 1),
    R("rfv-users-index-NaN", r"^user_vectors\.index:.*NaN", rc.recommend_from_vectors, UV.set_axis([1, NAN]), IV, 1),
    R("rfv-items-duplicate-index", "^item_vectors:.*duplicate", rc.recommend_from_vectors, UV, IV.set_axis([10, 10, 30]), 1),
    R("rfv-items-str", "^item_vectors:.*numeric columns", rc.recommend_from_vectors, UV, IV.astype(str), 1),
    R("rfv-items-bool", "^item_vectors:.*numeric columns", rc.recommend_from_vectors, UV, IV.astype(bool), 1),
    R("rfv-k-too-large", r"^k:.*\[1, 3\]", rc.recommend_from_vectors, UV, IV, 4),
    R("rfv-k-True", "^k:", rc.recommend_from_vectors, UV, IV, True),
    R("rfv-k-float", "^k:", rc.recommend_from_vectors, UV, IV, 1.0),
    R("rfv-k-0", "^k:", rc.recommend_from_vectors, UV, IV, 0),
    R("rfv-zero-user-vector", "^user_vectors:.*zero", rc.recommend_from_vectors, pd.DataFrame([[0.0, 0.0]], index=[1]), IV, 1),
    R("rfv-seen-list", "^seen:", rc.recommend_from_vectors, UV, IV, 1, seen=[[1, 10]]),
    R("rfv-seen-missing-column", "^seen:.*missing", rc.recommend_from_vectors, UV, IV, 1, seen=seen().drop(columns="item_id")),
    R("rfv-seen-NaN", "^seen:.*NaN", rc.recommend_from_vectors, UV, IV, 1, seen=seen(item_id=[NAN])),
    R("rfv-seen-unknown-item", "^seen:.*99", rc.recommend_from_vectors, UV, IV, 1, seen=seen(item_id=[99])),
    R("rfv-seen-everything", "^exclude:.*leaves only 0", rc.recommend_from_vectors, UV, IV, 1,
      seen=pd.DataFrame({"user_id": [1, 1, 1], "item_id": [10, 20, 30]})),
    R("rfv-seen-k-too-large", "^exclude:.*leaves only 2", rc.recommend_from_vectors, UV, IV, 3, seen=seen()),
    R("rfv-seed-True", "^seed:", rc.recommend_from_vectors, UV, IV, 1, seed=True),
    R("rfv-method", "^method:", rc.recommend_from_vectors, UV, IV, 1, method="x"),
    R("rfv-same-column-names", "^col_item:", rc.recommend_from_vectors, UV, IV, 1, col_user="x", col_item="x"),
    R("rfv-column-named-rank", "^col_item:", rc.recommend_from_vectors, UV, IV, 1, col_item="rank"),
    # ---------------------------------------------------------------- the interaction matrix R
    *[R(f"{f.__name__}-R-{name}", "^R:", f, bad) for f in (rc.popularity_scores, rc.cosine_item_similarity, rc.item_knn_scores)
      for name, bad in (("None", None), ("list", [[1, 0]]), ("DataFrame", pd.DataFrame([[1, 0]])), ("1d", np.array([1.0, 0.0])),
                        ("NaN", np.array([[NAN, 1.0]])), ("sparse-inf", sp.csr_matrix(np.array([[INF, 1.0]]))),
                        ("str", np.array([["a", "b"]])), ("no-users", np.zeros((0, 3))), ("no-items", np.zeros((2, 0))))],
    R("knn-S-NaN", "^S:.*NaN", rc.item_knn_scores, RM, np.full((3, 3), NAN)),
    R("knn-S-shape", r"^S:.*\(3, 3\)", rc.item_knn_scores, RM, np.eye(2)),
    R("knn-S-str", "^S:", rc.item_knn_scores, RM, "abc"),
    R("knn-S-bool", "^S:.*boolean", rc.item_knn_scores, RM, np.eye(3, dtype=bool)),
    R("knn-n-True", "^n_neighbours:", rc.item_knn_scores, RM, n_neighbours=True),
    R("knn-n-0", "^n_neighbours:", rc.item_knn_scores, RM, n_neighbours=0),
    R("knn-n-too-large", r"^n_neighbours:.*\[1, 3\]", rc.item_knn_scores, RM, n_neighbours=4),
    R("knn-n-float", "^n_neighbours:", rc.item_knn_scores, RM, n_neighbours=1.5),
    # ---------------------------------------------------------------- content profiles and scores
    *[R(f"{f.__name__}-features-{name}", "^item_features:", f, RM, bad) for f in (rc.content_profiles, rc.content_scores)
      for name, bad in (("None", None), ("list", X3.tolist()), ("DataFrame", pd.DataFrame(X3)),
                        ("NaN", np.where(X3 == 0, NAN, X3)), ("sparse-inf", sp.csr_matrix(np.where(X3 == 0, 0, INF))),
                        ("str", np.array([["a", "b"]] * 3)), ("bool", X3.astype(bool)),
                        ("sparse-bool", sp.csr_matrix(X3.astype(bool))), ("rows-mismatch", X3[:2]),
                        ("no-columns", np.zeros((3, 0))))],
    R("content_scores-R-NaN", "^R:", rc.content_scores, np.array([[NAN, 0.0, 1.0]]), X3),
    # ---------------------------------------------------------------- min-max and blend
    R("minmax-None", "^scores:", rc.minmax_rows, None),
    R("minmax-1d", "^scores:.*2-D", rc.minmax_rows, np.array([1.0, 2.0])),
    R("minmax-NaN", "^scores:.*NaN", rc.minmax_rows, np.array([[NAN, 2.0]])),
    R("minmax-bool", "^scores:.*boolean", rc.minmax_rows, np.array([[True, False]])),
    R("minmax-str", "^scores:", rc.minmax_rows, "ab"),
    R("minmax-empty", "^scores:", rc.minmax_rows, np.zeros((0, 2))),
    R("blend-shapes", "^scores_b:.*shape", rc.blend, np.ones((1, 2)), np.ones((1, 3))),
    R("blend-b-None", "^scores_b:", rc.blend, np.ones((1, 2)), None),
    R("blend-a-NaN", "^scores_a:.*NaN", rc.blend, np.array([[NAN, 1.0]]), np.ones((1, 2))),
    R("blend-a-plus-inf", r"^scores_a:.*\+inf", rc.blend, np.array([[INF, 1.0, 0.0]]), np.ones((1, 3))),
    R("blend-b-plus-inf", r"^scores_b:.*\+inf", rc.blend, np.ones((1, 3)), np.array([[INF, 1.0, 0.0]])),
    R("blend-alpha-True", "^alpha:", rc.blend, np.ones((1, 2)), np.ones((1, 2)), True),
    R("blend-alpha-2", "^alpha:", rc.blend, np.ones((1, 2)), np.ones((1, 2)), 2),
    R("blend-alpha-negative", "^alpha:", rc.blend, np.ones((1, 2)), np.ones((1, 2)), -0.1),
    R("blend-alpha-NaN", "^alpha:", rc.blend, np.ones((1, 2)), np.ones((1, 2)), NAN),
    # ---------------------------------------------------------------- MMR
    R("mmr-candidates-str", "^candidates:.*single string", rc.mmr_rerank, "abc", [1, 2, 3], X3, 2),
    R("mmr-candidates-None", "^candidates:", rc.mmr_rerank, None, [1, 2, 3], X3, 2),
    R("mmr-candidates-duplicates", "^candidates:.*distinct", rc.mmr_rerank, [1, 1, 2], [1, 2, 3], X3, 2),
    R("mmr-candidates-NaN", "^candidates:.*NaN", rc.mmr_rerank, [1, NAN, 2], [1, 2, 3], X3, 2),
    R("mmr-candidates-empty", "^candidates:", rc.mmr_rerank, [], [], np.zeros((0, 2)), 1),
    R("mmr-relevance-NaN", "^relevance:.*NaN", rc.mmr_rerank, [1, 2, 3], [1, NAN, 3], X3, 2),
    R("mmr-relevance-inf", "^relevance:.*finite", rc.mmr_rerank, [1, 2, 3], [1, INF, 3], X3, 2),
    R("mmr-relevance-neg-inf", "^relevance:.*finite", rc.mmr_rerank, [1, 2, 3], [1, -INF, 3], X3, 2),
    R("mmr-relevance-length", "^relevance:.*3 finite", rc.mmr_rerank, [1, 2, 3], [1, 2], X3, 2),
    R("mmr-relevance-str", "^relevance:", rc.mmr_rerank, [1, 2, 3], "abc", X3, 2),
    R("mmr-relevance-numeric-str", "^relevance:", rc.mmr_rerank, [1, 2, 3], ["1", "2", "3"], X3, 2),
    R("mmr-relevance-bool", "^relevance:.*boolean", rc.mmr_rerank, [1, 2, 3], [True, False, True], X3, 2),
    R("mmr-vectors-NaN", "^item_vectors:.*NaN", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], np.where(X3 == 0, NAN, X3), 2),
    R("mmr-vectors-rows", "^item_vectors:.*3 rows", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], X3[:2], 2),
    R("mmr-vectors-1d", "^item_vectors:.*2-D", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], np.ones(3), 2),
    R("mmr-vectors-None", "^item_vectors:", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], None, 2),
    R("mmr-k-too-large", r"^k:.*\[1, 3\]", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], X3, 4),
    R("mmr-k-True", "^k:", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], X3, True),
    R("mmr-k-0", "^k:", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], X3, 0),
    R("mmr-lambda-1.5", "^lambda_:", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], X3, 2, 1.5),
    R("mmr-lambda-True", "^lambda_:", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], X3, 2, True),
    R("mmr-lambda-NaN", "^lambda_:", rc.mmr_rerank, [1, 2, 3], [1, 2, 3], X3, 2, NAN),
]


@pytest.mark.parametrize("fn, args, kwargs, match", REJECTED)
def test_hostile_input_is_rejected_by_name(fn, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        call_unchanged(fn, args, kwargs)


DOCUMENTED = [
    # a value of 0 stays a 0 entry (what the matrix holds is the column's value)
    D("im-value-zero", lambda got: got[0].toarray().tolist() == [[0.0, 3.0, 0.0], [0.0, 0.0, 4.0]],
      rc.interaction_matrix, inter(rating=[0.0, 3.0, 4.0]), value="rating"),
    # users/items may be any list-like of distinct ids: a range, a pandas Index
    D("im-users-range", lambda got: got[0].shape == (3, 3), rc.interaction_matrix,
      inter(user_id=[0, 0, 2]), users=range(3)),
    # indices may be a nested list
    D("tl-nested-list", lambda got: got == {1: [10, 20]}, rc.to_lists, [[0, 1]], [1], [10, 20]),
    # the dot product of a zero user vector is simply 0 (only cosine is undefined)
    D("rs-zero-user-dot", lambda got: got.tolist() == [0.0, 0.0, 0.0], rc.recommendation_scores,
      [0.0, 0.0], X3, method="dot"),
    # an all-zero item row has cosine 0 with every user
    D("rs-zero-item-row", lambda got: got[1] == 0.0, rc.recommendation_scores, [1.0, 1.0],
      np.array([[1.0, 0.0], [0.0, 0.0]])),
    # users of seen that have no vector are ignored; an empty seen excludes nothing
    D("rfv-seen-unknown-user", lambda got: got["item_id"].tolist() == [10, 20], rc.recommend_from_vectors,
      UV, IV, 1, seen=seen(user_id=[99])),
    D("rfv-seen-empty", lambda got: len(got) == 2, rc.recommend_from_vectors, UV, IV, 1, seen=seen().iloc[:0]),
    # any non-zero entry is an interaction for popularity, whatever its sign
    D("popularity-counts-non-zero", lambda got: got.tolist() == [[1.0, 1.0]], rc.popularity_scores,
      np.array([[-1.0, 1.0]])),
    # boolean interaction matrices count as 0/1
    D("popularity-bool-R", lambda got: got[0].tolist() == [1.0, 0.0], rc.popularity_scores, np.array([[True, False]])),
    # S may be a nested list or a sparse matrix
    D("knn-S-list", lambda got: got.shape == (2, 3), rc.item_knn_scores, RM, np.eye(3).tolist()),
    D("knn-S-sparse", lambda got: np.allclose(got, RM.toarray()), rc.item_knn_scores, RM, sp.eye(3, format="csr")),
    # a user with no history gets a zero profile, so content scores of 0
    D("content-no-history", lambda got: (got[1] == 0).all(), rc.content_scores,
      sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])), X3),
    # +inf and -inf are kept by minmax_rows and ignored for the scale; constant rows give 0
    D("minmax-keeps-infinities", lambda got: got[0].tolist() == [INF, 1.0, 0.0] and got[1].tolist() == [-INF, 0.0, 0.0],
      rc.minmax_rows, np.array([[INF, 2.0, 1.0], [-INF, 3.0, 3.0]])),
    # -inf (forbidden) stays -inf in a blend whatever alpha, even alpha = 0 (no NaN)
    D("blend-neg-inf-alpha-0", lambda got: got.tolist() == [[-INF, 0.5, 1.0]], rc.blend,
      np.array([[-INF, 1.0, 0.0]]), np.array([[0.0, 1.0, 2.0]]), 0.0),
    D("blend-neg-inf-in-b", lambda got: got[0, 0] == -INF and np.isfinite(got[0, 1:]).all(), rc.blend,
      np.array([[0.0, 1.0, 2.0]]), np.array([[-INF, 1.0, 0.0]]), 1.0),
    # an all-zero vector has cosine 0 to every other vector: never penalised
    D("mmr-zero-vector", lambda got: got == [3, 2], rc.mmr_rerank, [1, 2, 3], [1.0, 2.0, 3.0],
      np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), 2),
    # item vectors may be sparse or a DataFrame (rows aligned with candidates)
    D("mmr-sparse-vectors", lambda got: got == rc.mmr_rerank([1, 2, 3], [1.0, 2.0, 3.0], X3, 2), rc.mmr_rerank,
      [1, 2, 3], [1.0, 2.0, 3.0], sp.csr_matrix(X3), 2),
    D("mmr-DataFrame-vectors", lambda got: got == rc.mmr_rerank([1, 2, 3], [1.0, 2.0, 3.0], X3, 2), rc.mmr_rerank,
      [1, 2, 3], [1.0, 2.0, 3.0], pd.DataFrame(X3), 2),
]


@pytest.mark.parametrize("fn, args, kwargs, check", DOCUMENTED)
def test_hostile_looking_input_has_the_documented_answer(fn, args, kwargs, check):
    assert check(call_unchanged(fn, args, kwargs))


def test_valid_calls_do_not_mutate_their_inputs():
    call_unchanged(rc.interaction_matrix, (inter(),), {"value": "rating", "items": [10, 20, 30, 40]})
    call_unchanged(rc.recommend_from_vectors, (UV, IV, 2), {"seen": seen()})
    for f in (rc.popularity_scores, rc.cosine_item_similarity, rc.item_knn_scores):
        call_unchanged(f, (RM,), {})
    call_unchanged(rc.item_knn_scores, (RM.toarray(),), {"n_neighbours": 1})
    call_unchanged(rc.content_scores, (RM, sp.csr_matrix(X3)), {})
    call_unchanged(rc.blend, (np.array([[-INF, 1.0, 0.0]]), S[:1]), {"alpha": 0.3})
    call_unchanged(rc.mmr_rerank, (["a", "b", "c"], np.array([1.0, 2.0, 3.0]), X3, 2), {})


# --------------------------------------------------------------------------- properties
finite = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def score_matrices(draw, neg_inf: bool = True):
    n_rows, n_cols = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    values = draw(st.lists(finite, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    s = np.array(values).reshape(n_rows, n_cols)
    if neg_inf:
        forbid = np.array(draw(st.lists(st.booleans(), min_size=s.size, max_size=s.size))).reshape(s.shape)
        s[forbid & (draw(st.integers(0, 3)) == 0)] = -np.inf
    return s


@SETTINGS
@given(score_matrices(), score_matrices(), st.floats(0, 1))
def test_blend_is_in_zero_one_or_forbidden(a, b, alpha):
    b = np.resize(b, a.shape)
    out = rc.blend(a, b, alpha)
    forbidden = np.isneginf(a) | np.isneginf(b)
    assert (out[forbidden] == -np.inf).all()
    assert ((out[~forbidden] >= -1e-12) & (out[~forbidden] <= 1 + 1e-12)).all()
    assert not np.isnan(out).any()


@SETTINGS
@given(score_matrices())
def test_minmax_rows_maps_finite_scores_to_zero_one_keeping_the_order(s):
    out = rc.minmax_rows(s)
    fin = np.isfinite(s)
    assert ((out[fin] >= 0) & (out[fin] <= 1)).all()
    assert (out[~fin] == s[~fin]).all()
    for u in range(s.shape[0]):
        cols = np.flatnonzero(fin[u])
        a, b = np.meshgrid(cols, cols)
        assert ((s[u, a] < s[u, b]) <= (out[u, a] <= out[u, b])).all()   # order kept (ties may merge)


@SETTINGS
@given(st.integers(1, 8), st.integers(1, 4), st.data())
def test_mmr_returns_k_distinct_candidates_and_lambda_one_is_the_relevance_order(n, d, data):
    rel = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), float)  # ties
    V = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=n * d, max_size=n * d))).reshape(n, d)
    k = data.draw(st.integers(1, n))
    lam = data.draw(st.floats(0, 1))
    cands = [f"c{i}" for i in range(n)]
    got = rc.mmr_rerank(cands, rel, V, k, lam)
    assert len(got) == k and len(set(got)) == k and set(got) <= set(cands)
    by_relevance = [cands[i] for i in np.argsort(-rel, kind="stable")[:k]]   # ties: the earlier
    assert rc.mmr_rerank(cands, rel, V, k, 1.0) == by_relevance


@SETTINGS
@given(score_matrices(neg_inf=False), st.integers(0, 100))
def test_top_k_then_to_lists_gives_the_best_items_by_id(s, seed):
    k = max(1, s.shape[1] // 2)
    users, items = [f"u{i}" for i in range(s.shape[0])], [100 + j for j in range(s.shape[1])]
    lists = rc.to_lists(rc.top_k(s, k, seed=seed), users, items)
    assert list(lists) == users
    for u, row in zip(users, s):
        got = [items.index(i) for i in lists[u]]
        assert len(set(got)) == k
        assert row[got].min() >= np.sort(row)[::-1][k - 1]                # the k best scores
