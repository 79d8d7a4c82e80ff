"""Tests of the seeded simulators: determinism, schema, ground truth, real reviews, validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys_helpers import data, simulate


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def catalogue() -> data.ClothingReviews:
    return data.load_clothing_reviews()


@pytest.fixture(scope="module")
def shop(catalogue) -> simulate.ShopSimulation:
    return simulate.simulate_shop(600, seed=7, catalogue=catalogue)


@pytest.fixture(scope="module")
def music() -> simulate.MusicSimulation:
    return simulate.simulate_music(300, seed=7)


def _hidden_matrix(sim) -> pd.DataFrame:
    h = sim.truth.pivot(index="user_id", columns="interest", values="hidden")
    return h.reindex(index=sim.truth_matrix.index, columns=sim.interests).fillna(False).astype(bool)


def _per_event(sim, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each event: the item's interest row x, the user's true weights w and hidden mask."""
    tm = sim.truth_matrix
    x = sim.item_interests.loc[events["item_id"].to_numpy()].to_numpy()
    rows = tm.index.get_indexer(events["user_id"].to_numpy())
    assert (rows >= 0).all()
    return x, tm.to_numpy()[rows], _hidden_matrix(sim).to_numpy()[rows]


# --------------------------------------------------------------------------- determinism
def test_shop_same_seed_same_output_different_seed_different(catalogue):
    a = simulate.simulate_shop(150, seed=3, catalogue=catalogue)
    b = simulate.simulate_shop(150, seed=3, catalogue=catalogue)
    c = simulate.simulate_shop(150, seed=4, catalogue=catalogue)
    pd.testing.assert_frame_equal(a.dataset.interactions, b.dataset.interactions)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_frame_equal(a.item_interests, b.item_interests)
    assert a.cutoff == b.cutoff
    assert not a.truth.equals(c.truth)
    assert len(a.dataset.interactions) != len(c.dataset.interactions) or \
        not a.dataset.interactions.equals(c.dataset.interactions)


def test_music_same_seed_same_output_different_seed_different():
    a = simulate.simulate_music(80, seed=5)
    b = simulate.simulate_music(80, seed=5)
    c = simulate.simulate_music(80, seed=6)
    pd.testing.assert_frame_equal(a.dataset.interactions, b.dataset.interactions)
    pd.testing.assert_frame_equal(a.dataset.items, b.dataset.items)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert not a.dataset.items["text"].equals(c.dataset.items["text"])
    assert not a.truth.equals(c.truth)


# --------------------------------------------------------------------------- schema
@pytest.mark.parametrize("which", ["shop", "music"])
def test_schema_and_truth_shapes(which, request):
    sim = request.getfixturevalue(which)
    n_users = 600 if which == "shop" else 300
    ds = sim.dataset
    inter = ds.interactions
    assert isinstance(ds, data.Dataset)
    data.validate_interactions(inter, require_sorted=True)  # per-user time never goes back
    data.validate_items(ds.items)
    assert ds.n_users == n_users and set(inter["user_id"]) == set(range(1, n_users + 1))
    assert inter["item_id"].isin(ds.items["item_id"]).all()
    events = set(simulate.SHOP_EVENTS if which == "shop" else simulate.MUSIC_EVENTS)
    assert set(inter["event"]) == events
    # sessions never interleave: within a user, session ids appear in blocks
    first_view = inter.groupby(["user_id", "session_id"])["timestamp"].min().reset_index()
    assert (first_view.groupby("user_id")["timestamp"].diff().dropna() > 0).all()
    # interests and item_interests
    assert sim.interests == list(sim.item_interests.columns)
    assert len(set(sim.interests)) == len(sim.interests)
    assert sim.item_interests.index.equals(pd.Index(ds.items["item_id"], name="item_id"))
    vals = sim.item_interests.to_numpy()
    assert np.isfinite(vals).all() and vals.min() >= 0 and vals.max() <= 1
    # truth: long form, weights sum to 1, at most one hidden interest, never the strongest
    t = sim.truth
    assert list(t.columns) == ["user_id", "interest", "weight", "hidden"]
    assert t["interest"].isin(sim.interests).all() and (t["weight"] > 0).all()
    np.testing.assert_allclose(t.groupby("user_id")["weight"].sum(), 1.0, atol=1e-9)
    assert t.groupby("user_id")["hidden"].sum().max() == 1
    has_hidden = t.groupby("user_id")["hidden"].any()
    # hidden_fraction = 0.5 (music: of the users with a non-primary genre interest)
    assert (0.35 if which == "shop" else 0.2) < has_hidden.mean() < 0.65
    assert (ds.users.set_index("user_id")["has_hidden"] == has_hidden).all()
    if which == "music":
        assert set(sim.hidden["interest"]) <= set(simulate.GENRES)
    top = t.sort_values(["user_id", "weight"], ascending=[True, False]).groupby("user_id").head(1)
    assert not top["hidden"].any()
    assert t.groupby("user_id").size().between(2, 5).all()
    tm = sim.truth_matrix
    assert tm.shape == (n_users, len(sim.interests)) and list(tm.columns) == sim.interests
    np.testing.assert_allclose(tm.sum(axis=1), 1.0, atol=1e-9)
    # every user acts both before and after the cutoff
    hist, fut = sim.history_and_future()
    assert len(hist) + len(fut) == len(inter)
    assert (hist["timestamp"] < sim.cutoff).all() and (fut["timestamp"] >= sim.cutoff).all()
    assert hist["user_id"].nunique() == n_users and fut["user_id"].nunique() == n_users


def test_shop_columns_and_funnel(shop):
    inter = shop.dataset.interactions
    is_rev = inter["event"] == "review"
    assert inter.loc[is_rev, "rating"].between(1, 5).all()
    assert inter.loc[~is_rev, "rating"].isna().all()
    assert (inter.loc[~is_rev, "review_text"] == "").all()
    assert (inter.loc[is_rev, "review_text"].str.len() > 0).all()
    # funnel: counts shrink from view to review, and every purchase was carted in its session
    counts = inter["event"].value_counts()
    assert counts["view"] > counts["cart"] > counts["purchase"] > counts["review"] > 0
    key = ["user_id", "session_id", "item_id"]
    carted = inter.loc[inter["event"] == "cart", key].drop_duplicates()
    bought = inter.loc[inter["event"] == "purchase", key].drop_duplicates()
    assert len(bought.merge(carted, on=key)) == len(bought)
    # a review comes after the purchase of the same item
    first_buy = inter[inter["event"] == "purchase"].groupby(["user_id", "item_id"])["timestamp"].min()
    revs = inter.loc[is_rev].set_index(["user_id", "item_id"])["timestamp"]
    assert (revs > first_buy.reindex(revs.index)).all()


def test_shop_items_styles_and_class_folds(shop, catalogue):
    items = shop.dataset.items
    assert len(items) == len(catalogue.items) == 1179
    assert {"styles", "interest_class", "department", "class_name"} <= set(items.columns)
    assert all(isinstance(s, list) and set(s) <= set(simulate.STYLE_LEXICON) for s in items["styles"])
    # every style tags some items, but not most of them
    tagged = pd.Series([s for row in items["styles"] for s in row]).value_counts()
    assert set(tagged.index) == set(simulate.STYLE_LEXICON)
    assert (tagged < 0.5 * len(items)).all()
    # folded classes are gone; Unknown items carry no class interest
    for rare in simulate.CLASS_FOLDS:
        assert rare not in shop.interests
    classes = [c for c in shop.interests if c not in simulate.STYLE_LEXICON]
    assert shop.interests == classes + list(simulate.STYLE_LEXICON)
    ii = shop.item_interests
    unknown = items.loc[items["class_name"] == "Unknown", "item_id"]
    assert len(unknown) > 0 and (ii.loc[unknown, classes].to_numpy() == 0).all()
    known = items.loc[items["class_name"] != "Unknown", "item_id"]
    assert (ii.loc[known, classes].sum(axis=1) == 1).all()
    chemise = items.loc[items["class_name"] == "Chemises", "item_id"]
    assert (ii.loc[chemise, simulate.CLASS_FOLDS["Chemises"]] == 1).all()
    # a style tag means the real reviews of the item use the style's words
    swim = items.loc[items["interest_class"] == "Swim", "item_id"]
    assert ii.loc[swim, "beach"].mean() > 3 * ii.loc[~ii.index.isin(swim), "beach"].mean()


# --------------------------------------------------------------------------- ground truth
@pytest.mark.parametrize("which", ["shop", "music"])
def test_events_concentrate_on_true_interests(which, request):
    sim = request.getfixturevalue(which)
    hist, _ = sim.history_and_future()
    first = hist[hist["event"] == ("view" if which == "shop" else "play")]
    x, w, h = _per_event(sim, first)
    own = (x * ((w > 0) & ~h)).max(axis=1)  # does the item express a visible true interest?
    # chance level: the same events scored against other users' interests
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(w))
    other = (x * ((w[perm] > 0) & ~h[perm])).max(axis=1)
    assert own.mean() > 0.6
    assert own.mean() > 2.5 * other.mean()


def test_shop_purchases_match_interests_better_than_views(shop):
    inter = shop.dataset.interactions
    scores = {}
    for ev in ("view", "purchase"):
        x, w, _ = _per_event(shop, inter[inter["event"] == ev])
        scores[ev] = (x * w).sum(axis=1).mean()
    assert scores["purchase"] > 1.1 * scores["view"]


@pytest.mark.parametrize("which", ["shop", "music"])
def test_hidden_interests_appear_only_after_cutoff(which, request):
    sim = request.getfixturevalue(which)
    hist, fut = sim.history_and_future()
    shares = {}
    rng = np.random.default_rng(0)
    for name, part in (("history", hist), ("future", fut)):
        x, _, h = _per_event(sim, part)
        with_hidden = h.any(axis=1)
        shares[name] = (x * h).max(axis=1)[with_hidden].mean()
        # chance: how much the same events express other users' hidden interests
        perm = rng.permutation(len(h))
        shares[name + "_chance"] = (x * h[perm]).max(axis=1)[with_hidden[perm]].mean()
    # before the cutoff a hidden interest shows up less than chance (only through items that
    # also express a visible interest); after it, far more than chance
    assert shares["history"] < shares["history_chance"]
    assert shares["future"] > 1.5 * shares["future_chance"]
    assert shares["future"] > 2 * shares["history"]
    # hidden classes (one-hot, so unambiguous) are almost never touched before the cutoff
    if which == "shop":
        classes = [c for c in sim.interests if c not in simulate.STYLE_LEXICON]
        hc = sim.hidden[sim.hidden["interest"].isin(classes)]
        cls_of = sim.dataset.items.set_index("item_id")["interest_class"]
        for name, part in (("history", hist), ("future", fut)):
            p = part.merge(hc[["user_id", "interest"]], on="user_id")
            shares[name + "_class"] = (p["item_id"].map(cls_of) == p["interest"]).mean()
        assert shares["history_class"] < 0.05
        assert shares["future_class"] > 3 * shares["history_class"]


def test_drift_moves_weights_but_keeps_support():
    w = np.array([[0.6, 0.4, 0.0], [0.5, 0.3, 0.2]])
    hidden = np.array([[False, False, False], [False, False, True]])
    d = np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, 0.0]])
    user = np.array([0, 0, 1, 1])
    t = np.array([0, 100, 0, 100])
    still = simulate._session_weights(w, hidden, d, user, t, cutoff=50, t0=0, t1=100, drift=0.0)
    np.testing.assert_allclose(still[[0, 1, 3]], w[[0, 0, 1]])
    np.testing.assert_allclose(still[2], [0.625, 0.375, 0.0])  # hidden switched off, renormalised
    moved = simulate._session_weights(w, hidden, d, user, t, cutoff=50, t0=0, t1=100, drift=1.0)
    np.testing.assert_allclose(moved.sum(axis=1), 1.0)
    assert moved[1, 0] > moved[0, 0]  # interest 0 of user 0 drifts upwards, interest 1 down
    assert moved[1, 1] < moved[0, 1]
    assert (moved[:2, 2] == 0).all()  # drift never creates an interest


# --------------------------------------------------------------------------- real reviews
def test_reviews_are_real_and_ratings_match_satisfaction(shop, catalogue):
    inter = shop.dataset.interactions
    rv = inter[inter["event"] == "review"]
    assert len(rv) > 100
    real = catalogue.reviews.set_index("review_id").loc[rv["review_id"].to_numpy()]
    assert (real["item_id"].to_numpy() == rv["item_id"].to_numpy()).all()
    assert (real["rating"].to_numpy() == rv["rating"].to_numpy()).all()
    assert (real["text"].to_numpy() == rv["review_text"].to_numpy()).all()
    assert (real["title"].to_numpy() == rv["review_title"].to_numpy()).all()
    # the rating is the satisfaction when the item has such a review, else the nearest one
    avail = (catalogue.reviews[catalogue.reviews["text"] != ""]
             .groupby("item_id")["rating"].agg(lambda s: sorted(set(s))))
    sat = rv["satisfaction"].to_numpy()
    assert np.isin(sat, [1, 2, 3, 4, 5]).all()
    for item, r, s in zip(rv["item_id"], rv["rating"], sat):
        options = np.array(avail[item])
        assert abs(r - s) == np.abs(options - s).min()
    exact = rv["rating"].to_numpy() == sat
    assert exact.mean() > 0.5
    # satisfaction follows the match: reviews are better on items of the user's interests
    x, w, _ = _per_event(shop, rv)
    fit = (x * w).sum(axis=1)
    assert np.corrcoef(fit, sat)[0, 1] > 0.1


def test_music_skips_repeats_and_timing(music):
    inter = music.dataset.interactions
    assert inter["rating"].isna().all()
    x, w, _ = _per_event(music, inter)
    fit = (x * w).sum(axis=1)
    skip = (inter["event"] == "skip").to_numpy()
    lo, hi = fit <= np.quantile(fit, 0.25), fit >= np.quantile(fit, 0.75)
    assert skip[lo].mean() > 2 * skip[hi].mean()
    # a repeat follows a play of the same track by the same user, right after it
    prev = inter.groupby("user_id")[["item_id", "event", "timestamp", "listened_s"]].shift(1)
    rep = inter["event"] == "repeat"
    assert rep.any()
    assert (prev.loc[rep, "item_id"] == inter.loc[rep, "item_id"]).all()
    assert (prev.loc[rep, "event"] == "play").all()
    assert (inter.loc[rep, "timestamp"] - prev.loc[rep, "timestamp"] == prev.loc[rep, "listened_s"]).all()
    # skips are short, plays last the whole track
    dur = inter["item_id"].map(music.dataset.items.set_index("item_id")["duration_s"])
    assert (inter.loc[skip, "listened_s"] <= 40).all()
    assert (inter.loc[~skip, "listened_s"] == dur[~skip]).all()


def test_music_catalogue(music):
    items = music.dataset.items
    assert len(items) == 2000 and items["item_id"].is_unique
    assert set(items["genre"]) == set(simulate.GENRES)
    assert set(items["mood"]) <= set(simulate.MOODS) and set(items["era"]) <= set(simulate.ERAS)
    assert music.interests == simulate.GENRES + simulate.MOODS
    for _, row in items.head(50).iterrows():
        assert row["genre"] in row["categories"] and row["mood"] in row["categories"]
        assert row["title"] in row["text"] and row["artist"] in row["text"] and row["genre"] in row["text"]
        assert music.item_interests.loc[row["item_id"], row["genre"]] == 1.0
        assert music.item_interests.loc[row["item_id"], row["mood"]] == 1.0
    assert items["artist"].nunique() == 300


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, name", [
    ({"n_users": 0}, "n_users"), ({"n_users": -5}, "n_users"), ({"n_users": 2.5}, "n_users"),
    ({"n_users": True}, "n_users"), ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"),
    ({"seed": "0"}, "seed"), ({"hidden_fraction": 1.5}, "hidden_fraction"),
    ({"focus": -0.1}, "focus"), ({"noise": float("nan")}, "noise"),
    ({"cutoff_fraction": 1.0}, "cutoff_fraction"), ({"interests_per_user": (4, 2)}, "interests_per_user"),
    ({"interests_per_user": 3}, "interests_per_user"), ({"popularity": -1}, "popularity"),
    ({"views_per_session": 0.5}, "views_per_session"), ({"days": 0}, "days"),
])
def test_shop_validation(kwargs, name, catalogue):
    args = {"n_users": 10, "catalogue": catalogue} | kwargs
    with pytest.raises(ValueError, match=name):
        simulate.simulate_shop(**args)


def test_shop_rejects_wrong_catalogue():
    with pytest.raises(ValueError, match="catalogue"):
        simulate.simulate_shop(10, catalogue=pd.DataFrame())


@pytest.mark.parametrize("kwargs, name", [
    ({"n_users": 0}, "n_users"), ({"seed": -2}, "seed"), ({"n_tracks": 5}, "n_tracks"),
    ({"n_artists": 5000}, "n_artists"), ({"noise": 2}, "noise"), ({"drift": -0.5}, "drift"),
    ({"tracks_per_session": 0}, "tracks_per_session"), ({"hidden_fraction": -0.1}, "hidden_fraction"),
])
def test_music_validation(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulate.simulate_music(**({"n_users": 10} | kwargs))


def test_no_hidden_interests_when_fraction_is_zero(catalogue):
    sim = simulate.simulate_shop(100, seed=1, catalogue=catalogue, hidden_fraction=0.0)
    assert not sim.truth["hidden"].any() and sim.hidden.empty


# --------------------------------------------------------------------------- friends graph
def _friend_cosine(sim) -> np.ndarray:
    w = sim.latent["weights"]
    ft = sim.friend_truth
    a, b = w[ft["user_id"].to_numpy() - 1], w[ft["friend_id"].to_numpy() - 1]
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_music_without_friends_by_default(music):
    assert music.dataset.friends is None and music.friend_truth is None
    assert "friends_per_user" not in music.params


@pytest.mark.parametrize("homophily", [0.0, 0.7])
def test_music_friends_leave_the_log_unchanged(music, homophily):
    sim = simulate.simulate_music(300, seed=7, friends_per_user=4, homophily=homophily)
    pd.testing.assert_frame_equal(sim.dataset.interactions, music.dataset.interactions)
    pd.testing.assert_frame_equal(sim.dataset.items, music.dataset.items)
    pd.testing.assert_frame_equal(sim.dataset.users, music.dataset.users)
    pd.testing.assert_frame_equal(sim.truth, music.truth)
    for key, value in music.latent.items():
        np.testing.assert_array_equal(sim.latent[key], value)


def test_music_friends_graph_shape_and_seed():
    a = simulate.simulate_music(120, seed=3, friends_per_user=3, homophily=0.5)
    b = simulate.simulate_music(120, seed=3, friends_per_user=3, homophily=0.5)
    c = simulate.simulate_music(120, seed=4, friends_per_user=3, homophily=0.5)
    pd.testing.assert_frame_equal(a.dataset.friends, b.dataset.friends)
    assert not a.dataset.friends.equals(c.dataset.friends)
    fr, ft = a.dataset.friends, a.friend_truth
    assert list(fr.columns) == ["user_id", "friend_id"]
    assert list(ft.columns) == ["user_id", "friend_id", "by_taste"]
    assert (ft["user_id"] < ft["friend_id"]).all() and not ft.duplicated(["user_id", "friend_id"]).any()
    assert (fr["user_id"] != fr["friend_id"]).all() and len(fr) == 2 * len(ft)
    pairs = set(zip(fr["user_id"], fr["friend_id"]))
    assert all((v, u) in pairs for u, v in pairs)  # mutual
    assert fr["user_id"].between(1, 120).all() and fr["friend_id"].between(1, 120).all()
    # each user starts 3 friendships; a repeated pair is kept once
    assert 0.8 * 120 * 3 <= len(ft) <= 120 * 3
    assert a.params["friends_per_user"] == 3 and a.params["homophily"] == 0.5


def test_music_homophily_is_the_share_of_friendships_by_taste():
    w_cos = {}
    for h in (0.0, 0.5, 1.0):
        sim = simulate.simulate_music(300, seed=11, friends_per_user=5, homophily=h)
        share = sim.friend_truth["by_taste"].mean()
        assert abs(share - h) < 0.05
        w_cos[h] = _friend_cosine(sim).mean()
    # zero homophily: friends are as alike as two users drawn at random
    w = sim.latent["weights"]
    n = np.linalg.norm(w, axis=1)
    cos = (w @ w.T) / np.outer(n, n)
    baseline = cos[~np.eye(len(w), dtype=bool)].mean()
    assert abs(w_cos[0.0] - baseline) < 0.03
    assert w_cos[0.0] < w_cos[0.5] < w_cos[1.0] and w_cos[1.0] > baseline + 0.2


def test_music_homophily_validation():
    with pytest.raises(ValueError, match="homophily"):
        simulate.simulate_music(10, homophily=0.5)
    with pytest.raises(ValueError, match="friends_per_user"):
        simulate.simulate_music(10, friends_per_user=10)
