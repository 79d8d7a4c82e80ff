"""Hostile inputs for recsys_helpers.explore (and the formulas it shares with simulate).

``REJECTED``: one bad argument per call (None, a wrong type, ``True`` for a number, NaN or
infinity, an unknown or duplicate id, a wrong shape, an out-of-range position, time or
parameter), each answered by a ``ValueError`` whose message starts with the argument's name.
``DOCUMENTED``: inputs that look hostile but have a documented answer. Every call checks that
its arguments were not mutated; a rejected step leaves the environment as it was. The shop
runs on a tiny hand-made catalogue so that the suite stays fast.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hostile import D, R, call_unchanged, tiny_catalogue
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import simulate
from recsys_helpers import explore as ex

FAST = settings(max_examples=40, deadline=None, derandomize=True)
NAN, INF = float("nan"), float("inf")


# --------------------------------------------------------------------------- a tiny shop


SIM = simulate.simulate_shop(12, seed=0, catalogue=tiny_catalogue(varied_ratings=True), interests_per_user=(2, 3))
ENV = ex.ShopEnvironment(SIM)
N_ITEMS, N_C = ENV.members.shape
USERS = ENV.user_ids[:3]
SLATES = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
T = SIM.cutoff
X = ENV.x
SCORES = np.zeros((3, N_C))
SEQ = {1: [0, 2], 2: [1]}
LOG = pd.DataFrame({"user_id": [1, 1, 2], "item_id": [100, 105, 111], "timestamp": [1, 2, 3]})
MEM = ENV.members
IDS = ENV.item_ids
TABLE = np.zeros((N_C, N_C))


class Gen:
    """A fake generator: option scores from the option's length."""

    def __init__(self, result=None):
        self.result = result

    def __eq__(self, other):  # compared by what it returns, so call_unchanged can check it
        return isinstance(other, Gen) and repr(self.result) == repr(other.result)

    def score_options(self, prompt, options, answer_prefix=""):
        if self.result is not None:
            return self.result
        return pd.Series({o: float(len(o)) for o in options})


MUSIC = simulate.simulate_music(3, n_tracks=20, n_artists=4)


def step(*args, **kwargs):
    return ENV.step(*args, **kwargs)


def env_with(**kwargs):
    return ex.ShopEnvironment(SIM, **kwargs)


def exhausted():
    policy = ex.ExploitOnly(X, k=3)
    policy.start(ENV, USERS, {1: list(range(N_ITEMS - 2))})
    return policy


def arms(*args, **kwargs):
    """select_arms on a fresh 2 x 3 state and generator."""
    return ex.select_arms(ex.BanditState.empty(2, 3), *args[:1], np.random.default_rng(0), *args[1:], **kwargs)


def play(*args, k=3, **kwargs):
    """run on the tiny environment with an ExploitOnly policy of k slots."""
    return ex.run(ENV, ex.ExploitOnly(X, k=k), *args, **kwargs)


def started(policy, users=USERS):
    policy.start(ENV, users, None)
    return policy


def novel_start(scores, users=USERS):
    return started(ex.NovelCluster(X, scores), users)


REJECTED = [
    # ---------------------------------------------------------------- environment
    R("env-sim-None", "^sim:", ex.ShopEnvironment, None),
    R("env-sim-music", "^sim: expected a simulate.ShopSimulation", lambda: ex.ShopEnvironment(MUSIC)),
    R("env-seed-neg", "^seed:", lambda: ex.ShopEnvironment(SIM, seed=-1)),
    R("env-seed-True", "^seed:", lambda: ex.ShopEnvironment(SIM, seed=True)),
    R("env-threshold-0", "^touch_threshold:", env_with, touch_threshold=0.0),
    R("env-threshold-big", "^touch_threshold:", env_with, touch_threshold=1.5),
    R("env-threshold-NaN", "^touch_threshold:", env_with, touch_threshold=NAN),
    R("env-threshold-True", "^touch_threshold:", env_with, touch_threshold=True),
    # ---------------------------------------------------------------- step: users
    R("step-users-None", "^users:", step, None, SLATES, T),
    R("step-users-str", "^users:", step, "123", SLATES, T),
    R("step-users-unknown", "^users: 1 id.*not in the simulation.*999", step, [1, 2, 999], SLATES, T),
    R("step-users-duplicate", "^users:.*distinct", step, [1, 1, 2], SLATES, T),
    R("step-users-float", "^users:.*integers", step, [1.5, 2, 3], SLATES, T),
    R("step-users-NaN", "^users:.*NaN", step, [1, NAN, 3], SLATES, T),
    R("step-users-empty", "^users:", step, [], SLATES[:0], T),
    # ---------------------------------------------------------------- step: slates
    R("step-slates-None", "^slates:", step, USERS, None, T),
    R("step-slates-1d", "^slates:.*2-D", step, USERS, np.array([0, 1, 2]), T),
    R("step-slates-rows", "^slates:.*one row per user", step, USERS, SLATES[:2], T),
    R("step-slates-negative", "^slates:.*positions", step, USERS, SLATES - 1, T),
    R("step-slates-too-large", "^slates:.*positions", step, USERS, SLATES + N_ITEMS - 8, T),
    R("step-slates-duplicate", "^slates:.*twice", step, USERS, np.array([[0, 1, 1], [3, 4, 5], [6, 7, 8]]), T),
    R("step-slates-float", "^slates:.*integers", step, USERS, SLATES + 0.5, T),
    R("step-slates-bool", "^slates:.*boolean", step, USERS, SLATES > 3, T),
    R("step-slates-NaN", "^slates:", step, USERS, np.where(SLATES == 0, NAN, SLATES), T),
    # ---------------------------------------------------------------- step: t
    R("step-t-before", r"^t:.*\[", step, USERS, SLATES, ENV.t0 - 1),
    R("step-t-after", r"^t:.*\[", step, USERS, SLATES, ENV.t1),
    R("step-t-True", "^t:", step, USERS, SLATES, True),
    R("step-t-float", "^t:", step, USERS, SLATES, float(T)),
    R("step-t-None", "^t:", step, USERS, SLATES, None),
    R("hidden-users-unknown", "^users:", ENV.hidden_discovered, [0]),
    # ---------------------------------------------------------------- shared formulas
    R("match-NaN", "^weights:.*NaN", simulate.match, np.array([[NAN, 1.0]]), np.array([[1.0, 0.0]])),
    R("match-shape", "^x:", simulate.match, np.ones((2, 3)), np.ones((2, 2))),
    R("match-zero-row", "^weights:.*positive maximum", simulate.match, np.zeros((1, 2)), np.ones((1, 2))),
    R("cart-m-NaN", "^m:", simulate.cart_probability, np.array([NAN]), np.array([0.0])),
    R("cart-q-str", "^q:", simulate.cart_probability, np.array([0.5]), "good"),
    R("cart-q-shape", "^q:.*broadcast", simulate.cart_probability, np.ones(3), np.ones(2)),
    R("weights_at-index", "^user_index:", SIM.weights_at, np.array([0, 99]), T),
    R("weights_at-t", "^t:", SIM.weights_at, np.array([0]), 1.5),
    # ---------------------------------------------------------------- policies: parameters
    R("policy-vectors-NaN", "^item_vectors:.*NaN", ex.ExploitOnly, np.where(X == 0, NAN, X)),
    R("policy-vectors-1d", "^item_vectors:.*2-D", ex.ExploitOnly, X[:, 0]),
    R("policy-k-0", "^k:", ex.ExploitOnly, X, k=0),
    R("policy-k-True", "^k:", ex.UCB1, X, k=True),
    R("policy-k-float", "^k:", ex.ThompsonSampling, X, k=2.5),
    R("policy-seed", "^seed:", ex.ExploitOnly, X, seed=-2),
    R("eps-negative", "^epsilon:", ex.EpsilonGreedy, X, epsilon=-0.1),
    R("eps-big", "^epsilon:", ex.EpsilonGreedy, X, epsilon=1.1),
    R("eps-NaN", "^epsilon:", ex.EpsilonGreedy, X, epsilon=NAN),
    R("eps-True", "^epsilon:", ex.EpsilonGreedy, X, epsilon=True),
    R("ucb-c", "^c:", ex.UCB1, X, c=-1.0),
    R("ts-prior-zero", "^prior:", ex.ThompsonSampling, X, prior=(0.0, 1.0)),
    R("ts-prior-one", "^prior:", ex.ThompsonSampling, X, prior=(1.0,)),
    R("ts-prior-str", "^prior:", ex.ThompsonSampling, X, prior="ab"),
    R("novel-patience-0", "^patience:", ex.NovelCluster, X, SCORES, patience=0),
    R("novel-patience-True", "^patience:", ex.NovelCluster, X, SCORES, patience=True),
    R("novel-scores-NaN", "^scores:.*NaN", ex.NovelCluster, X, np.full((3, N_C), NAN)),
    R("novel-scores-inf", "^scores:.*inf", ex.NovelCluster, X, np.full((3, N_C), INF)),
    R("novel-scores-1d", "^scores:.*2-D", ex.NovelCluster, X, np.zeros(N_C)),
    R("novel-name-blank", "^name:", ex.NovelCluster, X, SCORES, name=" "),
    # ---------------------------------------------------------------- policies: start / update
    R("start-env", "^env:", lambda: ex.ExploitOnly(X).start(SIM, USERS)),
    R("start-users-unknown", "^users:", lambda: ex.ExploitOnly(X).start(ENV, [1, 77])),
    R("start-vectors-rows", "^item_vectors:.*one row per item", lambda: ex.ExploitOnly(X[:5]).start(ENV, USERS)),
    R("start-k-too-large", "^k:", lambda: ex.ExploitOnly(X, k=N_ITEMS + 1).start(ENV, USERS)),
    R("start-history-list", "^history_items:", lambda: ex.ExploitOnly(X).start(ENV, USERS, [[0]])),
    R("start-history-range", "^history_items:", lambda: ex.ExploitOnly(X).start(ENV, USERS, {1: [N_ITEMS]})),
    R("start-visited-shape", "^visited:", lambda: ex.ExploitOnly(X).start(ENV, USERS, None, np.zeros((2, N_C), bool))),
    R("start-visited-float", "^visited:", lambda: ex.ExploitOnly(X).start(ENV, USERS, None, np.zeros((3, N_C)))),
    R("novel-scores-rows", "^scores:.*one row per user", novel_start, np.zeros((2, N_C))),
    R("novel-scores-cols", "^scores:.*one column per cluster", novel_start, np.zeros((3, N_C + 1))),
    R("slate-before-start", "^exploit: call start", lambda: ex.ExploitOnly(X).slate(T)),
    R("slate-t", "^t:", lambda: started(ex.ExploitOnly(X)).slate("now")),
    R("slate-k-exhausted", "^k: user 1 has only 2 unseen items", lambda: exhausted().slate(T)),
    R("update-wrong-type", "^feedback:", lambda: started(ex.UCB1(X)).update("clicks")),
    R("update-wrong-slate", "^feedback:", lambda: started(ex.UCB1(X)).update(ENV.step(USERS, SLATES, T))),
    # ---------------------------------------------------------------- clusters and histories
    R("cs-None", "^interactions:", ex.cluster_sequences, None, MEM, IDS),
    R("cs-missing-column", "^interactions:.*missing", ex.cluster_sequences, LOG.drop(columns="timestamp"), MEM, IDS),
    R("cs-NaN-user", "^interactions:.*'user_id'.*NaN", ex.cluster_sequences, LOG.assign(user_id=[1, NAN, 2]), MEM, IDS),
    R("cs-unknown-item", "^interactions:.*not in item_ids", ex.cluster_sequences, LOG.assign(item_id=[1, 2, 3]), MEM, IDS),
    R("cs-members-float", "^members:.*boolean", ex.cluster_sequences, LOG, MEM.astype(float), IDS),
    R("cs-members-rows", "^members:.*one row per item", ex.cluster_sequences, LOG, MEM[:5], IDS),
    R("cs-ids-duplicate", "^item_ids:", ex.cluster_sequences, LOG, MEM, np.zeros(N_ITEMS, int)),
    R("cs-users-str", "^users:", ex.cluster_sequences, LOG, MEM, IDS, users="12"),
    R("hc-source", "^source:", ex.history_clusters, "shop", LOG),
    R("vm-users-missing", "^users:.*not in sequences", ex.visited_mask, SEQ, [1, 5], N_C),
    R("vm-n_clusters", "^n_clusters:", ex.visited_mask, SEQ, None, 0),
    R("fnc-future-empty", "^future:", ex.first_new_cluster, LOG, LOG.iloc[:0], MEM, IDS),
    R("fnc-history-None", "^history:", ex.first_new_cluster, None, LOG, MEM, IDS),
    # ---------------------------------------------------------------- rankers
    R("mk-n_clusters-0", "^n_clusters:", ex.markov_scores, SEQ, SEQ, 0),
    R("mk-alpha-0", "^alpha:", ex.markov_scores, SEQ, SEQ, N_C, alpha=0.0),
    R("mk-alpha-NaN", "^alpha:", ex.markov_scores, SEQ, SEQ, N_C, alpha=NAN),
    R("mk-train-range", "^train_sequences: user 1.*clusters in", ex.markov_scores, {1: [0, N_C]}, SEQ, N_C),
    R("mk-query-repeat", "^query_sequences: user 1 lists a cluster twice", ex.markov_scores, SEQ, {1: [0, 0]}, N_C),
    R("mk-query-str", "^query_sequences:", ex.markov_scores, SEQ, "abc", N_C),
    R("mk-query-empty", "^query_sequences:.*at least one user", ex.markov_scores, SEQ, {}, N_C),
    R("mk-query-nested-str", "^query_sequences: user 1", ex.markov_scores, SEQ, {1: "01"}, N_C),
    R("pop-query-float", "^query_sequences:", ex.popular_scores, SEQ, {1: [0.5]}, N_C),
    R("rnd-seed", "^seed:", ex.random_scores, SEQ, N_C, seed=-1),
    R("emb-empty-history", "^query_sequences: 1 user.*empty history", ex.embedding_scores, np.eye(N_C), {1: [0], 2: []}),
    R("emb-NaN", "^name_vectors:.*NaN", ex.embedding_scores, np.full((N_C, 2), NAN), SEQ),
    R("emb-recent-0", "^recent:", ex.embedding_scores, np.eye(N_C), SEQ, recent=0),
    R("emb-range", "^query_sequences:", ex.embedding_scores, np.eye(3), {1: [4]}),
    R("tt-not-square", "^table:.*square", ex.transition_table_scores, np.zeros((N_C, 3)), SEQ),
    R("tt-NaN", "^table:.*NaN", ex.transition_table_scores, np.full((N_C, N_C), NAN), SEQ),
    R("tt-off-diagonal-inf", "^table:.*off the diagonal", ex.transition_table_scores,
      np.where(np.eye(N_C) == 0, -INF, 0.0), SEQ),
    R("tt-empty-history", "^query_sequences:.*empty history", ex.transition_table_scores, TABLE, {1: []}),
    R("tt-recent-True", "^recent:", ex.transition_table_scores, TABLE, SEQ, recent=True),
    R("llm-generator", "^generator:", lambda: ex.llm_transition_table(object(), ["a", "b"], "{last}")),
    R("llm-names-str", "^names:", ex.llm_transition_table, Gen(), "ab", "{last}"),
    R("llm-names-duplicate", "^names:.*distinct", ex.llm_transition_table, Gen(), ["a", "a"], "{last}"),
    R("llm-names-one", "^names:.*two", ex.llm_transition_table, Gen(), ["a"], "{last}"),
    R("llm-template-no-field", "^prompt_template:.*{last}", ex.llm_transition_table, Gen(), ["a", "b"], "next?"),
    R("llm-template-other-field", "^prompt_template:", ex.llm_transition_table, Gen(), ["a", "b"], "{last} {x}"),
    R("llm-template-blank", "^prompt_template:", ex.llm_transition_table, Gen(), ["a", "b"], " "),
    R("llm-prefix", "^answer_prefix:", ex.llm_transition_table, Gen(), ["a", "b"], "{last}", answer_prefix=1),
    R("llm-progress", "^progress:", ex.llm_transition_table, Gen(), ["a", "b"], "{last}", progress=1),
    R("llm-returns-list", "^generator:.*Series", ex.llm_transition_table, Gen([1.0]), ["a", "b"], "{last}"),
    R("llm-returns-missing", "^generator:.*no finite score", ex.llm_transition_table, Gen(pd.Series({"z": 1.0})),
      ["a", "b"], "{last}"),
    # ---------------------------------------------------------------- bandit core
    R("sa-state", "^state:", lambda: ex.select_arms(np.zeros((2, 2)), "ucb1", np.random.default_rng(0))),
    R("sa-rule", "^rule:", arms, "greedy"),
    R("sa-rng", "^rng:", lambda: ex.select_arms(ex.BanditState.empty(2, 3), "ucb1", 0)),
    R("sa-epsilon", "^epsilon:", arms, "epsilon", epsilon=2.0),
    R("sa-available-shape", "^available:", arms, "ucb1", available=np.ones((2, 2), bool)),
    R("sa-available-int", "^available:", arms, "ucb1", available=np.ones((2, 3))),
    R("bs-n_arms", "^n_arms:", ex.BanditState.empty, 2, 0),
    R("bs-arms-range", "^arms:", lambda: ex.BanditState.empty(2, 3).update(np.array([0, 3]), np.zeros(2))),
    R("bs-arms-length", "^arms:", lambda: ex.BanditState.empty(2, 3).update(np.array([0]), np.zeros(1))),
    R("bs-rewards", "^rewards:", lambda: ex.BanditState.empty(2, 3).update(np.array([0, 1]), np.array([0.0, 2.0]))),
    # ---------------------------------------------------------------- run
    R("run-env", "^env:", lambda: ex.run(SIM, ex.ExploitOnly(X), USERS, 2, T)),
    R("run-policy", "^policy:", lambda: ex.run(ENV, "ucb1", USERS, 2, T)),
    R("run-users", "^users:", play, [0], 2, T),
    R("run-rounds-0", "^rounds:", play, USERS, 0, T),
    R("run-rounds-too-many", "^rounds:.*past the end", play, USERS, 400, T),
    R("run-start", "^start:", play, USERS, 2, ENV.t0 - 1),
    R("run-step", "^step_seconds:", play, USERS, 2, T, step_seconds=0),
    R("run-history-after-start", "^history:.*before start", play, USERS, 2, T, history=SIM.dataset.interactions),
    R("run-history-missing-column", "^history:.*missing", play, USERS, 2, T, history=LOG.drop(columns="item_id")),
    R("run-progress", "^progress:", play, USERS, 2, T, progress="yes"),
]


@pytest.mark.parametrize("fn, args, kwargs, match", REJECTED)
def test_hostile_input_is_rejected_by_name(fn, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        call_unchanged(fn, args, kwargs)


def _is_nan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


NO_HIDDEN = ex.ShopEnvironment(simulate.simulate_shop(6, seed=1, catalogue=tiny_catalogue(varied_ratings=True),
                                                      interests_per_user=(2, 3), hidden_fraction=0.0))


DOCUMENTED = [
    # users without a hidden interest: the share is undefined, NaN
    D("hidden-none", _is_nan, NO_HIDDEN.hidden_discovered),
    # numpy integers count like Python ints for ids and times
    D("step-numpy-ints", lambda fb: fb.clicks.shape == (3, 3), step, USERS.astype(np.int32), SLATES, np.int64(T)),
    # an empty history gets the smoothed marginal of first clusters in the Markov ranker
    D("markov-empty-history", lambda s: np.isfinite(s).all() and np.isclose(s.sum(), 1.0),
      ex.markov_scores, SEQ, {9: []}, N_C),
    # a list of lists is a valid set of sequences (rows in list order)
    D("popular-list-of-lists", lambda s: s.shape == (2, N_C), ex.popular_scores, [[0], [1, 2]], [[0], []], N_C),
    # a zero name vector has cosine 0 with everything
    D("embedding-zero-vector", lambda s: s[0, 1] == 0.0, ex.embedding_scores, np.array([[1.0, 0], [0, 0], [1, 1]]),
      [[0]]),
    # no available arm: -1
    D("select-none-available", lambda a: a.tolist() == [-1, -1], arms, "ucb1", available=np.zeros((2, 3), bool)),
    # epsilon 0 and 1 are valid
    D("epsilon-0", lambda p: p.epsilon == 0.0, ex.EpsilonGreedy, X, epsilon=0),
    D("epsilon-1", lambda p: p.epsilon == 1.0, ex.EpsilonGreedy, X, epsilon=np.float32(1.0)),
    # every score -inf: NovelCluster never explores (the slate stays exploit)
    D("novel-all-inf", lambda s: s.shape == (3, 10), lambda: novel_start(np.full((3, N_C), -INF)).slate(T)),
    # k = 1: the single slot is the exploration slot
    D("k-1", lambda s: s.shape == (3, 1), lambda: started(ex.UCB1(X, k=1)).slate(T)),
]


@pytest.mark.parametrize("fn, args, kwargs, check", DOCUMENTED)
def test_hostile_looking_input_has_the_documented_answer(fn, args, kwargs, check):
    assert check(call_unchanged(fn, args, kwargs))


def test_a_rejected_step_leaves_the_environment_as_it_was():
    env = ex.ShopEnvironment(SIM, seed=3)
    with pytest.raises(ValueError, match="^slates:"):
        env.step(USERS, SLATES + 100, T)
    with pytest.raises(ValueError, match="^t:"):
        env.step(USERS, SLATES, ENV.t1)
    assert not env.touched.any()
    fresh = ex.ShopEnvironment(SIM, seed=3)
    a, b = env.step(USERS, SLATES, T), fresh.step(USERS, SLATES, T)
    assert (a.clicks == b.clicks).all()


def test_valid_calls_do_not_mutate_their_inputs():
    call_unchanged(ex.cluster_sequences, (LOG, MEM, IDS), {})
    call_unchanged(ex.first_new_cluster, (LOG.iloc[:1], LOG, MEM, IDS), {})
    call_unchanged(ex.markov_scores, (SEQ, SEQ, N_C), {})
    call_unchanged(ex.embedding_scores, (np.eye(N_C), SEQ), {})
    call_unchanged(ex.transition_table_scores, (TABLE, SEQ), {"recent": 2})
    call_unchanged(ex.llm_transition_table, (Gen(), ["a", "b", "c"], "{last}"), {})
    call_unchanged(ex.NovelCluster, (X, SCORES), {})
    call_unchanged(play, (USERS, 3, T), {"history": LOG.iloc[:0]})
    scores = SCORES.copy()
    policy = novel_start(scores)
    policy.update(ENV.step(USERS, policy.slate(T), T))
    assert (scores == SCORES).all()


# --------------------------------------------------------------------------- properties
@FAST
@given(st.one_of(st.floats(), st.booleans(), st.integers(-3, 3)))
def test_epsilon_property(value):
    ok = not isinstance(value, bool) and math.isfinite(value) and 0.0 <= value <= 1.0
    if ok:
        assert ex.EpsilonGreedy(X, epsilon=value).epsilon == value
    else:
        with pytest.raises(ValueError, match="^epsilon:"):
            ex.EpsilonGreedy(X, epsilon=value)


@FAST
@given(st.integers(ENV.t0 - 5, ENV.t0 + 5) | st.integers(ENV.t1 - 5, ENV.t1 + 5))
def test_time_property(t):
    if ENV.t0 <= t < ENV.t1:
        assert ENV.step(USERS, SLATES, t).t == t
    else:
        with pytest.raises(ValueError, match="^t:"):
            ENV.step(USERS, SLATES, t)


@FAST
@given(st.lists(st.integers(-2, N_ITEMS + 1), min_size=3, max_size=3))
def test_slate_row_property(row):
    slates = np.array([row, [0, 1, 2], [3, 4, 5]])
    ok = min(row) >= 0 and max(row) < N_ITEMS and len(set(row)) == 3
    if ok:
        assert ENV.step(USERS, slates, T).clicks.shape == (3, 3)
    else:
        with pytest.raises(ValueError, match="^slates:"):
            ENV.step(USERS, slates, T)
