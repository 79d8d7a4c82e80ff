"""Scoring, vectorised top-K, hybrid blending and re-ranking (MMR).

Every recommender here works on a user x item matrix ``R`` (``scipy.sparse``; rows are
users, columns items) and returns a dense score matrix of the same shape. :func:`top_k`
turns any score matrix into top-K lists, leaving out the items a user has already seen.
Item vectors (genres, TF-IDF, language-model embeddings) come in as plain arrays: this
module never imports the language-model layers. :func:`recommend_from_vectors` is the
bridge from ``interests`` (user vectors) to top-K lists in the shape ``metrics`` takes.

Ranks follow the package's one tie rule (see :mod:`recsys_helpers.metrics`): tied items are
ordered uniformly at random under a seed; :func:`top_k` is :func:`metrics.top_k`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

from . import _checks
from .metrics import top_k

__all__ = [
    "interaction_matrix",
    "top_k",
    "to_lists",
    "recommendation_scores",
    "recommend_from_vectors",
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
    _checks.frame(interactions, "interactions", [col_user, col_item], no_nan=[col_user, col_item])
    if value is not None:
        try:
            known = not isinstance(value, (bool, np.bool_)) and value in interactions.columns
        except TypeError:
            known = False
        if not known:
            raise ValueError(f"value: expected None or the name of a column of interactions "
                             f"{list(interactions.columns)}, got {value!r}")
    user_index = pd.Index(_sorted_ids(interactions, col_user, "users") if users is None
                          else _checks.id_list(users, "users"))
    item_index = pd.Index(_sorted_ids(interactions, col_item, "items") if items is None
                          else _checks.id_list(items, "items"))
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
        vals = _checks.array(interactions[value].to_numpy(), f"interactions: column {value!r}", ndim=1)
    keep = ~pairs.duplicated(keep="last").to_numpy()
    R = sparse.csr_matrix((vals[keep], (rows[keep], cols_[keep])),
                          shape=(len(user_index), len(item_index)))
    return R, user_index, item_index


def _sorted_ids(interactions: pd.DataFrame, col: str, arg: str) -> list:
    """The distinct ids of a column, sorted; ids of mixed types (1 and "a") cannot be."""
    ids = interactions[col].unique()
    try:
        return sorted(ids)
    except TypeError:
        kinds = sorted({type(i).__name__ for i in ids})
        raise ValueError(f"interactions: column {col!r} mixes id types {kinds} that cannot be sorted; "
                         f"expected one type of id, or pass {arg}= to fix the order") from None


# --------------------------------------------------------------------------- top-K
def to_lists(indices: np.ndarray, user_ids: Sequence[Hashable],
             item_ids: Sequence[Hashable]) -> dict[Hashable, list]:
    """Turn ``top_k`` output into ``{user_id: [item_id, ...]}`` (what ``metrics`` expects)."""
    user_ids = _checks.id_list(user_ids, "user_ids", unique=True)
    item_ids = np.asarray(_checks.id_list(item_ids, "item_ids", unique=True), dtype=object)
    indices = np.asarray(indices)
    if indices.ndim != 2 or len(indices) != len(user_ids) or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(f"indices: expected an integer array of shape ({len(user_ids)}, k), got "
                         f"{indices.dtype} {indices.shape}")
    if indices.shape[1] == 0:
        raise ValueError(f"indices: expected at least one column (k >= 1), got shape {indices.shape}")
    if indices.min() < 0 or indices.max() >= len(item_ids):
        raise ValueError(f"indices: expected column positions in [0, {len(item_ids)}), got values in "
                         f"[{indices.min()}, {indices.max()}]")
    ordered = np.sort(indices, axis=1)
    repeats = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    if repeats.any():
        raise ValueError(f"indices: row {int(np.argmax(repeats))} repeats a column; expected distinct "
                         "columns in each row (the output of top_k)")
    return {u: item_ids[row].tolist() for u, row in zip(user_ids, indices)}


# --------------------------------------------------------------------------- vectors -> scores -> lists
def recommendation_scores(user: Sequence[float] | np.ndarray, items: "Matrix",
                          method: str = "cosine") -> np.ndarray:
    """Score every item (a row of ``items``) for one ``user`` vector.

    ``"cosine"``: ``score(u, i) = u . v_i / (||u|| ||v_i||)``; an item row that is all zeros
    (no known term) gets the score 0 since it shares nothing with the user.
    ``"dot"``: ``score(u, i) = u . v_i``, which also grows with the length of ``v_i``.
    """
    _checks.one_of(method, "method", ("cosine", "dot"))
    u = _checks.vector(user, "user")
    m = _check_features(items, name="items")
    if m.shape[1] != u.shape[0]:
        raise ValueError(f"items: expected {u.shape[0]} columns like user, got shape {m.shape}")
    dots = np.asarray(m @ u).ravel()
    if method == "dot":
        return dots
    nu = float(np.linalg.norm(u))
    if nu == 0.0:
        raise ValueError("user: cosine scores are undefined for a zero user vector")
    if sparse.issparse(m):
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    else:
        norms = np.linalg.norm(m, axis=1)
    out = np.zeros_like(dots)
    ok = norms > 0
    out[ok] = dots[ok] / (norms[ok] * nu)
    return np.clip(out, -1.0, 1.0)


def _vector_frame(df: object, name: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name}: expected a DataFrame indexed by id with one vector per row, "
                         f"got {type(df).__name__}")
    if df.empty:
        raise ValueError(f"{name}: expected at least one row, got an empty frame")
    _checks.no_nan_ids(df.index, f"{name}.index")
    if df.index.has_duplicates:
        raise ValueError(f"{name}: index has duplicate ids; expected one row per id")
    odd = [c for c, t in df.dtypes.items() if pd.api.types.is_bool_dtype(t) or not pd.api.types.is_numeric_dtype(t)]
    if odd:
        raise ValueError(f"{name}: expected numeric columns, column {odd[0]!r} has dtype {df.dtypes[odd[0]]}")
    _checks.array(df.to_numpy(), name, ndim=2)
    return df


def recommend_from_vectors(user_vectors: pd.DataFrame, item_vectors: pd.DataFrame, k: int = 10,
                           seen: pd.DataFrame | None = None, *, method: str = "cosine", seed: int = 0,
                           col_user: str = "user_id", col_item: str = "item_id") -> pd.DataFrame:
    r"""Top-K items for every user from interest vectors: the bridge ``interests -> metrics``.

    ``user_vectors`` (index = user id) and ``item_vectors`` (index = item id) live in the
    same space (e.g. chapter 3's interest vectors and the item embeddings). Each item gets
    ``score(u, i) = cos(p_u, x_i)`` (or the dot product with ``method="dot"``); the items of
    ``seen`` (interactions with ``col_user``/``col_item``; users not in ``user_vectors`` are
    ignored) are excluded; ties follow the package's tie rule (``seed``). Returns a
    DataFrame ``col_user, col_item, rank (1 = best), score``, sorted by user and rank: the
    shape every function of ``metrics`` takes.
    """
    U = _vector_frame(user_vectors, "user_vectors")
    X = _vector_frame(item_vectors, "item_vectors")
    if U.shape[1] != X.shape[1]:
        raise ValueError(f"item_vectors: expected {U.shape[1]} dimensions like user_vectors, got {X.shape[1]}")
    _checks.one_of(method, "method", ("cosine", "dot"))
    k = _checks.integer(k, "k", 1, len(X))
    if col_item == col_user or col_user in ("rank", "score") or col_item in ("rank", "score"):
        raise ValueError(f"col_item: expected two distinct column names other than 'rank' and 'score', "
                         f"got col_user={col_user!r} and col_item={col_item!r}")
    u, x = U.to_numpy(dtype=float), X.to_numpy(dtype=float)
    if method == "cosine":
        for name, v in (("user_vectors", u), ("item_vectors", x)):
            zero = np.linalg.norm(v, axis=1) == 0
            if zero.any():
                raise ValueError(f"{name}: {int(zero.sum())} row(s) are zero vectors; cosine is undefined")
        u, x = normalize(u), normalize(x)
    scores = u @ x.T
    exclude = None
    if seen is not None:
        _checks.frame(seen, "seen", [col_user, col_item], non_empty=False, no_nan=[col_user, col_item])
        known = seen[seen[col_user].isin(U.index)]
        cols = X.index.get_indexer(known[col_item])
        if (cols < 0).any():
            bad = known[col_item].to_numpy()[np.flatnonzero(cols < 0)[0]]
            raise ValueError(f"seen: item {bad!r} in column {col_item!r} has no row in item_vectors")
        exclude = np.zeros(scores.shape, dtype=bool)
        exclude[U.index.get_indexer(known[col_user]), cols] = True
    idx = top_k(scores, k, exclude=exclude, seed=seed)
    rows = np.repeat(np.arange(len(U)), k)
    return pd.DataFrame({col_user: np.repeat(U.index.to_numpy(), k),
                         col_item: X.index.to_numpy()[idx.ravel()],
                         "rank": np.tile(np.arange(1, k + 1), len(U)),
                         "score": scores[rows, idx.ravel()]})


# --------------------------------------------------------------------------- recommenders
def _check_matrix(R: object, name: str = "R") -> sparse.csr_matrix:
    """A finite numeric user x item matrix in CSR form (booleans count as 0/1 interactions)."""
    _checks.matrix_like(R, name)
    if R.dtype.kind not in "biuf":  # type: ignore[union-attr]
        raise ValueError(f"{name}: expected a numeric matrix, got dtype {R.dtype}")  # type: ignore[union-attr]
    shape = R.shape  # type: ignore[union-attr]
    if 0 in shape:
        raise ValueError(f"{name}: expected at least one user and one item, got shape {shape}")
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
    if S is not None and sparse.issparse(S):
        S = S.toarray()
    S = cosine_item_similarity(R) if S is None else _checks.array(S, "S", ndim=2)
    if S.shape != (R.shape[1], R.shape[1]):
        raise ValueError(f"S: expected shape ({R.shape[1]}, {R.shape[1]}), got {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError("S: expected finite similarities, found NaN or infinity")
    if n_neighbours is not None:
        n_neighbours = _checks.integer(n_neighbours, "n_neighbours", 1, S.shape[0])
        # for each target item j (a column of S) keep its n most similar items i; ties at the
        # n-th place follow the package's tie rule (metrics.top_k, uniformly random, seed 0)
        keep = top_k(S.T, n_neighbours).T                           # (n_neighbours, n_items)
        pruned = np.zeros_like(S)
        np.put_along_axis(pruned, keep, np.take_along_axis(S, keep, axis=0), axis=0)
        S = pruned
    return np.asarray(R @ S)


def _check_features(item_features: "Matrix", n_items: int | None = None,
                    name: str = "item_features") -> "Matrix":
    """A finite (n_items, d) dense array or CSR matrix of item vectors."""
    _checks.matrix_like(item_features, name)
    if n_items is not None and item_features.shape[0] != n_items:
        raise ValueError(f"{name}: expected {n_items} rows (one per item column of R), "
                         f"got {item_features.shape[0]}")
    if sparse.issparse(item_features):
        if item_features.dtype.kind not in "iuf":
            raise ValueError(f"{name}: expected a numeric matrix, got dtype {item_features.dtype}")
        if 0 in item_features.shape:
            raise ValueError(f"{name}: expected at least one value, got shape {item_features.shape}")
        X = sparse.csr_matrix(item_features, dtype=float)
        if X.nnz and not np.isfinite(X.data).all():
            raise ValueError(f"{name}: expected finite numbers, got NaN or infinity")
        return X
    return _checks.array(item_features, name, ndim=2)


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
    s = _checks.array(scores, "scores", ndim=2, finite=False)
    if np.isnan(s).any():
        raise ValueError("scores: contains NaN; expected numbers (-inf marks a forbidden item)")
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
    so ``alpha`` really is the weight of ``scores_a``. ``-inf`` (a forbidden item) in either
    input stays ``-inf`` in the blend, whatever ``alpha``; ``NaN`` and ``+inf`` are rejected.
    """
    a = _checks.array(scores_a, "scores_a", ndim=2, allow_neg_inf=True)
    b = _checks.array(scores_b, "scores_b", ndim=2, allow_neg_inf=True)
    if a.shape != b.shape:
        raise ValueError(f"scores_b: expected the shape of scores_a {a.shape}, got {b.shape}")
    alpha = _checks.fraction(alpha, "alpha")
    forbidden = np.isneginf(a) | np.isneginf(b)
    out = alpha * np.where(forbidden, 0.0, minmax_rows(a)) + (1 - alpha) * np.where(forbidden, 0.0, minmax_rows(b))
    out[forbidden] = -np.inf
    return out


def mmr_rerank(candidates: Sequence[Hashable], relevance: Sequence[float] | np.ndarray,
               item_vectors: np.ndarray, k: int, lambda_: float = 0.5) -> list:
    r"""Maximal marginal relevance (Carbonell & Goldstein, 1998), greedy.

    Picks, one at a time, the candidate that maximises

    .. math:: \lambda\, \mathrm{rel}(i) - (1 - \lambda) \max_{j \in S} \cos(v_i, v_j)

    where ``S`` is the list chosen so far. ``relevance`` and the rows of ``item_vectors`` are
    aligned with ``candidates``. ``lambda_ = 1`` keeps the relevance order; smaller values
    trade relevance for diversity. An all-zero vector has cosine 0 to every other vector (it
    is never penalised). ``item_vectors`` may be dense or a SciPy sparse matrix.
    Reference: doi:10.1145/290941.291025.
    """
    candidates = _checks.id_list(candidates, "candidates", unique=True)
    rel = _checks.array(relevance, "relevance", ndim=1)
    if sparse.issparse(item_vectors):
        item_vectors = item_vectors.toarray()
    V = _checks.array(item_vectors, "item_vectors", ndim=2)
    n = len(candidates)
    if rel.shape != (n,):
        raise ValueError(f"relevance: expected {n} finite numbers (one per candidate), got shape {rel.shape}")
    if len(V) != n:
        raise ValueError(f"item_vectors: expected {n} rows (one per candidate), got shape {V.shape}")
    k = _checks.integer(k, "k", 1, n)
    lambda_ = _checks.fraction(lambda_, "lambda_")
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
