"""Tests of recsys_helpers.interests: interest vectors, the estimator, clusters and naming."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys_helpers import interests as it

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
    with pytest.raises(ValueError, match="not fitted"):
        it.InterestModel().transform([1])
    with pytest.raises(ValueError, match="user_id"):
        it.multi_interest_profile(df, 42, _items())


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
    inter = _inter([(7, 1, 0, "view"), (7, 2, 0, "view"), (7, 4, 0, "view"), (7, 5, 0, "cart")])
    vecs = pd.DataFrame(np.repeat(np.eye(2), 3, axis=0) + 0.01 * np.arange(6)[:, None],
                        index=pd.Index(items["item_id"], name="item_id"))
    prof = it.multi_interest_profile(inter, 7, vecs, namer, gen, ["Jeans", "Dresses"], items)
    assert len(prof) == 2 and prof["share"].sum() == pytest.approx(1.0)
    assert set(prof["llm_name"]) == {"Jeans", "Dresses"}
    assert prof.loc[0, "llm_name"] == "Jeans"  # heavier interest (a cart) comes first


def test_profile_shortlists_options_by_prototype():
    items = pd.DataFrame({"item_id": [1, 2, 3, 4], "text": ["red dress", "blue dress", "denim jeans", "dark jeans"]})
    vecs = pd.DataFrame([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.1, 0.9, 0.0]],
                        index=pd.Index([1, 2, 3, 4], name="item_id"))
    ii = pd.DataFrame({"Dresses": [1.0, 1.0, 0, 0], "Jeans": [0, 0, 1.0, 1.0], "Hats": [0.5, 0.0, 0.0, 0.5]},
                      index=vecs.index)
    protos = it.interest_prototypes(vecs, ii)
    inter = _inter([(1, 1, 0, "view"), (1, 2, 0, "view")])
    gen = _FakeGenerator()
    prof = it.multi_interest_profile(inter, 1, vecs, it.InterestNamer(min_df=1).fit(items), gen,
                                     ["Jeans", "Hats", "Dresses"], items, prototypes=protos, n_options=1)
    assert prof.loc[0, "nearest"] == "Dresses"
    assert prof.loc[0, "llm_options"] == ["Dresses"]
    with pytest.raises(ValueError, match="n_options"):
        it.multi_interest_profile(inter, 1, vecs, n_options=2)
    with pytest.raises(ValueError, match="item_interests"):
        it.interest_prototypes(vecs, ii.assign(Hats=0.5))
