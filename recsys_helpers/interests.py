"""User interest vectors from behaviour and text, multi-interest clusters, and naming them.

Three ways to turn a user's history into one vector in the items' embedding space:

* **behaviour**: every event ``e`` on item ``i`` at time ``t`` gets the weight
  ``w_e = w_event(e) * 2 ** (-(t_now - t) / h)`` (event weight times an exponential time
  decay with half-life ``h``); the user vector is the weighted average of item vectors,
  ``b_u = normalise(sum_e w_e x_{i(e)})``;
* **text**: the items the user engaged with (each once) and the user's own review texts,
  each weighted by the review's sentiment ``s`` (VADER compound in [-1, 1],
  ``text.sentiment_en``) through ``w(s) = (1 + s) / 2`` (``text.sentiment_weight``; an item
  without a review is neutral, ``w(0) = 1/2``):
  ``t_u = normalise(sum_i w(s_ui) x_i + lambda * sum_r w(s_r) z_r)`` with ``z_r`` the
  embedding of review ``r``;
* **fused**: ``normalise(alpha * b_u + (1 - alpha) * t_u)``; both parts are unit vectors in
  the same space, so ``alpha`` is the share of behaviour.

``normalise(v) = v / ||v||_2``. :class:`InterestModel` wraps the three as a scikit-learn
estimator. :func:`interest_vector` is the same sentiment weighting for one user's documents
(e.g. TF-IDF rows, chapter 4). :func:`interest_prototypes` builds one vector per known
interest (an :class:`InterestPrototypes`, which carries its centre explicitly) and
:func:`interest_affinity` scores users against them. :func:`cluster_history` splits one
user's history into several interests (k-means, ``k`` chosen by silhouette) and
:class:`InterestNamer` names each interest by TF-IDF keywords and by a constrained choice of
the small generative model.

Inputs are checked with the package's one set of checks (``recsys_helpers._checks``): a
wrong type, a missing column, an empty input, NaN, an unknown or duplicate id or a
mismatched dimension raises a ``ValueError`` that names the argument. Nothing is dropped
silently: users present on one side only make :func:`fuse` and :func:`recovery_scores`
raise unless the caller asks for ``how="inner"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from . import _checks
from . import text as _text

__all__ = [
    "DEFAULT_EVENT_WEIGHTS",
    "DAY",
    "event_time_weights",
    "as_item_frame",
    "behaviour_vectors",
    "review_sentiments",
    "text_vectors",
    "fuse",
    "interest_vector",
    "InterestModel",
    "InterestPrototypes",
    "interest_prototypes",
    "interest_affinity",
    "recovery_scores",
    "choose_k",
    "cluster_history",
    "InterestNamer",
]

DAY = 86_400

#: Weight of each event type: stronger commitment, larger weight. Ratings (MovieLens) and
#: plays count like a view; a repeat like a cart; a skip carries no positive interest.
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0, "cart": 2.0, "purchase": 3.0, "review": 3.0,
    "rating": 1.0, "play": 1.0, "repeat": 2.0, "skip": 0.0,
}

_EVENT_COLUMNS = ["user_id", "item_id", "event", "timestamp"]
_HOW = ("exact", "inner")


# --------------------------------------------------------------------------- parameters and frames
def _id(value: object) -> str:
    """An id for a message: ``3``, not ``np.int64(3)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _half_life(value: object) -> float:
    """``half_life_days`` as a float; ``None`` (no decay) becomes ``inf``."""
    if value is None:
        return math.inf
    try:
        return _checks.number(value, "half_life_days", 0, low_open=True, allow_inf=True)
    except ValueError as err:
        raise ValueError(f"{err} (or None for no decay)") from None


def _event_weight_map(event_weights: object) -> dict:
    """The event -> weight mapping (the defaults for ``None``); every weight a number >= 0."""
    if event_weights is None:
        return dict(DEFAULT_EVENT_WEIGHTS)
    if not isinstance(event_weights, Mapping) or not event_weights:
        raise ValueError(f"event_weights: expected a non-empty mapping event -> weight (e.g. "
                         f"{DEFAULT_EVENT_WEIGHTS}) or None, got {type(event_weights).__name__}")
    return {k: _checks.number(v, f"event_weights[{k!r}]", low=0) for k, v in event_weights.items()}


def _timestamps(df: pd.DataFrame, name: str = "interactions") -> np.ndarray:
    col = df["timestamp"]
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        raise ValueError(f"{name}: column 'timestamp' expected Unix times in seconds (numbers), "
                         f"got dtype {col.dtype}")
    t = col.to_numpy(dtype=np.float64)
    if not np.isfinite(t).all():
        raise ValueError(f"{name}: column 'timestamp' expected finite times, found infinity")
    return t


def _text_column(df: pd.DataFrame, column: str, name: str) -> np.ndarray:
    """The texts of ``df[column]`` (missing values become ""), rejecting non-string values."""
    col = df[column]
    missing = col.isna().to_numpy()
    bad = [v for v, m in zip(col, missing) if not m and not isinstance(v, str)]
    if bad:
        raise ValueError(f"{name}: column {column!r} expected texts (str) or missing values, found "
                         f"{len(bad)} value(s) of type {type(bad[0]).__name__} (e.g. {_id(bad[0])})")
    return np.array(["" if m else v for v, m in zip(col, missing)], dtype=object)


def _vector_frame(df: object, name: str, what: str) -> pd.DataFrame:
    """A non-empty DataFrame of finite numbers, one row per distinct, non-missing ``what`` id."""
    _checks.frame(df, name)
    if df.shape[1] == 0:  # type: ignore[union-attr]
        raise ValueError(f"{name}: expected at least one column (a vector dimension), got none")
    bad = [c for c, t in df.dtypes.items()  # type: ignore[union-attr]
           if pd.api.types.is_bool_dtype(t) or not pd.api.types.is_numeric_dtype(t)]
    if bad:
        raise ValueError(f"{name}: expected numeric columns, column {bad[0]!r} has dtype "
                         f"{df.dtypes[bad[0]]}")  # type: ignore[union-attr]
    _checks.array(df.to_numpy(), name, ndim=2)  # type: ignore[union-attr]
    _checks.no_nan_ids(df.index, f"{name} index ({what})")  # type: ignore[union-attr]
    if df.index.has_duplicates:  # type: ignore[union-attr]
        dup = df.index[df.index.duplicated()][0]  # type: ignore[union-attr]
        raise ValueError(f"{name}: index ({what}) has duplicates (e.g. {_id(dup)}); expected one row per {what}")
    return df  # type: ignore[return-value]


def _normalise_rows(x: np.ndarray, name: str = "vectors",
                    why: str = "expected at least one event with a positive weight per user") -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name}: {int((norms == 0).sum())} row(s) are the zero vector; {why}")
    return x / norms


def _sorted_index(values: np.ndarray, name: str, column: str) -> pd.Index:
    try:
        return pd.Index(np.unique(values), name=column)
    except TypeError:
        raise ValueError(f"{name}: column {column!r} mixes id types that cannot be ordered; "
                         "expected ids of one type") from None


def _same_users(a: pd.Index, b: pd.Index, name_a: str, name_b: str, how: str) -> pd.Index:
    """The users of both indexes (sorted); with ``how="exact"`` raise unless they are the same set."""
    how = _checks.one_of(how, "how", _HOW)
    only_a, only_b = a.difference(b), b.difference(a)
    if how == "exact" and (len(only_a) or len(only_b)):
        parts = []
        if len(only_a):
            parts.append(f"{len(only_a)} user(s) of {name_a} are missing from {name_b} (e.g. {_id(only_a[0])})")
        if len(only_b):
            parts.append(f"{len(only_b)} user(s) of {name_b} are missing from {name_a} (e.g. {_id(only_b[0])})")
        who = name_b if len(only_a) and not len(only_b) else name_a if len(only_b) and not len(only_a) \
            else f"{name_a}, {name_b}"
        raise ValueError(f"{who}: {'; '.join(parts)}; expected the same users on both sides, or pass "
                         "how='inner' to keep only the users in both")
    users = a.intersection(b, sort=True)
    if len(users) == 0:
        raise ValueError(f"{name_b}: no user in common with {name_a}; expected indexes of user ids")
    return users


# --------------------------------------------------------------------------- behaviour
def event_time_weights(interactions: pd.DataFrame, event_weights: Mapping[str, float] | None = None,
                       half_life_days: float | None = 30.0, now: float | None = None) -> np.ndarray:
    """Weight of every event: ``w = w_event(event) * 2 ** (-(now - t) / (half_life_days * 86400))``.

    ``now`` defaults to the latest timestamp in ``interactions`` and may not be earlier than
    it (a future event would count more than a fresh one); ``half_life_days=None`` switches
    the decay off. After one half-life an event counts half, after two a quarter.
    """
    df = _checks.frame(interactions, "interactions", ["event", "timestamp"], no_nan=["event", "timestamp"])
    ew = _event_weight_map(event_weights)
    unknown = sorted(set(df["event"].unique()) - set(ew), key=str)
    if unknown:
        raise ValueError(f"event_weights: no weight for event type(s) {unknown}; expected a mapping "
                         f"that covers every event, e.g. {DEFAULT_EVENT_WEIGHTS}")
    h = _half_life(half_life_days)
    t = _timestamps(df)
    latest = float(t.max())
    t_now = latest if now is None else _checks.number(now, "now")
    if t_now < latest:
        raise ValueError(f"now: expected a Unix time at or after the latest event ({latest:g}), got {now!r}")
    age_days = (t_now - t) / DAY
    decay = np.power(2.0, -age_days / h) if math.isfinite(h) else np.ones_like(t)
    return df["event"].map(ew).to_numpy(dtype=float) * decay


def as_item_frame(item_vectors: pd.DataFrame | np.ndarray, item_ids: Sequence | None = None,
                  name: str = "item_vectors") -> pd.DataFrame:
    """Item vectors as a DataFrame indexed by ``item_id`` (an array needs ``item_ids``).

    A DataFrame is returned as it is (after checking: finite numbers, distinct non-missing
    ids); an array is copied into a new frame.
    """
    if isinstance(item_vectors, pd.DataFrame):
        if item_ids is not None:
            raise ValueError("item_ids: expected None for a DataFrame (its index holds the item ids)")
        return _vector_frame(item_vectors, name, "item_id")
    if item_ids is None:
        raise ValueError(f"{name}: expected a DataFrame indexed by item_id (or a 2-D array together "
                         f"with item_ids), got {type(item_vectors).__name__}")
    x = _checks.array(item_vectors, name, ndim=2)
    ids = _checks.id_list(item_ids, "item_ids", unique=True)
    _checks.same_length(x, ids, name, "item_ids")
    return pd.DataFrame(x, index=pd.Index(ids, name="item_id"))


def _item_positions(item_ids: pd.Series, frame: pd.DataFrame, name: str = "interactions") -> np.ndarray:
    pos = frame.index.get_indexer(item_ids)
    if np.any(pos < 0):
        bad = np.asarray(item_ids)[pos < 0][0]
        raise ValueError(f"{name}: column 'item_id' has {int((pos < 0).sum())} ids with no row in "
                         f"item_vectors (e.g. {_id(bad)}); expected every item to have a vector")
    return pos


def _user_item_matrix(users: np.ndarray, items: np.ndarray, w: np.ndarray, n_items: int
                      ) -> tuple[pd.Index, sp.csr_matrix]:
    index = _sorted_index(users, "interactions", "user_id")
    rows = index.get_indexer(users)
    m = sp.csr_matrix((w, (rows, items)), shape=(len(index), n_items))
    m.sum_duplicates()
    return index, m


def behaviour_vectors(interactions: pd.DataFrame, item_vectors: pd.DataFrame,
                      event_weights: Mapping[str, float] | None = None,
                      half_life_days: float | None = 30.0, now: float | None = None) -> pd.DataFrame:
    """Behaviour interest vectors, one L2-normalised row per user (index ``user_id``).

    ``b_u = normalise(sum_e w_e x_{i(e)})`` with ``w_e`` from :func:`event_time_weights`
    (normalising makes the weighted *average* and the weighted sum point the same way).
    """
    df = _checks.frame(interactions, "interactions", _EVENT_COLUMNS, no_nan=_EVENT_COLUMNS)
    frame = as_item_frame(item_vectors)
    w = event_time_weights(df, event_weights, half_life_days, now)
    pos = _item_positions(df["item_id"], frame)
    index, m = _user_item_matrix(df["user_id"].to_numpy(), pos, w, len(frame))
    v = _normalise_rows(np.asarray(m @ frame.to_numpy(dtype=float)), "interactions")
    return pd.DataFrame(v, index=index, columns=frame.columns)


# --------------------------------------------------------------------------- text
def review_sentiments(texts: Sequence[str]) -> np.ndarray:
    """Sentiment in [-1, 1] of each text: ``text.sentiment_en`` (VADER compound); 0 for an
    empty or blank text (no review)."""
    values = _checks.texts(texts, "texts")
    return np.array([_text.sentiment_en(t) if t.strip() else 0.0 for t in values], dtype=float)


def text_vectors(interactions: pd.DataFrame, item_vectors: pd.DataFrame,
                 review_vectors: np.ndarray | None = None, review_weight: float = 1.0,
                 text_column: str = "review_text") -> pd.DataFrame:
    """Text interest vectors: ``t_u = normalise(sum_i w(s_ui) x_i + lambda sum_r w(s_r) z_r)``.

    ``w(s) = (1 + s) / 2`` (``text.sentiment_weight``). ``i`` runs over the distinct items the
    user engaged with, ``s_ui`` is the mean sentiment of the user's reviews of item ``i`` (0
    when none), ``r`` over the user's reviews (rows with a non-empty ``text_column``; a
    missing value counts as no review) and ``z_r`` their embeddings given in
    ``review_vectors`` (one row per review row, in order; same dimension as the items).
    ``lambda`` = ``review_weight``. Without ``review_vectors`` only the item part is used.
    """
    df = _checks.frame(interactions, "interactions", ["user_id", "item_id"], no_nan=["user_id", "item_id"])
    frame = as_item_frame(item_vectors)
    text_column = _checks.text(text_column, "text_column")
    lam = _checks.number(review_weight, "review_weight", low=0)
    texts = _text_column(df, text_column, "interactions") if text_column in df.columns \
        else np.full(len(df), "", dtype=object)
    is_rev = np.array([bool(t.strip()) for t in texts], dtype=bool)
    z = None
    if review_vectors is not None:
        z = _checks.array(review_vectors, "review_vectors", ndim=2, non_empty=False)
        if z.shape != (int(is_rev.sum()), frame.shape[1]):
            raise ValueError(f"review_vectors: expected shape ({int(is_rev.sum())} reviews, {frame.shape[1]}), "
                             f"got {z.shape}")
    s = np.zeros(len(df))
    if is_rev.any():
        s[is_rev] = review_sentiments(list(texts[is_rev]))
    # per (user, item): mean sentiment of the user's reviews of it, 0 when none
    key = pd.DataFrame({"u": df["user_id"].to_numpy(), "i": df["item_id"].to_numpy(), "s": s, "r": is_rev})
    g = key.groupby(["u", "i"], sort=False)
    n_rev = g["r"].sum()
    mean_s = (g["s"].sum() / n_rev.where(n_rev > 0, 1)).where(n_rev > 0, 0.0)
    pairs = mean_s.index.to_frame(index=False)
    pos = _item_positions(pairs["i"], frame)
    weights = np.atleast_1d(_text.sentiment_weight(mean_s.to_numpy(dtype=float)))
    index, m = _user_item_matrix(pairs["u"].to_numpy(), pos, weights, len(frame))
    v = np.asarray(m @ frame.to_numpy(dtype=float))
    if z is not None and len(z):
        rows = index.get_indexer(df["user_id"].to_numpy()[is_rev])
        w_rev = np.atleast_1d(_text.sentiment_weight(s[is_rev]))
        v += lam * (sp.csr_matrix((w_rev, (rows, np.arange(len(rows)))), shape=(len(index), len(rows))) @ z)
    v = _normalise_rows(v, "interactions")
    return pd.DataFrame(v, index=index, columns=frame.columns)


def fuse(behaviour: pd.DataFrame, text: pd.DataFrame, alpha: float = 0.5,
         how: Literal["exact", "inner"] = "exact") -> pd.DataFrame:
    """Fused vectors ``normalise(alpha * b_u + (1 - alpha) * t_u)``, one row per user (sorted).

    Both frames are indexed by ``user_id`` with vectors in the same space. ``how="exact"``
    (default) expects the same users in both and raises a ``ValueError`` that counts the users
    missing from each side; ``how="inner"`` keeps only the users in both (the intersection),
    on purpose. Where ``alpha * b_u + (1 - alpha) * t_u`` is the zero vector (opposite unit
    vectors at ``alpha = 1/2``) the behaviour vector is kept.
    """
    a = _checks.fraction(alpha, "alpha")
    b_df = _vector_frame(behaviour, "behaviour", "user_id")
    t_df = _vector_frame(text, "text", "user_id")
    if b_df.shape[1] != t_df.shape[1]:
        raise ValueError(f"text: expected vectors in the same space as behaviour ({b_df.shape[1]} dims), "
                         f"got {t_df.shape[1]} dims")
    users = _same_users(b_df.index, t_df.index, "behaviour", "text", how)
    b = _normalise_rows(b_df.loc[users].to_numpy(dtype=float), "behaviour", "expected non-zero vectors")
    t = _normalise_rows(t_df.loc[users].to_numpy(dtype=float), "text", "expected non-zero vectors")
    v = a * b + (1 - a) * t
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    v = np.where(norms > 0, v / np.where(norms > 0, norms, 1), b)  # opposite unit vectors: keep b
    return pd.DataFrame(v, index=users, columns=b_df.columns)


def interest_vector(vectors: np.ndarray | sp.spmatrix, sentiments: Sequence[float] | np.ndarray | None = None,
                    scheme: Literal["affine", "signed"] = "affine", normalise: bool = True) -> np.ndarray:
    """A user's interest vector from the vectors of their texts (e.g. TF-IDF rows) and their sentiments.

    ``u = sum_d w(s_d) x_d`` with ``w`` from ``text.sentiment_weight`` (``"affine"``:
    ``(1 + s) / 2``; ``"signed"``: ``s``; all weights 1 when ``sentiments`` is None), then
    ``u / ||u||`` when ``normalise``. The sentiment is a *weight on a vector*, not an extra
    coordinate: a vector plus a scalar is not a vector. A 1-D ``vectors`` is one document.
    Raises ``ValueError`` when the weighted sum is the zero vector (nothing to point at).
    """
    scheme = _checks.one_of(scheme, "scheme", ("affine", "signed"))
    normalise = _checks.flag(normalise, "normalise")
    if sp.issparse(vectors):
        if vectors.dtype == bool or not np.issubdtype(vectors.dtype, np.number):
            raise ValueError(f"vectors: expected a numeric matrix, got dtype {vectors.dtype}")
        x = sp.csr_matrix(vectors, dtype=float)
        if x.data.size and not np.isfinite(x.data).all():
            raise ValueError("vectors: expected finite numbers, found NaN or infinity")
        if 0 in x.shape:
            raise ValueError(f"vectors: expected at least one document vector, got shape {x.shape}")
    else:
        x = _checks.array(vectors, "vectors")
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2:
            raise ValueError(f"vectors: expected a 2-D matrix (documents x terms), got shape {x.shape}")
    n = x.shape[0]
    if sentiments is None:
        w = np.ones(n)
    else:
        s = np.atleast_1d(_checks.array(sentiments, "sentiments"))
        if s.shape != (n,):
            raise ValueError(f"sentiments: expected one score per row of vectors ({n}), got shape {s.shape}")
        if (s < -1).any() or (s > 1).any():
            raise ValueError(f"sentiments: expected scores in [-1, 1], got values from {s.min():.3g} "
                             f"to {s.max():.3g}")
        w = np.atleast_1d(_text.sentiment_weight(s, scheme))
    u = np.asarray(x.T @ w, dtype=float).ravel()
    if normalise:
        norm = float(np.linalg.norm(u))
        if norm == 0.0:
            raise ValueError("vectors: the sentiment-weighted sum is the zero vector (e.g. every "
                             "weight is 0); expected at least one document with a positive weight")
        u = u / norm
    return u


# --------------------------------------------------------------------------- estimator
class InterestModel(BaseEstimator):
    """Scikit-learn estimator of user interest vectors.

    ``kind``: ``"behaviour"``, ``"text"`` or ``"fused"`` (see the module docstring).
    ``fit(interactions, item_vectors, review_vectors=None)`` validates the parameters and
    learns ``user_vectors_`` (one L2-normalised row per user), ``user_index_`` (their ids),
    ``n_features_in_`` (the dimension of the item vectors) and ``parts_`` (the behaviour and
    text frames it fused); ``transform(user_ids)`` returns the rows for the given users as an
    array ``(n, d)``. Before ``fit``, ``transform`` raises ``sklearn.exceptions.NotFittedError``
    (a ``ValueError``). For the text parts the reviews are encoded with ``encoder`` (a
    callable ``list[str] -> array``) unless ``review_vectors`` is given; with neither, the
    review texts only set the sentiment. ``get_params``/``set_params``/``clone`` come from
    ``sklearn.base.BaseEstimator``.
    """

    def __init__(self, kind: str = "behaviour", half_life_days: float | None = 30.0,
                 event_weights: Mapping[str, float] | None = None, alpha: float = 0.5,
                 review_weight: float = 1.0, now: float | None = None,
                 encoder: Callable[[list[str]], np.ndarray] | None = None,
                 text_column: str = "review_text") -> None:
        self.kind = kind
        self.half_life_days = half_life_days
        self.event_weights = event_weights
        self.alpha = alpha
        self.review_weight = review_weight
        self.now = now
        self.encoder = encoder
        self.text_column = text_column

    def _check_params(self) -> None:
        _checks.one_of(self.kind, "kind", ("behaviour", "text", "fused"))
        _half_life(self.half_life_days)
        _event_weight_map(self.event_weights)
        _checks.fraction(self.alpha, "alpha")
        _checks.number(self.review_weight, "review_weight", low=0)
        if self.now is not None:
            _checks.number(self.now, "now")
        if self.encoder is not None and not callable(self.encoder):
            raise ValueError(f"encoder: expected a callable list[str] -> array or None, "
                             f"got {type(self.encoder).__name__}")
        _checks.text(self.text_column, "text_column")

    def fit(self, interactions: pd.DataFrame, item_vectors: pd.DataFrame,
            review_vectors: np.ndarray | None = None) -> "InterestModel":
        """Learn one interest vector per user of ``interactions``; returns ``self``."""
        self._check_params()
        _checks.frame(interactions, "interactions", ["user_id", "item_id"])
        frame = as_item_frame(item_vectors)
        parts: dict[str, pd.DataFrame] = {}
        if self.kind in ("behaviour", "fused"):
            parts["behaviour"] = behaviour_vectors(interactions, frame, self.event_weights,
                                                   self.half_life_days, self.now)
        if self.kind in ("text", "fused"):
            if review_vectors is None and self.encoder is not None and self.text_column in interactions.columns:
                texts = [t for t in _text_column(interactions, self.text_column, "interactions") if t.strip()]
                if texts:
                    review_vectors = _checks.array(self.encoder(texts), "encoder", ndim=2)
                    if len(review_vectors) != len(texts):
                        raise ValueError(f"encoder: expected one vector per review ({len(texts)}), "
                                         f"got {len(review_vectors)}")
                else:
                    review_vectors = np.zeros((0, frame.shape[1]))
            parts["text"] = text_vectors(interactions, frame, review_vectors, self.review_weight,
                                         self.text_column)
        out = fuse(parts["behaviour"], parts["text"], self.alpha) if self.kind == "fused" \
            else parts[self.kind]
        self.user_index_ = out.index
        self.user_vectors_ = out.to_numpy(dtype=float)
        self.n_features_in_ = int(frame.shape[1])
        self.parts_ = parts
        return self

    def transform(self, user_ids: Sequence | None = None) -> np.ndarray:
        """Interest vectors ``(len(user_ids), d)`` (all fitted users, in ``user_index_`` order, if None).

        A user asked for twice gets two (equal) rows; an unknown user is a ``ValueError``.
        """
        check_is_fitted(self)
        if user_ids is None:
            return self.user_vectors_.copy()
        ids = _checks.id_list(user_ids, "user_ids")
        pos = self.user_index_.get_indexer(pd.Index(ids, dtype=object))
        if np.any(pos < 0):
            bad = [u for u, p in zip(ids, pos) if p < 0]
            raise ValueError(f"user_ids: {len(bad)} unknown user id(s) (e.g. {_id(bad[0])}); "
                             "expected users seen in fit()")
        return self.user_vectors_[pos].copy()

    def fit_transform(self, interactions: pd.DataFrame, item_vectors: pd.DataFrame,
                      review_vectors: np.ndarray | None = None) -> np.ndarray:
        """``fit(...)`` then ``transform()``: the vectors of all users, ``(n_users, d)``."""
        return self.fit(interactions, item_vectors, review_vectors).transform()

    def to_frame(self) -> pd.DataFrame:
        """The learned vectors as a DataFrame indexed by ``user_id``."""
        check_is_fitted(self)
        return pd.DataFrame(self.user_vectors_, index=self.user_index_)


# --------------------------------------------------------------------------- recovery of known interests
@dataclass(frozen=True, eq=False)
class InterestPrototypes:
    """Prototype vectors of interests and the centre they are measured from.

    ``vectors``: a DataFrame, one row per interest (index = interest names), columns = the
    dimensions of the item space. ``center``: the vector ``m`` subtracted from items (and from
    users in :func:`interest_affinity`) before taking cosines; zeros for no centring. The
    centre travels in this object, explicitly, not in ``DataFrame.attrs`` (which pandas drops
    on many operations).
    """

    vectors: pd.DataFrame
    center: np.ndarray

    def __post_init__(self) -> None:
        v = _vector_frame(self.vectors, "vectors", "interest")
        c = _checks.vector(self.center, "center")
        if len(c) != v.shape[1]:
            raise ValueError(f"center: expected {v.shape[1]} numbers (the dimension of vectors), got {len(c)}")
        object.__setattr__(self, "center", c)

    @property
    def interests(self) -> pd.Index:
        """The interest names (the index of ``vectors``)."""
        return self.vectors.index

    @property
    def dim(self) -> int:
        """The dimension of the item space."""
        return int(self.vectors.shape[1])


def interest_prototypes(item_vectors: pd.DataFrame, item_interests: pd.DataFrame,
                        center: bool = True) -> InterestPrototypes:
    """One prototype vector per interest: ``p_j = normalise(sum_i x_ij (v_i - m))``.

    ``x_ij`` = ``item_interests`` (items x interests: how much item ``i`` expresses interest
    ``j``; every item must have a row in ``item_vectors``); ``m`` is the mean vector of those
    items when ``center`` (removing what all items share sharpens cosines), else zeros.
    Returns an :class:`InterestPrototypes` holding the prototypes and ``m``.
    """
    center = _checks.flag(center, "center")
    frame = as_item_frame(item_vectors)
    ii = as_item_frame(item_interests, name="item_interests")
    unknown = ii.index.difference(frame.index)
    if len(unknown):
        raise ValueError(f"item_interests: {len(unknown)} item id(s) have no row in item_vectors "
                         f"(e.g. {_id(unknown[0])}); expected every labelled item to have a vector")
    v = frame.loc[ii.index].to_numpy(dtype=float)
    m = v.mean(axis=0) if center else np.zeros(v.shape[1])
    x = ii.to_numpy(dtype=float)
    if np.any(x.sum(axis=0) <= 0):
        bad = list(ii.columns[x.sum(axis=0) <= 0])
        raise ValueError(f"item_interests: interest(s) {bad} have no item; expected positive columns")
    p = x.T @ (v - m)
    zero = np.linalg.norm(p, axis=1) < 1e-12
    if zero.any():
        raise ValueError(f"item_interests: interest(s) {list(ii.columns[zero])} give a zero prototype "
                         "(every item expresses them equally); expected interests that tell items apart")
    p = p / np.linalg.norm(p, axis=1, keepdims=True)
    return InterestPrototypes(pd.DataFrame(p, index=ii.columns, columns=frame.columns), m)


def interest_affinity(user_vectors: pd.DataFrame, prototypes: InterestPrototypes) -> pd.DataFrame:
    """Cosine of each centred user vector with each interest prototype: users x interests.

    ``a_uj = cos(u - m, p_j)`` with ``m = prototypes.center``. ``user_vectors`` is a DataFrame
    indexed by ``user_id`` with as many columns as the prototypes have dimensions.
    """
    if not isinstance(prototypes, InterestPrototypes):
        raise ValueError(f"prototypes: expected InterestPrototypes (from interest_prototypes(), or "
                         f"InterestPrototypes(vectors, center)), got {type(prototypes).__name__}")
    users = _vector_frame(user_vectors, "user_vectors", "user_id")
    if users.shape[1] != prototypes.dim:
        raise ValueError(f"user_vectors: expected {prototypes.dim} columns (the dimension of the prototypes), "
                         f"got {users.shape[1]}")
    u = _normalise_rows(users.to_numpy(dtype=float) - prototypes.center, "user_vectors",
                        "expected user vectors that differ from the prototypes' centre")
    p = _normalise_rows(prototypes.vectors.to_numpy(dtype=float), "prototypes", "expected non-zero prototypes")
    return pd.DataFrame(u @ p.T, index=users.index, columns=prototypes.interests)


def recovery_scores(affinity: pd.DataFrame, truth: pd.DataFrame, k: int = 3,
                    how: Literal["exact", "inner"] = "exact") -> pd.DataFrame:
    """How well estimated affinities recover true interest weights, per user.

    Both frames are users x interests with the same interests (columns). ``spearman``: rank
    correlation between the user's affinity to each interest and the true weights (ties get
    average ranks). ``topk_overlap``: ``|top-k estimated ∩ top-k true| / min(k, number of
    true interests)`` (true interests = positive weights). ``how="exact"`` expects the same
    users in both frames (else a ``ValueError`` counting the missing ones); ``how="inner"``
    scores the users in both.
    """
    from scipy.stats import spearmanr

    affinity = _vector_frame(affinity, "affinity", "user_id")
    truth = _vector_frame(truth, "truth", "user_id")
    cols = list(truth.columns)
    missing = [c for c in cols if c not in affinity.columns]
    extra = [c for c in affinity.columns if c not in set(cols)]
    if missing or extra:
        raise ValueError(f"affinity: expected the interest columns of truth; missing {missing}, extra {extra}")
    k = _checks.integer(k, "k", 1, len(cols))
    users = _same_users(affinity.index, truth.index, "affinity", "truth", how)
    a = affinity.loc[users, cols].to_numpy(dtype=float)
    t = truth.loc[users, cols].to_numpy(dtype=float)
    rho = np.array([spearmanr(x, y).statistic for x, y in zip(a, t)])
    top_a = np.argsort(-a, axis=1, kind="stable")[:, :k]
    overlap = []
    for r in range(len(users)):
        n_true = int((t[r] > 0).sum())
        true_top = set(np.argsort(-t[r], kind="stable")[:min(k, n_true)])
        overlap.append(len(true_top & set(top_a[r])) / max(1, min(k, n_true)))
    return pd.DataFrame({"spearman": rho, f"top{k}_overlap": overlap}, index=users)


# --------------------------------------------------------------------------- multiple interests
def choose_k(x: np.ndarray, max_k: int = 5, threshold: float = 0.25, seed: int = 0
             ) -> tuple[int, pd.Series]:
    """Number of interests in a set of vectors, chosen by the silhouette.

    For ``k = 2..max_k`` (at most ``n - 1``) run k-means and compute the mean cosine
    silhouette ``s(k)``. Rule: ``k* = argmax s(k)`` if ``max s(k) > threshold``, else
    ``k* = 1`` (the silhouette is undefined for one cluster, so a split must *earn* its
    place). Returns ``k*`` and the silhouettes by ``k``.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    x = _checks.array(x, "x", ndim=2)
    max_k = _checks.positive_int(max_k, "max_k")
    threshold = _checks.number(threshold, "threshold", -1.0, 1.0)
    seed = _checks.seed(seed)
    n_distinct = len(np.unique(np.round(x, 12), axis=0))
    sil = {}
    for k in range(2, min(max_k, n_distinct - 1) + 1):
        labels = KMeans(k, n_init=5, random_state=seed).fit_predict(x)
        sil[k] = float(silhouette_score(x, labels, metric="cosine"))
    s = pd.Series(sil, name="silhouette", dtype=float).rename_axis("k")
    best = int(s.idxmax()) if len(s) and s.max() > threshold else 1
    return best, s


def cluster_history(x: np.ndarray, weights: np.ndarray | None = None, max_k: int = 5,
                    threshold: float = 0.25, seed: int = 0) -> tuple[np.ndarray, int, pd.Series]:
    """Split one user's item vectors into interests: labels ``(n,)``, ``k`` and silhouettes.

    ``k`` comes from :func:`choose_k`; the final k-means uses the item ``weights`` (e.g.
    summed event weights; non-negative, at least one positive) as sample weights. Labels are
    ordered by cluster weight (label 0 = the heaviest interest).
    """
    from sklearn.cluster import KMeans

    x = _checks.array(x, "x", ndim=2)
    if weights is None:
        w = np.ones(len(x))
    else:
        w = _checks.array(weights, "weights", ndim=1)
        if w.shape != (len(x),):
            raise ValueError(f"weights: expected one weight per row of x ({len(x)}), got shape {w.shape}")
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError("weights: expected non-negative weights with at least one positive, got "
                             f"values from {w.min():.3g} to {w.max():.3g}")
    k, sil = choose_k(x, max_k, threshold, seed)
    if k == 1:
        return np.zeros(len(x), dtype=int), 1, sil
    labels = KMeans(k, n_init=5, random_state=seed).fit_predict(x, sample_weight=w)
    order = np.argsort(-np.bincount(labels, weights=w, minlength=k), kind="stable")
    remap = np.empty(k, dtype=int)
    remap[order] = np.arange(k)
    return remap[labels], k, sil


def _unique_item_frame(items: object, name: str = "items") -> pd.DataFrame:
    df = _checks.frame(items, name, ["item_id", "text"], no_nan=["item_id"])
    dup = df["item_id"].duplicated()
    if dup.any():
        raise ValueError(f"{name}: column 'item_id' has {int(dup.sum())} duplicate id(s) "
                         f"(e.g. {_id(df['item_id'][dup].iloc[0])}); expected one row per item")
    _text_column(df, "text", name)
    return df


def _keyword_list(keywords: object, name: str = "keywords") -> list[str]:
    """A (possibly empty) list of strings."""
    if isinstance(keywords, (str, bytes)) or isinstance(keywords, Mapping) \
            or not isinstance(keywords, (list, tuple, np.ndarray, pd.Index, pd.Series)):
        raise ValueError(f"{name}: expected a list of str, got {type(keywords).__name__}")
    out = list(keywords)
    bad = [k for k in out if not isinstance(k, str)]
    if bad:
        raise ValueError(f"{name}: expected every element to be a str, got {type(bad[0]).__name__}")
    return out


@dataclass
class InterestNamer:
    """Names an interest (a set of items) by TF-IDF keywords and by a constrained LM choice.

    ``fit(items)`` learns TF-IDF over the catalogue's ``text`` (one row per distinct
    ``item_id``; a missing text counts as empty). :meth:`keywords` ranks terms by
    ``sum_{i in cluster} w_i tfidf(i, term) / sum_i w_i - mean_{i in catalogue} tfidf(i, term)``
    (what is typical of the cluster *compared with the catalogue*). :meth:`llm_name` asks the
    small generative model to choose one of ``options`` (e.g. the catalogue's class and style
    names) by log-likelihood (``Generator.score_options``): a constrained choice, never free
    text. Unknown or duplicate item ids and weights that are negative, NaN or all zero raise
    a ``ValueError``; using the namer before ``fit`` raises ``NotFittedError`` (a ``ValueError``).
    """

    max_features: int = 5000
    min_df: int = 5             # a keyword must occur in at least this many item texts
    extra_stop_words: Sequence[str] = ("love", "great", "like", "just", "really", "wear", "fit", "size",
                                       "ordered", "bought", "little", "nice", "beautiful", "cute", "perfect",
                                       "general", "petite", "tops", "bottoms", "intimate", "jackets")
    vectorizer_: object = field(default=None, init=False, repr=False)
    matrix_: object = field(default=None, init=False, repr=False)
    item_index_: pd.Index = field(default=None, init=False, repr=False)
    catalogue_mean_: np.ndarray = field(default=None, init=False, repr=False)

    def fit(self, items: pd.DataFrame) -> "InterestNamer":
        """Learn the TF-IDF vocabulary and item matrix from ``items`` (columns item_id, text)."""
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

        max_features = _checks.positive_int(self.max_features, "max_features")
        min_df = _checks.positive_int(self.min_df, "min_df")
        extra = _keyword_list(self.extra_stop_words, "extra_stop_words")
        df = _unique_item_frame(items)
        stop = sorted(set(ENGLISH_STOP_WORDS) | set(extra))
        vectorizer = TfidfVectorizer(stop_words=stop, max_features=max_features,
                                     token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b", sublinear_tf=True,
                                     min_df=min(min_df, len(df)))
        try:
            matrix = vectorizer.fit_transform(list(_text_column(df, "text", "items")))
        except ValueError as err:  # e.g. an empty vocabulary
            raise ValueError(f"items: column 'text' gives no usable term ({err})") from None
        self.vectorizer_ = vectorizer
        self.matrix_ = matrix
        self.item_index_ = pd.Index(df["item_id"])
        self.catalogue_mean_ = np.asarray(matrix.mean(axis=0)).ravel()
        return self

    def _check_fitted(self) -> None:
        if self.matrix_ is None:
            raise NotFittedError("InterestNamer: not fitted yet; call fit(items) first")

    @staticmethod
    def _weights(weights: object, n: int) -> np.ndarray:
        """Weights normalised to sum 1 (uniform for None)."""
        if weights is None:
            return np.full(n, 1.0 / n)
        w = _checks.array(weights, "weights", ndim=1)
        if len(w) != n:
            raise ValueError(f"weights: expected one weight per item id ({n}), got {len(w)}")
        if (w < 0).any():
            raise ValueError(f"weights: expected non-negative weights, got a minimum of {w.min():.3g}")
        if w.sum() <= 0:
            raise ValueError("weights: expected at least one positive weight, got all zeros")
        return w / w.sum()

    def _positions(self, item_ids: object) -> tuple[list, np.ndarray]:
        ids = _checks.id_list(item_ids, "item_ids", unique=True)
        pos = self.item_index_.get_indexer(pd.Index(ids, dtype=object))
        if np.any(pos < 0):
            bad = [i for i, p in zip(ids, pos) if p < 0]
            raise ValueError(f"item_ids: {len(bad)} id(s) are not in the catalogue given to fit() "
                             f"(e.g. {_id(bad[0])}); expected catalogue item ids")
        return ids, pos

    def keywords(self, item_ids: Sequence, n: int = 5, weights: Sequence[float] | None = None) -> list[str]:
        """The (at most) ``n`` terms most typical of these items compared with the whole catalogue.

        Only terms with a positive score are returned, so the list may be shorter than ``n``.
        """
        self._check_fitted()
        ids, pos = self._positions(item_ids)
        n = _checks.positive_int(n, "n")
        w = self._weights(weights, len(ids))
        mean = np.asarray(self.matrix_[pos].T @ w).ravel()
        score = mean - self.catalogue_mean_
        top = np.argsort(-score, kind="stable")[:n]
        terms = self.vectorizer_.get_feature_names_out()
        return [str(terms[j]) for j in top if score[j] > 0]

    @staticmethod
    def prompt(texts: Sequence[str], keywords: Sequence[str], max_chars: int = 90) -> str:
        """A short prompt listing a few item descriptions (cut to ``max_chars``) and the keywords."""
        texts = _checks.texts(texts, "texts")
        keywords = _keyword_list(keywords)
        max_chars = _checks.positive_int(max_chars, "max_chars")
        lines = "\n".join(f"- {t[:max_chars].strip()}" for t in texts)
        return (f"A shopper browsed these clothing items:\n{lines}\n"
                f"Keywords: {', '.join(keywords)}.\n"
                "In one or two words, what is the shopper interested in?")

    def llm_name(self, generator: object, item_ids: Sequence, options: Sequence[str],
                 items: pd.DataFrame, n_examples: int = 4, keywords: Sequence[str] | None = None,
                 weights: Sequence[float] | None = None) -> pd.Series:
        """Scores of each option as the name of the interest (best first), from the generator.

        The prompt shows the texts of the ``n_examples`` heaviest items (by ``weights``) and the
        ``keywords`` (computed with :meth:`keywords` when None).
        """
        self._check_fitted()
        if not callable(getattr(generator, "score_options", None)):
            raise ValueError(f"generator: expected an object with score_options(prompt, options) "
                             f"(lm.Generator), got {type(generator).__name__}")
        ids, _ = self._positions(item_ids)
        opts = _checks.texts(options, "options", allow_empty_strings=False)
        if len(set(opts)) != len(opts):
            raise ValueError("options: expected distinct options, got duplicates")
        df = _unique_item_frame(items).set_index("item_id")
        n_examples = _checks.positive_int(n_examples, "n_examples")
        w = self._weights(weights, len(ids))
        unknown = [i for i in ids if i not in df.index]
        if unknown:
            raise ValueError(f"items: {len(unknown)} of item_ids have no row in items (e.g. {_id(unknown[0])}); "
                             "expected the texts of every item")
        kw = _keyword_list(keywords) if keywords is not None else self.keywords(ids, weights=weights)
        order = [ids[j] for j in np.argsort(-w, kind="stable")]
        texts = list(_text_column(df.loc[order[:n_examples]], "text", "items"))
        return generator.score_options(self.prompt(texts, kw), opts)  # type: ignore[attr-defined]
