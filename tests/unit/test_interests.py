"""Tests of recsys_helpers.interests: interest vectors, the estimator, clusters and naming."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError

from recsys_helpers import interests as it
from recsys_helpers import text as T

DAY = it.DAY


def _items() -> pd.DataFrame:
    # three orthogonal item vectors in 3-d
    return pd.DataFrame(np.eye(3), index=pd.Index([10, 20, 30], name="item_id"))


def _inter(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp", "event"])
    df["rating"] = np.nan
    return df


def test_time_decay_halves_weight_after_one_half_life():
    df = _inter([(1, 10, 0, "view"), (1, 10, 7 * DAY, "view"), (1, 10, 14 * DAY, "view")])
    w = it.event_time_weights(df, half_life_days=7)
    assert w == pytest.approx([0.25, 0.5, 1.0])
    assert it.event_time_weights(df, half_life_days=None) == pytest.approx([1, 1, 1])
    assert it.event_time_weights(df, half_life_days=7, now=21 * DAY)[-1] == pytest.approx(0.5)


def test_event_weights_are_used_and_configurable():
    df = _inter([(1, 10, 0, "view"), (1, 10, 0, "cart"), (1, 10, 0, "purchase"), (1, 10, 0, "review")])
    assert it.event_time_weights(df) == pytest.approx([1, 2, 3, 3])
    custom = {"view": 0.5, "cart": 1.0, "purchase": 4.0, "review": 0.0}
    assert it.event_time_weights(df, custom) == pytest.approx([0.5, 1, 4, 0])
    with pytest.raises(ValueError, match="event_weights"):
        it.event_time_weights(df, {"view": 1.0})
    with pytest.raises(ValueError, match="event_weights"):
        it.event_time_weights(df, {**custom, "view": -1.0})


def test_behaviour_vector_is_the_normalised_weighted_average():
    df = _inter([(1, 10, 0, "purchase"), (1, 20, 0, "view"), (2, 30, 0, "view")])
    v = it.behaviour_vectors(df, _items(), half_life_days=None)
    assert list(v.index) == [1, 2]
    assert np.linalg.norm(v.to_numpy(), axis=1) == pytest.approx([1, 1])
    # weights 3 and 1 on orthogonal items: direction (3, 1, 0) / sqrt(10)
    assert v.loc[1].to_numpy() == pytest.approx(np.array([3, 1, 0]) / np.sqrt(10))
    # recency: an old purchase half-lives away loses to a recent view
    df2 = _inter([(1, 10, 0, "purchase"), (1, 20, 30 * DAY, "view")])
    v2 = it.behaviour_vectors(df2, _items(), half_life_days=5)
    assert v2.loc[1, 1] > v2.loc[1, 0]


def test_text_vectors_weight_items_by_review_sentiment():
    df = _inter([(1, 10, 0, "review"), (1, 20, 0, "review"), (1, 30, 0, "view")])
    df["review_text"] = ["I love this, it is wonderful and perfect!", "Terrible, awful, I hate it.", ""]
    v = it.text_vectors(df, _items()).loc[1]
    assert v[0] > v[2] > v[1]  # positive review > neutral (no review) > negative review
    s = it.review_sentiments(df["review_text"].tolist())
    assert s[0] > 0.5 and s[1] < -0.5 and s[2] == 0
    # review embeddings join the sum, one row per review
    z = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    v2 = it.text_vectors(df, _items(), review_vectors=z, review_weight=5.0).loc[1]
    assert v2[2] > v[2]
    with pytest.raises(ValueError, match="review_vectors"):
        it.text_vectors(df, _items(), review_vectors=z[:1])


def test_fused_interpolates_between_behaviour_and_text():
    df = _inter([(1, 10, 0, "purchase"), (1, 20, 0, "view")])
    df["review_text"] = ["", ""]
    b = it.InterestModel("behaviour", half_life_days=None).fit(df, _items()).transform([1])
    t = it.InterestModel("text").fit(df, _items()).transform([1])
    f1 = it.InterestModel("fused", alpha=1.0, half_life_days=None).fit(df, _items()).transform([1])
    f0 = it.InterestModel("fused", alpha=0.0, half_life_days=None).fit(df, _items()).transform([1])
    fh = it.InterestModel("fused", alpha=0.5, half_life_days=None).fit(df, _items()).transform([1])
    assert f1 == pytest.approx(b) and f0 == pytest.approx(t)
    expected = (b + t) / np.linalg.norm(b + t)
    assert fh == pytest.approx(expected)
    assert np.linalg.norm(fh) == pytest.approx(1.0)


def test_estimator_api_and_learned_state():
    df = _inter([(1, 10, 0, "view"), (2, 20, 0, "cart"), (3, 30, DAY, "purchase")])
    m = it.InterestModel(kind="behaviour", half_life_days=10.0)
    assert not hasattr(m, "user_vectors_")
    assert m.fit(df, _items()) is m
    assert m.user_vectors_.shape == (3, 3)
    assert list(m.user_index_) == [1, 2, 3]
    out = m.transform([3, 1])
    assert out.shape == (2, 3)
    assert out[0] == pytest.approx([0, 0, 1]) and out[1] == pytest.approx([1, 0, 0])
    assert m.get_params()["half_life_days"] == 10.0
    assert m.set_params(alpha=0.2).alpha == 0.2
    assert m.fit_transform(df, _items()).shape == (3, 3)


def test_encoder_is_used_for_review_texts():
    df = _inter([(1, 10, 0, "review"), (1, 20, 0, "view")])
    df["review_text"] = ["fine", ""]
    calls = []

    def enc(texts):
        calls.append(list(texts))
        return np.array([[0.0, 0.0, 1.0]] * len(texts))

    v = it.InterestModel("text", encoder=enc).fit(df, _items()).transform([1])[0]
    assert calls == [["fine"]]
    assert v[2] > 0


def test_validation_errors_name_the_argument():
    df = _inter([(1, 10, 0, "view")])
    m = it.InterestModel().fit(df, _items())
    with pytest.raises(ValueError, match="user_ids"):
        m.transform([99])
    with pytest.raises(ValueError, match="interactions"):
        it.InterestModel().fit(df.iloc[:0], _items())          # empty history
    with pytest.raises(ValueError, match="interactions"):
        it.InterestModel().fit(df.drop(columns="event"), _items())  # wrong columns
    bad = df.astype({"user_id": float})
    bad.loc[0, "user_id"] = np.nan
    with pytest.raises(ValueError, match="user_id"):
        it.InterestModel().fit(bad, _items())                   # NaN id
    with pytest.raises(ValueError, match="item_vectors"):
        it.InterestModel().fit(df, _items().replace(1.0, np.nan))
    with pytest.raises(ValueError, match="interactions"):
        it.InterestModel().fit(_inter([(1, 99, 0, "view")]), _items())  # unknown item
    with pytest.raises(ValueError, match="kind"):
        it.InterestModel(kind="magic").fit(df, _items())
    with pytest.raises(ValueError, match="alpha"):
        it.InterestModel(kind="fused", alpha=1.5).fit(df, _items())
    with pytest.raises(ValueError, match="half_life_days"):
        it.InterestModel(half_life_days=0).fit(df, _items())
    with pytest.raises(NotFittedError, match="not fitted"):
        it.InterestModel().transform([1])


def _blobs(centres: list[np.ndarray], n: int = 30, sd: float = 0.05, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([c + sd * rng.normal(size=(n, len(c))) for c in centres])


def test_choose_k_finds_two_clear_blobs():
    e = np.eye(20)
    x = _blobs([e[0], e[1]])
    k, sil = it.choose_k(x, max_k=5)
    assert k == 2
    assert sil.idxmax() == 2 and sil[2] > 0.5
    labels, k2, _ = it.cluster_history(x, max_k=5)
    assert k2 == 2
    assert set(labels[:30]) != set(labels[30:]) and len(set(labels[:30])) == 1


def test_choose_k_keeps_one_blob_whole():
    x = _blobs([np.eye(20)[0]], n=60, sd=0.05)
    k, sil = it.choose_k(x, max_k=5)
    assert k == 1
    assert sil.max() < 0.25
    labels, k2, _ = it.cluster_history(x)
    assert k2 == 1 and np.all(labels == 0)


def test_cluster_labels_are_ordered_by_weight():
    e = np.eye(20)
    x = _blobs([e[0], e[1]], n=10)
    w = np.r_[np.ones(10), 5 * np.ones(10)]
    labels, k, _ = it.cluster_history(x, w)
    assert k == 2 and np.all(labels[10:] == 0) and np.all(labels[:10] == 1)
    with pytest.raises(ValueError, match="weights"):
        it.cluster_history(x, w[:3])
    with pytest.raises(ValueError, match="x"):
        it.choose_k(np.full((3, 2), np.nan))


def test_prototypes_affinity_and_recovery():
    # items: 10 and 20 express interest "a", 30 interest "b"
    ii = pd.DataFrame({"a": [1.0, 1.0, 0.0], "b": [0.0, 0.0, 1.0]}, index=pd.Index([10, 20, 30], name="item_id"))
    protos = it.interest_prototypes(_items(), ii, center=False)
    users = pd.DataFrame([[1.0, 0, 0], [0, 0, 1.0]], index=pd.Index([1, 2], name="user_id"))
    aff = it.interest_affinity(users, protos)
    assert aff.loc[1, "a"] > aff.loc[1, "b"] and aff.loc[2, "b"] > aff.loc[2, "a"]
    truth = pd.DataFrame({"a": [0.8, 0.1], "b": [0.2, 0.9]}, index=[1, 2])
    r = it.recovery_scores(aff, truth, k=1)
    assert r["spearman"].to_numpy() == pytest.approx([1.0, 1.0])
    assert r["top1_overlap"].to_numpy() == pytest.approx([1.0, 1.0])
    wrong = it.recovery_scores(aff, truth[["b", "a"]].set_axis(["a", "b"], axis=1), k=1)
    assert wrong["spearman"].to_numpy() == pytest.approx([-1.0, -1.0])


class _FakeGenerator:
    """Stands in for lm.Generator: prefers the option that appears in the prompt."""

    def __init__(self):
        self.prompts = []

    def score_options(self, prompt, options):
        self.prompts.append(prompt)
        s = pd.Series([float(o.lower() in prompt.lower()) for o in options], index=options)
        return s.sort_values(ascending=False, kind="stable")


def test_namer_keywords_and_constrained_llm_choice():
    items = pd.DataFrame({
        "item_id": [1, 2, 3, 4, 5, 6],
        "text": ["Dresses. flowy summer dress", "Dresses. summer dress for a wedding", "Dresses. long dress",
                 "Jeans. skinny denim jeans", "Jeans. denim with stretch", "Jeans. dark denim"],
    })
    namer = it.InterestNamer(min_df=1).fit(items)
    kw = namer.keywords([4, 5, 6], n=3)
    assert kw[0] in ("denim", "jeans") and "dress" not in kw
    gen = _FakeGenerator()
    scores = namer.llm_name(gen, [1, 2], ["Jeans", "Dresses"], items)
    assert scores.index[0] == "Dresses"
    assert "summer" in gen.prompts[0]


def test_prototypes_reject_an_interest_every_item_expresses_equally():
    vecs = pd.DataFrame([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.1, 0.9, 0.0]],
                        index=pd.Index([1, 2, 3, 4], name="item_id"))
    ii = pd.DataFrame({"Dresses": [1.0, 1.0, 0, 0], "Jeans": [0, 0, 1.0, 1.0], "Hats": [0.5, 0.0, 0.0, 0.5]},
                      index=vecs.index)
    with pytest.raises(ValueError, match="item_interests"):
        it.interest_prototypes(vecs, ii.assign(Hats=0.5))


# --------------------------------------------------------------------------- one formula in one place
def test_sentiment_goes_through_text_module(monkeypatch):
    texts = ["I love this, it is wonderful!", "", "   ", "Terrible, I hate it."]
    s = it.review_sentiments(texts)
    assert s[0] == T.sentiment_en(texts[0]) and s[3] == T.sentiment_en(texts[3])
    assert s[1] == 0.0 and s[2] == 0.0                     # empty texts stay neutral
    calls = []
    monkeypatch.setattr(T, "sentiment_en", lambda t: calls.append(t) or 0.25)
    assert it.review_sentiments(["some review"]).tolist() == [0.25] and calls == ["some review"]
    assert not hasattr(it, "_sentiment_factor") and not hasattr(it, "_check_interactions")
    assert not hasattr(it, "_check_half_life")


def test_text_vectors_use_text_sentiment_weight():
    df = _inter([(1, 10, 0, "review"), (1, 20, 0, "view")])
    df["review_text"] = ["I love this, it is wonderful and perfect!", ""]
    v = it.text_vectors(df, _items()).loc[1].to_numpy()
    w = T.sentiment_weight(T.sentiment_en(df["review_text"][0]))
    expected = np.array([w, T.sentiment_weight(0.0), 0.0])
    assert v == pytest.approx(expected / np.linalg.norm(expected))


# --------------------------------------------------------------------------- interest_vector (moved from text)
def test_interest_vector_is_weighted_normalised_sum():
    x = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    s = np.array([0.6, -0.2])
    u = it.interest_vector(x, s)
    w = (1 + s) / 2
    expected = w @ x
    assert np.allclose(u, expected / np.linalg.norm(expected))
    assert math.isclose(np.linalg.norm(u), 1.0)
    assert np.allclose(it.interest_vector(sp.csr_matrix(x), s), u)
    signed = it.interest_vector(x, s, scheme="signed")
    assert signed[1] < 0 < signed[0]
    # a more positive second review pulls the interest towards its words
    assert it.interest_vector(x, [0.6, 0.9])[1] > u[1]
    # one document: the weight only rescales, the direction stays
    assert np.allclose(it.interest_vector(x[:1], [0.1]), it.interest_vector(x[:1], [0.9]))
    # without normalising: the weighted sum itself; a 1-D vector is one document
    assert np.allclose(it.interest_vector(x, s, normalise=False), expected)
    assert np.allclose(it.interest_vector(x[0], [0.5]), x[0])


def test_interest_vector_errors():
    x = np.eye(2)
    with pytest.raises(ValueError, match="sentiments"):
        it.interest_vector(x, [0.5])
    with pytest.raises(ValueError, match="zero vector"):
        it.interest_vector(x, [-1.0, -1.0])
    with pytest.raises(ValueError, match="vectors"):
        it.interest_vector(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="sentiments"):
        it.interest_vector(x, [0.5, 1.5])
    with pytest.raises(ValueError, match="scheme"):
        it.interest_vector(x, [0.5, 0.5], scheme="squared")


# --------------------------------------------------------------------------- fuse: no silent drop
def test_fuse_exact_raises_with_counts_and_inner_keeps_intersection():
    b = pd.DataFrame(np.eye(3), index=pd.Index([1, 2, 3], name="user_id"))
    t = pd.DataFrame(np.eye(3)[[0, 1]], index=pd.Index([1, 2], name="user_id"))
    with pytest.raises(ValueError, match=r"text: 1 user\(s\) of behaviour are missing from text \(e.g. 3\)"):
        it.fuse(b, t)
    t2 = pd.DataFrame(np.eye(3), index=pd.Index([1, 2, 9], name="user_id"))
    with pytest.raises(ValueError, match=r"1 user\(s\) of behaviour are missing from text.*"
                                         r"1 user\(s\) of text are missing from behaviour"):
        it.fuse(b, t2, how="exact")
    with pytest.raises(ValueError, match="behaviour: 2 user"):
        it.fuse(b.iloc[:1], t2)
    f = it.fuse(b, t, how="inner")
    assert list(f.index) == [1, 2]
    assert f.to_numpy() == pytest.approx(np.eye(3)[[0, 1]])
    with pytest.raises(ValueError, match="how"):
        it.fuse(b, t, how="left")
    with pytest.raises(ValueError, match="no user in common"):
        it.fuse(b.iloc[:1], t.iloc[1:], how="inner")
    # the same users in another order: exact is fine, the result is sorted by user
    same = it.fuse(b.iloc[::-1], b, alpha=0.3)
    assert list(same.index) == [1, 2, 3] and same.to_numpy() == pytest.approx(np.eye(3))


def test_fuse_opposite_vectors_keep_behaviour():
    b = pd.DataFrame([[1.0, 0.0]], index=[1])
    t = pd.DataFrame([[-1.0, 0.0]], index=[1])
    assert np.allclose(it.fuse(b, t, 0.5).to_numpy(), [[1.0, 0.0]])


# --------------------------------------------------------------------------- prototypes carry their centre
def test_prototypes_carry_the_centre_explicitly():
    ii = pd.DataFrame({"a": [1.0, 1.0, 0.0], "b": [0.0, 0.0, 1.0]}, index=pd.Index([10, 20, 30], name="item_id"))
    vecs = _items() + 1.0                                   # every item shares (1, 1, 1)
    protos = it.interest_prototypes(vecs, ii)
    assert isinstance(protos, it.InterestPrototypes)
    assert protos.center == pytest.approx(vecs.mean().to_numpy())
    assert list(protos.interests) == ["a", "b"] and protos.dim == 3
    assert protos.vectors.attrs == {}                       # nothing rides on DataFrame.attrs
    users = pd.DataFrame([[2.0, 1, 1], [1, 1, 2.0]], index=pd.Index([1, 2], name="user_id"))
    aff = it.interest_affinity(users, protos)
    # by hand: centre the users, cosine with the unit prototypes
    u = users.to_numpy() - protos.center
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    assert aff.to_numpy() == pytest.approx(u @ protos.vectors.to_numpy().T)
    # an operation that drops attrs cannot drop the centre: a copy of the vectors keeps working
    copy = it.InterestPrototypes(protos.vectors.copy() * 1.0, protos.center)
    assert it.interest_affinity(users, copy).to_numpy() == pytest.approx(aff.to_numpy())
    flat = it.interest_prototypes(vecs, ii, center=False)
    assert flat.center == pytest.approx(np.zeros(3))
    with pytest.raises(ValueError, match="prototypes: expected InterestPrototypes"):
        it.interest_affinity(users, protos.vectors)         # a bare frame has no explicit centre
    with pytest.raises(ValueError, match="center: expected 3"):
        it.InterestPrototypes(protos.vectors, np.zeros(2))


def test_interest_affinity_dimension_mismatch_is_a_clear_error():
    ii = pd.DataFrame({"a": [1.0, 0.0, 0.0], "b": [0.0, 1.0, 1.0]}, index=pd.Index([10, 20, 30], name="item_id"))
    protos = it.interest_prototypes(_items(), ii)
    users = pd.DataFrame(np.ones((2, 5)), index=[1, 2])
    with pytest.raises(ValueError, match=r"user_vectors: expected 3 columns \(the dimension of the prototypes\), got 5"):
        it.interest_affinity(users, protos)
    with pytest.raises(ValueError, match="user_vectors: 1 row"):   # a user at the centre has no direction
        it.interest_affinity(pd.DataFrame([protos.center], index=[1]), protos)


def test_prototypes_reject_unlabelled_items_and_recovery_rejects_missing_users():
    ii = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 1.0]}, index=pd.Index([10, 99], name="item_id"))
    with pytest.raises(ValueError, match=r"item_interests: 1 item id\(s\) have no row in item_vectors \(e.g. 99\)"):
        it.interest_prototypes(_items(), ii)
    aff = pd.DataFrame({"a": [0.9, 0.1, 0.5], "b": [0.1, 0.9, 0.5]}, index=[1, 2, 3])
    truth = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 1.0]}, index=[1, 2])
    with pytest.raises(ValueError, match=r"truth: 1 user\(s\) of affinity are missing from truth"):
        it.recovery_scores(aff, truth, k=1)
    r = it.recovery_scores(aff, truth, k=1, how="inner")
    assert list(r.index) == [1, 2] and r["top1_overlap"].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="affinity: expected the interest columns"):
        it.recovery_scores(aff.assign(c=0.0), truth, k=1, how="inner")
    with pytest.raises(ValueError, match="k: expected an integer in"):
        it.recovery_scores(aff, truth, k=3, how="inner")


# --------------------------------------------------------------------------- namer: ValueError, not KeyError
def _namer_items() -> pd.DataFrame:
    return pd.DataFrame({"item_id": [1, 2, 3, 4],
                         "text": ["red summer dress", "blue summer dress", "denim jeans", "dark denim jeans"]})


@pytest.mark.parametrize("weights, match", [
    ([0.0, 0.0], "at least one positive"),
    ([1.0, -1.0], "non-negative"),
    ([1.0, np.nan], "NaN"),
    ([1.0, np.inf], "finite"),
    ([1.0], "one weight per item id"),
    ([True, False], "boolean"),
])
def test_namer_rejects_bad_weights(weights, match):
    namer = it.InterestNamer(min_df=1).fit(_namer_items())
    with pytest.raises(ValueError, match=f"weights: .*{match}"):
        namer.keywords([1, 2], weights=weights)
    with pytest.raises(ValueError, match=f"weights: .*{match}"):
        namer.llm_name(_FakeGenerator(), [1, 2], ["Dresses", "Jeans"], _namer_items(), weights=weights)


def test_namer_rejects_unknown_and_duplicate_ids_and_unfitted_use():
    items = _namer_items()
    with pytest.raises(NotFittedError, match="not fitted"):
        it.InterestNamer().keywords([1])
    namer = it.InterestNamer(min_df=1).fit(items)
    with pytest.raises(ValueError, match=r"item_ids: 1 id\(s\) are not in the catalogue .*e.g. 7"):
        namer.keywords([1, 7])
    with pytest.raises(ValueError, match="item_ids: expected distinct ids"):
        namer.keywords([1, 1])
    with pytest.raises(ValueError, match="item_ids: expected at least one id"):
        namer.keywords([])
    with pytest.raises(ValueError, match="item_ids: 1 id"):
        namer.llm_name(_FakeGenerator(), [1, 7], ["Dresses"], items)
    with pytest.raises(ValueError, match="items: 1 of item_ids have no row in items"):
        namer.llm_name(_FakeGenerator(), [1, 3], ["Dresses"], items.iloc[:2])
    with pytest.raises(ValueError, match="items: column 'item_id' has 1 duplicate"):
        it.InterestNamer(min_df=1).fit(pd.concat([items, items.iloc[:1]]))
    with pytest.raises(ValueError, match="generator"):
        namer.llm_name(object(), [1], ["Dresses"], items)
    # weights reorder the examples: the heaviest item's text comes first in the prompt
    gen = _FakeGenerator()
    namer.llm_name(gen, [1, 3], ["Dresses", "Jeans"], items, n_examples=1, weights=[0.1, 5.0])
    assert "denim jeans" in gen.prompts[-1] and "red summer dress" not in gen.prompts[-1]


# --------------------------------------------------------------------------- scikit-learn contract
def test_interest_model_follows_the_sklearn_contract():
    assert issubclass(it.InterestModel, BaseEstimator)
    for name in ("get_params", "set_params", "__repr__"):   # inherited, not hand-written
        assert name not in vars(it.InterestModel)
    m = it.InterestModel(kind="fused", alpha=0.3, event_weights={"view": 1.0})
    assert m.get_params() == {"kind": "fused", "half_life_days": 30.0, "event_weights": {"view": 1.0},
                              "alpha": 0.3, "review_weight": 1.0, "now": None, "encoder": None,
                              "text_column": "review_text"}
    assert repr(m) == "InterestModel(alpha=0.3, event_weights={'view': 1.0}, kind='fused')"
    c = clone(m)
    assert c is not m and c.get_params() == m.get_params() and c.event_weights is not m.event_weights
    with pytest.raises(ValueError, match="Invalid parameter"):
        m.set_params(beta=1)
    # __init__ stores, fit validates
    bad = it.InterestModel(kind="magic", alpha=True)
    assert bad.kind == "magic"
    with pytest.raises(ValueError, match="kind"):
        bad.fit(_inter([(1, 10, 0, "view")]), _items())
    for method in ("transform", "to_frame"):
        with pytest.raises(NotFittedError):
            getattr(it.InterestModel(), method)()
    df = _inter([(1, 10, 0, "view"), (2, 20, 0, "cart")])
    fitted = it.InterestModel(half_life_days=None).fit(df, _items())
    for attr in ("user_vectors_", "user_index_", "n_features_in_", "parts_"):
        assert hasattr(fitted, attr)
    assert fitted.n_features_in_ == 3
    # clone of a fitted model is unfitted, with the same parameters
    c2 = clone(fitted)
    assert not hasattr(c2, "user_vectors_") and c2.get_params() == fitted.get_params()
    # fit does not change the parameters
    assert fitted.get_params()["event_weights"] is None
    # transform: duplicates give repeated rows; a single id must come in a list
    out = fitted.transform([2, 2])
    assert out.shape == (2, 3) and np.allclose(out[0], out[1])
    with pytest.raises(ValueError, match="user_ids: expected a list of ids"):
        fitted.transform(2)
