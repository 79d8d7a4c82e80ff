"""Exploring user interests: an interactive shop environment and exploration policies.

A recommender that only *exploits* shows each user more of what she already clicked, so it
never learns about interests she has not shown yet. *Exploration* spends part of each slate
on something else and learns from the response. Here the user model is known (the shop
simulator of :mod:`recsys_helpers.simulate`), so we can measure what exploration finds: clicks,
new interest clusters entered, and the share of *hidden* interests (true interests that only
switch on after the simulator's ``cutoff``) that a policy made the user reveal.

**Environment** (in the spirit of RecSim: user model + choice model behind one ``step`` call).
:class:`ShopEnvironment` shows user ``u`` a slate of ``K`` items at Unix time ``t``. With the
user's weights ``w_u(t)`` (:meth:`simulate.ShopSimulation.weights_at`: drift, hidden interests
off before ``cutoff``), the match ``m_ui = min(1, (sum_j w_uj(t) x_ij) / max_j w_uj(t))``
(:func:`simulate.match`) and the item quality ``q_i``, each slot is clicked independently with
``P(click) = sigmoid(-4.5 + 3.5 m_ui + 0.5 q_i)`` (:func:`simulate.cart_probability`: the
log's view -> cart step, so the environment and the log agree). A click on item ``i``
*touches* interest ``j`` of user ``u`` when ``w_uj(t) > 0`` and ``x_ij >= touch_threshold``.

**Clusters** are the simulator's interest dimensions (clothing classes and styles); item
``i`` belongs to cluster ``j`` when ``x_ij >= touch_threshold`` (``members``). A user's
history becomes the sequence of clusters in the order she first entered them
(:func:`cluster_sequences`). Novel-interest rankers score every cluster for every user, with
``-inf`` on the clusters already visited: a first-order Markov chain (:func:`markov_scores`),
popularity, random, cluster-name embeddings and a precomputed transition table
(:func:`transition_table_scores`; :func:`llm_transition_table` fills it with a small language
model, as Wang et al. (2024) precompute the LLM's next-cluster choices offline).

**Policies** share one interface: ``start(env, users, history_items, visited)``, then per round
``slate(t)`` -> ``env.step`` -> ``update(feedback)``. The exploit part ranks items by
``cos(p_u, v_i)`` with the profile ``p_u = sum of v_i over history and clicked items`` and
never re-shows a history or clicked item; an exploring policy replaces the *last* slot with
the exploit-best eligible item of the cluster it chooses (:class:`EpsilonGreedy`,
:class:`UCB1`, :class:`ThompsonSampling` over clusters, or :class:`NovelCluster` from a
ranker's scores). :func:`run` plays rounds and records clicks and discoveries.

Ties: every ranking uses :func:`recsys_helpers.metrics.top_k`, the package's one tie rule
(tied scores in a uniformly random order, seeded). All randomness comes from
``np.random.default_rng(seed)``. Inputs are checked with ``recsys_helpers._checks``; a bad
argument raises a ``ValueError`` that names it.

References: P. Auer, N. Cesa-Bianchi and P. Fischer (2002), Finite-time analysis of the
multiarmed bandit problem, Machine Learning 47, doi:10.1023/A:1013689704352; W. R. Thompson
(1933), Biometrika 25, doi:10.2307/2332286; E. Ie et al. (2019), RecSim, arXiv:1909.04847;
J. Wang et al. (2024), LLMs for user interest exploration in large-scale recommendation
systems, arXiv:2405.16363.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _checks, metrics, simulate

__all__ = [
    "ShopEnvironment",
    "Feedback",
    "cluster_sequences",
    "history_clusters",
    "visited_mask",
    "first_new_cluster",
    "markov_scores",
    "popular_scores",
    "random_scores",
    "embedding_scores",
    "transition_table_scores",
    "llm_transition_table",
    "BanditState",
    "select_arms",
    "Policy",
    "ExploitOnly",
    "EpsilonGreedy",
    "UCB1",
    "ThompsonSampling",
    "NovelCluster",
    "RunResult",
    "run",
]

Sequences = Mapping[Hashable, Sequence[int]] | Sequence[Sequence[int]]
_RULES = ("epsilon", "ucb1", "thompson")
_FIRST = 1e300  # the score of an unplayed arm: stands for +inf (top_k takes finite scores)


# --------------------------------------------------------------------------- environment
@dataclass(eq=False)
class Feedback:
    """What :meth:`ShopEnvironment.step` returns: the slate shown and the user's response.

    ``clicks`` and ``probability`` are ``(n_users, K)``; ``touched`` (bool, ``n_users x
    n_interests``) marks the true interests touched by a click in this step; ``new_hidden``
    counts the hidden (user, interest) pairs touched for the first time in this step.
    """

    users: np.ndarray
    slates: np.ndarray
    t: int
    clicks: np.ndarray
    probability: np.ndarray
    touched: np.ndarray
    new_hidden: int


class ShopEnvironment:
    """Slate in, clicks out: simulated shop users respond to recommendations.

    Built from a :class:`~recsys_helpers.simulate.ShopSimulation` (its ``latent`` state).
    Attributes: ``user_ids`` (sorted), ``item_ids`` (``dataset.items`` order; slates hold
    positions into it), ``interests``, ``x`` (items x interests), ``quality`` (``q_i``),
    ``members`` (``x >= touch_threshold``), ``hidden`` (bool users x interests), ``t0``,
    ``t1`` (the period, ``t0 <= t < t1``), ``cutoff`` and ``touched`` (bool users x interests:
    true interests touched by a click since :meth:`reset`). The formulas are in the module
    docstring; clicks are independent Bernoulli draws from ``np.random.default_rng(seed)``.
    """

    def __init__(self, sim: simulate.ShopSimulation, seed: int = 0, touch_threshold: float = 0.5) -> None:
        if not isinstance(sim, simulate.ShopSimulation):
            raise ValueError(f"sim: expected a simulate.ShopSimulation (simulate.simulate_shop()), "
                             f"got {type(sim).__name__}")
        missing = [k for k in ("weights", "hidden", "drift_direction", "quality") if k not in sim.latent]
        if missing:
            raise ValueError(f"sim: latent state {missing} missing; expected a simulation made by "
                             "simulate.simulate_shop")
        self.seed = _checks.seed(seed)
        self.touch_threshold = _checks.fraction(touch_threshold, "touch_threshold", low_open=True)
        self.sim = sim
        self.user_ids = np.sort(sim.dataset.users["user_id"].to_numpy().astype(np.int64))
        self.item_ids = sim.dataset.items["item_id"].to_numpy()
        self.interests = list(sim.interests)
        self.x = sim.item_interests.reindex(self.item_ids).to_numpy(dtype=float)
        self.quality = np.asarray(sim.latent["quality"], dtype=float)
        self.members = self.x >= self.touch_threshold
        self.hidden = np.asarray(sim.latent["hidden"], dtype=bool)
        self.t0, self.t1 = sim.period
        self.cutoff = int(sim.cutoff)
        self.reset()

    def __repr__(self) -> str:
        return (f"ShopEnvironment({len(self.user_ids):,} users, {len(self.item_ids):,} items, "
                f"{len(self.interests)} interests, seed={self.seed})")

    def reset(self) -> None:
        """Forget every touch and restart the random number generator from ``seed``."""
        self.touched = np.zeros(self.hidden.shape, dtype=bool)
        self._rng = np.random.default_rng(self.seed)

    def user_positions(self, users: object) -> np.ndarray:
        """0-based rows of ``users`` (distinct ids of this simulation) in ``user_ids``."""
        ids = _checks.array(_checks.id_list(users, "users", unique=True), "users", ndim=1, dtype=np.int64)
        pos = np.searchsorted(self.user_ids, ids)
        ok = (pos < len(self.user_ids)) & (self.user_ids[np.minimum(pos, len(self.user_ids) - 1)] == ids)
        if not ok.all():
            raise ValueError(f"users: {int((~ok).sum())} id(s) not in the simulation (e.g. "
                             f"{int(ids[~ok][0])}); expected ids among user_ids")
        return pos

    def _slates(self, slates: object, n: int) -> np.ndarray:
        s = _checks.array(slates, "slates", ndim=2, dtype=np.int64)
        if s.shape[0] != n:
            raise ValueError(f"slates: expected one row per user ({n}), got shape {s.shape}")
        if s.min() < 0 or s.max() >= len(self.item_ids):
            raise ValueError(f"slates: expected item positions in [0, {len(self.item_ids) - 1}], "
                             f"got {int(s.min())}..{int(s.max())}")
        if s.shape[1] > 1 and (np.diff(np.sort(s, axis=1), axis=1) == 0).any():
            raise ValueError("slates: a row shows the same item twice; expected distinct items per row")
        return s

    def step(self, users: object, slates: object, t: int) -> Feedback:
        """Show ``slates[r]`` (item positions) to user ``users[r]`` at time ``t``; return the clicks.

        ``P(click_ui) = sigmoid(-4.5 + 3.5 m_ui + 0.5 q_i)`` with ``m_ui`` the match of
        ``w_u(t)`` and ``x_i``; one Bernoulli draw per slot. Clicks touch interests as in the
        module docstring; ``touched`` accumulates.
        """
        pos = self.user_positions(users)
        s = self._slates(slates, len(pos))
        t = _checks.integer(t, "t", self.t0, self.t1 - 1)
        n, k = s.shape
        w = self.sim.weights_at(pos, t)
        m = simulate.match(np.repeat(w, k, axis=0), self.x[s.ravel()]).reshape(n, k)
        p = simulate.cart_probability(m, self.quality[s])
        clicks = self._rng.random((n, k)) < p
        touched = (clicks[:, :, None] & self.members[s]).any(axis=1) & (w > 0)
        new = touched & ~self.touched[pos]
        self.touched[pos] |= touched
        return Feedback(self.user_ids[pos], s, t, clicks, p, touched, int((new & self.hidden[pos]).sum()))

    def hidden_discovered(self, users: object | None = None) -> float:
        """Share of the hidden (user, interest) pairs of ``users`` (all when None) touched so far.

        NaN when those users have no hidden interest.
        """
        pos = np.arange(len(self.user_ids)) if users is None else self.user_positions(users)
        h = self.hidden[pos]
        total = int(h.sum())
        return float("nan") if total == 0 else float((self.touched[pos] & h).sum() / total)


# --------------------------------------------------------------------------- clusters and histories
def _members(members: object, n_items: int | None = None) -> np.ndarray:
    raw = members.to_numpy() if isinstance(members, pd.DataFrame) else np.asarray(members)
    if raw.dtype != bool:
        raise ValueError(f"members: expected a boolean items x clusters matrix (x >= threshold), "
                         f"got dtype {raw.dtype}")
    m = _checks.array(raw, "members", ndim=2, dtype=bool)
    if n_items is not None and m.shape[0] != n_items:
        raise ValueError(f"members: expected one row per item of item_ids ({n_items}), got {m.shape[0]}")
    return m


def cluster_sequences(interactions: pd.DataFrame, members: pd.DataFrame | np.ndarray,
                      item_ids: Sequence[Hashable] | np.ndarray, users: Sequence[Hashable] | None = None
                      ) -> dict[Hashable, list[int]]:
    """Each user's clusters in the order she first entered them.

    Events are read per user by ``timestamp`` (rows with equal times keep their order); an
    event on item ``i`` enters every cluster ``j`` with ``members[i, j]`` (row ``i`` of
    ``members`` is ``item_ids[i]``), in column order. Returns ``{user_id: [cluster, ...]}`` for
    ``users`` (default: every user of ``interactions``, sorted); a user without events, or
    whose items belong to no cluster, gets ``[]``.
    """
    df = _checks.frame(interactions, "interactions", ["user_id", "item_id", "timestamp"], non_empty=False,
                       no_nan=["user_id", "item_id", "timestamp"])
    ids = _checks.id_list(item_ids, "item_ids", unique=True)
    mem = _members(members, len(ids))
    pos = pd.Index(ids).get_indexer(df["item_id"])
    if (pos < 0).any():
        raise ValueError(f"interactions: {int((pos < 0).sum())} event(s) on items not in item_ids "
                         f"(e.g. {df['item_id'].to_numpy()[pos < 0][0]!r})")
    if users is None:
        keys = sorted(pd.unique(df["user_id"]).tolist())
    else:
        keys = _checks.id_list(users, "users", non_empty=False, unique=True)
    order = pd.DataFrame({"u": df["user_id"].to_numpy(), "t": df["timestamp"].to_numpy(),
                          "p": pos}).sort_values(["u", "t"], kind="stable")
    r, j = np.nonzero(mem[order["p"].to_numpy()])
    pairs = pd.DataFrame({"u": order["u"].to_numpy()[r], "j": j}).drop_duplicates(["u", "j"])
    got = pairs.groupby("u", sort=False)["j"].agg(list).to_dict()
    return {u: [int(c) for c in got.get(u, [])] for u in keys}


def history_clusters(source: ShopEnvironment | simulate.ShopSimulation, interactions: pd.DataFrame,
                     users: Sequence[Hashable] | None = None, touch_threshold: float = 0.5
                     ) -> dict[Hashable, list[int]]:
    """:func:`cluster_sequences` with the clusters of an environment (its ``members``) or of a
    simulation (``item_interests >= touch_threshold``; the threshold is ignored for an environment)."""
    if isinstance(source, ShopEnvironment):
        return cluster_sequences(interactions, source.members, source.item_ids, users)
    if isinstance(source, (simulate.ShopSimulation, simulate.MusicSimulation)):
        thr = _checks.fraction(touch_threshold, "touch_threshold", low_open=True)
        ii = source.item_interests
        return cluster_sequences(interactions, ii.to_numpy() >= thr, ii.index.to_numpy(), users)
    raise ValueError(f"source: expected a ShopEnvironment or a simulation, got {type(source).__name__}")


def _sequences(sequences: object, name: str, n_clusters: int) -> tuple[list, list[np.ndarray]]:
    """(keys, one int array per user) from a mapping {user: clusters} or a list of lists."""
    if isinstance(sequences, Mapping):
        keys, seqs = list(sequences.keys()), list(sequences.values())
    elif isinstance(sequences, (str, bytes, pd.DataFrame)) \
            or not isinstance(sequences, (Sequence, np.ndarray)):
        raise ValueError(f"{name}: expected a mapping {{user: [cluster, ...]}} or a list of lists, "
                         f"got {type(sequences).__name__}")
    else:
        keys, seqs = list(range(len(sequences))), list(sequences)
    if not seqs:
        raise ValueError(f"{name}: expected at least one user, got none")
    out = []
    for key, s in zip(keys, seqs):
        if isinstance(s, (str, bytes, Mapping)) or not isinstance(s, (Sequence, np.ndarray)):
            raise ValueError(f"{name}: user {key!r}: expected a list of cluster indices, "
                             f"got {type(s).__name__}")
        a = _checks.array(list(s), f"{name}", dtype=np.int64, non_empty=False)
        if a.ndim != 1:
            raise ValueError(f"{name}: user {key!r}: expected a flat list of cluster indices")
        if a.size and (a.min() < 0 or a.max() >= n_clusters):
            raise ValueError(f"{name}: user {key!r}: expected clusters in [0, {n_clusters - 1}], "
                             f"got {a.tolist()}")
        if len(np.unique(a)) != len(a):
            raise ValueError(f"{name}: user {key!r} lists a cluster twice; expected each cluster once "
                             "(the order of first entry)")
        out.append(a)
    return keys, out


def _visited(seqs: list[np.ndarray], n_clusters: int) -> np.ndarray:
    v = np.zeros((len(seqs), n_clusters), dtype=bool)
    rows = np.repeat(np.arange(len(seqs)), [len(s) for s in seqs])
    v[rows, np.concatenate(seqs) if seqs else []] = True
    return v


def visited_mask(sequences: Mapping[Hashable, Sequence[int]], users: Sequence[Hashable] | None,
                 n_clusters: int) -> np.ndarray:
    """Boolean ``(len(users), n_clusters)``: ``True`` where the user's sequence holds the cluster.

    ``users`` (default: the keys of ``sequences``, in order) must all be keys of ``sequences``.
    """
    n_clusters = _checks.positive_int(n_clusters, "n_clusters")
    keys, seqs = _sequences(sequences, "sequences", n_clusters)
    if users is None:
        return _visited(seqs, n_clusters)
    us = _checks.id_list(users, "users")
    where = {k: i for i, k in enumerate(keys)}
    missing = [u for u in us if u not in where]
    if missing:
        raise ValueError(f"users: {len(missing)} user(s) not in sequences (e.g. {missing[0]!r})")
    return _visited([seqs[where[u]] for u in us], n_clusters)


def first_new_cluster(history: pd.DataFrame, future: pd.DataFrame, members: pd.DataFrame | np.ndarray,
                      item_ids: Sequence[Hashable] | np.ndarray) -> pd.Series:
    """Per user of ``future``: the first cluster entered in ``future`` that is not in her history.

    The held-out target of the offline check of a novel-interest ranker. Returns a Series
    (index ``user_id``, sorted, name ``cluster``, int). Users of ``future`` without such a
    cluster are left out; they are listed in ``result.attrs["users_without_new"]`` and
    counted in ``result.attrs["n_without_new"]``.
    """
    fut = _checks.frame(future, "future", ["user_id", "item_id", "timestamp"])
    _checks.frame(history, "history", ["user_id", "item_id", "timestamp"], non_empty=False)
    users = sorted(pd.unique(fut["user_id"]).tolist())
    before = cluster_sequences(history, members, item_ids, users)
    after = cluster_sequences(fut, members, item_ids, users)
    got, without = {}, []
    for u in users:
        seen = set(before[u])
        new = [c for c in after[u] if c not in seen]
        if new:
            got[u] = new[0]
        else:
            without.append(u)
    out = pd.Series(got, dtype=np.int64, name="cluster").rename_axis("user_id")
    out.attrs["users_without_new"] = without
    out.attrs["n_without_new"] = len(without)
    return out


# --------------------------------------------------------------------------- novel-interest rankers
def _unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1; a zero row stays zero (so its cosine with anything is 0)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros(x.shape), where=norms > 0)


def _forbid_visited(scores: np.ndarray, seqs: list[np.ndarray]) -> np.ndarray:
    scores[_visited(seqs, scores.shape[1])] = -np.inf
    return scores


def _recent_rows(seqs: list[np.ndarray], keys: list, recent: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(row index, cluster) of each user's last ``recent`` clusters; an empty history is refused."""
    empty = [k for k, s in zip(keys, seqs) if len(s) == 0]
    if empty:
        raise ValueError(f"{name}: {len(empty)} user(s) have an empty history (e.g. {empty[0]!r}); "
                         "expected at least one visited cluster")
    tails = [s[-recent:] for s in seqs]
    return np.repeat(np.arange(len(seqs)), [len(s) for s in tails]), np.concatenate(tails)


def _mean_rows(table: np.ndarray, seqs: list[np.ndarray], keys: list, recent: int, name: str) -> np.ndarray:
    rows, cols = _recent_rows(seqs, keys, recent, name)
    out = np.zeros((len(seqs), table.shape[1]))
    np.add.at(out, rows, table[cols])
    return out / np.bincount(rows, minlength=len(seqs))[:, None]


def markov_scores(train_sequences: Sequences, query_sequences: Sequences, n_clusters: int,
                  alpha: float = 1.0) -> np.ndarray:
    """First-order Markov chain over first-entered clusters, with add-``alpha`` smoothing.

    From the train sequences, ``N_ab`` counts how often cluster ``b`` directly follows ``a``
    and ``F_b`` how many users entered ``b`` first (``U`` users with a history). A user whose
    most recent cluster is ``a`` gets ``P(b | a) = (N_ab + alpha) / (sum_c N_ac + alpha n)``;
    a user with an empty history the smoothed marginal of first clusters,
    ``(F_b + alpha) / (U + alpha n)``. Returns ``(n_query, n_clusters)``, rows in the order of
    ``query_sequences``, ``-inf`` on every visited cluster.
    """
    n = _checks.positive_int(n_clusters, "n_clusters")
    alpha = _checks.number(alpha, "alpha", 0.0, low_open=True)
    _, train = _sequences(train_sequences, "train_sequences", n)
    _, query = _sequences(query_sequences, "query_sequences", n)
    counts = np.zeros((n, n))
    a = np.concatenate([s[:-1] for s in train])
    b = np.concatenate([s[1:] for s in train])
    np.add.at(counts, (a, b), 1.0)
    first = np.bincount(np.array([s[0] for s in train if len(s)], dtype=np.int64), minlength=n).astype(float)
    trans = (counts + alpha) / (counts.sum(axis=1, keepdims=True) + alpha * n)
    marginal = (first + alpha) / (first.sum() + alpha * n)
    out = np.tile(marginal, (len(query), 1))
    has = np.array([len(s) > 0 for s in query])
    if has.any():
        out[has] = trans[[int(s[-1]) for s in query if len(s)]]
    return _forbid_visited(out, query)


def popular_scores(train_sequences: Sequences, query_sequences: Sequences, n_clusters: int) -> np.ndarray:
    """Score of cluster ``j`` = number of train users who visited ``j``; ``-inf`` on visited clusters."""
    n = _checks.positive_int(n_clusters, "n_clusters")
    _, train = _sequences(train_sequences, "train_sequences", n)
    _, query = _sequences(query_sequences, "query_sequences", n)
    pop = np.bincount(np.concatenate(train), minlength=n).astype(float)
    return _forbid_visited(np.tile(pop, (len(query), 1)), query)


def random_scores(query_sequences: Sequences, n_clusters: int, seed: int = 0) -> np.ndarray:
    """Uniform random scores in [0, 1) from ``np.random.default_rng(seed)``; ``-inf`` on visited clusters."""
    n = _checks.positive_int(n_clusters, "n_clusters")
    seed = _checks.seed(seed)
    _, query = _sequences(query_sequences, "query_sequences", n)
    return _forbid_visited(np.random.default_rng(seed).random((len(query), n)), query)


def embedding_scores(name_vectors: np.ndarray, query_sequences: Sequences, recent: int = 3) -> np.ndarray:
    """Cosine between each cluster's name vector and the user's recent taste.

    ``score_uj = cos(e_j, mean of e_c over the user's last `recent` clusters c)`` with ``e_j``
    row ``j`` of ``name_vectors`` (a zero vector has cosine 0). Every query user needs a
    non-empty history. ``-inf`` on visited clusters.
    """
    e = _checks.array(name_vectors, "name_vectors", ndim=2)
    recent = _checks.positive_int(recent, "recent")
    keys, query = _sequences(query_sequences, "query_sequences", e.shape[0])
    taste = _mean_rows(e, query, keys, recent, "query_sequences")
    return _forbid_visited(_unit_rows(taste) @ _unit_rows(e).T, query)


def transition_table_scores(table: np.ndarray | pd.DataFrame, query_sequences: Sequences,
                            recent: int = 1) -> np.ndarray:
    """Score of cluster ``b`` = mean over the user's last ``recent`` clusters ``a`` of ``table[a, b]``.

    ``table`` (n_clusters x n_clusters, e.g. :func:`llm_transition_table`) may hold ``-inf``
    on its diagonal only. Every query user needs a non-empty history. ``-inf`` on visited clusters.
    """
    tab = _checks.array(table.to_numpy() if isinstance(table, pd.DataFrame) else table, "table", ndim=2,
                        allow_neg_inf=True)
    if tab.shape[0] != tab.shape[1]:
        raise ValueError(f"table: expected a square clusters x clusters matrix, got shape {tab.shape}")
    off = ~np.eye(len(tab), dtype=bool)
    if np.isneginf(tab[off]).any():
        raise ValueError("table: expected finite scores off the diagonal, found -inf")
    recent = _checks.positive_int(recent, "recent")
    keys, query = _sequences(query_sequences, "query_sequences", len(tab))
    tab = np.where(off, tab, 0.0)  # the diagonal (a cluster after itself) is visited anyway
    return _forbid_visited(_mean_rows(tab, query, keys, recent, "query_sequences"), query)


def llm_transition_table(generator: Any, names: Sequence[str], prompt_template: str, answer_prefix: str = "",
                         progress: bool = False) -> pd.DataFrame:
    """Next-cluster scores of a language model for every last cluster, precomputed once.

    Row ``a``, column ``b``: ``generator.score_options(prompt_template.format(last=a),
    options=[names except a], answer_prefix=answer_prefix)[b]`` (higher = more likely, e.g.
    the mean log-probability of ``lm.Generator.score_options``); the diagonal is ``-inf``.
    ``generator`` is anything with that method. A tqdm bar shows with ``progress=True``.
    """
    if not callable(getattr(generator, "score_options", None)):
        raise ValueError(f"generator: expected an object with a score_options method (lm.Generator), "
                         f"got {type(generator).__name__}")
    names = _checks.texts(names, "names", allow_empty_strings=False)
    if len(set(names)) != len(names) or len(names) < 2:
        raise ValueError(f"names: expected at least two distinct names, got {names!r}")
    prompt_template = _checks.text(prompt_template, "prompt_template")
    try:
        prompt_template.format(last=names[0])
    except (KeyError, IndexError, ValueError):
        raise ValueError("prompt_template: expected a str.format template whose only field is "
                         "{last}") from None
    if "{last}" not in prompt_template:
        raise ValueError("prompt_template: expected the field {last} (the user's last cluster)")
    if not isinstance(answer_prefix, str):
        raise ValueError(f"answer_prefix: expected a str, got {type(answer_prefix).__name__}")
    progress = _checks.flag(progress, "progress")
    from tqdm.auto import tqdm

    out = pd.DataFrame(-np.inf, index=pd.Index(names, name="last"), columns=names)
    for a in tqdm(names, desc="next-cluster table", disable=not progress):
        options = [b for b in names if b != a]
        got = generator.score_options(prompt_template.format(last=a), options=options,
                                      answer_prefix=answer_prefix)
        if not isinstance(got, pd.Series):
            raise ValueError(f"generator: score_options returned {type(got).__name__}; "
                             "expected a pandas Series")
        row = pd.to_numeric(got.reindex(options), errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(row).all():
            raise ValueError(f"generator: score_options gave no finite score for some options after {a!r}")
        out.loc[a, options] = row
    return out


# --------------------------------------------------------------------------- bandits over clusters
@dataclass(eq=False)
class BanditState:
    """Per-user arm statistics: pulls ``counts[u, j]`` and reward sums ``sums[u, j]`` (rewards in [0, 1])."""

    counts: np.ndarray
    sums: np.ndarray

    @classmethod
    def empty(cls, n_users: int, n_arms: int) -> BanditState:
        """No pulls yet."""
        n_users = _checks.positive_int(n_users, "n_users")
        n_arms = _checks.positive_int(n_arms, "n_arms")
        return cls(np.zeros((n_users, n_arms)), np.zeros((n_users, n_arms)))

    def update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        """Add one pull of ``arms[u]`` with reward ``rewards[u]`` per user (``arms[u] = -1``: none)."""
        a = _checks.array(arms, "arms", ndim=1, dtype=np.int64)
        r = _checks.array(rewards, "rewards", ndim=1)
        _checks.same_length(a, self.counts, "counts", "arms")
        _checks.same_length(a, r, "arms", "rewards")
        if a.min() < -1 or a.max() >= self.counts.shape[1]:
            raise ValueError(f"arms: expected arms in [0, {self.counts.shape[1] - 1}] or -1, got "
                             f"{int(a.min())}..{int(a.max())}")
        if r.min() < 0 or r.max() > 1:
            raise ValueError("rewards: expected rewards in [0, 1]")
        rows = np.flatnonzero(a >= 0)
        self.counts[rows, a[rows]] += 1.0
        self.sums[rows, a[rows]] += r[rows]


def select_arms(state: BanditState, rule: str, rng: np.random.Generator, *,
                available: np.ndarray | None = None, epsilon: float = 0.1, c: float = 2.0,
                prior: tuple[float, float] = (1.0, 1.0), seed: int = 0) -> np.ndarray:
    """One arm per user by a bandit ``rule``; ``-1`` for a user with no ``available`` arm.

    With ``n_uj`` pulls, mean reward ``mu_uj = s_uj / n_uj`` and ``N_u = sum_j n_uj``:

    * ``"epsilon"`` (epsilon-greedy): with probability ``epsilon`` a uniformly random arm, else
      the best ``mu_uj``; an unplayed arm counts as ``+inf``, so every arm is tried once before
      the means decide (a mean of 0 would let the first arm that ever paid win for good);
    * ``"ucb1"`` (Auer et al., 2002): ``mu_uj + sqrt(c ln N_u / n_uj)``, unplayed arms first;
    * ``"thompson"``: a draw from ``Beta(a + s_uj, b + n_uj - s_uj)`` with ``prior = (a, b)``.

    Ties (unplayed arms, equal means) follow :func:`metrics.top_k` with ``seed``. ``rng`` is a
    ``np.random.Generator``; each call draws the same number of values whatever the state.
    """
    if not isinstance(state, BanditState):
        raise ValueError(f"state: expected a BanditState, got {type(state).__name__}")
    rule = _checks.one_of(rule, "rule", _RULES)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    epsilon = _checks.fraction(epsilon, "epsilon")
    c = _checks.number(c, "c", 0.0)
    a0, b0 = _prior(prior)
    seed = _checks.seed(seed)
    n, s = state.counts, state.sums
    avail = np.ones(n.shape, dtype=bool) if available is None \
        else _bool_matrix(available, "available", n.shape)
    played = n > 0
    mean = np.divide(s, n, out=np.zeros(n.shape), where=played)
    if rule == "epsilon":
        explore = rng.random(n.shape[0]) < epsilon
        noise = rng.random(n.shape)
        score = np.where(explore[:, None], noise, np.where(played, mean, _FIRST))
    elif rule == "ucb1":
        total = n.sum(axis=1, keepdims=True)
        bonus = np.sqrt(c * np.log(np.maximum(total, 1.0)) / np.maximum(n, 1.0))
        score = np.where(played, mean + bonus, _FIRST)
    else:
        score = rng.beta(a0 + s, b0 + n - s)
    out = np.full(n.shape[0], -1, dtype=np.int64)
    rows = np.flatnonzero(avail.any(axis=1))
    if len(rows):
        out[rows] = metrics.top_k(score[rows], 1, exclude=~avail[rows], seed=seed)[:, 0]
    return out


def _prior(prior: object) -> tuple[float, float]:
    if isinstance(prior, (str, bytes, Mapping)) or not isinstance(prior, (Sequence, np.ndarray)) \
            or len(prior) != 2:
        raise ValueError(f"prior: expected a pair (a, b) of positive numbers, got {prior!r}")
    return (_checks.number(prior[0], "prior", 0.0, low_open=True),
            _checks.number(prior[1], "prior", 0.0, low_open=True))


def _bool_matrix(m: object, name: str, shape: tuple[int, int]) -> np.ndarray:
    raw = np.asarray(m)
    if raw.dtype != bool:
        raise ValueError(f"{name}: expected a boolean matrix, got dtype {raw.dtype}")
    if raw.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {raw.shape}")
    return raw.copy()


# --------------------------------------------------------------------------- policies
class Policy:
    """A slate policy: ``start``, then per round ``slate(t)`` and ``update(feedback)``.

    The exploit part (shared by every policy): the profile ``p_u`` is the sum of the vectors
    ``v_i`` (rows of ``item_vectors``, one per item of the environment) of the history items
    and then of every clicked item (chapter 3's behaviour interest vector); items are scored by
    ``cos(p_u, v_i)`` (0 for an empty profile: then the tie rule orders items at random),
    history and clicked items are never shown again, and the top ``k`` come from
    :func:`metrics.top_k` with ``seed``. An exploring policy replaces the last slot with the
    exploit-best *eligible* item of the cluster it chooses (a member of the cluster, neither
    seen nor clicked, not in the first ``k - 1`` slots); a cluster without an eligible item is
    not offered to the choice that round, and with none left the slot stays exploit.
    State after ``start`` carries a trailing underscore (``users_``, ``profile_``,
    ``excluded_``, ``visited_`` (clusters of history and clicked items), ``explore_cluster_``:
    the cluster shown in the last slot of the last slate, ``-1`` for none).
    """

    name = "policy"
    explores = False

    def __init__(self, item_vectors: np.ndarray, k: int = 10, seed: int = 0) -> None:
        self.item_vectors = _checks.array(item_vectors, "item_vectors", ndim=2)
        self.k = _checks.positive_int(k, "k")
        self.seed = _checks.seed(seed)
        self._unit = _unit_rows(self.item_vectors)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, k={self.k}, seed={self.seed})"

    # ------------------------------------------------------------------ interface
    def start(self, env: ShopEnvironment, users: object,
              history_items: Mapping[Hashable, Sequence[int]] | None = None,
              visited: np.ndarray | None = None) -> None:
        """Begin a run for ``users`` (ids of ``env``); forget any earlier run.

        ``history_items`` maps a user id to the positions of her history items (repeats count
        again in the profile; a user without a key has no history; other keys are not used).
        ``visited`` (bool users x clusters) marks the clusters already visited; by default the
        clusters of the history items.
        """
        if not isinstance(env, ShopEnvironment):
            raise ValueError(f"env: expected a ShopEnvironment, got {type(env).__name__}")
        pos = env.user_positions(users)
        n_items, n_clusters = env.members.shape
        if self.item_vectors.shape[0] != n_items:
            raise ValueError(f"item_vectors: expected one row per item of env ({n_items}), "
                             f"got {self.item_vectors.shape[0]}")
        if self.k > n_items:
            raise ValueError(f"k: expected at most the number of items ({n_items}), got {self.k}")
        n = len(pos)
        rows, cols = self._history(history_items, env.user_ids[pos], n_items)
        self.env_, self.users_ = env, env.user_ids[pos]
        self.excluded_ = np.zeros((n, n_items), dtype=bool)
        self.excluded_[rows, cols] = True
        self.profile_ = np.zeros((n, self.item_vectors.shape[1]))
        np.add.at(self.profile_, rows, self.item_vectors[cols])
        if visited is None:
            self.visited_ = np.zeros((n, n_clusters), dtype=bool)
            r, j = np.nonzero(env.members[cols])
            self.visited_[rows[r], j] = True
        else:
            self.visited_ = _bool_matrix(visited, "visited", (n, n_clusters))
        self.explore_cluster_ = np.full(n, -1, dtype=np.int64)
        self.last_slate_: np.ndarray | None = None
        self._rng = np.random.default_rng(self.seed)
        self._start()

    @staticmethod
    def _history(history_items: object, users: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray]:
        if history_items is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        if not isinstance(history_items, Mapping):
            raise ValueError(f"history_items: expected a mapping {{user_id: [item position, ...]}} or None, "
                             f"got {type(history_items).__name__}")
        lists = [list(history_items.get(u, [])) for u in users.tolist()]
        rows = np.repeat(np.arange(len(users)), [len(h) for h in lists])
        cols = _checks.array([c for h in lists for c in h], "history_items", dtype=np.int64, non_empty=False)
        if cols.ndim != 1 or (cols.size and (cols.min() < 0 or cols.max() >= n_items)):
            raise ValueError(f"history_items: expected item positions in [0, {n_items - 1}]")
        return rows, cols

    def exploit_scores(self) -> np.ndarray:
        """``cos(p_u, v_i)`` for every user and item (``n_users x n_items``)."""
        self._started()
        return _unit_rows(self.profile_) @ self._unit.T

    def slate(self, t: int) -> np.ndarray:
        """The ``(n_users, k)`` item positions to show at time ``t``, best exploit item first."""
        self._started()
        t = _checks.integer(t, "t")
        scores = self.exploit_scores()
        left = (~self.excluded_).sum(axis=1)
        if (left < self.k).any():
            u = int(np.argmax(left < self.k))
            raise ValueError(f"k: user {self.users_[u]} has only {int(left[u])} unseen items left; "
                             f"expected at least k={self.k}")
        top = metrics.top_k(scores, self.k, exclude=self.excluded_, seed=self.seed)
        cluster = np.full(len(top), -1, dtype=np.int64)
        if self.explores:
            members = self.env_.members
            eligible = ~self.excluded_
            eligible[np.arange(len(top))[:, None], top[:, :-1]] = False
            available = (eligible.astype(np.float64) @ members.astype(np.float64)) > 0
            cluster = self._choose(available, t)
            rows = np.flatnonzero(cluster >= 0)
            if len(rows):
                ok = members[:, cluster[rows]].T & eligible[rows]
                masked = np.where(ok, scores[rows], -np.inf)
                top[rows, -1] = metrics.top_k(masked, 1, seed=self.seed)[:, 0]
        self.explore_cluster_ = cluster
        self.last_slate_ = top
        return top.copy()

    def update(self, feedback: Feedback) -> None:
        """Learn from the response to the last slate: profile, exclusions, visited clusters."""
        self._started()
        if not isinstance(feedback, Feedback):
            raise ValueError(f"feedback: expected a Feedback (ShopEnvironment.step), "
                             f"got {type(feedback).__name__}")
        if self.last_slate_ is None or not np.array_equal(feedback.users, self.users_) \
                or not np.array_equal(feedback.slates, self.last_slate_):
            raise ValueError("feedback: expected the response to this policy's last slate for its users")
        clicks = np.asarray(feedback.clicks, dtype=bool)
        rows, slots = np.nonzero(clicks)
        items = self.last_slate_[rows, slots]
        self.excluded_[rows, items] = True
        np.add.at(self.profile_, rows, self.item_vectors[items])
        self.visited_ |= (clicks[:, :, None] & self.env_.members[self.last_slate_]).any(axis=1)
        self._learn(clicks[:, -1] & (self.explore_cluster_ >= 0))

    # ------------------------------------------------------------------ hooks
    def _started(self) -> None:
        if not hasattr(self, "users_"):
            raise ValueError(f"{self.name}: call start(env, users, ...) first")

    def _start(self) -> None:
        """Reset the exploration state (subclasses)."""

    def _choose(self, available: np.ndarray, t: int) -> np.ndarray:
        """The cluster for the exploration slot per user, ``-1`` for none (subclasses)."""
        return np.full(len(available), -1, dtype=np.int64)

    def _learn(self, explore_click: np.ndarray) -> None:
        """Learn from the clicks on the exploration slot (subclasses)."""


class ExploitOnly(Policy):
    """No exploration: the top ``k`` by ``cos(p_u, v_i)``."""

    name = "exploit"


class _ClusterBandit(Policy):
    """A bandit over clusters per user; reward = a click on the exploration slot."""

    explores = True
    rule = "ucb1"

    def _bandit_kwargs(self) -> dict[str, Any]:
        return {}

    def _start(self) -> None:
        self.bandit_ = BanditState.empty(len(self.users_), self.env_.members.shape[1])

    def _choose(self, available: np.ndarray, t: int) -> np.ndarray:
        return select_arms(self.bandit_, self.rule, self._rng, available=available, seed=self.seed,
                           **self._bandit_kwargs())

    def _learn(self, explore_click: np.ndarray) -> None:
        self.bandit_.update(self.explore_cluster_, explore_click.astype(float))


class EpsilonGreedy(_ClusterBandit):
    """Epsilon-greedy over clusters: a random cluster with probability ``epsilon``, else the best
    mean click rate of the exploration slot; unplayed clusters count as ``+inf`` (tried once each)."""

    name = "epsilon-greedy"
    rule = "epsilon"

    def __init__(self, item_vectors: np.ndarray, k: int = 10, epsilon: float = 0.1, seed: int = 0) -> None:
        super().__init__(item_vectors, k, seed)
        self.epsilon = _checks.fraction(epsilon, "epsilon")

    def _bandit_kwargs(self) -> dict[str, Any]:
        return {"epsilon": self.epsilon}


class UCB1(_ClusterBandit):
    """UCB1 over clusters: ``mu_uj + sqrt(c ln N_u / n_uj)``, unplayed clusters first (Auer et al., 2002)."""

    name = "ucb1"
    rule = "ucb1"

    def __init__(self, item_vectors: np.ndarray, k: int = 10, c: float = 2.0, seed: int = 0) -> None:
        super().__init__(item_vectors, k, seed)
        self.c = _checks.number(c, "c", 0.0)

    def _bandit_kwargs(self) -> dict[str, Any]:
        return {"c": self.c}


class ThompsonSampling(_ClusterBandit):
    """Thompson sampling over clusters: ``theta_uj ~ Beta(a + s_uj, b + f_uj)``, the largest draw wins."""

    name = "thompson"
    rule = "thompson"

    def __init__(self, item_vectors: np.ndarray, k: int = 10, prior: tuple[float, float] = (1.0, 1.0),
                 seed: int = 0) -> None:
        super().__init__(item_vectors, k, seed)
        self.prior = _prior(prior)

    def _bandit_kwargs(self) -> dict[str, Any]:
        return {"prior": self.prior}


class NovelCluster(Policy):
    """The exploration slot shows the user's best-scored cluster she has not visited.

    ``scores`` (``n_users x n_clusters``, rows in the order of the ``users`` given to
    ``start``; ``-inf`` = never propose) comes from a ranker (:func:`markov_scores`, ...).
    Each round the slot takes the highest-scored cluster that is not visited (history and
    clicks so far), not abandoned and has an eligible item. A cluster shown ``patience`` times
    without a click on the slot is abandoned; a click makes it visited, and the next is taken.
    """

    explores = True

    def __init__(self, item_vectors: np.ndarray, scores: np.ndarray, k: int = 10, patience: int = 3,
                 seed: int = 0, name: str = "novel-cluster") -> None:
        super().__init__(item_vectors, k, seed)
        self.scores = _checks.array(scores, "scores", ndim=2, allow_neg_inf=True)
        self.patience = _checks.positive_int(patience, "patience")
        self.name = _checks.text(name, "name")

    def _start(self) -> None:
        shape = (len(self.users_), self.env_.members.shape[1])
        if self.scores.shape != shape:
            raise ValueError(f"scores: expected one row per user and one column per cluster {shape}, "
                             f"got {self.scores.shape}")
        self.shown_ = np.zeros(shape, dtype=np.int64)
        self.abandoned_ = np.zeros(shape, dtype=bool)

    def _choose(self, available: np.ndarray, t: int) -> np.ndarray:
        ok = available & ~self.visited_ & ~self.abandoned_ & ~np.isneginf(self.scores)
        out = np.full(len(ok), -1, dtype=np.int64)
        rows = np.flatnonzero(ok.any(axis=1))
        if len(rows):
            out[rows] = metrics.top_k(self.scores[rows], 1, exclude=~ok[rows], seed=self.seed)[:, 0]
        return out

    def _learn(self, explore_click: np.ndarray) -> None:
        rows = np.flatnonzero(self.explore_cluster_ >= 0)
        c = self.explore_cluster_[rows]
        self.shown_[rows, c] += 1
        give_up = ~explore_click[rows] & (self.shown_[rows, c] >= self.patience) & ~self.visited_[rows, c]
        self.abandoned_[rows[give_up], c[give_up]] = True


# --------------------------------------------------------------------------- running rounds
@dataclass(eq=False)
class RunResult:
    """What :func:`run` records.

    ``per_round``: one row per round with ``round``, ``t``, ``clicks_per_user``,
    ``explore_clicks`` (clicks on the exploration slot per user), ``new_clusters_per_user``
    (clusters entered for the first time, per user) and ``hidden_discovered`` (share of the
    users' hidden interests touched so far). ``slates`` (rounds x users x k, item positions),
    ``clicks`` (same shape, bool) and ``explore_clusters`` (rounds x users, ``-1`` = none).
    """

    policy: str
    users: np.ndarray
    item_ids: np.ndarray
    per_round: pd.DataFrame
    slates: np.ndarray
    clicks: np.ndarray
    explore_clusters: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    def lists(self, round: int | None = None) -> dict[Hashable, list]:
        """``{user_id: [item_id, ...]}`` of one round's slates, or with ``round=None`` every item
        shown to the user over the run (first shown first): input for :mod:`metrics`."""
        if round is None:
            out = {}
            for r, u in enumerate(self.users.tolist()):
                seq = self.slates[:, r, :].ravel()
                _, first = np.unique(seq, return_index=True)
                out[u] = self.item_ids[seq[np.sort(first)]].tolist()
            return out
        r = _checks.integer(round, "round", 0, len(self.slates) - 1)
        return dict(zip(self.users.tolist(), self.item_ids[self.slates[r]].tolist()))

    def __repr__(self) -> str:
        return f"RunResult({self.policy!r}, {len(self.slates)} rounds, {len(self.users)} users)"


def _history_inputs(env: ShopEnvironment, history: object, users: np.ndarray, start: int
                    ) -> tuple[dict[Hashable, list[int]] | None, np.ndarray | None]:
    if history is None:
        return None, None
    df = _checks.frame(history, "history", ["user_id", "item_id", "timestamp"], non_empty=False,
                       no_nan=["user_id", "item_id", "timestamp"])
    if len(df) and int(df["timestamp"].max()) >= start:
        raise ValueError(f"history: expected events before start ({start}), got one at "
                         f"{int(df['timestamp'].max())}")
    df = df.loc[df["user_id"].isin(users)].sort_values(["user_id", "timestamp"], kind="stable")
    pos = pd.Index(env.item_ids).get_indexer(df["item_id"])
    if (pos < 0).any():
        raise ValueError(f"history: {int((pos < 0).sum())} event(s) on items not in the environment")
    items = pd.Series(pos, index=df["user_id"].to_numpy()).groupby(level=0).agg(list).to_dict()
    seqs = cluster_sequences(df, env.members, env.item_ids, users.tolist())
    return items, visited_mask(seqs, users.tolist(), env.members.shape[1])


def run(env: ShopEnvironment, policy: Policy, users: object, rounds: int, start: int,
        step_seconds: int = 86_400, history: pd.DataFrame | None = None, progress: bool = False) -> RunResult:
    """Play ``rounds`` rounds at ``t = start + r * step_seconds``: slate, step, update.

    ``env.reset()`` first; ``history`` (events with ``user_id``, ``item_id``, ``timestamp``,
    all before ``start``; e.g. the first frame of ``sim.history_and_future()``) gives the
    policy its history items and visited clusters. Every ``t`` must lie in the environment's
    period. Returns a :class:`RunResult`.
    """
    if not isinstance(env, ShopEnvironment):
        raise ValueError(f"env: expected a ShopEnvironment, got {type(env).__name__}")
    if not isinstance(policy, Policy):
        raise ValueError(f"policy: expected a Policy (ExploitOnly, UCB1, NovelCluster, ...), "
                         f"got {type(policy).__name__}")
    ids = env.user_ids[env.user_positions(users)]
    rounds = _checks.positive_int(rounds, "rounds")
    start = _checks.integer(start, "start", env.t0, env.t1 - 1)
    step_seconds = _checks.positive_int(step_seconds, "step_seconds")
    if start + (rounds - 1) * step_seconds >= env.t1:
        raise ValueError(f"rounds: {rounds} rounds of {step_seconds} s from {start} run past the end of "
                         f"the period ({env.t1}); expected fewer rounds or shorter steps")
    progress = _checks.flag(progress, "progress")
    items, visited = _history_inputs(env, history, ids, start)
    from tqdm.auto import tqdm

    env.reset()
    policy.start(env, ids, items, visited)
    n = len(ids)
    slates = np.zeros((rounds, n, policy.k), dtype=np.int64)
    clicks = np.zeros((rounds, n, policy.k), dtype=bool)
    explore = np.full((rounds, n), -1, dtype=np.int64)
    rows = []
    for r in tqdm(range(rounds), desc=policy.name, disable=not progress):
        t = start + r * step_seconds
        before = policy.visited_.sum()
        slates[r] = policy.slate(t)
        explore[r] = policy.explore_cluster_
        fb = env.step(ids, slates[r], t)
        policy.update(fb)
        clicks[r] = fb.clicks
        rows.append({"round": r, "t": t, "clicks_per_user": fb.clicks.sum() / n,
                     "explore_clicks": (fb.clicks[:, -1] & (explore[r] >= 0)).sum() / n,
                     "new_clusters_per_user": (policy.visited_.sum() - before) / n,
                     "hidden_discovered": env.hidden_discovered(ids)})
    return RunResult(policy.name, ids, env.item_ids, pd.DataFrame(rows), slates, clicks, explore)
