"""Evaluation metrics for top-K recommendation: accuracy and beyond accuracy.

Plain functions in the style of ``microsoft/recommenders`` (``python_evaluation.py``):
each takes the recommended lists, the relevant (held-out) items and a cut-off ``k``
and returns the mean over users (``per_user=True`` gives one value per user instead).

Inputs
------
``recommended`` is one of

* a mapping ``{user: [item, item, ...]}``, best item first;
* a DataFrame with ``col_user`` and ``col_item`` columns, ordered best first within a user
  (or with a ``col_rank`` column, 1 = best, or a ``col_score`` column, higher = better);
* a 2-D integer array whose row ``u`` is the list of user ``u`` (as returned by
  :func:`recsys_helpers.recommend.top_k`).

``relevant`` is a mapping ``{user: set_of_items}`` (or ``{user: {item: gain}}`` for graded
relevance in :func:`ndcg_at_k`) or a DataFrame with ``col_user`` and ``col_item``.
Every user in ``recommended`` must appear in ``relevant`` with at least one relevant item.

Discounts use ``log2`` (Järvelin & Kekäläinen, 2002); see :func:`ndcg_at_k` for why the
base of the logarithm does not change NDCG in the formula used here.

Ranking and ties: one rule for the whole package
-----------------------------------------------
Scores tie (popularity counts, constant scorers, cosines of identical vectors), and the
rank of a tied item is a choice. The package makes one choice, here, and uses it wherever a
rank is computed (:func:`top_k`, :func:`full_ranking_metrics`, the neighbour pruning of
``recommend.item_knn_scores``, the sequence model's evaluation):

    **Tied items are ordered uniformly at random.**

* Evaluation of a score matrix (:func:`full_ranking_metrics`) does not draw one order: it
  returns the *expected* value of each metric over all orders of the tied items (McSherry &
  Najork, 2008). A scorer that gives every item the same score therefore gets exactly
  chance: hit@k = k / n for one relevant item among n candidates.
* A list (:func:`top_k`) needs one order: ties are broken by a pseudo-random key of
  ``(seed, row, column)`` (:func:`tie_keys`), so a list is one draw of the same uniform
  order, reproducible under a seed, and different for different users.

Reference: F. McSherry and M. Najork (2008), Computing information retrieval performance
measures efficiently in the presence of tied scores, ECIR, LNCS 4956, doi:10.1007/978-3-540-78646-7_38.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import Union

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import gammaln

from . import _checks

__all__ = [
    "tie_keys",
    "top_k",
    "full_ranking_metrics",
    "precision_at_k",
    "recall_at_k",
    "f1_at_k",
    "ndcg_at_k",
    "map_at_k",
    "mrr_at_k",
    "hit_rate_at_k",
    "catalog_coverage",
    "item_popularity",
    "novelty",
    "intra_list_diversity",
    "serendipity",
    "as_lists",
]

Recommended = Union[Mapping[Hashable, Sequence[Hashable]], pd.DataFrame, np.ndarray]
Relevant = Union[Mapping[Hashable, Collection], pd.DataFrame]


# --------------------------------------------------------------------------- input handling
def _check_k(k: object, name: str = "k", allow_none: bool = False) -> int | None:
    if k is None and allow_none:
        return None
    return _checks.positive_int(k, name)


def as_lists(recommended: Recommended, col_user: str = "user_id", col_item: str = "item_id",
             col_rank: str = "rank", col_score: str = "score") -> dict[Hashable, list]:
    """Normalise ``recommended`` to ``{user: [item, ...]}`` (best first); validate it.

    Raises ``ValueError`` when it is empty, of an unknown type, holds a missing id, when a
    list repeats an item, or when a ``col_rank`` / ``col_score`` column is not numeric, has
    NaN or (ranks) repeats a rank within a user. An empty list (nothing recommended to a
    user) is kept: it finds nothing and scores 0 on every accuracy metric.
    """
    return _lists(recommended, "recommended", col_user, col_item, col_rank, col_score)


def _lists(recommended: object, name: str, col_user: str = "user_id", col_item: str = "item_id",
           col_rank: str = "rank", col_score: str = "score") -> dict[Hashable, list]:
    """:func:`as_lists` with the argument's name for the messages (``recommended``, ``expected``)."""
    if isinstance(recommended, pd.DataFrame):
        missing = [c for c in (col_user, col_item) if c not in recommended.columns]
        if missing:
            raise ValueError(f"{name}: missing column(s) {missing}; expected "
                             f"{col_user!r} and {col_item!r}, got {list(recommended.columns)}")
        df = recommended
        _checks.columns_without_nan(df, name, [col_user, col_item])
        order = col_rank if col_rank in df.columns else col_score if col_score in df.columns else None
        if order is not None:
            if pd.api.types.is_bool_dtype(df[order]) or not pd.api.types.is_numeric_dtype(df[order]):
                raise ValueError(f"{name}: column {order!r} must hold numbers "
                                 f"({'1 = best' if order == col_rank else 'higher = better'}), "
                                 f"got dtype {df[order].dtype}")
            _checks.columns_without_nan(df, name, [order])
            if order == col_rank and df.duplicated([col_user, col_rank]).any():
                u = df.loc[df.duplicated([col_user, col_rank]), col_user].iloc[0]
                raise ValueError(f"{name}: user {u!r} has a repeated value in column {col_rank!r}; "
                                 "expected distinct ranks within each user")
            df = df.sort_values([col_user, order], ascending=[True, order == col_rank], kind="stable")
        lists = {u: list(g) for u, g in df.groupby(col_user, sort=False)[col_item]}
    elif isinstance(recommended, np.ndarray):
        if recommended.ndim != 2:
            raise ValueError(f"{name}: expected a 2-D array (users x k), got shape {recommended.shape}")
        if recommended.dtype.kind in "bfc":
            raise ValueError(f"{name}: expected a 2-D array of item ids (integers, as returned by "
                             f"top_k), got dtype {recommended.dtype}")
        lists = {u: _checks.id_list(row, f"{name}[{u}]", non_empty=False)
                 for u, row in enumerate(recommended.tolist())}
    elif isinstance(recommended, Mapping):
        _checks.no_nan_ids(recommended.keys(), f"{name} (users)")
        lists = {u: _checks.id_list(items, f"{name}[{u!r}]", non_empty=False)
                 for u, items in recommended.items()}
    else:
        raise ValueError(f"{name}: expected a mapping {{user: [items]}}, a DataFrame or a 2-D "
                         f"array, got {type(recommended).__name__}")
    if not lists:
        raise ValueError(f"{name}: expected at least one user, got none")
    for u, items in lists.items():
        try:
            distinct = len(set(items))
        except TypeError:
            raise ValueError(f"{name}: the list of user {u!r} holds an unhashable value; "
                             "expected item ids") from None
        if distinct != len(items):
            raise ValueError(f"{name}: the list of user {u!r} repeats an item; "
                             "expected distinct items in each list")
    return lists


def _as_relevant(relevant: Relevant, users: Collection, col_user: str, col_item: str,
                 graded: bool = False) -> dict[Hashable, dict]:
    """``{user: {item: gain}}`` for every user in ``users``; gains are 1 unless graded."""
    if isinstance(relevant, pd.DataFrame):
        missing = [c for c in (col_user, col_item) if c not in relevant.columns]
        if missing:
            raise ValueError(f"relevant: missing column(s) {missing}; expected "
                             f"{col_user!r} and {col_item!r}, got {list(relevant.columns)}")
        _checks.columns_without_nan(relevant, "relevant", [col_user, col_item])
        relevant = {u: set(g) for u, g in relevant.groupby(col_user, sort=False)[col_item]}
    if not isinstance(relevant, Mapping):
        raise ValueError("relevant: expected a mapping {user: set_of_items} or a DataFrame, "
                         f"got {type(relevant).__name__}")
    absent = [u for u in users if u not in relevant]
    if absent:
        raise ValueError(f"relevant: {len(absent)} user(s) of recommended are missing "
                         f"(e.g. {absent[0]!r}); expected every evaluated user to have relevant items")
    out: dict[Hashable, dict] = {}
    for u in users:
        rel = relevant[u]
        if isinstance(rel, (str, bytes)) or not isinstance(rel, (Mapping, Collection)):
            raise ValueError(f"relevant: the items of user {u!r} must be a set/list of ids or a "
                             f"mapping {{item: gain}}, got {type(rel).__name__}")
        if isinstance(rel, Mapping):
            gains = {i: _checks.number(g, f"relevant[{u!r}][{i!r}]", 0.0) for i, g in rel.items()}
            if not graded:
                gains = {i: 1.0 for i, g in gains.items() if g > 0}
        else:
            _checks.no_nan_ids(rel, f"relevant[{u!r}]")
            try:
                gains = {i: 1.0 for i in rel}
            except TypeError:
                raise ValueError(f"relevant[{u!r}]: holds an unhashable value; expected item ids") from None
        if any(not np.isfinite(g) or g < 0 for g in gains.values()):
            raise ValueError(f"relevant: user {u!r} has a negative or non-finite gain; "
                             "expected gains >= 0")
        if not any(g > 0 for g in gains.values()):
            raise ValueError(f"relevant: user {u!r} has no relevant item; expected at least one "
                             "per evaluated user (drop users without test items first)")
        out[u] = gains
    return out


def _mean_over_users(recommended: Recommended, relevant: Relevant, k: int,
                     per_user_metric: Callable[[list, dict, int], float], per_user: bool,
                     col_user: str, col_item: str, graded: bool = False) -> float | pd.Series:
    k = _check_k(k)
    _checks.flag(per_user, "per_user")
    lists = as_lists(recommended, col_user, col_item)
    rel = _as_relevant(relevant, lists.keys(), col_user, col_item, graded)
    values = pd.Series({u: per_user_metric(items[:k], rel[u], k) for u, items in lists.items()},
                       dtype=float)
    return values if per_user else float(values.mean())


def _hits(top: list, rel: dict) -> np.ndarray:
    return np.array([rel.get(i, 0.0) > 0 for i in top], dtype=float)


# --------------------------------------------------------------------------- ranking with one tie rule
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def tie_keys(rows: np.ndarray, cols: np.ndarray, seed: int = 0) -> np.ndarray:
    """Pseudo-random tie-breaking keys (``uint64``) of entries ``(row, col)``, broadcast.

    A SplitMix64 hash of ``(seed, row, col)``: the same entry always gets the same key, the
    keys of one row are a uniform random order of its columns, and rows are independent.
    Among equal scores the smaller key ranks first (see the module docstring).
    ``rows`` and ``cols`` are non-negative integers (arrays or scalars) that broadcast together.
    """
    seed = _checks.seed(seed)
    r = _checks.array(rows, "rows", dtype=np.int64, non_empty=False)
    c = _checks.array(cols, "cols", dtype=np.int64, non_empty=False)
    for name, a in (("rows", r), ("cols", c)):
        if a.size and a.min() < 0:
            raise ValueError(f"{name}: expected non-negative indices, got {int(a.min())}")
    try:
        np.broadcast_shapes(r.shape, c.shape)
    except ValueError:
        raise ValueError(f"cols: shape {c.shape} does not broadcast with rows of shape {r.shape}") from None
    return _tie_keys(r, c, seed)


def _tie_keys(rows: np.ndarray, cols: np.ndarray, seed: int) -> np.ndarray:
    """:func:`tie_keys` without the checks (indices already valid)."""
    r = np.asarray(rows).astype(np.uint64)
    c = np.asarray(cols).astype(np.uint64)
    with np.errstate(over="ignore"):
        x = (r * _GOLDEN) ^ (c + np.uint64(seed) * _MIX1 + _GOLDEN)
        x = x ^ (x >> np.uint64(30))
        x = x * _MIX1
        x = x ^ (x >> np.uint64(27))
        x = x * _MIX2
        x = x ^ (x >> np.uint64(31))
    return x


def _score_matrix(scores: object, name: str = "scores") -> np.ndarray:
    s = _checks.array(scores, name, ndim=2, allow_neg_inf=True)
    if s.shape[1] == 0:
        raise ValueError(f"{name}: expected at least one item column, got shape {s.shape}")
    return s


def _mask(mask: object, shape: tuple[int, int], name: str) -> np.ndarray:
    """A boolean matrix of ``shape``: a boolean mask, or the non-zero entries of a numeric one."""
    if isinstance(mask, (str, bytes)):
        raise ValueError(f"{name}: expected a boolean mask or a sparse matrix, got a string")
    m = mask.toarray() if sparse.issparse(mask) else np.asarray(mask)
    if m.dtype != bool:
        if not np.issubdtype(m.dtype, np.number):
            raise ValueError(f"{name}: expected a boolean mask or a sparse matrix, got dtype {m.dtype}")
        if m.dtype.kind in "fc" and np.isnan(m).any():
            raise ValueError(f"{name}: expected a boolean mask, found {int(np.isnan(m).sum())} NaN")
        m = m != 0
    if m.shape != shape:
        raise ValueError(f"{name}: expected shape {shape} like scores, got {m.shape}")
    return m


def top_k(scores: np.ndarray, k: int, exclude: object | None = None, seed: int = 0) -> np.ndarray:
    """Column indices of the ``k`` highest scores in each row, best first.

    ``exclude`` (a boolean mask or a sparse matrix whose non-zero entries mark seen items)
    removes items before ranking; ``-inf`` marks an item as forbidden too, and a row with
    fewer than ``k`` items left is an error (a forbidden item is never returned). Ties are
    ordered by :func:`tie_keys` (the package's one tie rule: uniformly at random, seeded).
    ``np.argpartition`` finds the winners in O(n) per row; only rows whose k-th place is
    tied are sorted in full. Returns an int array ``(n_rows, k)``.
    """
    s = _score_matrix(scores)
    n_rows, n = s.shape
    k = _checks.integer(k, "k", 1, n)
    seed = _checks.seed(seed)
    forbidden = np.isneginf(s)
    if exclude is not None:
        forbidden |= _mask(exclude, s.shape, "exclude")
    n_left = n - forbidden.sum(axis=1)
    if (n_left < k).any():
        u = int(np.argmax(n_left < k))
        name = "exclude" if exclude is not None else "scores"
        raise ValueError(f"{name}: row {u} leaves only {int(n_left[u])} items that are neither excluded "
                         f"nor -inf; expected at least k={k}")
    s[forbidden] = -np.inf
    rows = np.arange(n_rows)
    part = np.argpartition(-s, k - 1, axis=1)[:, :k]              # the k best, ties arbitrary
    part_s = np.take_along_axis(s, part, axis=1)
    kth = part_s.min(axis=1, keepdims=True)
    tied_at_k = (s == kth).sum(axis=1) > (part_s == kth).sum(axis=1)
    if tied_at_k.any():                                           # redo those rows exactly
        r = rows[tied_at_k]
        keys = _tie_keys(r[:, None], np.arange(n)[None, :], seed)
        part[tied_at_k] = np.lexsort((keys, -s[tied_at_k]), axis=1)[:, :k]
        part_s = np.take_along_axis(s, part, axis=1)
    order = np.lexsort((_tie_keys(rows[:, None], part, seed), -part_s), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _discounts(n: int) -> np.ndarray:
    """``D[c] = sum_{p < c} 1 / log2(p + 2)``: the DCG of ``c`` relevant items at the top."""
    return np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(n) + 2.0))])


def _row_metrics(s: np.ndarray, rel: np.ndarray, k: int, D: np.ndarray) -> tuple[float, ...]:
    """Expected (rank, hit, recall, precision, ndcg, rr) of one row over the orders of its ties."""
    v = np.unique(s[rel])[::-1]                                   # score levels of relevant items
    p0 = (s[None, :] > v[:, None]).sum(axis=1)                    # items strictly above each level
    m = (s[None, :] == v[:, None]).sum(axis=1)                    # items on each level (a tied block)
    r = (s[rel][None, :] == v[:, None]).sum(axis=1)               # relevant items on each level
    n_rel = int(rel.sum())
    top_slots = np.minimum(p0 + m, k) - np.minimum(p0, k)         # positions of a block inside the top k
    found = float((r / m * top_slots).sum())                      # expected relevant items in the top k
    dcg = float((r / m * (D[np.minimum(p0 + m, k)] - D[np.minimum(p0, k)])).sum())
    ndcg = dcg / D[min(n_rel, k)]
    if ((p0 + m <= k) & (r > 0)).any():
        hit = 1.0
    else:
        straddle = (p0 < k) & (p0 + m > k)
        hit = 0.0
        if straddle.any():
            b = int(np.flatnonzero(straddle)[0])
            q = k - p0[b]                                         # slots of the block inside the top k
            j = np.arange(q)
            hit = 1.0 - float(np.prod((m[b] - r[b] - j) / (m[b] - j)))  # 1 - P(no relevant item there)
    # first relevant item: in the highest relevant block, at offset J with
    # P(J = j) = C(m - 1 - j, r - 1) / C(m, r), j = 0 .. m - r
    mb, rb = int(m[0]), int(r[0])
    j = np.arange(mb - rb + 1)
    logp = (gammaln(mb - j) - gammaln(rb) - gammaln(mb - j - rb + 1)
            - (gammaln(mb + 1) - gammaln(rb + 1) - gammaln(mb - rb + 1)))
    pj = np.exp(logp)
    rank = float(p0[0] + 1 + (pj * j).sum())                      # expected 1-based rank of the first hit
    rr = float((pj / (p0[0] + 1 + j)).sum())
    return rank, hit, found / n_rel, found / k, ndcg, rr


def _ndim(x: object) -> int:
    """Number of dimensions of an array-like (-1 when it is none: None, a string, ragged)."""
    if x is None or isinstance(x, (str, bytes)):
        return -1
    try:
        return int(np.ndim(x))
    except (TypeError, ValueError):
        return -1


def full_ranking_metrics(scores: np.ndarray, relevant: object, k: int = 10, exclude: object | None = None,
                         *, per_user: bool = False) -> dict[str, float] | pd.DataFrame:
    r"""Accuracy of a score matrix ranked over *all* its columns, ties handled exactly.

    ``scores`` is ``(n_users, n_items)`` (higher = better; ``-inf`` allowed, NaN rejected).
    ``relevant`` is either one target column per row (an integer array of length
    ``n_users``) or a boolean / sparse matrix of the same shape marking relevant items (at
    least one per row). ``exclude`` marks items removed from the ranking (e.g. those
    already seen); a relevant item is never removed. Metrics at cut-off ``k``, each the
    expected value over uniformly random orders of tied items (the module's tie rule):

    * ``hit@k`` = P(at least one relevant item in the top k);
    * ``recall@k`` = E|top-k ∩ R| / |R|, ``precision@k`` = E|top-k ∩ R| / k;
    * ``ndcg@k`` = E[DCG@k] / IDCG@k with DCG@k = sum_{p<k} rel(p) / log2(p + 2), p from 0;
    * ``mrr`` = E[1 / rank of the first relevant item] over the full ranking (no cut-off);
    * ``rank`` (per user) = the expected 1-based rank of the first relevant item.

    For a block of ``m`` tied items holding ``r`` relevant ones, each of its positions holds
    a relevant item with probability ``r / m``, which makes the expected DCG and recall exact
    (McSherry & Najork, 2008). Returns the means over users (a dict), or one row per user
    (a DataFrame) with ``per_user=True``.
    """
    s = _score_matrix(scores)
    n_rows, n = s.shape
    k = _checks.integer(k, "k", 1, n)
    _checks.flag(per_user, "per_user")
    if sparse.issparse(relevant) or _ndim(relevant) == 2:
        rel = _mask(relevant, s.shape, "relevant")
    else:
        t = _checks.array(relevant, "relevant", ndim=1, dtype=float)
        if t.shape != (n_rows,) or not np.all(t == np.round(t)) or t.min() < 0 or t.max() >= n:
            raise ValueError(f"relevant: expected {n_rows} target column indices in [0, {n}) (one per "
                             f"row of scores) or a boolean matrix of shape {s.shape}, got shape {t.shape}")
        rel = np.zeros(s.shape, dtype=bool)
        rel[np.arange(n_rows), t.astype(np.int64)] = True
    empty = ~rel.any(axis=1)
    if empty.any():
        raise ValueError(f"relevant: row {int(np.argmax(empty))} has no relevant item; expected at least "
                         "one per row (drop users without test items first)")
    keep = ~_mask(exclude, s.shape, "exclude") | rel if exclude is not None else np.ones(s.shape, bool)
    D = _discounts(n)
    rows = [_row_metrics(s[u][keep[u]], rel[u][keep[u]], k, D) for u in range(n_rows)]
    out = pd.DataFrame(rows, columns=["rank", f"hit@{k}", f"recall@{k}", f"precision@{k}",
                                      f"ndcg@{k}", "mrr"])
    if per_user:
        return out
    return {c: float(out[c].mean()) for c in out.columns if c != "rank"}


# --------------------------------------------------------------------------- accuracy
def precision_at_k(recommended: Recommended, relevant: Relevant, k: int = 10, *,
                   per_user: bool = False, col_user: str = "user_id",
                   col_item: str = "item_id") -> float | pd.Series:
    r"""Precision@K: the share of the top-K that is relevant, averaged over users.

    .. math:: P@K(u) = \frac{|L_u^{K} \cap R_u|}{K}

    Range [0, 1]. A list shorter than K still divides by K (as in microsoft/recommenders).
    Reference: Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, ch. 8.
    """
    return _mean_over_users(recommended, relevant, k, lambda top, rel, k: _hits(top, rel).sum() / k,
                            per_user, col_user, col_item)


def recall_at_k(recommended: Recommended, relevant: Relevant, k: int = 10, *,
                per_user: bool = False, col_user: str = "user_id",
                col_item: str = "item_id") -> float | pd.Series:
    r"""Recall@K: the share of a user's relevant items found in the top-K.

    .. math:: R@K(u) = \frac{|L_u^{K} \cap R_u|}{|R_u|}

    Range [0, 1]. With one held-out item per user it equals the hit rate.
    Reference: Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, ch. 8.
    """
    return _mean_over_users(recommended, relevant, k,
                            lambda top, rel, k: _hits(top, rel).sum() / len(rel),
                            per_user, col_user, col_item)


def f1_at_k(recommended: Recommended, relevant: Relevant, k: int = 10, *,
            per_user: bool = False, col_user: str = "user_id",
            col_item: str = "item_id") -> float | pd.Series:
    r"""F1@K: the harmonic mean of precision@K and recall@K, per user, then averaged.

    .. math:: F_1@K(u) = \frac{2\,P@K(u)\,R@K(u)}{P@K(u) + R@K(u)} \quad (0 \text{ when both are } 0)

    Range [0, 1]. Note: the mean of per-user F1 is not the F1 of the mean P and R.
    """
    def f1(top: list, rel: dict, k: int) -> float:
        h = _hits(top, rel).sum()
        p, r = h / k, h / len(rel)
        return 0.0 if h == 0 else 2 * p * r / (p + r)

    return _mean_over_users(recommended, relevant, k, f1, per_user, col_user, col_item)


def ndcg_at_k(recommended: Recommended, relevant: Relevant, k: int = 10, *,
              log_base: float = 2.0, per_user: bool = False, col_user: str = "user_id",
              col_item: str = "item_id") -> float | pd.Series:
    r"""NDCG@K, normalised discounted cumulative gain with a ``log2`` discount.

    .. math::

        DCG@K(u) = \sum_{i=1}^{K} \frac{g_u(L_u[i])}{\log_2(i + 1)}, \qquad
        NDCG@K(u) = \frac{DCG@K(u)}{IDCG@K(u)}

    where ``g_u(item)`` is the gain (1 for a relevant item, 0 otherwise; or the graded gain
    when ``relevant[u]`` is a mapping ``{item: gain}``) and IDCG is the DCG of the best
    possible ordering of the user's relevant items. Range [0, 1].

    The discount in base *b* is ``1 / log_b(i + 1) = ln(b) / ln(i + 1)``: the factor ``ln(b)``
    multiplies DCG and IDCG alike and cancels in the ratio, so ``log_base=np.e`` (the natural
    log that some libraries use) gives the same NDCG. (It does *not* cancel in the original
    Järvelin & Kekäläinen variant, which leaves ranks below *b* undiscounted.)
    ``sklearn.metrics.ndcg_score`` uses the same formula with linear gains.

    Reference: Järvelin & Kekäläinen (2002), Cumulated gain-based evaluation of IR techniques,
    ACM TOIS 20(4), doi:10.1145/582415.582418.
    """
    log_base = _checks.number(log_base, "log_base", 1.0, low_open=True)

    def ndcg(top: list, rel: dict, k: int) -> float:
        discount = np.log(log_base) / np.log(np.arange(2, k + 2))   # 1 / log_b(i + 1)
        gains = np.array([rel.get(i, 0.0) for i in top])
        ideal = np.sort(np.fromiter(rel.values(), float))[::-1][:k]
        return float(gains @ discount[:len(gains)] / (ideal @ discount[:len(ideal)]))

    return _mean_over_users(recommended, relevant, k, ndcg, per_user, col_user, col_item, graded=True)


def map_at_k(recommended: Recommended, relevant: Relevant, k: int = 10, *,
             per_user: bool = False, col_user: str = "user_id",
             col_item: str = "item_id") -> float | pd.Series:
    r"""MAP@K: mean over users of the average precision at the ranks of the hits.

    .. math:: AP@K(u) = \frac{1}{\min(|R_u|, K)} \sum_{i=1}^{K} P@i(u)\; rel_u(i)

    Range [0, 1]; 1 when all top positions are relevant. Dividing by ``min(|R_u|, K)`` lets a
    perfect list reach 1 even when a user has more than K relevant items.
    Reference: Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, ch. 8.
    """
    def ap(top: list, rel: dict, k: int) -> float:
        hits = _hits(top, rel)
        precision_at_i = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        return float((precision_at_i * hits).sum() / min(len(rel), k))

    return _mean_over_users(recommended, relevant, k, ap, per_user, col_user, col_item)


def mrr_at_k(recommended: Recommended, relevant: Relevant, k: int = 10, *,
             per_user: bool = False, col_user: str = "user_id",
             col_item: str = "item_id") -> float | pd.Series:
    r"""MRR@K: mean reciprocal rank of the first relevant item in the top-K (0 if none).

    .. math:: RR@K(u) = \frac{1}{\text{rank of the first relevant item}}

    Range [0, 1]. Reference: Voorhees (1999), The TREC-8 question answering track report.
    """
    def rr(top: list, rel: dict, k: int) -> float:
        hits = np.flatnonzero(_hits(top, rel))
        return 0.0 if hits.size == 0 else 1.0 / (hits[0] + 1)

    return _mean_over_users(recommended, relevant, k, rr, per_user, col_user, col_item)


def hit_rate_at_k(recommended: Recommended, relevant: Relevant, k: int = 10, *,
                  per_user: bool = False, col_user: str = "user_id",
                  col_item: str = "item_id") -> float | pd.Series:
    r"""Hit rate@K (HR@K): the share of users with at least one relevant item in the top-K.

    .. math:: HR@K(u) = \mathbb{1}\left[|L_u^{K} \cap R_u| > 0\right]

    Range [0, 1]. Reference: Deshpande & Karypis (2004), Item-based top-N recommendation
    algorithms, ACM TOIS 22(1), doi:10.1145/963770.963776.
    """
    return _mean_over_users(recommended, relevant, k,
                            lambda top, rel, k: float(_hits(top, rel).any()),
                            per_user, col_user, col_item)


# --------------------------------------------------------------------------- beyond accuracy
def catalog_coverage(recommended: Recommended, catalog: Collection | int, k: int | None = None,
                     *, col_user: str = "user_id", col_item: str = "item_id") -> float:
    r"""Catalogue coverage: the share of the catalogue that appears in any top-K list.

    .. math:: \mathrm{coverage} = \frac{|\bigcup_u L_u^{K}|}{|I|}

    ``catalog`` is the collection of distinct item ids (or its size, a positive integer).
    Range [0, 1].
    Reference: Ge, Delgado-Battenfeld & Jannach (2010), doi:10.1145/1864708.1864761.
    """
    k = _check_k(k, allow_none=True)
    lists = as_lists(recommended, col_user, col_item)
    shown = {i for items in lists.values() for i in items[:k]}
    if _checks.is_int(catalog):
        if catalog < max(1, len(shown)):
            raise ValueError(f"catalog: size {catalog} is smaller than the {len(shown)} distinct "
                             "recommended items (or < 1); expected the number of items in the catalogue")
        return len(shown) / int(catalog)
    if catalog is None or isinstance(catalog, (bool, np.bool_, float, np.floating)):
        raise ValueError("catalog: expected a collection of item ids or the catalogue size (a positive "
                         f"integer), got {catalog!r}")
    catalog = set(_checks.id_list(catalog, "catalog", unique=True))
    unknown = shown - catalog
    if unknown:
        raise ValueError(f"catalog: {len(unknown)} recommended item(s) are not in it "
                         f"(e.g. {next(iter(unknown))!r}); expected every recommended item in the catalogue")
    return len(shown) / len(catalog)


def item_popularity(interactions: pd.DataFrame, items: Collection | None = None,
                    smoothing: float = 0.0, col_user: str = "user_id",
                    col_item: str = "item_id") -> pd.Series:
    r"""Share of users who interacted with each item (index = item id).

    .. math:: p(i) = \frac{|U_i| + s}{|U| + s}

    With ``items`` (e.g. the whole catalogue) items nobody interacted with are included
    with count 0; a smoothing ``s > 0`` (add-``s``) then keeps their ``p(i)`` above 0, so
    that :func:`novelty` stays finite for never-seen items.
    """
    _checks.frame(interactions, "interactions", [col_user, col_item], no_nan=[col_user, col_item])
    smoothing = _checks.number(smoothing, "smoothing", 0.0)
    n_users = interactions[col_user].nunique()
    counts = interactions.groupby(col_item)[col_user].nunique()
    if items is not None:
        items = _checks.id_list(items, "items", unique=True)
        unknown = counts.index.difference(pd.Index(items))
        if len(unknown):
            raise ValueError(f"items: {len(unknown)} interacted item(s) are missing "
                             f"(e.g. {unknown[0]!r}); expected the whole catalogue")
        counts = counts.reindex(items, fill_value=0)
    return ((counts + smoothing) / (n_users + smoothing)).rename("popularity")


def novelty(recommended: Recommended, popularity: Mapping | pd.Series, k: int | None = None,
            *, per_user: bool = False, col_user: str = "user_id",
            col_item: str = "item_id") -> float | pd.Series:
    r"""Novelty: mean self-information of the recommended items, in bits.

    .. math:: \mathrm{nov}(u) = \frac{1}{|L_u^{K}|} \sum_{i \in L_u^{K}} -\log_2 p(i)

    where ``p(i)`` is the share of users who interacted with item *i* in training
    (:func:`item_popularity`). Range [0, log2 |U|]; higher = less popular items.
    Items with ``p(i) = 0`` (never seen) have infinite self-information and are rejected.
    Reference: Zhou et al. (2010), Solving the apparent diversity-accuracy dilemma of
    recommender systems, PNAS 107(10), doi:10.1073/pnas.1000488107.
    """
    k = _check_k(k, allow_none=True)
    _checks.flag(per_user, "per_user")
    lists = as_lists(recommended, col_user, col_item)
    pop = _popularity(popularity)

    def nov(items: list) -> float:
        if not items:
            raise ValueError("recommended: expected non-empty lists for novelty")
        p = pop.reindex(items).to_numpy(dtype=float)
        if np.isnan(p).any() or (p <= 0).any() or (p > 1).any():
            bad = items[int(np.flatnonzero(~((p > 0) & (p <= 1)))[0])]
            raise ValueError(f"popularity: item {bad!r} has no popularity in (0, 1]; expected "
                             "the share of training users who interacted with every recommended item")
        return float(np.mean(-np.log2(p)))

    values = pd.Series({u: nov(items[:k]) for u, items in lists.items()}, dtype=float)
    return values if per_user else float(values.mean())


def _popularity(popularity: object) -> pd.Series:
    """``popularity`` as a float Series indexed by distinct item ids (values checked by the caller)."""
    if isinstance(popularity, pd.Series):
        pop = popularity
    elif isinstance(popularity, Mapping):
        pop = pd.Series(dict(popularity), dtype=object) if popularity else pd.Series(dtype=float)
    else:
        raise ValueError("popularity: expected a pandas Series or a mapping {item: share of users}, "
                         f"got {type(popularity).__name__}")
    _checks.no_nan_ids(pop.index, "popularity (item ids)")
    if pop.index.has_duplicates:
        raise ValueError("popularity: the index repeats an item; expected one value per item")
    if pd.api.types.is_bool_dtype(pop) or not (pd.api.types.is_numeric_dtype(pop)
                                                or all(_checks.is_number(v) for v in pop)):
        raise ValueError("popularity: expected numbers (shares of users in (0, 1]), got "
                         f"values of dtype {pop.dtype}")
    return pop.astype(float)


def _vector_lookup(item_vectors: object) -> Callable[[list], np.ndarray]:
    """Check ``item_vectors`` once; return a function from a list of items to their vectors."""
    if isinstance(item_vectors, pd.DataFrame):
        _checks.no_nan_ids(item_vectors.index, "item_vectors (index)")
        if item_vectors.index.has_duplicates:
            raise ValueError("item_vectors: the index repeats an item; expected one row per item id")
        odd = [c for c, t in item_vectors.dtypes.items()
               if pd.api.types.is_bool_dtype(t) or not pd.api.types.is_numeric_dtype(t)]
        if odd:
            raise ValueError(f"item_vectors: expected numeric columns, column {odd[0]!r} has dtype "
                             f"{item_vectors.dtypes[odd[0]]}")
        values = _checks.array(item_vectors.to_numpy(), "item_vectors", ndim=2)
        index = item_vectors.index

        def from_frame(items: list) -> np.ndarray:
            pos = index.get_indexer(items)
            if (pos < 0).any():
                raise ValueError(f"item_vectors: no row for item {items[int(np.argmax(pos < 0))]!r}; "
                                 "expected a DataFrame indexed by item id with one row per recommended item")
            return values[pos]
        return from_frame
    if isinstance(item_vectors, np.ndarray):
        values = _checks.array(item_vectors, "item_vectors", ndim=2)

        def from_array(items: list) -> np.ndarray:
            if not all(_checks.is_int(i) and 0 <= i < len(values) for i in items):
                raise ValueError("item_vectors: with an array, items must be row indices in "
                                 f"[0, {len(values)}), got {items[:3]}...")
            return values[np.asarray(items, dtype=np.int64)]
        return from_array
    if isinstance(item_vectors, Mapping):
        vectors = {i: _checks.vector(v, f"item_vectors[{i!r}]") for i, v in item_vectors.items()}
        dims = {len(v) for v in vectors.values()}
        if len(dims) > 1:
            raise ValueError(f"item_vectors: vectors of different lengths {sorted(dims)}; expected one length")

        def from_mapping(items: list) -> np.ndarray:
            missing = [i for i in items if i not in vectors]
            if missing:
                raise ValueError(f"item_vectors: no vector for item {missing[0]!r}")
            return np.vstack([vectors[i] for i in items])
        return from_mapping
    raise ValueError("item_vectors: expected a DataFrame indexed by item, a mapping or a 2-D "
                     f"array, got {type(item_vectors).__name__}")


def intra_list_diversity(recommended: Recommended, item_vectors: pd.DataFrame | Mapping | np.ndarray,
                         k: int | None = None, *, per_user: bool = False,
                         col_user: str = "user_id", col_item: str = "item_id") -> float | pd.Series:
    r"""Intra-list diversity: one minus the mean pairwise cosine similarity within a list.

    .. math:: \mathrm{ILD}(u) = 1 - \frac{2}{n(n-1)} \sum_{i<j} \cos(v_{L_u[i]}, v_{L_u[j]})

    with ``n = |L_u^K| >= 2``. Range [0, 2] in general, [0, 1] for non-negative vectors
    (e.g. genre one-hot). Reference: Ziegler, McNee, Konstan & Lausen (2005), Improving
    recommendation lists through topic diversification, WWW, doi:10.1145/1060745.1060754.
    """
    k = _check_k(k, allow_none=True)
    _checks.flag(per_user, "per_user")
    lists = as_lists(recommended, col_user, col_item)
    vectors_for = _vector_lookup(item_vectors)

    def ild(items: list) -> float:
        if len(items) < 2:
            raise ValueError("recommended: intra-list diversity needs lists of at least 2 items")
        v = vectors_for(items)
        norms = np.linalg.norm(v, axis=1)
        if (norms == 0).any():
            raise ValueError(f"item_vectors: item {items[int(np.argmin(norms))]!r} has a zero "
                             "vector; cosine similarity is undefined")
        v = v / norms[:, None]
        sim = v @ v.T
        n = len(items)
        return float(1.0 - (sim.sum() - np.trace(sim)) / (n * (n - 1)))

    values = pd.Series({u: ild(items[:k]) for u, items in lists.items()}, dtype=float)
    return values if per_user else float(values.mean())


def serendipity(recommended: Recommended, relevant: Relevant, expected: Recommended,
                k: int = 10, *, normalize: str = "k", per_user: bool = False,
                col_user: str = "user_id", col_item: str = "item_id") -> float | pd.Series:
    r"""Serendipity: the share of recommendations that are both relevant and unexpected.

    Following Ge, Delgado-Battenfeld & Jannach (2010), an item is *unexpected* for a user when
    a primitive baseline (e.g. the popularity recommender) does not recommend it: ``expected``
    holds those baseline lists. With ``UNEXP_u = L_u^K \setminus E_u``:

    .. math:: \mathrm{ser}(u) = \frac{|UNEXP_u \cap R_u|}{K}
              \quad\text{or, with normalize="unexpected",}\quad
              \frac{|UNEXP_u \cap R_u|}{|UNEXP_u|}

    (0 when ``UNEXP_u`` is empty). Both normalisations are used in the literature. Range [0, 1].
    Reference: doi:10.1145/1864708.1864761.
    """
    _checks.one_of(normalize, "normalize", ("k", "unexpected"))
    _checks.flag(per_user, "per_user")
    lists = as_lists(recommended, col_user, col_item)
    exp_lists = _lists(expected, "expected", col_user, col_item)
    absent = [u for u in lists if u not in exp_lists]
    if absent:
        raise ValueError(f"expected: {len(absent)} user(s) of recommended are missing "
                         f"(e.g. {absent[0]!r}); expected a baseline list for every user")

    def ser_for(u: Hashable) -> Callable[[list, dict, int], float]:
        def ser(top: list, rel: dict, k: int) -> float:
            expected_u = set(exp_lists[u])
            unexpected = [i for i in top if i not in expected_u]
            useful = sum(rel.get(i, 0.0) > 0 for i in unexpected)
            denom = k if normalize == "k" else len(unexpected)
            return 0.0 if denom == 0 else useful / denom
        return ser

    k = _check_k(k)
    rel = _as_relevant(relevant, lists.keys(), col_user, col_item)
    values = pd.Series({u: ser_for(u)(items[:k], rel[u], k) for u, items in lists.items()},
                       dtype=float)
    return values if per_user else float(values.mean())
