"""The bridge interests -> recommend -> metrics: scoring items from vectors and the top-K lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recsys_helpers import interests, metrics, recommend
from recsys_helpers import text as T


# --------------------------------------------------------------------------- one user, many items
def test_recommendation_scores_cosine_vs_dot():
    user = np.array([1.0, 1.0])
    items = np.array([[1.0, 1.0], [10.0, 0.0], [0.0, 0.0]])
    cos = recommend.recommendation_scores(user, items)
    dot = recommend.recommendation_scores(user, items, method="dot")
    assert np.allclose(cos[:2], [T.cosine_similarity(user, items[0]), T.cosine_similarity(user, items[1])])
    assert cos[2] == 0.0                          # an empty item shares nothing with the user
    assert np.argmax(cos) == 0 and np.argmax(dot) == 1   # the long vector wins under the dot product
    assert np.allclose(recommend.recommendation_scores(user, sp.csr_matrix(items)), cos)
    with pytest.raises(ValueError, match="items"):
        recommend.recommendation_scores(user, np.ones((3, 3)))
    with pytest.raises(ValueError, match="user"):
        recommend.recommendation_scores([0.0, 0.0], items)
    with pytest.raises(ValueError, match="method"):
        recommend.recommendation_scores(user, items, method="bm25")
    with pytest.raises(ValueError, match="user"):
        recommend.recommendation_scores("1, 1", items)


def test_text_module_no_longer_scores_or_builds_user_vectors():
    assert not hasattr(T, "recommendation_scores") and not hasattr(T, "interest_vector")
    assert hasattr(interests, "interest_vector")


# --------------------------------------------------------------------------- many users: vectors -> lists
@pytest.fixture()
def space() -> tuple[pd.DataFrame, pd.DataFrame]:
    items = pd.DataFrame([[1.0, 0.0], [0.8, 0.2], [0.0, 1.0], [0.2, 0.8], [0.6, 0.6]],
                         index=pd.Index(["a", "b", "c", "d", "e"], name="item_id"))
    users = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=pd.Index([10, 20], name="user_id"))
    return users, items


def test_recommend_from_vectors_ranks_by_cosine_and_excludes_seen(space) -> None:
    users, items = space
    seen = pd.DataFrame({"user_id": [10, 20, 99], "item_id": ["a", "c", "b"]})  # user 99: ignored
    recs = recommend.recommend_from_vectors(users, items, k=2, seen=seen)
    assert list(recs.columns) == ["user_id", "item_id", "rank", "score"]
    assert recs.groupby("user_id")["item_id"].apply(list).to_dict() == {10: ["b", "e"], 20: ["d", "e"]}
    assert recs["rank"].tolist() == [1, 2, 1, 2]
    assert recs["score"].iloc[0] == pytest.approx(0.8 / np.hypot(0.8, 0.2))
    # the shape metrics takes: a DataFrame with user_id, item_id and rank
    relevant = {10: {"e"}, 20: {"a"}}
    assert metrics.hit_rate_at_k(recs, relevant, 2) == pytest.approx(0.5)
    assert metrics.mrr_at_k(recs, relevant, 2) == pytest.approx(0.25)


def test_recommend_from_vectors_matches_scores_and_top_k(space) -> None:
    rng = np.random.default_rng(0)
    items = pd.DataFrame(rng.normal(size=(40, 5)), index=pd.RangeIndex(100, 140, name="item_id"))
    users = pd.DataFrame(rng.normal(size=(6, 5)), index=pd.Index(list("uvwxyz"), name="user_id"))
    recs = recommend.recommend_from_vectors(users, items, k=7)
    for row, u in enumerate(users.index):
        s = recommend.recommendation_scores(users.loc[u].to_numpy(), items.to_numpy())
        want = items.index[np.argsort(-s)[:7]].tolist()
        assert recs.loc[recs.user_id == u, "item_id"].tolist() == want


def test_recommend_from_vectors_ties_follow_the_tie_rule() -> None:
    items = pd.DataFrame(np.ones((6, 2)), index=pd.Index(range(6), name="item_id"))
    users = pd.DataFrame([[1.0, 1.0]] * 3, index=pd.Index([0, 1, 2], name="user_id"))
    recs = recommend.recommend_from_vectors(users, items, k=2)
    got = recs.groupby("user_id")["item_id"].apply(list)
    want = metrics.top_k(np.ones((3, 6)), 2)
    assert [got[u] for u in range(3)] == want.tolist()


@pytest.mark.parametrize("mutate, match", [
    (lambda u, i, s: (u.iloc[:, :1], i, s), "item_vectors: expected 1 dimensions"),
    (lambda u, i, s: (u.to_numpy(), i, s), "user_vectors: expected a DataFrame"),
    (lambda u, i, s: (u, i.iloc[:0], s), "item_vectors: expected at least one row"),
    (lambda u, i, s: (u.set_axis([10, 10]), i, s), "user_vectors: index has duplicate ids"),
    (lambda u, i, s: (u.set_axis([10, np.nan]), i, s), r"user_vectors.index: 1 id\(s\) are missing"),
    (lambda u, i, s: (u * np.nan, i, s), "user_vectors: expected numbers, found"),
    (lambda u, i, s: (u * 0, i, s), "user_vectors: 2 row.*zero"),
    (lambda u, i, s: (u, i, s.assign(item_id="zz")), "seen: item 'zz'"),
    (lambda u, i, s: (u, i, s.drop(columns="item_id")), "seen: missing column"),
    (lambda u, i, s: (u, i, s.assign(user_id=np.nan)), "seen: column 'user_id' has 1 missing"),
])
def test_recommend_from_vectors_rejects_bad_input(space, mutate, match) -> None:
    users, items = space
    seen = pd.DataFrame({"user_id": [10], "item_id": ["a"]})
    u, i, s = mutate(users, items, seen)
    with pytest.raises(ValueError, match=match):
        recommend.recommend_from_vectors(u, i, k=2, seen=s)


@pytest.mark.parametrize("k", [0, 6, True, 2.0, "2"])
def test_recommend_from_vectors_rejects_bad_k(space, k) -> None:
    users, items = space
    with pytest.raises(ValueError, match="k:"):
        recommend.recommend_from_vectors(users, items, k=k)


def test_recommend_from_vectors_does_not_mutate(space) -> None:
    users, items = space
    seen = pd.DataFrame({"user_id": [10], "item_id": ["a"]})
    before = (users.copy(), items.copy(), seen.copy())
    recommend.recommend_from_vectors(users, items, k=2, seen=seen, method="dot")
    for a, b in zip(before, (users, items, seen)):
        pd.testing.assert_frame_equal(a, b)
