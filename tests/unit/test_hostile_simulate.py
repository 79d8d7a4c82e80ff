"""Hostile inputs for recsys_helpers.simulate: every parameter of both simulators.

Invalid parameters must raise a ``ValueError`` naming the parameter before any work is done
(the clothing catalogue is not even loaded); bounds that a simulator promises to honour are
honoured or refused. Inputs (the catalogue) are never modified. The shop runs on a tiny
hand-made catalogue so that the suite stays fast.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hostile import tiny_catalogue
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import data, simulate

FAST = settings(max_examples=50, deadline=None, derandomize=True)


@pytest.fixture(autouse=True)
def no_catalogue_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):
        raise AssertionError("the clothing catalogue was loaded before the parameters were validated")

    monkeypatch.setattr(data, "load_clothing_reviews", boom)




# --------------------------------------------------------------------------- shared parameters
COMMON_BAD = [
    ("n_users", 0), ("n_users", -5), ("n_users", 2.5), ("n_users", True), ("n_users", "10"), ("n_users", None),
    ("n_users", float("nan")), ("n_users", np.float64(10.0)),
    ("seed", -1), ("seed", 1.5), ("seed", True), ("seed", "0"), ("seed", None),
    ("days", 1), ("days", 0), ("days", 30.0), ("days", True),
    ("cutoff_fraction", 0.0), ("cutoff_fraction", 1.0), ("cutoff_fraction", 0.01), ("cutoff_fraction", 0.99),
    ("cutoff_fraction", float("nan")), ("cutoff_fraction", True), ("cutoff_fraction", "0.5"),
    ("sessions_before", 0.5), ("sessions_before", float("inf")), ("sessions_before", True),
    ("sessions_before", 1001), ("sessions_after", 0), ("sessions_after", float("nan")),
    ("interests_per_user", (4, 2)), ("interests_per_user", 3), ("interests_per_user", "24"),
    ("interests_per_user", (1, 3)), ("interests_per_user", (2, 11)), ("interests_per_user", (2.0, 3)),
    ("interests_per_user", (True, 3)), ("interests_per_user", (2,)), ("interests_per_user", (2, 3, 4)),
    ("interests_per_user", None), ("interests_per_user", {2, 3}),
    ("concentration", 0), ("concentration", -1), ("concentration", 0.05), ("concentration", float("inf")),
    ("concentration", True),
    ("coherence", -1), ("coherence", 101), ("coherence", float("nan")),
    ("drift", -0.5), ("drift", 11), ("drift", float("inf")),
    ("popularity", -1), ("popularity", 11), ("popularity", "0.5"),
    ("hidden_fraction", -0.1), ("hidden_fraction", 1.1), ("hidden_fraction", True),
    ("focus", float("nan")), ("focus", "0.7"), ("noise", 2), ("noise", None),
]


@pytest.mark.parametrize("name, bad", COMMON_BAD, ids=repr)
def test_music_rejects(name, bad):
    with pytest.raises(ValueError, match=name):
        simulate.simulate_music(**({"n_users": 5} | {name: bad}))


@pytest.mark.parametrize("name, bad", COMMON_BAD + [
    ("views_per_session", 21), ("views_per_session", 0.5), ("views_per_session", True),
    ("review_probability", 1.5), ("review_probability", -0.01),
    ("min_class_items", 0), ("min_class_items", 1.5), ("min_class_items", True),
    ("style_threshold", -0.1), ("style_threshold", 1.5), ("style_threshold", True),
], ids=repr)
def test_shop_rejects_before_loading_the_catalogue(name, bad):
    # catalogue=None would load the real catalogue: the autouse fixture fails the test if it does
    with pytest.raises(ValueError, match=name):
        simulate.simulate_shop(**({"n_users": 5} | {name: bad}))


@pytest.mark.parametrize("name, bad", [
    ("n_tracks", 9), ("n_tracks", 10.0), ("n_tracks", True), ("n_tracks", None),
    ("n_artists", 0), ("n_artists", 2001), ("n_artists", 1.5), ("n_artists", True),
    ("tracks_per_session", 41), ("tracks_per_session", 0), ("tracks_per_session", True),
], ids=repr)
def test_music_catalogue_parameters(name, bad):
    with pytest.raises(ValueError, match=name):
        simulate.simulate_music(**({"n_users": 5} | {name: bad}))


@pytest.mark.parametrize("name, bad", [
    ("friends_per_user", -1), ("friends_per_user", 1.5), ("friends_per_user", True),
    ("friends_per_user", None), ("friends_per_user", "3"), ("friends_per_user", 1001),
    ("friends_per_user", 5), ("friends_per_user", float("nan")),
    ("homophily", -0.1), ("homophily", 1.1), ("homophily", float("nan")), ("homophily", True),
    ("homophily", "0.5"), ("homophily", None),
], ids=repr)
def test_music_friends_parameters(name, bad):
    # 5 users can have at most 4 friends; homophily needs friends_per_user > 0 to mean anything
    kwargs = {"n_users": 5, "friends_per_user": 2} if name == "homophily" else {"n_users": 5}
    with pytest.raises(ValueError, match=name):
        simulate.simulate_music(**(kwargs | {name: bad}))


def test_music_friends_edge_cases():
    # two users: each can only befriend the other; one mutual friendship whatever the homophily
    for h in (0.0, 1.0):
        sim = simulate.simulate_music(2, seed=0, n_tracks=20, n_artists=4, friends_per_user=1, homophily=h)
        assert sim.dataset.friends.to_dict("list") == {"user_id": [1, 2], "friend_id": [2, 1]}
    sim = simulate.simulate_music(np.int64(6), seed=np.int32(1), n_tracks=20, n_artists=4,
                                  friends_per_user=np.int16(5), homophily=np.float32(1.0))
    assert type(sim.params["friends_per_user"]) is int and type(sim.params["homophily"]) is float
    # friends are drawn with replacement and a repeated pair is kept once: at most all 15 pairs
    assert 5 <= len(sim.friend_truth) <= 15 and sim.dataset.friends["user_id"].nunique() == 6


@pytest.mark.parametrize("bad", [pd.DataFrame(), "clothing", 3, [1, 2], object()], ids=repr)
def test_shop_catalogue_type(bad):
    with pytest.raises(ValueError, match="catalogue: expected data.ClothingReviews"):
        simulate.simulate_shop(5, catalogue=bad)
    with pytest.raises(ValueError, match="catalogue"):
        simulate.shop_item_interests(bad)


@pytest.mark.parametrize("kwargs, name", [
    ({"min_class_items": 0}, "min_class_items"), ({"min_class_items": "5"}, "min_class_items"),
    ({"style_threshold": float("nan")}, "style_threshold"), ({"style_threshold": 2}, "style_threshold"),
], ids=repr)
def test_shop_item_interests_parameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulate.shop_item_interests(tiny_catalogue(), **kwargs)


# --------------------------------------------------------------------------- promised sizes
def test_minimum_interests_that_cannot_be_honoured_are_refused():
    # a 10-track catalogue by one artist has at most 7 interests with items (1-2 genres, <= 6 moods)
    with pytest.raises(ValueError, match=r"interests_per_user: expected a minimum of at most \d"):
        simulate.simulate_music(5, n_tracks=10, n_artists=1, interests_per_user=(10, 10))


def test_interest_counts_stay_in_the_promised_range():
    sim = simulate.simulate_music(40, seed=2, n_tracks=50, n_artists=10, interests_per_user=(3, 3))
    assert (sim.truth.groupby("user_id").size() == 3).all()
    assert (sim.dataset.users["n_interests"] == 3).all()


def test_session_cap_is_honoured_at_the_bound():
    sim = simulate.simulate_music(20, seed=1, n_tracks=30, n_artists=5, tracks_per_session=40)
    per_session = sim.dataset.interactions.loc[sim.dataset.interactions["event"] != "repeat"] \
        .groupby("session_id").size()
    assert per_session.max() <= simulate.MAX_TRACKS_PER_SESSION


def test_too_many_sessions_for_the_period_is_refused():
    with pytest.raises(ValueError, match="sessions_before/sessions_after: too many sessions"):
        simulate.simulate_music(5, days=2, sessions_before=1000)


# --------------------------------------------------------------------------- documented results
def test_numpy_scalars_count_like_python_numbers():
    a = simulate.simulate_music(8, seed=3, n_tracks=40, n_artists=8)
    b = simulate.simulate_music(np.int64(8), seed=np.int32(3), n_tracks=np.int16(40), n_artists=np.uint8(8),
                                noise=np.float32(0.25), focus=np.float64(0.6))
    pd.testing.assert_frame_equal(a.dataset.interactions, b.dataset.interactions)
    assert b.params["n_users"] == 8 and type(b.params["n_users"]) is int


def test_zero_fractions_are_valid():
    sim = simulate.simulate_music(10, seed=0, n_tracks=40, n_artists=8, hidden_fraction=0.0, noise=0.0,
                                  drift=0.0, coherence=0.0, popularity=0.0)
    assert sim.hidden.empty
    data.validate_interactions(sim.dataset.interactions, require_sorted=True)


def test_shop_on_a_tiny_catalogue_does_not_modify_it():
    cat = tiny_catalogue()
    items0, reviews0 = cat.items.copy(), cat.reviews.copy()
    sim = simulate.simulate_shop(12, seed=0, catalogue=cat, interests_per_user=(2, 3))
    pd.testing.assert_frame_equal(cat.items, items0)
    pd.testing.assert_frame_equal(cat.reviews, reviews0)
    assert set(sim.dataset.items["item_id"]) == set(cat.items["item_id"])
    reviewed = sim.dataset.interactions.query("event == 'review'")
    assert reviewed["review_id"].isin(cat.reviews["review_id"]).all()
    items, ii, classes, styles = simulate.shop_item_interests(cat)
    pd.testing.assert_frame_equal(cat.items, items0)
    assert classes == ["Dresses", "Knits"] and ii.to_numpy().min() >= 0 and ii.to_numpy().max() <= 1


def test_shop_catalogue_with_an_unreviewed_item_is_refused():
    cat = tiny_catalogue()
    cat = data.ClothingReviews(cat.items, cat.reviews.query("item_id != 100").reset_index(drop=True), cat.report)
    with pytest.raises(ValueError, match="catalogue: 1 items have no review"):
        simulate.simulate_shop(5, catalogue=cat)


# --------------------------------------------------------------------------- properties
NOT_A_COUNT = st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), st.text(max_size=3), st.none())


@FAST
@given(NOT_A_COUNT)
def test_n_users_property(bad):
    with pytest.raises(ValueError, match="n_users"):
        simulate.simulate_music(bad)


@FAST
@given(st.one_of(st.floats(), st.booleans(), st.integers(-3, 3)))
def test_fraction_property(value):
    ok = not isinstance(value, bool) and math.isfinite(value) and 0.0 <= value <= 1.0
    if ok:
        sim = simulate.simulate_music(3, seed=0, n_tracks=20, n_artists=4, noise=value)
        assert sim.params["noise"] == value
    else:
        with pytest.raises(ValueError, match="noise"):
            simulate.simulate_music(3, n_tracks=20, n_artists=4, noise=value)


@FAST
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_concentration_property_never_gives_nan_weights(value):
    if not (math.isfinite(value) and value >= simulate.MIN_CONCENTRATION):
        with pytest.raises(ValueError, match="concentration"):
            simulate.simulate_music(3, n_tracks=20, n_artists=4, concentration=value)
        return
    sim = simulate.simulate_music(6, seed=1, n_tracks=20, n_artists=4, concentration=value)
    sums = sim.truth.groupby("user_id")["weight"].sum()
    assert np.isfinite(sim.truth["weight"]).all() and np.allclose(sums, 1.0)
