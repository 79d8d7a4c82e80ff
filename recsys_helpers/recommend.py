"""Scoring, vectorised top-K, hybrid blending and re-ranking (MMR).

Every recommender here works on a user x item matrix ``R`` (``scipy.sparse``; rows are
users, columns items) and returns a dense score matrix of the same shape. :func:`top_k`
turns any score matrix into top-K lists, leaving out the items a user has already seen.
Item vectors (genres, TF-IDF, language-model embeddings) come in as plain arrays: this
module never imports the language-model layers.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

__all__ = [
    "interaction_matrix",
    "top_k",
    "to_lists",
    "popularity_scores",
    "cosine_item_similarity",
    "item_knn_scores",
    "content_profiles",
    "content_scores",
    "minmax_rows",
    "blend",
    "mmr_rerank",
]

Matrix = "np.ndarray | sparse.spmatrix | sparse.sparray"


# --------------------------------------------------------------------------- data -> matrix
def interaction_matrix(interactions: pd.DataFrame, users: Sequence | None = None,
                       items: Sequence | None = None, value: str | None = None,
                       col_user: str = "user_id", col_item: str = "item_id",
                       ) -> tuple[sparse.csr_matrix, pd.Index, pd.Index]:
    """User x item matrix in CSR form, with the user and item ids of its rows and columns.

    Entry ``R[u, i]`` is 1 when user ``u`` interacted with item ``i`` (or the value of column
    ``value``, e.g. the rating; repeated pairs keep the last value). ``users``/``items`` fix
    the row/column order (e.g. the whole catalogue); by default the sorted ids present.
    """
    if not isinstance(interactions, pd.DataFrame):
        raise ValueError(f"interactions: expected a DataFrame, got {type(interactions).__name__}")
    cols = [col_user, col_item] + ([value] if value is not None else [])
    missing = [c for c in cols if c not in interactions.columns]
    if missing:
        raise ValueError(f"interactions: missing column(s) {missing}; expected {cols}")
    user_index = pd.Index(sorted(interactions[col_user].unique()) if users is None else users)
    item_index = pd.Index(sorted(interactions[col_item].unique()) if items is None else items)
    for name, index in (("users", user_index), ("items", item_index)):
        if not index.is_unique:
            raise ValueError(f"{name}: expected unique ids, got duplicates")
    rows = user_index.get_indexer(interactions[col_user])
    cols_ = item_index.get_indexer(interactions[col_item])
    for name, pos, col in (("users", rows, col_user), ("items", cols_, col_item)):
        if (pos < 0).any():
            bad = interactions[col].to_numpy()[np.flatnonzero(pos < 0)[0]]
            raise ValueError(f"{name}: id {bad!r} from column {col!r} is not in the given {name}")
    pairs = pd.DataFrame({"r": rows, "c": cols_})
    if value is None:
        vals = np.ones(len(pairs))
    else:
        vals = interactions[value].to_numpy(dtype=float)
        if np.isnan(vals).any():
            raise ValueError(f"interactions: column {value!r} has NaN values; expected numbers")
    keep = ~pairs.duplicated(keep="last").to_numpy()
    R = sparse.csr_matrix((vals[keep], (rows[keep], cols_[keep])),
                          shape=(len(user_index), len(item_index)))
    return R, user_index, item_index


# --------------------------------------------------------------------------- top-K
def top_k(scores: np.ndarray, k: int, exclude: "Matrix | None" = None) -> np.ndarray:
    """Column indices of the ``k`` highest scores in each row, best first.

    ``exclude`` (a boolean mask or a sparse matrix whose non-zero entries mark seen items)
    removes items before ranking. Uses ``np.argpartition`` (O(n) per row) and then sorts only
    the ``k`` winners, by score and then by column index. Returns an int array (n_users, k).
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2:
        raise ValueError(f"scores: expected a 2-D array (users x items), got shape {scores.shape}")
    if np.isnan(scores).any():
        raise ValueError("scores: contains NaN; expected finite scores (use -np.inf to forbid an item)")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 < k <= scores.shape[1]:
        raise ValueError(f"k: expected an integer in [1, {scores.shape[1]}] (the number of items), got {k!r}")
    if exclude is not None:
        mask = exclude.toarray() != 0 if sparse.issparse(exclude) else np.asarray(exclude, dtype=bool)
        if mask.shape != scores.shape:
            raise ValueError(f"exclude: expected shape {scores.shape} like scores, got {mask.shape}")
        n_left = scores.shape[1] - mask.sum(axis=1)
        if (n_left < k).any():
            u = int(np.argmax(n_left < k))
            raise ValueError(f"exclude: row {u} leaves only {int(n_left[u])} items; expected at least k={k}")
        scores = np.where(mask, -np.inf, scores)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]          # the k best, unordered
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)              # by score, then by index
    return np.take_along_axis(part, order, axis=1)


def to_lists(indices: np.ndarray, user_ids: Sequence[Hashable],
             item_ids: Sequence[Hashable]) -> dict[Hashable, list]:
    """Turn ``top_k`` output into ``{user_id: [item_id, ...]}`` (what ``metrics`` expects)."""
    indices = np.asarray(indices)
    if indices.ndim != 2 or len(indices) != len(user_ids):
        raise ValueError(f"indices: expected shape ({len(user_ids)}, k), got {indices.shape}")
    item_ids = np.asarray(item_ids)
    return {u: item_ids[row].tolist() for u, row in zip(user_ids, indices)}


# --------------------------------------------------------------------------- recommenders
def _check_matrix(R: object, name: str = "R") -> sparse.csr_matrix:
    if not (sparse.issparse(R) or isinstance(R, np.ndarray)) or np.ndim(R) != 2:
        raise ValueError(f"{name}: expected a 2-D user x item matrix (scipy.sparse or numpy)")
    R = sparse.csr_matrix(R, dtype=float)
    if R.nnz and not np.isfinite(R.data).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    return R


def popularity_scores(R: "Matrix") -> np.ndarray:
    """Popularity recommender: every user gets ``score(i) = number of users who interacted with i``.

    Returns an (n_users, n_items) array (the same row for every user).
    """
    R = _check_matrix(R)
    counts = np.asarray((R != 0).sum(axis=0), dtype=float).ravel()
    return np.tile(counts, (R.shape[0], 1))


def cosine_item_similarity(R: "Matrix") -> np.ndarray:
    r"""Item-item cosine similarity of the columns of ``R``, with a zero diagonal.

    .. math:: s(i, j) = \frac{r_i \cdot r_j}{\lVert r_i \rVert\, \lVert r_j \rVert}

    where ``r_i`` is the column of item *i* (who interacted with it). Items nobody interacted
    with get similarity 0. Reference: Sarwar et al. (2001), doi:10.1145/371920.372071.
    """
    R = _check_matrix(R)
    Rn = normalize(R, norm="l2", axis=0)                       # unit-length columns
    S = (Rn.T @ Rn).toarray()
    np.fill_diagonal(S, 0.0)
    return S


def item_knn_scores(R: "Matrix", S: np.ndarray | None = None,
                    n_neighbours: int | None = None) -> np.ndarray:
    r"""Item-based collaborative filtering: ``score(u, j) = sum_{i in history(u)} r_ui s(i, j)``.

    ``S`` defaults to :func:`cosine_item_similarity`. With ``n_neighbours`` each target item
    ``j`` keeps only its ``n_neighbours`` most similar items (Sarwar et al., 2001).
    Returns ``R @ S`` as a dense (n_users, n_items) array.
    """
    R = _check_matrix(R)
    S = cosine_item_similarity(R) if S is None else np.asarray(S, dtype=float)
    if S.shape != (R.shape[1], R.shape[1]):
        raise ValueError(f"S: expected shape ({R.shape[1]}, {R.shape[1]}), got {S.shape}")
    if n_neighbours is not None:
        if isinstance(n_neighbours, bool) or not isinstance(n_neighbours, (int, np.integer)) \
                or not 0 < n_neighbours <= S.shape[0]:
            raise ValueError(f"n_neighbours: expected an integer in [1, {S.shape[0]}], got {n_neighbours!r}")
        keep = np.argpartition(-S, n_neighbours - 1, axis=0)[:n_neighbours]   # per column j
        pruned = np.zeros_like(S)
        np.put_along_axis(pruned, keep, np.take_along_axis(S, keep, axis=0), axis=0)
        S = pruned
    return np.asarray(R @ S)


def _check_features(item_features: "Matrix", n_items: int) -> "Matrix":
    if not (sparse.issparse(item_features) or isinstance(item_features, np.ndarray)) \
            or np.ndim(item_features) != 2:
        raise ValueError("item_features: expected a 2-D (n_items, d) array or sparse matrix")
    if item_features.shape[0] != n_items:
        raise ValueError(f"item_features: expected {n_items} rows (one per item column of R), "
                         f"got {item_features.shape[0]}")
    return sparse.csr_matrix(item_features, dtype=float) if sparse.issparse(item_features) \
        else np.asarray(item_features, dtype=float)


def content_profiles(R: "Matrix", item_features: "Matrix") -> np.ndarray:
    r"""User profiles: the mean feature vector of the items each user liked.

    .. math:: p_u = \frac{1}{|H_u|} \sum_{i \in H_u} x_i

    where ``H_u`` are the non-zero entries of row ``u`` of ``R``. Users with no liked item
    get a zero profile. Returns a dense (n_users, d) array.
    """
    R = _check_matrix(R)
    X = _check_features(item_features, R.shape[1])
    liked = (R != 0).astype(float)
    counts = np.asarray(liked.sum(axis=1)).ravel()
    inv = sparse.diags(np.divide(1.0, counts, out=np.zeros_like(counts), where=counts > 0))
    P = inv @ liked @ X
    return P.toarray() if sparse.issparse(P) else np.asarray(P)


def content_scores(R: "Matrix", item_features: "Matrix") -> np.ndarray:
    r"""Content-based recommender: ``score(u, i) = cos(p_u, x_i)`` with ``p_u`` from
    :func:`content_profiles`. Zero profiles or zero item vectors score 0."""
    X = _check_features(item_features, _check_matrix(R).shape[1])
    P = normalize(content_profiles(R, X))                 # rows of zeros stay zero
    Xn = normalize(X)
    S = P @ Xn.T
    return np.asarray(S.toarray() if sparse.issparse(S) else S)


# --------------------------------------------------------------------------- hybrid and re-ranking
def minmax_rows(scores: np.ndarray) -> np.ndarray:
    r"""Per-user min-max scaling to [0, 1]: ``(s - min_u) / (max_u - min_u)``; constant rows -> 0.

    Infinite entries (e.g. ``-inf`` for forbidden items) are ignored for min/max and kept.
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2:
        raise ValueError(f"scores: expected a 2-D array (users x items), got shape {s.shape}")
    if np.isnan(s).any():
        raise ValueError("scores: contains NaN; expected finite scores")
    finite = np.isfinite(s)
    lo = np.where(finite, s, np.inf).min(axis=1, keepdims=True)
    hi = np.where(finite, s, -np.inf).max(axis=1, keepdims=True)
    span = hi - lo
    safe_span = np.where(np.isfinite(span) & (span > 0), span, 1.0)
    safe_lo = np.where(np.isfinite(lo), lo, 0.0)
    out = np.where(np.isfinite(span) & (span > 0), (s - safe_lo) / safe_span, 0.0)
    return np.where(finite, out, s)


def blend(scores_a: np.ndarray, scores_b: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    r"""Hybrid scores: ``alpha * minmax(a) + (1 - alpha) * minmax(b)``, min-max per user.

    Normalising each user's row first puts the two recommenders on the same [0, 1] scale,
    so ``alpha`` really is the weight of ``scores_a``.
    """
    a, b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"scores_b: expected the shape of scores_a {a.shape}, got {b.shape}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha: expected a number in [0, 1], got {alpha!r}")
    return alpha * minmax_rows(a) + (1 - alpha) * minmax_rows(b)


def mmr_rerank(candidates: Sequence[Hashable], relevance: Sequence[float] | np.ndarray,
               item_vectors: np.ndarray, k: int, lambda_: float = 0.5) -> list:
    r"""Maximal marginal relevance (Carbonell & Goldstein, 1998), greedy.

    Picks, one at a time, the candidate that maximises

    .. math:: \lambda\, \mathrm{rel}(i) - (1 - \lambda) \max_{j \in S} \cos(v_i, v_j)

    where ``S`` is the list chosen so far. ``relevance`` and the rows of ``item_vectors`` are
    aligned with ``candidates``. ``lambda_ = 1`` keeps the relevance order; smaller values
    trade relevance for diversity. Reference: doi:10.1145/290941.291025.
    """
    candidates = list(candidates)
    rel = np.asarray(relevance, dtype=float)
    V = np.asarray(item_vectors, dtype=float)
    n = len(candidates)
    if rel.shape != (n,) or np.isnan(rel).any():
        raise ValueError(f"relevance: expected {n} finite numbers (one per candidate), got shape {rel.shape}")
    if V.ndim != 2 or len(V) != n:
        raise ValueError(f"item_vectors: expected {n} rows (one per candidate), got shape {V.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 < k <= n:
        raise ValueError(f"k: expected an integer in [1, {n}] (the number of candidates), got {k!r}")
    if not 0 <= lambda_ <= 1:
        raise ValueError(f"lambda_: expected a number in [0, 1], got {lambda_!r}")
    sim = normalize(V) @ normalize(V).T
    chosen: list[int] = []
    max_sim = np.full(n, -np.inf)               # max similarity to the chosen list so far
    available = np.ones(n, dtype=bool)
    for step in range(k):
        penalty = max_sim if step else np.zeros(n)    # nothing chosen yet: no penalty
        gain = lambda_ * rel - (1 - lambda_) * penalty
        gain[~available] = -np.inf
        best = int(np.argmax(gain))             # ties: the earlier candidate
        chosen.append(best)
        available[best] = False
        max_sim = np.maximum(max_sim, sim[best])
    return [candidates[i] for i in chosen]
