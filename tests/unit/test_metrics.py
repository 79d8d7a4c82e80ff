"""Tests of recsys_helpers.metrics: hand-worked examples, library cross-checks, validation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from recsys_helpers import metrics as m

# Two users. User "a": hits at ranks 1 and 3 of 4; 3 relevant items (one never recommended).
# User "b": a single hit at rank 2.
REC = {"a": [1, 2, 3, 4], "b": [5, 6, 7, 8]}
REL = {"a": {1, 3, 9}, "b": {6}}


# --------------------------------------------------------------------------- hand-worked values
def test_precision_recall_f1_by_hand() -> None:
    assert m.precision_at_k(REC, REL, 4) == pytest.approx((2 / 4 + 1 / 4) / 2)
    assert m.recall_at_k(REC, REL, 4) == pytest.approx((2 / 3 + 1 / 1) / 2)
    f1_a = 2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3)
    f1_b = 2 * (1 / 4) * 1 / (1 / 4 + 1)
    assert m.f1_at_k(REC, REL, 4) == pytest.approx((f1_a + f1_b) / 2)
    # the cut-off matters: at k=1 user b has no hit
    assert m.precision_at_k(REC, REL, 1) == pytest.approx((1 + 0) / 2)
    assert m.f1_at_k({"b": [5]}, REL, 1) == 0.0


def test_ndcg_by_hand_uses_log2() -> None:
    dcg_a = 1 / math.log2(2) + 1 / math.log2(4)
    idcg_a = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    ndcg_b = (1 / math.log2(3)) / 1.0
    assert m.ndcg_at_k(REC, REL, 4) == pytest.approx((dcg_a / idcg_a + ndcg_b) / 2)


def test_map_mrr_hit_by_hand() -> None:
    ap_a = (1 / 1 + 2 / 3) / min(3, 4)
    ap_b = (1 / 2) / 1
    assert m.map_at_k(REC, REL, 4) == pytest.approx((ap_a + ap_b) / 2)
    assert m.mrr_at_k(REC, REL, 4) == pytest.approx((1 / 1 + 1 / 2) / 2)
    assert m.hit_rate_at_k(REC, REL, 4) == 1.0
    assert m.hit_rate_at_k(REC, REL, 1) == 0.5
    assert m.mrr_at_k(REC, REL, 1) == 0.5


def test_perfect_and_empty_lists() -> None:
    rec = {"u": [1, 2, 3]}
    rel = {"u": {1, 2, 3}}
    for f in (m.precision_at_k, m.recall_at_k, m.f1_at_k, m.ndcg_at_k, m.map_at_k, m.mrr_at_k,
              m.hit_rate_at_k):
        assert f(rec, rel, 3) == pytest.approx(1.0), f.__name__
        assert f({"u": [7, 8, 9]}, rel, 3) == 0.0, f.__name__


def test_single_relevant_item_identities() -> None:
    """With one held-out item: recall = hit rate and precision = hit rate / k."""
    rng = np.random.default_rng(0)
    rec = {u: list(rng.permutation(50)[:10]) for u in range(30)}
    rel = {u: {int(rng.integers(50))} for u in range(30)}
    hr = m.hit_rate_at_k(rec, rel, 10)
    assert 0 < hr < 1
    assert m.recall_at_k(rec, rel, 10) == pytest.approx(hr)
    assert m.precision_at_k(rec, rel, 10) == pytest.approx(hr / 10)


# --------------------------------------------------------------------------- library cross-checks
def _as_sklearn(rec: dict, rel: dict, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores that rank each user's list first (in order), relevance as gains."""
    users = list(rec)
    y_score = np.zeros((len(users), n_items))
    y_true = np.zeros((len(users), n_items))
    for row, u in enumerate(users):
        for pos, item in enumerate(rec[u]):
            y_score[row, item] = len(rec[u]) - pos
        for item, gain in (rel[u].items() if isinstance(rel[u], dict) else ((i, 1) for i in rel[u])):
            y_true[row, item] = gain
    return y_true, y_score


@pytest.mark.parametrize("graded", [False, True])
def test_ndcg_matches_sklearn(graded: bool) -> None:
    rng = np.random.default_rng(1)
    n_items, k = 40, 10
    rec, rel = {}, {}
    for u in range(25):
        rec[u] = [int(i) for i in rng.permutation(n_items)[:k]]
        items = rng.choice(n_items, size=int(rng.integers(1, 8)), replace=False)
        rel[u] = ({int(i): int(rng.integers(1, 6)) for i in items} if graded
                  else {int(i) for i in items})
    y_true, y_score = _as_sklearn(rec, rel, n_items)
    expected = ndcg_score(y_true, y_score, k=k)
    assert m.ndcg_at_k(rec, rel, k) == pytest.approx(expected, rel=1e-12)


def test_ndcg_log_base_cancels_but_not_in_dcg() -> None:
    """The claim in the docstring: base e and base 2 give the same NDCG (not the same DCG)."""
    rng = np.random.default_rng(2)
    rec = {u: [int(i) for i in rng.permutation(30)[:10]] for u in range(20)}
    rel = {u: {int(i): float(rng.integers(1, 4)) for i in rng.choice(30, 5, replace=False)}
           for u in range(20)}
    base2 = m.ndcg_at_k(rec, rel, 10, per_user=True)
    base_e = m.ndcg_at_k(rec, rel, 10, log_base=math.e, per_user=True)
    base10 = m.ndcg_at_k(rec, rel, 10, log_base=10, per_user=True)
    assert (base2 > 0).any()
    np.testing.assert_allclose(base_e.to_numpy(), base2.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(base10.to_numpy(), base2.to_numpy(), rtol=1e-12)
    # ...whereas the un-normalised DCG does depend on the base
    top = rec[0]
    dcg = {b: sum(rel[0].get(i, 0) / (math.log(p + 2) / math.log(b)) for p, i in enumerate(top))
           for b in (2, math.e)}
    if dcg[2] > 0:
        assert dcg[2] != pytest.approx(dcg[math.e])


def test_map_matches_brute_force_definition() -> None:
    rng = np.random.default_rng(3)
    rec = {u: [int(i) for i in rng.permutation(20)[:8]] for u in range(40)}
    rel = {u: {int(i) for i in rng.choice(20, int(rng.integers(1, 12)), replace=False)} for u in range(40)}
    aps = []
    for u in rec:
        hits = [i in rel[u] for i in rec[u][:5]]
        prec = [sum(hits[: j + 1]) / (j + 1) for j in range(5)]
        aps.append(sum(p for p, h in zip(prec, hits) if h) / min(len(rel[u]), 5))
    assert m.map_at_k(rec, rel, 5) == pytest.approx(np.mean(aps))


# --------------------------------------------------------------------------- input forms
def test_dataframe_and_array_inputs_agree_with_mapping() -> None:
    df = pd.DataFrame({"user_id": ["a"] * 4 + ["b"] * 4, "item_id": [1, 2, 3, 4, 5, 6, 7, 8]})
    shuffled = df.assign(rank=[1, 2, 3, 4] * 2).sample(frac=1.0, random_state=0)
    scored = df.assign(score=[4.0, 3, 2, 1] * 2).sample(frac=1.0, random_state=1)
    rel_df = pd.DataFrame({"user_id": ["a", "a", "a", "b"], "item_id": [1, 3, 9, 6]})
    want = m.ndcg_at_k(REC, REL, 4)
    assert m.ndcg_at_k(df, REL, 4) == pytest.approx(want)
    assert m.ndcg_at_k(shuffled, REL, 4) == pytest.approx(want)
    assert m.ndcg_at_k(scored, REL, 4) == pytest.approx(want)
    assert m.ndcg_at_k(REC, rel_df, 4) == pytest.approx(want)
    arr = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert m.ndcg_at_k(arr, {0: REL["a"], 1: REL["b"]}, 4) == pytest.approx(want)


def test_per_user_series_mean_is_the_aggregate() -> None:
    per = m.map_at_k(REC, REL, 4, per_user=True)
    assert isinstance(per, pd.Series) and list(per.index) == ["a", "b"]
    assert per.mean() == pytest.approx(m.map_at_k(REC, REL, 4))


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("k", [0, -1, 2.5, True, None])
def test_bad_k_names_argument(k: object) -> None:
    with pytest.raises(ValueError, match="k:"):
        m.precision_at_k(REC, REL, k)


def test_validation_messages_name_the_argument() -> None:
    with pytest.raises(ValueError, match="recommended: expected at least one user"):
        m.recall_at_k({}, REL, 5)
    with pytest.raises(ValueError, match="relevant: 1 user"):
        m.ndcg_at_k({**REC, "c": [1]}, REL, 5)
    with pytest.raises(ValueError, match="relevant: user 'a' has no relevant item"):
        m.hit_rate_at_k(REC, {"a": set(), "b": {6}}, 5)
    with pytest.raises(ValueError, match="repeats an item"):
        m.mrr_at_k({"a": [1, 1, 2]}, REL, 3)
    with pytest.raises(ValueError, match="recommended: missing column"):
        m.map_at_k(pd.DataFrame({"user": [1], "item_id": [2]}), REL, 3)
    with pytest.raises(ValueError, match="recommended: expected a mapping"):
        m.map_at_k([[1, 2]], REL, 3)
    with pytest.raises(ValueError, match="log_base"):
        m.ndcg_at_k(REC, REL, 3, log_base=1)
    with pytest.raises(ValueError, match=r"relevant\['a'\]\[1\]: expected a number >= 0"):
        m.ndcg_at_k(REC, {"a": {1: -1.0}, "b": {6: 1}}, 3)


# --------------------------------------------------------------------------- beyond accuracy
def test_catalog_coverage() -> None:
    assert m.catalog_coverage(REC, range(1, 11)) == pytest.approx(8 / 10)
    assert m.catalog_coverage(REC, range(1, 11), k=2) == pytest.approx(4 / 10)
    assert m.catalog_coverage({"a": [1, 2], "b": [2, 1]}, 4) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="catalog: 1 recommended item"):
        m.catalog_coverage(REC, range(1, 8))
    with pytest.raises(ValueError, match="catalog: size"):
        m.catalog_coverage(REC, 3)


def test_item_popularity_and_novelty() -> None:
    inter = pd.DataFrame({"user_id": [1, 1, 2, 3, 4], "item_id": [10, 11, 10, 10, 12]})
    pop = m.item_popularity(inter)
    assert pop.to_dict() == {10: 0.75, 11: 0.25, 12: 0.25}
    rec = {"u": [10, 11], "v": [12, 11]}
    want = ((-math.log2(0.75) - math.log2(0.25)) / 2 + (-math.log2(0.25) * 2) / 2) / 2
    assert m.novelty(rec, pop) == pytest.approx(want)
    assert m.novelty(rec, pop, k=1) == pytest.approx((-math.log2(0.75) - math.log2(0.25)) / 2)
    with pytest.raises(ValueError, match="popularity: item 99"):
        m.novelty({"u": [10, 99]}, pop)
    with pytest.raises(ValueError, match="popularity: item 10"):
        m.novelty({"u": [10]}, {10: 0.0})


def test_intra_list_diversity() -> None:
    vecs = pd.DataFrame([[1, 0], [0, 1], [1, 0], [1, 1]], index=["x", "y", "z", "w"])
    assert m.intra_list_diversity({"u": ["x", "y"]}, vecs) == pytest.approx(1.0)
    assert m.intra_list_diversity({"u": ["x", "z"]}, vecs) == pytest.approx(0.0)
    # x,y,w: cos(x,y)=0, cos(x,w)=cos(y,w)=1/sqrt2
    assert m.intra_list_diversity({"u": ["x", "y", "w"]}, vecs) == pytest.approx(
        1 - (2 / math.sqrt(2)) / 3)
    as_map = {i: vecs.loc[i].to_numpy() for i in vecs.index}
    assert m.intra_list_diversity({"u": ["x", "y", "w"]}, as_map) == pytest.approx(
        m.intra_list_diversity({"u": ["x", "y", "w"]}, vecs))
    arr = vecs.to_numpy()
    assert m.intra_list_diversity(np.array([[0, 1, 3]]), arr) == pytest.approx(
        m.intra_list_diversity({"u": ["x", "y", "w"]}, vecs))
    with pytest.raises(ValueError, match="item_vectors: no row for item 'q'"):
        m.intra_list_diversity({"u": ["x", "q"]}, vecs)
    with pytest.raises(ValueError, match="at least 2 items"):
        m.intra_list_diversity({"u": ["x"]}, vecs)
    with pytest.raises(ValueError, match="zero vector"):
        m.intra_list_diversity({"u": ["x", "o"]}, pd.concat([vecs, pd.DataFrame([[0, 0]], index=["o"])]))


def test_serendipity() -> None:
    expected = {"a": [1, 2], "b": [6]}
    # a: unexpected {3, 4}, relevant among them {3}; b: unexpected {5, 7, 8}, relevant none (6 expected)
    assert m.serendipity(REC, REL, expected, 4) == pytest.approx((1 / 4 + 0) / 2)
    assert m.serendipity(REC, REL, expected, 4, normalize="unexpected") == pytest.approx((1 / 2 + 0) / 2)
    # nothing expected -> serendipity equals precision
    none_expected = {"a": [], "b": []}
    assert m.serendipity(REC, REL, none_expected, 4) == pytest.approx(m.precision_at_k(REC, REL, 4))
    with pytest.raises(ValueError, match="expected: 1 user"):
        m.serendipity(REC, REL, {"a": [1]}, 4)
    with pytest.raises(ValueError, match="normalize"):
        m.serendipity(REC, REL, expected, 4, normalize="n")


def test_item_popularity_catalogue_and_smoothing() -> None:
    inter = pd.DataFrame({"user_id": [1, 1, 2, 3], "item_id": [10, 11, 10, 10]})
    pop = m.item_popularity(inter, items=[10, 11, 12], smoothing=1)
    assert pop.to_dict() == {10: 4 / 4, 11: 2 / 4, 12: 1 / 4}
    assert m.item_popularity(inter, items=[10, 11, 12])[12] == 0.0
    assert np.isfinite(m.novelty({"u": [12, 11]}, pop))
    with pytest.raises(ValueError, match="items: 1 interacted item"):
        m.item_popularity(inter, items=[10])
    with pytest.raises(ValueError, match="smoothing"):
        m.item_popularity(inter, smoothing=-1)


# --------------------------------------------------------------------------- ranking: one tie rule
def test_constant_scorer_gets_exactly_chance() -> None:
    """Every item tied: the expected metrics are those of a uniformly random ranking."""
    n, k = 40, 10
    targets = np.arange(25) % n
    res = m.full_ranking_metrics(np.zeros((25, n)), targets, k)
    assert res[f"hit@{k}"] == pytest.approx(k / n)
    assert res[f"recall@{k}"] == pytest.approx(k / n)
    D = np.sum(1 / np.log2(np.arange(k) + 2))
    assert res[f"ndcg@{k}"] == pytest.approx(D / n)
    assert res["mrr"] == pytest.approx(np.mean(1 / np.arange(1, n + 1)))
    # with 15 of the 40 items excluded the target competes with 25 items
    excl = np.zeros((25, n), bool)
    excl[:, 25:] = True                                   # targets are items 0..24
    assert m.full_ranking_metrics(np.zeros((25, n)), targets, k, exclude=excl)[f"hit@{k}"] == pytest.approx(k / 25)


def test_full_ranking_matches_list_metrics_without_ties() -> None:
    rng = np.random.default_rng(3)
    s = rng.normal(size=(60, 30))
    t = rng.integers(0, 30, 60)
    res = m.full_ranking_metrics(s, t, 5)
    lists = m.top_k(s, 5)
    rel = {u: {int(t[u])} for u in range(60)}
    assert res["hit@5"] == pytest.approx(m.hit_rate_at_k(lists, rel, 5))
    assert res["ndcg@5"] == pytest.approx(m.ndcg_at_k(lists, rel, 5))
    assert res["recall@5"] == pytest.approx(m.recall_at_k(lists, rel, 5))
    full = m.top_k(s, 30)
    assert res["mrr"] == pytest.approx(m.mrr_at_k(full, rel, 30))


def test_full_ranking_ties_equal_the_average_over_all_orders() -> None:
    """Brute force: average the list metrics over every order of the tied block."""
    import itertools
    s = np.array([[3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 0.0]])
    relm = np.array([[0, 1, 0, 1, 1, 0, 0]], bool)
    k = 3
    got = m.full_ranking_metrics(s, relm, k, per_user=True).iloc[0]
    rel = {0: {1, 3, 4}}
    acc = []
    for p1 in itertools.permutations([1, 2, 3]):
        for p2 in itertools.permutations([4, 5]):
            order = [0, *p1, *p2, 6]
            lst = np.array([order])
            acc.append((m.hit_rate_at_k(lst, rel, k), m.recall_at_k(lst, rel, k),
                        m.ndcg_at_k(lst, rel, k), m.mrr_at_k(lst, rel, 7),
                        order.index(next(i for i in order if i in rel[0])) + 1))
    acc = np.mean(acc, axis=0)
    assert got[f"hit@{k}"] == pytest.approx(acc[0])
    assert got[f"recall@{k}"] == pytest.approx(acc[1])
    assert got[f"ndcg@{k}"] == pytest.approx(acc[2])
    assert got["mrr"] == pytest.approx(acc[3])
    assert got["rank"] == pytest.approx(acc[4])


def test_tie_at_the_kth_place_is_fractional() -> None:
    # target tied with two other items on places 2-4 (0-based 1..3), k = 2: one slot in the top 2
    s = np.array([[5.0, 1.0, 1.0, 1.0, 0.0]])
    res = m.full_ranking_metrics(s, np.array([2]), 2)
    assert res["hit@2"] == pytest.approx(1 / 3)
    assert res["ndcg@2"] == pytest.approx((1 / 3) / np.log2(3))


def test_nan_scores_are_rejected_not_ranked_first() -> None:
    s = np.array([[np.nan, 1.0, 2.0]])
    with pytest.raises(ValueError, match="scores"):
        m.full_ranking_metrics(s, np.array([0]), 1)
    with pytest.raises(ValueError, match="scores"):
        m.top_k(s, 1)


def test_relevant_item_is_never_excluded() -> None:
    s = np.array([[1.0, 2.0, 3.0]])
    res = m.full_ranking_metrics(s, np.array([0]), 1, exclude=np.array([[True, True, True]]))
    assert res["hit@1"] == 1.0


@pytest.mark.parametrize("bad, match", [
    (np.array([3]), "relevant"), (np.array([-1]), "relevant"), (np.array([0.5]), "relevant"),
    (np.array([0, 1]), "relevant"), (np.zeros((1, 3), bool), "relevant: row 0"),
    ("0", "relevant"),
])
def test_full_ranking_validation(bad: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        m.full_ranking_metrics(np.array([[1.0, 2.0, 3.0]]), bad, 1)


def test_top_k_keys_are_deterministic_and_differ_between_rows() -> None:
    z = np.zeros((50, 20))
    a, b = m.top_k(z, 5), m.top_k(z, 5)
    np.testing.assert_array_equal(a, b)
    assert len({tuple(r) for r in a}) > 40                 # users get different random lists
    assert not np.array_equal(m.top_k(z, 5, seed=1), a)


def test_top_k_avoids_full_sort_but_agrees_with_it() -> None:
    rng = np.random.default_rng(0)
    s = rng.integers(0, 4, size=(30, 25)).astype(float)     # many ties everywhere
    got = m.top_k(s, 7)
    rows = np.arange(30)[:, None]
    want = np.lexsort((m.tie_keys(rows, np.arange(25)[None, :]), -s), axis=1)[:, :7]
    np.testing.assert_array_equal(got, want)


def test_lists_reject_strings_and_nan_ids() -> None:
    with pytest.raises(ValueError, match="recommended"):
        m.hit_rate_at_k({"u": "abc"}, {"u": {"a"}}, 2)
    with pytest.raises(ValueError, match="relevant"):
        m.hit_rate_at_k({"u": ["a"]}, {"u": "abc"}, 1)
    df = pd.DataFrame({"user_id": [1.0, np.nan], "item_id": [1, 2]})
    with pytest.raises(ValueError, match="recommended: column 'user_id'"):
        m.hit_rate_at_k(df, {1.0: {1}}, 1)
