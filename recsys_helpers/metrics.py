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

    Raises ``ValueError`` when it is empty, of an unknown type, or when a list repeats an item.
    """
    if isinstance(recommended, pd.DataFrame):
        missing = [c for c in (col_user, col_item) if c not in recommended.columns]
        if missing:
            raise ValueError(f"recommended: missing column(s) {missing}; expected "
                             f"{col_user!r} and {col_item!r}, got {list(recommended.columns)}")
        df = recommended
        _checks.columns_without_nan(df, "recommended", [col_user, col_item])
        if col_rank in df.columns:
            df = df.sort_values([col_user, col_rank], kind="stable")
        elif col_score in df.columns:
            df = df.sort_values([col_user, col_score], ascending=[True, False], kind="stable")
        lists = {u: list(g) for u, g in df.groupby(col_user, sort=False)[col_item]}
    elif isinstance(recommended, np.ndarray):
        if recommended.ndim != 2 or recommended.dtype.kind == "f" and np.isnan(recommended).any():
            raise ValueError(f"recommended: expected a 2-D array (users x k), got shape {recommended.shape}")
        lists = {u: row.tolist() for u, row in enumerate(recommended)}
    elif isinstance(recommended, Mapping):
        _checks.no_nan_ids(recommended.keys(), "recommended (users)")
        lists = {u: _checks.id_list(items, f"recommended[{u!r}]", non_empty=False)
                 for u, items in recommended.items()}
    else:
        raise ValueError("recommended: expected a mapping {user: [items]}, a DataFrame or a 2-D "
                         f"array, got {type(recommended).__name__}")
    if not lists:
        raise ValueError("recommended: expected at least one user, got none")
    for u, items in lists.items():
        if len(set(items)) != len(items):
            raise ValueError(f"recommended: the list of user {u!r} repeats an item; "
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
            gains = {i: 1.0 for i in rel}
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
    """
    seed = _checks.seed(seed)
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
    m = mask.toarray() != 0 if sparse.issparse(mask) else np.asarray(mask)
    if m.dtype != bool:
        if not np.issubdtype(m.dtype, np.number):
            raise ValueError(f"{name}: expected a boolean mask or a sparse matrix, got dtype {m.dtype}")
        m = m != 0
    if m.shape != shape:
        raise ValueError(f"{name}: expected shape {shape} like scores, got {m.shape}")
    return m


def top_k(scores: np.ndarray, k: int, exclude: object | None = None, seed: int = 0) -> np.ndarray:
    """Column indices of the ``k`` highest scores in each row, best first.

    ``exclude`` (a boolean mask or a sparse matrix whose non-zero entries mark seen items)
    removes items before ranking; ``-inf`` marks an item as forbidden too. Ties are ordered
    by :func:`tie_keys` (the package's one tie rule: uniformly at random, seeded).
    ``np.argpartition`` finds the winners in O(n) per row; only rows whose k-th place is
    tied are sorted in full. Returns an int array ``(n_rows, k)``.
    """
    s = _score_matrix(scores)
    n_rows, n = s.shape
    k = _checks.integer(k, "k", 1, n)
    if exclude is not None:
        mask = _mask(exclude, s.shape, "exclude")
        n_left = n - mask.sum(axis=1)
        if (n_left < k).any():
            u = int(np.argmax(n_left < k))
            raise ValueError(f"exclude: row {u} leaves only {int(n_left[u])} items; expected at least k={k}")
        s[mask] = -np.inf
    rows = np.arange(n_rows)
    part = np.argpartition(-s, k - 1, axis=1)[:, :k]              # the k best, ties arbitrary
    part_s = np.take_along_axis(s, part, axis=1)
    kth = part_s.min(axis=1, keepdims=True)
    tied_at_k = (s == kth).sum(axis=1) > (part_s == kth).sum(axis=1)
    if tied_at_k.any():                                           # redo those rows exactly
        r = rows[tied_at_k]
        keys = tie_keys(r[:, None], np.arange(n)[None, :], seed)
        part[tied_at_k] = np.lexsort((keys, -s[tied_at_k]), axis=1)[:, :k]
        part_s = np.take_along_axis(s, part, axis=1)
    order = np.lexsort((tie_keys(rows[:, None], part, seed), -part_s), axis=1)
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
    if sparse.issparse(relevant) or (isinstance(relevant, np.ndarray) and relevant.ndim == 2):
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
    if isinstance(log_base, bool) or not isinstance(log_base, (int, float)) or not log_base > 1:
        raise ValueError(f"log_base: expected a number > 1, got {log_base!r}")

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

    ``catalog`` is the collection of item ids (or its size). Range [0, 1].
    Reference: Ge, Delgado-Battenfeld & Jannach (2010), doi:10.1145/1864708.1864761.
    """
    k = _check_k(k, allow_none=True)
    lists = as_lists(recommended, col_user, col_item)
    shown = {i for items in lists.values() for i in items[:k]}
    if isinstance(catalog, (int, np.integer)) and not isinstance(catalog, bool):
        if catalog < len(shown):
            raise ValueError(f"catalog: size {catalog} is smaller than the {len(shown)} distinct "
                             "recommended items; expected the number of items in the catalogue")
        return len(shown) / int(catalog)
    catalog = set(catalog)
    if not catalog:
        raise ValueError("catalog: expected at least one item, got an empty collection")
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
    if not isinstance(interactions, pd.DataFrame):
        raise ValueError(f"interactions: expected a DataFrame, got {type(interactions).__name__}")
    missing = [c for c in (col_user, col_item) if c not in interactions.columns]
    if missing:
        raise ValueError(f"interactions: missing column(s) {missing}")
    if interactions.empty:
        raise ValueError("interactions: expected at least one row, got an empty frame")
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)) or smoothing < 0:
        raise ValueError(f"smoothing: expected a number >= 0, got {smoothing!r}")
    n_users = interactions[col_user].nunique()
    counts = interactions.groupby(col_item)[col_user].nunique()
    if items is not None:
        items = list(items)
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
    lists = as_lists(recommended, col_user, col_item)
    pop = pd.Series(popularity, dtype=float) if not isinstance(popularity, pd.Series) else popularity

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


def _vectors_for(item_vectors: pd.DataFrame | Mapping | np.ndarray, items: list) -> np.ndarray:
    if isinstance(item_vectors, pd.DataFrame):
        missing = [i for i in items if i not in item_vectors.index]
        if missing:
            raise ValueError(f"item_vectors: no row for item {missing[0]!r}; expected a DataFrame "
                             "indexed by item id with one row per recommended item")
        return item_vectors.loc[items].to_numpy(dtype=float)
    if isinstance(item_vectors, np.ndarray):
        if item_vectors.ndim != 2:
            raise ValueError(f"item_vectors: expected a 2-D array, got shape {item_vectors.shape}")
        idx = np.asarray(items)
        if not np.issubdtype(idx.dtype, np.integer) or (idx < 0).any() or (idx >= len(item_vectors)).any():
            raise ValueError("item_vectors: with an array, items must be row indices in "
                             f"[0, {len(item_vectors)}), got {items[:3]}...")
        return item_vectors[idx].astype(float)
    if isinstance(item_vectors, Mapping):
        missing = [i for i in items if i not in item_vectors]
        if missing:
            raise ValueError(f"item_vectors: no vector for item {missing[0]!r}")
        return np.vstack([np.asarray(item_vectors[i], dtype=float) for i in items])
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
    lists = as_lists(recommended, col_user, col_item)

    def ild(items: list) -> float:
        if len(items) < 2:
            raise ValueError("recommended: intra-list diversity needs lists of at least 2 items")
        v = _vectors_for(item_vectors, items)
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
    if normalize not in ("k", "unexpected"):
        raise ValueError(f"normalize: expected 'k' or 'unexpected', got {normalize!r}")
    exp_lists = as_lists(expected, col_user, col_item)
    lists = as_lists(recommended, col_user, col_item)
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
