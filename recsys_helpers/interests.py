"""User interest vectors from behaviour and text, multi-interest clusters, and naming them.

Three ways to turn a user's history into one vector in the items' embedding space:

* **behaviour**: every event ``e`` on item ``i`` at time ``t`` gets the weight
  ``w_e = w_event(e) * 2 ** (-(t_now - t) / h)`` (event weight times an exponential time
  decay with half-life ``h``); the user vector is the weighted average of item vectors,
  ``b_u = normalise(sum_e w_e x_{i(e)})``;
* **text**: the items the user engaged with (each once) and the user's own review texts,
  each weighted by the review's sentiment ``s`` (VADER compound in [-1, 1]) through
  ``f(s) = (1 + s) / 2`` (an item without a review is neutral, ``f(0) = 1/2``):
  ``t_u = normalise(sum_i f(s_ui) x_i + lambda * sum_r f(s_r) z_r)`` with ``z_r`` the
  embedding of review ``r``;
* **fused**: ``normalise(alpha * b_u + (1 - alpha) * t_u)``; both parts are unit vectors in
  the same space, so ``alpha`` is the share of behaviour.

``normalise(v) = v / ||v||_2``. :class:`InterestModel` wraps the three as a scikit-learn
style estimator. :func:`cluster_history` splits one user's history into several interests
(k-means, ``k`` chosen by silhouette) and :class:`InterestNamer` names each interest by
TF-IDF keywords and by a constrained choice of the small generative model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "DEFAULT_EVENT_WEIGHTS",
    "DAY",
    "event_time_weights",
    "as_item_frame",
    "behaviour_vectors",
    "review_sentiments",
    "text_vectors",
    "fuse",
    "InterestModel",
    "interest_prototypes",
    "interest_affinity",
    "recovery_scores",
    "choose_k",
    "cluster_history",
    "InterestNamer",
    "multi_interest_profile",
]

DAY = 86_400

#: Weight of each event type: stronger commitment, larger weight. Ratings (MovieLens) and
#: plays count like a view; a repeat like a cart; a skip carries no positive interest.
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0, "cart": 2.0, "purchase": 3.0, "review": 3.0,
    "rating": 1.0, "play": 1.0, "repeat": 2.0, "skip": 0.0,
}


# --------------------------------------------------------------------------- validation
def _check_interactions(df: object, columns: Sequence[str], name: str = "interactions") -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; expected columns {list(columns)}, "
                         f"got {list(df.columns)}")
    if df.empty:
        raise ValueError(f"{name}: expected at least one event, got an empty history")
    for c in columns:
        if c in ("user_id", "item_id", "timestamp", "event") and df[c].isna().any():
            raise ValueError(f"{name}: column {c!r} has {int(df[c].isna().sum())} NaN values; expected none")
    return df


def _check_half_life(half_life_days: float | None) -> float:
    if half_life_days is None:
        return float("inf")
    try:
        h = float(half_life_days)
    except (TypeError, ValueError):
        raise ValueError(f"half_life_days: expected a positive number or None, got {half_life_days!r}") from None
    if not h > 0:  # also catches NaN
        raise ValueError(f"half_life_days: expected a positive number or None (no decay), got {half_life_days!r}")
    return h


def _normalise_rows(x: np.ndarray, name: str = "vectors") -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name}: {int((norms == 0).sum())} row(s) sum to the zero vector; expected "
                         "at least one event with a positive weight per user")
    return x / norms


# --------------------------------------------------------------------------- behaviour
def event_time_weights(interactions: pd.DataFrame, event_weights: Mapping[str, float] | None = None,
                       half_life_days: float | None = 30.0, now: int | None = None) -> np.ndarray:
    """Weight of every event: ``w = w_event(event) * 2 ** (-(now - t) / (half_life_days * 86400))``.

    ``now`` defaults to the latest timestamp in ``interactions``; ``half_life_days=None``
    switches the decay off. After one half-life an event counts half, after two a quarter.
    """
    df = _check_interactions(interactions, ["event", "timestamp"])
    ew = dict(DEFAULT_EVENT_WEIGHTS if event_weights is None else event_weights)
    unknown = sorted(set(df["event"].unique()) - set(ew))
    if unknown:
        raise ValueError(f"event_weights: no weight for event type(s) {unknown}; expected a mapping "
                         f"that covers every event, e.g. {DEFAULT_EVENT_WEIGHTS}")
    vals = np.array(list(ew.values()), dtype=float)
    if not np.all(np.isfinite(vals)) or np.any(vals < 0):
        raise ValueError(f"event_weights: expected finite non-negative weights, got {ew}")
    h = _check_half_life(half_life_days)
    t = df["timestamp"].to_numpy(dtype=np.float64)
    t_now = float(t.max()) if now is None else float(now)
    if not np.isfinite(t_now):
        raise ValueError(f"now: expected a Unix time in seconds, got {now!r}")
    age_days = (t_now - t) / DAY
    decay = np.power(2.0, -age_days / h) if np.isfinite(h) else np.ones_like(t)
    return df["event"].map(ew).to_numpy(dtype=float) * decay


def as_item_frame(item_vectors: pd.DataFrame | np.ndarray, item_ids: Sequence | None = None,
                  name: str = "item_vectors") -> pd.DataFrame:
    """Item vectors as a DataFrame indexed by ``item_id`` (an array needs ``item_ids``)."""
    if isinstance(item_vectors, pd.DataFrame):
        df = item_vectors
    else:
        x = np.asarray(item_vectors, dtype=float)
        if x.ndim != 2:
            raise ValueError(f"{name}: expected a 2-D array (items x dims), got shape {x.shape}")
        if item_ids is None or len(item_ids) != len(x):
            raise ValueError(f"item_ids: expected one id per row of {name} ({len(x)}), "
                             f"got {None if item_ids is None else len(item_ids)}")
        df = pd.DataFrame(x, index=pd.Index(item_ids, name="item_id"))
    if df.empty:
        raise ValueError(f"{name}: expected at least one item vector, got none")
    if df.index.has_duplicates:
        raise ValueError(f"{name}: index (item_id) has duplicates; expected one row per item")
    vals = df.to_numpy(dtype=float)
    if not np.all(np.isfinite(vals)):
        raise ValueError(f"{name}: expected finite values, found NaN or inf")
    return df


def _item_positions(item_ids: pd.Series, frame: pd.DataFrame, name: str = "interactions") -> np.ndarray:
    pos = frame.index.get_indexer(item_ids)
    if np.any(pos < 0):
        bad = item_ids.to_numpy()[pos < 0][0]
        raise ValueError(f"{name}: column 'item_id' has {int((pos < 0).sum())} ids with no row in "
                         f"item_vectors (e.g. {bad!r}); expected every item to have a vector")
    return pos


def _user_item_matrix(users: np.ndarray, items: np.ndarray, w: np.ndarray, n_items: int
                      ) -> tuple[pd.Index, sp.csr_matrix]:
    index = pd.Index(np.unique(users), name="user_id")
    rows = index.get_indexer(users)
    m = sp.csr_matrix((w, (rows, items)), shape=(len(index), n_items))
    m.sum_duplicates()
    return index, m


def behaviour_vectors(interactions: pd.DataFrame, item_vectors: pd.DataFrame,
                      event_weights: Mapping[str, float] | None = None,
                      half_life_days: float | None = 30.0, now: int | None = None) -> pd.DataFrame:
    """Behaviour interest vectors, one L2-normalised row per user (index ``user_id``).

    ``b_u = normalise(sum_e w_e x_{i(e)})`` with ``w_e`` from :func:`event_time_weights`
    (normalising makes the weighted *average* and the weighted sum point the same way).
    """
    df = _check_interactions(interactions, ["user_id", "item_id", "event", "timestamp"])
    frame = as_item_frame(item_vectors)
    w = event_time_weights(df, event_weights, half_life_days, now)
    pos = _item_positions(df["item_id"], frame)
    index, m = _user_item_matrix(df["user_id"].to_numpy(), pos, w, len(frame))
    v = _normalise_rows(np.asarray(m @ frame.to_numpy(dtype=float)), "interactions")
    return pd.DataFrame(v, index=index, columns=frame.columns)


# --------------------------------------------------------------------------- text
def review_sentiments(texts: Sequence[str]) -> np.ndarray:
    """VADER compound sentiment in [-1, 1] of each text (0 for an empty text)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = np.zeros(len(texts))
    for k, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"texts: expected str, element {k} is {type(t).__name__}")
        if t.strip():
            out[k] = analyzer.polarity_scores(t)["compound"]
    return out


def _sentiment_factor(s: np.ndarray) -> np.ndarray:
    """``f(s) = (1 + s) / 2``: 1 for a glowing review, 1/2 neutral, 0 for a furious one."""
    return (1.0 + np.asarray(s, dtype=float)) / 2.0


def text_vectors(interactions: pd.DataFrame, item_vectors: pd.DataFrame,
                 review_vectors: np.ndarray | None = None, review_weight: float = 1.0,
                 text_column: str = "review_text") -> pd.DataFrame:
    """Text interest vectors: ``t_u = normalise(sum_i f(s_ui) x_i + lambda sum_r f(s_r) z_r)``.

    ``i`` runs over the distinct items the user engaged with, ``s_ui`` is the mean sentiment
    of the user's reviews of item ``i`` (0 when none), ``r`` over the user's reviews (rows with
    a non-empty ``text_column``) and ``z_r`` their embeddings given in ``review_vectors``
    (one row per review row, in order; same dimension as the items). ``lambda`` =
    ``review_weight``. Without ``review_vectors`` only the item part is used.
    """
    df = _check_interactions(interactions, ["user_id", "item_id"])
    frame = as_item_frame(item_vectors)
    has_text = text_column in df.columns
    texts = df[text_column].fillna("").astype(str).to_numpy() if has_text else np.full(len(df), "")
    is_rev = np.array([bool(t.strip()) for t in texts], dtype=bool)
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
    index, m = _user_item_matrix(pairs["u"].to_numpy(), pos, _sentiment_factor(mean_s.to_numpy()), len(frame))
    v = np.asarray(m @ frame.to_numpy(dtype=float))
    if review_vectors is not None:
        z = np.asarray(review_vectors, dtype=float)
        if z.ndim != 2 or z.shape[0] != int(is_rev.sum()) or z.shape[1] != frame.shape[1]:
            raise ValueError(f"review_vectors: expected shape ({int(is_rev.sum())} reviews, {frame.shape[1]}), "
                             f"got {z.shape}")
        if not np.all(np.isfinite(z)):
            raise ValueError("review_vectors: expected finite values, found NaN or inf")
        if not np.isfinite(review_weight) or review_weight < 0:
            raise ValueError(f"review_weight: expected a non-negative number, got {review_weight!r}")
        rows = index.get_indexer(df["user_id"].to_numpy()[is_rev])
        v += review_weight * (sp.csr_matrix((_sentiment_factor(s[is_rev]), (rows, np.arange(len(rows)))),
                                            shape=(len(index), len(rows))) @ z)
    v = _normalise_rows(v, "interactions")
    return pd.DataFrame(v, index=index, columns=frame.columns)


def fuse(behaviour: pd.DataFrame, text: pd.DataFrame, alpha: float = 0.5) -> pd.DataFrame:
    """Fused vectors ``normalise(alpha * b_u + (1 - alpha) * t_u)`` for users in both frames."""
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"alpha: expected a number in [0, 1], got {alpha!r}")
    if behaviour.shape[1] != text.shape[1]:
        raise ValueError(f"text: expected vectors in the same space as behaviour ({behaviour.shape[1]} dims), "
                         f"got {text.shape[1]} dims")
    users = behaviour.index.intersection(text.index, sort=True)
    b = _normalise_rows(behaviour.loc[users].to_numpy(dtype=float), "behaviour")
    t = _normalise_rows(text.loc[users].to_numpy(dtype=float), "text")
    v = alpha * b + (1 - alpha) * t
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    v = np.where(norms > 0, v / np.where(norms > 0, norms, 1), b)  # opposite unit vectors: keep b
    return pd.DataFrame(v, index=users, columns=behaviour.columns)


# --------------------------------------------------------------------------- estimator
class InterestModel:
    """Scikit-learn style estimator of user interest vectors.

    ``kind``: ``"behaviour"``, ``"text"`` or ``"fused"`` (see the module docstring).
    ``fit(interactions, item_vectors, review_vectors=None)`` learns ``user_vectors_`` (one
    L2-normalised row per user) and ``user_index_`` (their ids); ``transform(user_ids)``
    returns the rows for the given users as an array ``(n, d)``. For the text parts the
    reviews are encoded with ``encoder`` (a callable ``list[str] -> array``) unless
    ``review_vectors`` is given; with neither, the review texts only set the sentiment.
    """

    def __init__(self, kind: str = "behaviour", half_life_days: float | None = 30.0,
                 event_weights: Mapping[str, float] | None = None, alpha: float = 0.5,
                 review_weight: float = 1.0, now: int | None = None,
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

    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in ("kind", "half_life_days", "event_weights", "alpha",
                                               "review_weight", "now", "encoder", "text_column")}

    def set_params(self, **params: object) -> "InterestModel":
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"params: unknown parameter {k!r}; expected one of {sorted(self.get_params())}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        return f"InterestModel(kind={self.kind!r}, half_life_days={self.half_life_days!r}, alpha={self.alpha!r})"

    def fit(self, interactions: pd.DataFrame, item_vectors: pd.DataFrame,
            review_vectors: np.ndarray | None = None) -> "InterestModel":
        if self.kind not in ("behaviour", "text", "fused"):
            raise ValueError(f"kind: expected 'behaviour', 'text' or 'fused', got {self.kind!r}")
        if not 0.0 <= float(self.alpha) <= 1.0:
            raise ValueError(f"alpha: expected a number in [0, 1], got {self.alpha!r}")
        _check_half_life(self.half_life_days)
        frame = as_item_frame(item_vectors)
        parts: dict[str, pd.DataFrame] = {}
        if self.kind in ("behaviour", "fused"):
            parts["behaviour"] = behaviour_vectors(interactions, frame, self.event_weights,
                                                   self.half_life_days, self.now)
        if self.kind in ("text", "fused"):
            if review_vectors is None and self.encoder is not None and self.text_column in interactions:
                texts = [t for t in interactions[self.text_column].fillna("").astype(str) if t.strip()]
                review_vectors = np.asarray(self.encoder(texts)) if texts else np.zeros((0, frame.shape[1]))
            parts["text"] = text_vectors(interactions, frame, review_vectors, self.review_weight,
                                         self.text_column)
        out = fuse(parts["behaviour"], parts["text"], self.alpha) if self.kind == "fused" \
            else parts[self.kind]
        self.user_index_ = out.index
        self.user_vectors_ = out.to_numpy(dtype=float)
        self.n_features_in_ = int(frame.shape[1])
        self.parts_ = parts
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "user_vectors_"):
            raise ValueError("InterestModel: not fitted yet; call fit(interactions, item_vectors) first")

    def transform(self, user_ids: Sequence | None = None) -> np.ndarray:
        """Interest vectors ``(len(user_ids), d)`` (all fitted users, in ``user_index_`` order, if None)."""
        self._check_fitted()
        if user_ids is None:
            return self.user_vectors_.copy()
        ids = pd.Index(np.atleast_1d(np.asarray(user_ids, dtype=object if isinstance(user_ids, str) else None)))
        if ids.hasnans:
            raise ValueError("user_ids: expected user ids, found NaN")
        pos = self.user_index_.get_indexer(ids)
        if np.any(pos < 0):
            raise ValueError(f"user_ids: {int((pos < 0).sum())} unknown user id(s) (e.g. {ids[pos < 0][0]!r}); "
                             "expected users seen in fit()")
        return self.user_vectors_[pos].copy()

    def fit_transform(self, interactions: pd.DataFrame, item_vectors: pd.DataFrame,
                      review_vectors: np.ndarray | None = None) -> np.ndarray:
        return self.fit(interactions, item_vectors, review_vectors).transform()

    def to_frame(self) -> pd.DataFrame:
        """The learned vectors as a DataFrame indexed by ``user_id``."""
        self._check_fitted()
        return pd.DataFrame(self.user_vectors_, index=self.user_index_)


# --------------------------------------------------------------------------- recovery of known interests
def interest_prototypes(item_vectors: pd.DataFrame, item_interests: pd.DataFrame,
                        center: bool = True) -> pd.DataFrame:
    """One prototype vector per interest: ``p_j = normalise(sum_i x_ij (v_i - m))``.

    ``x_ij`` = ``item_interests`` (how much item ``i`` expresses interest ``j``); ``m`` is
    the mean item vector when ``center`` (removing what all items share sharpens cosines).
    """
    frame = as_item_frame(item_vectors)
    ii = as_item_frame(item_interests, name="item_interests")
    common = frame.index.intersection(ii.index)
    if len(common) == 0:
        raise ValueError("item_interests: no item_id in common with item_vectors")
    v = frame.loc[common].to_numpy(dtype=float)
    m = v.mean(axis=0) if center else np.zeros(v.shape[1])
    x = ii.loc[common].to_numpy(dtype=float)
    if np.any(x.sum(axis=0) <= 0):
        bad = list(ii.columns[x.sum(axis=0) <= 0])
        raise ValueError(f"item_interests: interest(s) {bad} have no item; expected positive columns")
    p = x.T @ (v - m)
    zero = np.linalg.norm(p, axis=1) < 1e-12
    if zero.any():
        raise ValueError(f"item_interests: interest(s) {list(ii.columns[zero])} give a zero prototype "
                         "(every item expresses them equally); expected interests that tell items apart")
    p = _normalise_rows(p, "item_interests")
    out = pd.DataFrame(p, index=ii.columns, columns=frame.columns)
    out.attrs["center"] = m
    return out


def interest_affinity(user_vectors: pd.DataFrame, prototypes: pd.DataFrame) -> pd.DataFrame:
    """Cosine of each (centred) user vector with each interest prototype: users x interests."""
    u = user_vectors.to_numpy(dtype=float) - prototypes.attrs.get("center", 0.0)
    u = _normalise_rows(u, "user_vectors")
    return pd.DataFrame(u @ prototypes.to_numpy(dtype=float).T, index=user_vectors.index,
                        columns=prototypes.index)


def recovery_scores(affinity: pd.DataFrame, truth: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """How well estimated affinities recover true interest weights, per user.

    ``spearman``: rank correlation between the user's affinity to each interest and the true
    weights (ties get average ranks). ``topk_overlap``: ``|top-k estimated ∩ top-k true| /
    min(k, number of true interests)`` (true interests = positive weights).
    """
    from scipy.stats import spearmanr

    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k: expected a positive integer, got {k!r}")
    users = affinity.index.intersection(truth.index, sort=True)
    if len(users) == 0:
        raise ValueError("truth: no user in common with affinity; expected index user_id")
    cols = list(truth.columns)
    missing = [c for c in cols if c not in affinity.columns]
    if missing:
        raise ValueError(f"affinity: missing interest column(s) {missing}")
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

    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"x: expected a non-empty 2-D array (items x dims), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x: expected finite values, found NaN or inf")
    if not isinstance(max_k, (int, np.integer)) or max_k < 1:
        raise ValueError(f"max_k: expected a positive integer, got {max_k!r}")
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
    summed event weights) as sample weights. Labels are ordered by cluster weight
    (label 0 = the heaviest interest).
    """
    from sklearn.cluster import KMeans

    x = np.asarray(x, dtype=float)
    k, sil = choose_k(x, max_k, threshold, seed)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(x),) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights: expected {len(x)} finite non-negative numbers, got shape {w.shape}")
    if k == 1:
        return np.zeros(len(x), dtype=int), 1, sil
    labels = KMeans(k, n_init=5, random_state=seed).fit_predict(x, sample_weight=w)
    order = np.argsort(-np.bincount(labels, weights=w, minlength=k), kind="stable")
    remap = np.empty(k, dtype=int)
    remap[order] = np.arange(k)
    return remap[labels], k, sil


@dataclass
class InterestNamer:
    """Names an interest (a set of items) by TF-IDF keywords and by a constrained LM choice.

    ``fit(items)`` learns TF-IDF over the catalogue's ``text``. :meth:`keywords` ranks terms by
    ``mean_{i in cluster} tfidf(i, term) - mean_{i in catalogue} tfidf(i, term)`` (what is
    typical of the cluster *compared with the catalogue*). :meth:`llm_name` asks the small
    generative model to choose one of ``options`` (e.g. the catalogue's class and style
    names) by log-likelihood (``Generator.score_options``): a constrained choice, never free
    text.
    """

    max_features: int = 5000
    min_df: int = 5             # a keyword must occur in at least this many item texts
    extra_stop_words: Sequence[str] = ("love", "great", "like", "just", "really", "wear", "fit", "size",
                                       "ordered", "bought", "little", "nice", "beautiful", "cute", "perfect",
                                       "general", "petite", "tops", "bottoms", "intimate", "jackets")
    vectorizer_: object = field(default=None, init=False, repr=False)
    matrix_: object = field(default=None, init=False, repr=False)
    item_index_: pd.Index = field(default=None, init=False, repr=False)

    def fit(self, items: pd.DataFrame) -> "InterestNamer":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

        df = _check_interactions(items, ["item_id", "text"], name="items")
        stop = sorted(set(ENGLISH_STOP_WORDS) | set(self.extra_stop_words))
        self.vectorizer_ = TfidfVectorizer(stop_words=stop, max_features=self.max_features,
                                           token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b", sublinear_tf=True,
                                           min_df=min(self.min_df, len(df)))
        self.matrix_ = self.vectorizer_.fit_transform(df["text"].fillna("").astype(str))
        self.item_index_ = pd.Index(df["item_id"])
        self._mean = np.asarray(self.matrix_.mean(axis=0)).ravel()
        return self

    def keywords(self, item_ids: Sequence, n: int = 5, weights: Sequence[float] | None = None) -> list[str]:
        """The ``n`` terms most typical of these items compared with the whole catalogue."""
        if self.matrix_ is None:
            raise ValueError("InterestNamer: not fitted yet; call fit(items) first")
        pos = self.item_index_.get_indexer(pd.Index(item_ids))
        if len(pos) == 0 or np.any(pos < 0):
            raise ValueError("item_ids: expected a non-empty list of catalogue item ids")
        w = np.ones(len(pos)) if weights is None else np.asarray(weights, dtype=float)
        mean = np.asarray(self.matrix_[pos].T @ (w / w.sum())).ravel()
        score = mean - self._mean
        top = np.argsort(-score, kind="stable")[:n]
        terms = self.vectorizer_.get_feature_names_out()
        return [str(terms[j]) for j in top if score[j] > 0]

    @staticmethod
    def prompt(texts: Sequence[str], keywords: Sequence[str], max_chars: int = 90) -> str:
        """A short prompt listing a few item descriptions and the keywords."""
        lines = "\n".join(f"- {t[:max_chars].strip()}" for t in texts)
        return (f"A shopper browsed these clothing items:\n{lines}\n"
                f"Keywords: {', '.join(keywords)}.\n"
                "In one or two words, what is the shopper interested in?")

    def llm_name(self, generator: object, item_ids: Sequence, options: Sequence[str],
                 items: pd.DataFrame, n_examples: int = 4, keywords: Sequence[str] | None = None,
                 weights: Sequence[float] | None = None) -> pd.Series:
        """Scores of each option as the name of the interest (best first), from the generator."""
        df = items.set_index("item_id")
        ids = list(item_ids)
        if weights is not None:
            ids = [ids[j] for j in np.argsort(-np.asarray(weights, dtype=float), kind="stable")]
        texts = df.loc[ids[:n_examples], "text"].astype(str).tolist()
        kw = list(keywords) if keywords is not None else self.keywords(item_ids, weights=weights)
        return generator.score_options(self.prompt(texts, kw), list(options))


def multi_interest_profile(interactions: pd.DataFrame, user_id: object, item_vectors: pd.DataFrame,
                           namer: InterestNamer | None = None, generator: object | None = None,
                           options: Sequence[str] | None = None, items: pd.DataFrame | None = None,
                           prototypes: pd.DataFrame | None = None, n_options: int | None = None,
                           event_weights: Mapping[str, float] | None = None,
                           half_life_days: float | None = None, max_k: int = 5,
                           threshold: float = 0.25, seed: int = 0, n_keywords: int = 5) -> pd.DataFrame:
    """One row per interest of ``user_id``: share of weight, items, keywords and names.

    The user's distinct items are weighted by summed event weights (:func:`event_time_weights`),
    clustered with :func:`cluster_history`, and each cluster is named

    * by ``namer`` (``keywords``: TF-IDF terms);
    * with ``prototypes`` (from :func:`interest_prototypes`): ``nearest`` = the interest whose
      prototype has the largest cosine with the (centred) cluster centroid;
    * with ``generator``, ``options`` and ``items``: ``llm_name`` = the generator's most likely
      option. With ``prototypes`` and ``n_options`` only the ``n_options`` nearest interests
      are offered (retrieve, then let the language model choose).
    """
    df = _check_interactions(interactions, ["user_id", "item_id", "event", "timestamp"])
    hist = df.loc[df["user_id"] == user_id]
    if hist.empty:
        raise ValueError(f"user_id: unknown user {user_id!r} (no events in interactions)")
    if n_options is not None and (prototypes is None or not isinstance(n_options, (int, np.integer))
                                  or n_options < 1):
        raise ValueError(f"n_options: expected a positive integer together with prototypes, got {n_options!r}")
    frame = as_item_frame(item_vectors)
    w = pd.Series(event_time_weights(hist, event_weights, half_life_days), index=hist.index)
    per_item = w.groupby(hist["item_id"]).sum()
    per_item = per_item[per_item > 0]
    if per_item.empty:
        raise ValueError(f"user_id: user {user_id!r} has no event with a positive weight")
    x = frame.loc[per_item.index].to_numpy(dtype=float)
    labels, k, _ = cluster_history(x, per_item.to_numpy(), max_k, threshold, seed)
    rows = []
    for c in range(k):
        ids = per_item.index[labels == c]
        wc = per_item.to_numpy()[labels == c]
        row = {"user_id": user_id, "interest": c, "n_items": len(ids), "share": wc.sum() / per_item.sum(),
               "item_ids": list(ids)}
        opts = list(options) if options is not None else None
        if prototypes is not None:
            centroid = pd.DataFrame([(x[labels == c] * wc[:, None]).sum(axis=0)], columns=frame.columns)
            sims = interest_affinity(centroid, prototypes).iloc[0].sort_values(ascending=False, kind="stable")
            row["nearest"] = sims.index[0]
            if opts is not None and n_options is not None:
                opts = [o for o in sims.index if o in set(opts)][:n_options]
        if namer is not None:
            row["keywords"] = namer.keywords(ids, n=n_keywords, weights=wc)
            if generator is not None and opts is not None and items is not None:
                scores = namer.llm_name(generator, ids, opts, items, keywords=row["keywords"], weights=wc)
                row["llm_options"] = opts
                row["llm_name"] = scores.index[0]
        rows.append(row)
    return pd.DataFrame(rows)
