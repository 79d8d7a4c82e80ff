"""Tests of recsys_helpers.recommend: top-K, the classic recommenders, blending and MMR."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.metrics.pairwise import cosine_similarity

from recsys_helpers import recommend as rc


@pytest.fixture
def R() -> sparse.csr_matrix:
    """A small random implicit-feedback matrix (30 users x 12 items), every user active."""
    rng = np.random.default_rng(0)
    dense = (rng.random((30, 12)) < 0.3).astype(float)
    dense[np.arange(30), rng.integers(0, 12, 30)] = 1.0
    return sparse.csr_matrix(dense)


# --------------------------------------------------------------------------- interaction_matrix
def test_interaction_matrix_layout_and_values() -> None:
    inter = pd.DataFrame({"user_id": [7, 7, 9, 9], "item_id": ["b", "a", "b", "b"],
                          "rating": [4.0, 2.0, 1.0, 5.0]})
    R, users, items = rc.interaction_matrix(inter, items=["a", "b", "c"], value="rating")
    assert list(users) == [7, 9] and list(items) == ["a", "b", "c"]
    np.testing.assert_array_equal(R.toarray(), [[2.0, 4.0, 0.0], [0.0, 5.0, 0.0]])  # last value kept
    Rb, _, _ = rc.interaction_matrix(inter)
    np.testing.assert_array_equal(Rb.toarray(), [[1, 1], [0, 1]])
    with pytest.raises(ValueError, match="items: id 'b'"):
        rc.interaction_matrix(inter, items=["a"])
    with pytest.raises(ValueError, match="value: expected None or the name of a column of interactions"):
        rc.interaction_matrix(inter, value="score")


# --------------------------------------------------------------------------- top_k
def test_top_k_matches_full_sort() -> None:
    rng = np.random.default_rng(1)
    scores = rng.random((50, 200))
    got = rc.top_k(scores, 7)
    want = np.argsort(-scores, axis=1)[:, :7]
    np.testing.assert_array_equal(got, want)


def test_top_k_excludes_seen_items(R: sparse.csr_matrix) -> None:
    rng = np.random.default_rng(2)
    scores = rng.random(R.shape)
    got = rc.top_k(scores, 3, exclude=R)
    assert not R.toarray()[np.arange(R.shape[0])[:, None], got].any()
    masked = np.where(R.toarray() > 0, -np.inf, scores)
    np.testing.assert_array_equal(got, np.argsort(-masked, axis=1)[:, :3])
    np.testing.assert_array_equal(got, rc.top_k(scores, 3, exclude=R.toarray() > 0))


def test_top_k_is_the_metrics_top_k() -> None:
    """One tie rule in one place: recommend.top_k is metrics.top_k."""
    from recsys_helpers import metrics
    assert rc.top_k is metrics.top_k


def test_top_k_tie_at_kth_place_follows_the_tie_keys() -> None:
    # items 1, 2, 4 tie at the top, item 3 next: top-2 must take two of the tied three,
    # the two with the smallest tie keys, best score first
    from recsys_helpers import metrics
    scores = np.array([[1.0, 3.0, 3.0, 2.0, 3.0]])
    keys = metrics.tie_keys(0, np.array([1, 2, 4]), seed=0)
    expected = np.array([1, 2, 4])[np.argsort(keys)][:2]
    np.testing.assert_array_equal(rc.top_k(scores, 2), [expected])
    # the winners of a strict score order never depend on the keys
    np.testing.assert_array_equal(rc.top_k(scores, 4)[0, 3], 3)


def test_item_knn_pruning_ties_follow_the_tie_rule() -> None:
    """Neighbour pruning keeps, per target item, the n most similar items; a tie at the n-th
    place is broken by metrics.top_k's keys (rows = target items), not by memory order."""
    from recsys_helpers import metrics
    S = np.array([[0.0, 0.5, 0.5, 0.5],
                  [0.5, 0.0, 0.2, 0.1],
                  [0.5, 0.2, 0.0, 0.3],
                  [0.5, 0.1, 0.3, 0.0]])
    R = np.eye(4)
    pruned = rc.item_knn_scores(R, S, n_neighbours=1)          # R = I: the pruned S itself
    # target item 0 (column 0): items 1, 2, 3 tie at 0.5 -> the one with the smallest key
    keys = metrics.tie_keys(0, np.array([1, 2, 3]), seed=0)
    kept = np.array([1, 2, 3])[np.argmin(keys)]
    assert np.flatnonzero(pruned[:, 0]).tolist() == [kept]
    # target item 2: its most similar item is 0 (0.5), no tie
    assert np.flatnonzero(pruned[:, 2]).tolist() == [0]


def test_top_k_validation() -> None:
    scores = np.zeros((2, 3))
    for k in (0, 4, 1.5, True):
        with pytest.raises(ValueError, match="k:"):
            rc.top_k(scores, k)
    with pytest.raises(ValueError, match="scores: .*NaN"):
        rc.top_k(np.array([[np.nan, 1.0]]), 1)
    with pytest.raises(ValueError, match="scores: expected a 2-D"):
        rc.top_k(np.zeros(3), 1)
    with pytest.raises(ValueError, match="exclude: expected shape"):
        rc.top_k(scores, 1, exclude=np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match="exclude: row 1 leaves only 1"):
        rc.top_k(scores, 2, exclude=np.array([[0, 0, 0], [1, 1, 0]], bool))


def test_to_lists() -> None:
    assert rc.to_lists(np.array([[1, 0], [2, 1]]), ["u", "v"], [10, 20, 30]) == {
        "u": [20, 10], "v": [30, 20]}
    with pytest.raises(ValueError, match="indices"):
        rc.to_lists(np.array([[1, 0]]), ["u", "v"], [10, 20])


# --------------------------------------------------------------------------- recommenders
def test_popularity_scores(R: sparse.csr_matrix) -> None:
    pop = rc.popularity_scores(R)
    counts = (R.toarray() > 0).sum(axis=0)
    assert pop.shape == R.shape
    np.testing.assert_array_equal(pop[0], counts)
    np.testing.assert_array_equal(pop[-1], counts)


def test_cosine_item_similarity_matches_sklearn(R: sparse.csr_matrix) -> None:
    S = rc.cosine_item_similarity(R)
    want = cosine_similarity(R.T.toarray())
    np.fill_diagonal(want, 0.0)
    np.testing.assert_allclose(S, want, atol=1e-12)
    assert np.allclose(S, S.T)


def test_cosine_item_similarity_unrated_item_is_zero() -> None:
    R = sparse.csr_matrix(np.array([[1.0, 0, 1], [1, 0, 0]]))
    S = rc.cosine_item_similarity(R)
    assert np.all(S[:, 1] == 0) and np.all(S[1] == 0)
    assert S[0, 2] == pytest.approx(1 / np.sqrt(2))


def test_item_knn_scores(R: sparse.csr_matrix) -> None:
    S = rc.cosine_item_similarity(R)
    np.testing.assert_allclose(rc.item_knn_scores(R), R.toarray() @ S)
    pruned = rc.item_knn_scores(R, S, n_neighbours=2)
    # rebuild the pruned similarity column by column
    # (ties at the 2nd place broken by the package's tie keys, rows = target items)
    from recsys_helpers import metrics
    S2 = np.zeros_like(S)
    for j in range(S.shape[1]):
        keys = metrics.tie_keys(j, np.arange(S.shape[0]))
        top = np.lexsort((keys, -S[:, j]))[:2]
        S2[top, j] = S[top, j]
    np.testing.assert_allclose(pruned, R.toarray() @ S2)
    with pytest.raises(ValueError, match="n_neighbours"):
        rc.item_knn_scores(R, S, n_neighbours=0)
    with pytest.raises(ValueError, match="S: expected shape"):
        rc.item_knn_scores(R, S[:3, :3])


def test_content_profiles_and_scores() -> None:
    R = sparse.csr_matrix(np.array([[1.0, 1, 0], [0, 0, 0], [0, 0, 5]]))
    X = np.array([[1.0, 0], [0, 1], [1, 1]])
    P = rc.content_profiles(R, X)
    np.testing.assert_allclose(P, [[0.5, 0.5], [0, 0], [1, 1]])
    S = rc.content_scores(R, X)
    np.testing.assert_allclose(S[0], cosine_similarity(P[:1], X)[0])
    np.testing.assert_array_equal(S[1], 0.0)            # no history, no profile
    np.testing.assert_allclose(rc.content_scores(R, sparse.csr_matrix(X)), S)
    with pytest.raises(ValueError, match="item_features: expected 3 rows"):
        rc.content_scores(R, X[:2])


# --------------------------------------------------------------------------- blending
def test_minmax_rows() -> None:
    s = np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 5.0], [-np.inf, 0.0, 4.0]])
    out = rc.minmax_rows(s)
    np.testing.assert_allclose(out[0], [0.0, 1.0, 0.5])
    np.testing.assert_array_equal(out[1], 0.0)
    assert out[2, 0] == -np.inf and out[2, 1] == 0.0 and out[2, 2] == 1.0


def test_blend_is_invariant_to_per_user_affine_scaling() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.random((5, 8)), rng.normal(size=(5, 8))
    scale, shift = rng.uniform(0.5, 10, (5, 1)), rng.normal(size=(5, 1))
    np.testing.assert_allclose(rc.blend(a, b, 0.3), rc.blend(a * scale + shift, b, 0.3))
    np.testing.assert_allclose(rc.blend(a, b, 1.0), rc.minmax_rows(a))
    np.testing.assert_allclose(rc.blend(a, b, 0.0), rc.minmax_rows(b))
    with pytest.raises(ValueError, match="alpha"):
        rc.blend(a, b, 1.5)
    with pytest.raises(ValueError, match="scores_b"):
        rc.blend(a, b[:, :3], 0.5)


# --------------------------------------------------------------------------- MMR
def test_mmr_lambda_one_keeps_relevance_order() -> None:
    rng = np.random.default_rng(4)
    rel = rng.random(10)
    V = rng.normal(size=(10, 4))
    items = list("abcdefghij")
    assert rc.mmr_rerank(items, rel, V, 5, lambda_=1.0) == [items[i] for i in np.argsort(-rel)[:5]]


def test_mmr_skips_near_duplicates() -> None:
    # b is a copy of a (slightly less relevant); c is different and less relevant still
    V = np.array([[1.0, 0.0], [1.0, 0.01], [0.0, 1.0]])
    rel = np.array([1.0, 0.95, 0.6])
    assert rc.mmr_rerank(["a", "b", "c"], rel, V, 2, lambda_=1.0) == ["a", "b"]
    assert rc.mmr_rerank(["a", "b", "c"], rel, V, 2, lambda_=0.5) == ["a", "c"]


def test_mmr_greedy_matches_definition() -> None:
    rng = np.random.default_rng(5)
    n, k, lam = 12, 6, 0.7
    rel, V = rng.random(n), rng.normal(size=(n, 3))
    Vn = V / np.linalg.norm(V, axis=1, keepdims=True)
    chosen: list[int] = []
    for _ in range(k):
        best = max((i for i in range(n) if i not in chosen),
                   key=lambda i: lam * rel[i] - (1 - lam) * max((Vn[i] @ Vn[j] for j in chosen), default=0.0))
        chosen.append(best)
    assert rc.mmr_rerank(list(range(n)), rel, V, k, lam) == chosen


def test_mmr_validation() -> None:
    V = np.eye(3)
    with pytest.raises(ValueError, match="relevance"):
        rc.mmr_rerank([1, 2, 3], [1.0, 2.0], V, 2)
    with pytest.raises(ValueError, match="item_vectors"):
        rc.mmr_rerank([1, 2, 3], [1.0, 2.0, 3.0], V[:2], 2)
    with pytest.raises(ValueError, match="k:"):
        rc.mmr_rerank([1, 2, 3], [1.0, 2.0, 3.0], V, 4)
    with pytest.raises(ValueError, match="lambda_"):
        rc.mmr_rerank([1, 2, 3], [1.0, 2.0, 3.0], V, 2, lambda_=2)
