"""Tests of recsys_helpers.explore: the shop environment, the rankers, the bandits and the policies.

One small simulation (60 users over the real clothing catalogue) serves the whole module.
The bandit core is checked on a synthetic Bernoulli bandit without the shop.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from recsys_helpers import explore as ex
from recsys_helpers import metrics, simulate


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def sim() -> simulate.ShopSimulation:
    return simulate.simulate_shop(n_users=60, seed=0)


@pytest.fixture(scope="module")
def env(sim) -> ex.ShopEnvironment:
    return ex.ShopEnvironment(sim, seed=0)


@pytest.fixture(scope="module")
def history(sim) -> pd.DataFrame:
    return sim.history_and_future()[0]


def _digest(sim) -> str:
    """A hash of the simulated log and truth (computed the same way before ``latent`` existed)."""
    d = sim.dataset.interactions
    h = hashlib.sha256()
    for c in ("user_id", "item_id", "timestamp", "session_id"):
        h.update(np.ascontiguousarray(d[c].to_numpy(np.int64)).tobytes())
    h.update("|".join(d["event"].astype(str)).encode())
    if "satisfaction" in d:
        h.update(np.nan_to_num(d["satisfaction"].to_numpy(float), nan=-1).tobytes())
    h.update(np.round(sim.truth_matrix.to_numpy(), 12).tobytes())
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------- simulate additions
def test_simulators_output_unchanged_by_the_latent_state_and_the_shared_formulas(sim):
    # values computed before cart_probability / match / latent were added to simulate.py
    assert _digest(sim) == "92d43e0d6dad3342"
    assert len(sim.dataset.interactions) == 4021
    assert int((sim.dataset.interactions["event"] == "cart").sum()) == 508
    music = simulate.simulate_music(n_users=30, seed=0)
    assert _digest(music) == "0af1d5ce610e09cd" and len(music.dataset.interactions) == 3976
    assert set(music.latent) == {"weights", "hidden", "drift_direction"}


def test_latent_state_agrees_with_the_truth(sim):
    lat = sim.latent
    n_users, n_int = len(sim.dataset.users), len(sim.interests)
    assert lat["weights"].shape == lat["hidden"].shape == lat["drift_direction"].shape == (n_users, n_int)
    np.testing.assert_allclose(lat["weights"], sim.truth_matrix.to_numpy())
    hid = sim.hidden
    expect = np.zeros((n_users, n_int), dtype=bool)
    expect[hid["user_id"].to_numpy() - 1, [sim.interests.index(j) for j in hid["interest"]]] = True
    assert (lat["hidden"] == expect).all()
    assert (lat["drift_direction"][lat["weights"] == 0] == 0).all()
    assert (lat["drift_direction"][lat["weights"] > 0] != 0).all()
    q = lat["quality"]
    assert q.shape == (len(sim.dataset.items),)
    assert abs(q.mean()) < 1e-9 and abs(q.std() - 1) < 1e-9


def test_weights_at_is_the_drift_formula_with_hidden_interests_off_before_the_cutoff(sim):
    lat, (t0, t1) = sim.latent, sim.period
    users = np.array([0, 5, 17, 59])
    for t in (t0, sim.cutoff - 1, sim.cutoff, t1 - 1):
        tau = (t - t0) / (t1 - t0)
        w = lat["weights"][users] * np.exp(sim.params["drift"] * lat["drift_direction"][users] * (tau - 0.5))
        if t < sim.cutoff:
            w[lat["hidden"][users]] = 0.0
        w /= w.sum(axis=1, keepdims=True)
        got = sim.weights_at(users, t)
        np.testing.assert_allclose(got, w, rtol=1e-12)
        np.testing.assert_allclose(got.sum(axis=1), 1.0)
    mid = (t0 + t1) // 2  # tau = 1/2 (before the cutoff): the truth without the hidden interests
    w = sim.truth_matrix.to_numpy() * ~lat["hidden"]
    np.testing.assert_allclose(sim.weights_at(np.arange(60), mid), w / w.sum(axis=1, keepdims=True),
                               atol=1e-6)


def test_match_and_cart_probability_formulas():
    w = np.array([[0.5, 0.3, 0.2, 0.0]] * 3)
    x = np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    np.testing.assert_allclose(simulate.match(w, x), [1.0, 0.6, 0.0])
    m, q = np.array([0.0, 0.5, 1.0]), np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(simulate.cart_probability(m, q), 1 / (1 + np.exp(-(-4.5 + 3.5 * m + 0.5 * q))))
    assert simulate.cart_probability(1.0, 0.0) == pytest.approx(1 / (1 + np.exp(1.0)))


# --------------------------------------------------------------------------- environment
def test_step_probability_is_the_logs_funnel_step(env, sim):
    env.reset()
    users = env.user_ids[:7]
    slates = np.arange(70).reshape(7, 10)
    t = sim.cutoff + 3 * simulate.DAY
    fb = env.step(users, slates, t)
    w = sim.weights_at(np.arange(7), t)
    m = np.array([[min(1.0, w[u] @ env.x[i] / w[u].max()) for i in row] for u, row in enumerate(slates)])
    logit = -4.5 + 3.5 * m + 0.5 * env.quality[slates]
    np.testing.assert_allclose(fb.probability, 1 / (1 + np.exp(-logit)))
    assert fb.clicks.shape == (7, 10) and fb.clicks.dtype == bool
    assert fb.touched.shape == (7, len(env.interests)) and (fb.users == users).all() and fb.t == t


def test_high_match_items_are_clicked_far_more_often(env, sim):
    env.reset()
    t = sim.cutoff + 10 * simulate.DAY
    users = env.user_ids
    w = sim.weights_at(np.arange(len(users)), t)
    m = np.minimum((w @ env.x.T) / w.max(axis=1, keepdims=True), 1.0)   # users x items
    best, worst = np.argsort(-m, axis=1)[:, :10], np.argsort(m, axis=1)[:, :10]
    hi = np.mean([env.step(users, best, t).clicks.mean() for _ in range(20)])
    lo = np.mean([env.step(users, worst, t).clicks.mean() for _ in range(20)])
    assert hi > 0.15 and lo < 0.05 and hi > 4 * lo


def test_touches_are_true_interests_and_hidden_ones_only_after_the_cutoff(env, sim):
    hidden = env.hidden
    has = hidden.any(axis=1)
    j = np.argmax(hidden, axis=1)                                  # the hidden interest (if any)
    slates = np.argsort(-env.x[:, j].T, axis=1, kind="stable")[:, :10]   # its most typical items
    users = env.user_ids
    env.reset()
    for r in range(15):
        env.step(users, slates, env.t0 + r * simulate.DAY)
    assert not (env.touched & hidden).any()
    assert env.hidden_discovered() == 0.0
    for r in range(15):
        fb = env.step(users, slates, sim.cutoff + r * simulate.DAY)
        assert not (fb.touched & ~(sim.latent["weights"][np.arange(len(users))] > 0)).any()
    assert not (env.touched & ~(sim.latent["weights"] > 0)).any()
    assert (env.touched & hidden).sum() >= 0.5 * has.sum()
    assert 0.5 <= env.hidden_discovered() <= 1.0
    env.reset()
    assert not env.touched.any()


def test_new_hidden_counts_first_touches_only(env, sim):
    env.reset()
    j = np.argmax(env.hidden, axis=1)
    slates = np.argsort(-env.x[:, j].T, axis=1, kind="stable")[:, :10]
    total = sum(env.step(env.user_ids, slates, sim.cutoff + r * simulate.DAY).new_hidden for r in range(10))
    assert total == int((env.touched & env.hidden).sum())


# --------------------------------------------------------------------------- clusters and histories
MEMBERS = np.array([[True, False, False],     # item 10: cluster 0
                    [False, True, True],      # item 20: clusters 1 and 2
                    [False, False, True],     # item 30: cluster 2
                    [False, False, False]])   # item 40: no cluster
ITEMS = [10, 20, 30, 40]


def test_cluster_sequences_follow_time_and_column_order():
    log = pd.DataFrame({"user_id": [1, 1, 1, 2, 2, 3], "item_id": [30, 20, 10, 40, 20, 40],
                        "timestamp": [5, 3, 9, 1, 2, 1]})
    got = ex.cluster_sequences(log, MEMBERS, ITEMS)
    assert got == {1: [1, 2, 0], 2: [1, 2], 3: []}
    frame = pd.DataFrame(MEMBERS, index=ITEMS)
    assert ex.cluster_sequences(log, frame, ITEMS, users=[2, 7]) == {2: [1, 2], 7: []}
    assert ex.visited_mask(got, [3, 1], 3).tolist() == [[False, False, False], [True, True, True]]


def test_first_new_cluster_on_a_hand_made_log():
    history = pd.DataFrame({"user_id": [1, 2, 3], "item_id": [10, 20, 30], "timestamp": [1, 1, 1]})
    future = pd.DataFrame({"user_id": [1, 1, 2, 3, 4], "item_id": [10, 30, 30, 40, 20],
                           "timestamp": [5, 6, 5, 5, 5]})
    got = ex.first_new_cluster(history, future, MEMBERS, ITEMS)
    assert got.to_dict() == {1: 2, 4: 1}
    assert got.index.name == "user_id" and got.name == "cluster"
    assert got.attrs["users_without_new"] == [2, 3] and got.attrs["n_without_new"] == 2


def _random_sequences(rng, n_users, n_clusters, max_len=6):
    return {u: rng.permutation(n_clusters)[:rng.integers(0, max_len + 1)].tolist() for u in range(n_users)}


def test_rankers_put_minus_inf_exactly_on_visited_clusters():
    rng = np.random.default_rng(0)
    n = 8
    train = _random_sequences(rng, 40, n)
    query = _random_sequences(rng, 25, n)
    query[0] = [3]
    nonempty = {u: s for u, s in query.items() if s}
    vecs = rng.normal(size=(n, 5))
    table = rng.normal(size=(n, n))
    np.fill_diagonal(table, -np.inf)
    for q, scores in [(query, ex.markov_scores(train, query, n)),
                      (query, ex.popular_scores(train, query, n)),
                      (query, ex.random_scores(query, n, seed=3)),
                      (nonempty, ex.embedding_scores(vecs, nonempty)),
                      (nonempty, ex.transition_table_scores(table, nonempty, recent=2))]:
        visited = ex.visited_mask(q, None, n)
        assert (np.isneginf(scores) == visited).all()
        assert np.isfinite(scores[~visited]).all()


def test_markov_and_popular_scores_by_hand():
    train = [[0, 1, 2], [0, 2], [1]]
    got = ex.markov_scores(train, {"a": [0], "b": []}, 3, alpha=1.0)
    np.testing.assert_allclose(got[0], [-np.inf, 0.4, 0.4])              # (N_0b + 1) / (2 + 3)
    np.testing.assert_allclose(got[1], [3 / 6, 2 / 6, 1 / 6])            # first clusters: 0, 0, 1
    np.testing.assert_allclose(ex.popular_scores(train, [[2]], 3), [[2.0, 2.0, -np.inf]])
    r1, r2 = ex.random_scores([[0]], 3, seed=1), ex.random_scores([[0]], 3, seed=1)
    assert (r1 == r2).all() and not (r1 == ex.random_scores([[0]], 3, seed=2)).all()


def test_embedding_and_table_scores_by_hand():
    e = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    got = ex.embedding_scores(e, [[0, 1]], recent=3)                    # taste = (0.5, 0.5)
    np.testing.assert_allclose(got, [[-np.inf, -np.inf, 1.0, 0.0]])
    np.testing.assert_allclose(ex.embedding_scores(e, [[0, 1]], recent=1),
                               [[-np.inf, -np.inf, 2 ** -0.5, 0.0]])
    table = np.arange(16, dtype=float).reshape(4, 4)
    np.testing.assert_allclose(ex.transition_table_scores(table, [[0, 1]], recent=2),
                               [[-np.inf, -np.inf, 4.0, 5.0]])          # mean of rows 0 and 1
    np.testing.assert_allclose(ex.transition_table_scores(table, [[0, 1]]),
                               [[-np.inf, -np.inf, 6.0, 7.0]])          # row 1


class FakeGenerator:
    """Scores option ``b`` after ``a`` by how many letters they share; records the prompts."""

    def __init__(self):
        self.prompts = []

    def score_options(self, prompt, options, answer_prefix=""):
        self.prompts.append((prompt, list(options), answer_prefix))
        last = prompt.split("'")[1]
        s = pd.Series({o: float(len(set(o) & set(last))) for o in options})
        return s.sort_values(ascending=False)


def test_llm_transition_table_with_a_fake_generator():
    gen = FakeGenerator()
    names = ["jeans", "dresses", "swim"]
    table = ex.llm_transition_table(gen, names, "She last bought '{last}'. Next?", answer_prefix="Next:")
    assert list(table.index) == names and list(table.columns) == names
    assert np.isneginf(np.diag(table.to_numpy())).all()
    assert table.loc["jeans", "dresses"] == len(set("jeans") & set("dresses"))
    assert gen.prompts[0] == ("She last bought 'jeans'. Next?", ["dresses", "swim"], "Next:")
    scores = ex.transition_table_scores(table, {"u": [0]})
    assert np.isneginf(scores[0, 0]) and np.isfinite(scores[0, 1:]).all()


# --------------------------------------------------------------------------- bandit core
P = np.array([0.2, 0.4, 0.8, 0.5, 0.3])


def _bandit(rule: str, rounds: int, seed: int, n_rows: int = 30, **kw) -> tuple[np.ndarray, np.ndarray]:
    """Play ``n_rows`` independent copies of the Bernoulli bandit ``P``; return (pulls, regret by round)."""
    rng = np.random.default_rng(seed)
    state = ex.BanditState.empty(n_rows, len(P))
    regret = np.zeros(rounds)
    for r in range(rounds):
        arms = ex.select_arms(state, rule, rng, seed=seed, **kw)
        state.update(arms, (rng.random(n_rows) < P[arms]).astype(float))
        regret[r] = (P.max() - P[arms]).mean()
    return state.counts, np.cumsum(regret)


@pytest.mark.parametrize("rule", ["ucb1", "thompson"])
def test_ucb1_and_thompson_find_the_best_arm_with_sublinear_regret(rule):
    for seed in (0, 1):
        pulls, regret = _bandit(rule, 4000, seed)
        assert (pulls.argmax(axis=1) == P.argmax()).all()
        assert regret[3999] / regret[999] < 2.0, (rule, seed, regret[999], regret[3999])


def test_epsilon_greedy_finds_the_best_arm_and_keeps_exploring():
    pulls, _ = _bandit("epsilon", 2000, 0, epsilon=0.1)
    assert (pulls.argmax(axis=1) == P.argmax()).mean() >= 0.8
    assert (pulls >= 1).all()                                  # every arm tried at least once
    pulls0, _ = _bandit("epsilon", 300, 0, epsilon=0.0)
    assert (pulls0 >= 1).all()                                 # unplayed arms count as +inf


def test_select_arms_respects_availability():
    state = ex.BanditState.empty(3, 4)
    avail = np.array([[False, True, False, False], [False, False, False, False], [True, True, True, True]])
    for rule in ("epsilon", "ucb1", "thompson"):
        got = ex.select_arms(state, rule, np.random.default_rng(0), available=avail)
        assert got[0] == 1 and got[1] == -1 and 0 <= got[2] < 4


# --------------------------------------------------------------------------- policies
def _policies(env, scores):
    return [ex.ExploitOnly(env.x), ex.EpsilonGreedy(env.x, epsilon=0.2), ex.UCB1(env.x),
            ex.ThompsonSampling(env.x), ex.NovelCluster(env.x, scores, patience=2, name="markov")]


@pytest.fixture(scope="module")
def markov(env, history):
    seqs = ex.history_clusters(env, history, users=env.user_ids)
    return ex.markov_scores(seqs, seqs, len(env.interests))


def test_runs_are_deterministic_under_a_seed(env, sim, history, markov):
    for pol in _policies(env, markov):
        a = ex.run(env, pol, env.user_ids, 6, sim.cutoff, history=history)
        b = ex.run(env, pol, env.user_ids, 6, sim.cutoff, history=history)
        assert (a.slates == b.slates).all() and (a.clicks == b.clicks).all(), pol.name
        pd.testing.assert_frame_equal(a.per_round, b.per_round)
    other = ex.ShopEnvironment(sim, seed=1)
    c = ex.run(other, ex.UCB1(env.x), env.user_ids, 6, sim.cutoff, history=history)
    assert not (c.clicks == a.clicks).all()
    d = ex.run(env, ex.ThompsonSampling(env.x, seed=5), env.user_ids, 6, sim.cutoff, history=history)
    t = ex.run(env, ex.ThompsonSampling(env.x, seed=0), env.user_ids, 6, sim.cutoff, history=history)
    assert not (d.slates == t.slates).all()


def test_run_records_rounds_and_policies_never_reshow_seen_items(env, sim, history, markov):
    index = pd.Index(env.item_ids)
    hist_pos = {u: set(index.get_indexer(g["item_id"])) for u, g in history.groupby("user_id")}
    for pol in _policies(env, markov):
        res = ex.run(env, pol, env.user_ids, 8, sim.cutoff, history=history)
        assert list(res.per_round.columns) == ["round", "t", "clicks_per_user", "explore_clicks",
                                               "new_clusters_per_user", "hidden_discovered"]
        assert res.slates.shape == (8, 60, 10) and res.clicks.shape == (8, 60, 10)
        assert np.all(np.diff(res.per_round["hidden_discovered"]) >= 0)
        for u in range(60):
            seen = set(hist_pos.get(int(env.user_ids[u]), set()))
            for r in range(8):
                row = res.slates[r, u]
                assert len(set(row)) == 10 and not (set(row) & seen), (pol.name, u, r)
                seen |= set(row[res.clicks[r, u]])
        c = res.explore_clusters
        if pol.explores:
            assert (c >= 0).any()
            r, u = np.nonzero(c >= 0)
            assert env.members[res.slates[r, u, -1], c[r, u]].all()   # the slot shows the cluster
        else:
            assert (c == -1).all() and (res.per_round["explore_clicks"] == 0).all()
        lists = res.lists(0)
        assert len(lists) == 60 and all(len(v) == 10 for v in lists.values())
        assert 0 < metrics.catalog_coverage(res.lists(), env.item_ids) <= 1


@pytest.mark.parametrize("seed", range(6))
def test_novel_cluster_never_proposes_a_visited_cluster(env, sim, history, seed):
    rng = np.random.default_rng(seed)
    users = env.user_ids[rng.choice(60, size=25, replace=False)]
    n_c = len(env.interests)
    scores = rng.normal(size=(25, n_c))
    scores[rng.random((25, n_c)) < 0.2] = -np.inf
    items = {u: pd.Index(env.item_ids).get_indexer(g["item_id"]).tolist()
             for u, g in history.loc[history["user_id"].isin(users)].groupby("user_id")}
    k, patience = int(rng.integers(1, 8)), int(rng.integers(1, 4))
    pol = ex.NovelCluster(env.x, scores, k=k, patience=patience, seed=seed)
    env.reset()
    pol.start(env, users, items)
    for r in range(12):
        visited = pol.visited_.copy()
        slate = pol.slate(sim.cutoff + r * simulate.DAY)
        c = pol.explore_cluster_
        rows = np.flatnonzero(c >= 0)
        assert not visited[rows, c[rows]].any()
        assert np.isfinite(scores[rows, c[rows]]).all()
        assert not pol.abandoned_[rows, c[rows]].any()
        # the slot holds the best-scored candidate among clusters not visited and not abandoned
        fb = env.step(users, slate, sim.cutoff + r * simulate.DAY)
        pol.update(fb)
    assert (pol.shown_[~pol.visited_] <= pol.patience).all()


def test_novel_cluster_takes_the_best_scored_cluster_first(env, sim, history):
    users = env.user_ids[:10]
    scores = np.tile(np.arange(len(env.interests), dtype=float), (10, 1))
    pol = ex.NovelCluster(env.x, scores, patience=1)
    env.reset()
    pol.start(env, users, None)                                   # no history: nothing visited
    pol.slate(sim.cutoff)
    assert (pol.explore_cluster_ == len(env.interests) - 1).all()  # the highest score
    all_inf = ex.NovelCluster(env.x, np.full((10, len(env.interests)), -np.inf))
    all_inf.start(env, users, None)
    all_inf.slate(sim.cutoff)
    assert (all_inf.explore_cluster_ == -1).all()                 # nothing to propose: exploit only
