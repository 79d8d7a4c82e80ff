"""Top-K for one user over 1K / 10K / 100K items: three ways to the same list.

* **book** -- the book's vectorised path: ``recommend.recommendation_scores(user, items)``
  (cosine; item norms computed on every call) then ``metrics.top_k`` (``argpartition`` plus
  the package's seeded tie rule); "of which recommendation_scores" is the scoring alone
  (input checks included);
* **book via recommend_from_vectors** -- the same list through the book's DataFrame bridge
  (vectors indexed by id in, a ranked frame out; it normalises the item vectors on every
  call);
* **loop** -- a per-item Python loop with ``scipy.spatial.distance.cosine``, the way the
  original outline computes it: ``score_i = 1 - cosine(u, x_i)`` for every item, then
  ``sorted`` by score (ties by the same tie keys, so that the lists can be compared);
* **bare** -- the limit: one matrix-vector product with item vectors normalised in advance
  (as an index stores them) plus ``np.argpartition`` and a sort of the K winners.

The catalogue is random (seeded) float32 vectors of 384 dimensions, the shape of the
MiniLM embeddings ``lm.encode`` returns; the user vector is the normalised mean of 20
items, like an interest profile. K = 10. Each time is the best of several repeats (less
disturbed by other programs than a mean). When the full Python loop would take longer
than ``LOOP_BUDGET_S``, it is timed on the first ``LOOP_SUBSAMPLE`` items and scaled
linearly to the whole catalogue; the figure's name then says so. Every path's list is
checked against the book's on every catalogue whose loop ran in full.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import pandas as pd
from scipy.spatial.distance import cosine

from recsys_helpers import metrics, recommend

SIZES = (1_000, 10_000, 100_000)
DIM = 384
K = 10
SEED = 0
LOOP_BUDGET_S = 30.0      # longest full Python loop we are willing to run per catalogue
LOOP_SUBSAMPLE = 10_000   # items timed when the full loop would exceed the budget


def make_catalogue(n_items: int, dim: int = DIM, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Random float32 item vectors ``(n_items, dim)`` and a user vector (mean of 20 items)."""
    rng = np.random.default_rng(seed)
    items = rng.standard_normal((n_items, dim)).astype(np.float32)
    liked = rng.choice(n_items, size=min(20, n_items), replace=False)
    user = items[liked].mean(axis=0)
    return items, (user / np.linalg.norm(user)).astype(np.float32)


def topk_book(user: np.ndarray, items: np.ndarray, k: int = K, seed: int = SEED) -> np.ndarray:
    """The book's path: cosine scores of every item, then ``metrics.top_k`` (tie rule)."""
    scores = recommend.recommendation_scores(user, items, method="cosine")
    return metrics.top_k(scores[None, :], k, seed=seed)[0]


def topk_frames(user_frame: pd.DataFrame, item_frame: pd.DataFrame, k: int = K,
                seed: int = SEED) -> np.ndarray:
    """The book's DataFrame bridge ``recommend.recommend_from_vectors`` (one user row)."""
    recs = recommend.recommend_from_vectors(user_frame, item_frame, k=k, seed=seed)
    return recs["item_id"].to_numpy()


def loop_scores(user: np.ndarray, items: np.ndarray) -> list[float]:
    """Cosine similarity item by item with ``scipy.spatial.distance.cosine`` (a Python loop)."""
    return [1.0 - cosine(user, x) for x in items]


def topk_loop(user: np.ndarray, items: np.ndarray, k: int = K, seed: int = SEED) -> np.ndarray:
    """The outline's path: a Python loop of scipy cosines, then ``sorted`` by score.

    Equal scores are ordered by the package's tie keys (``metrics.tie_keys`` of row 0), so
    the list is the book's whenever the scores agree.
    """
    scores = loop_scores(user, items)
    keys = metrics.tie_keys(0, np.arange(len(items)), seed).tolist()
    order = sorted(range(len(items)), key=lambda i: (-scores[i], keys[i]))
    return np.asarray(order[:k])


def normalise_items(items: np.ndarray) -> np.ndarray:
    """Item vectors scaled to unit length (done once, when the index is built)."""
    return items / np.linalg.norm(items, axis=1, keepdims=True)


def topk_bare(user: np.ndarray, unit_items: np.ndarray, k: int = K) -> np.ndarray:
    """The limit: one matrix-vector product and ``argpartition`` (no checks, no tie rule)."""
    s = unit_items @ (user / np.linalg.norm(user))
    part = np.argpartition(-s, k - 1)[:k]
    return part[np.argsort(-s[part], kind="stable")]


def best_of(fn: Callable[[], object], repeats: int) -> tuple[object, float]:
    """Run ``fn`` ``repeats`` times; return its last result and the shortest wall time (s)."""
    best = float("inf")
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def _repeats(seconds_per_call: float, budget: float = 1.0, least: int = 3, most: int = 20) -> int:
    """How many repeats fit in ``budget`` seconds, at least ``least`` and at most ``most``."""
    return int(max(least, min(most, budget // max(seconds_per_call, 1e-9))))


def _fmt_ms(seconds: float) -> float:
    return round(seconds * 1e3, 3 if seconds < 0.01 else 1)


def run() -> dict:
    """Time the three top-K paths at each catalogue size; milliseconds and ratios."""
    out: dict[str, object] = {}
    per_item_loop_s: float | None = None
    for n in SIZES:
        items, user = make_catalogue(n)
        tag = f"{n // 1000}K items"
        topk_book(user, items)  # warm-up (imports, caches)
        first = time.perf_counter()
        topk_book(user, items)
        book_list, book_s = best_of(lambda: topk_book(user, items), _repeats(time.perf_counter() - first))
        _, scores_s = best_of(lambda: recommend.recommendation_scores(user, items), _repeats(book_s))
        user_frame = pd.DataFrame(user[None, :], index=pd.Index(["u"], name="user_id"))
        item_frame = pd.DataFrame(items, index=pd.RangeIndex(n, name="item_id"))
        frames_list, frames_s = best_of(lambda: topk_frames(user_frame, item_frame), _repeats(book_s))
        del user_frame, item_frame
        unit = normalise_items(items)
        bare_list, bare_s = best_of(lambda: topk_bare(user, unit), _repeats(book_s))

        full = per_item_loop_s is None or per_item_loop_s * n <= LOOP_BUDGET_S
        if full:
            loop_list, loop_s = best_of(lambda: topk_loop(user, items), 3 if n <= 1_000 else 1)
            per_item_loop_s = loop_s / n
            loop_name = f"{tag}: loop (scipy cosine) ms"
        else:
            m = LOOP_SUBSAMPLE
            loop_list, sub_s = best_of(lambda: topk_loop(user, items[:m]), 1)
            loop_s = sub_s * n / m
            per_item_loop_s = sub_s / m
            loop_name = f"{tag}: loop (scipy cosine) ms, est. from {m:,}-item subsample x {n // m}"

        out[f"{tag}: book (recommendation_scores + top_k) ms"] = _fmt_ms(book_s)
        out[f"{tag}: book, of which recommendation_scores ms"] = _fmt_ms(scores_s)
        out[f"{tag}: book via recommend_from_vectors (DataFrames) ms"] = _fmt_ms(frames_s)
        out[loop_name] = _fmt_ms(loop_s)
        out[f"{tag}: bare (matvec + argpartition) ms"] = _fmt_ms(bare_s)
        out[f"{tag}: loop / book"] = round(loop_s / book_s, 1)
        out[f"{tag}: book / bare"] = round(book_s / bare_s, 1)
        same_bare = bool(np.array_equal(book_list, bare_list))
        out[f"{tag}: bare list == book list"] = same_bare
        out[f"{tag}: recommend_from_vectors list == book list"] = bool(np.array_equal(frames_list, book_list))
        if full:
            out[f"{tag}: loop list == book list"] = bool(np.array_equal(book_list, loop_list))
        print(f"{tag:11s} book {book_s * 1e3:9.3f} ms  loop {loop_s * 1e3:10.1f} ms"
              f"{'' if full else ' (est.)'}  bare {bare_s * 1e3:8.3f} ms  "
              f"loop/book {loop_s / book_s:7.1f}x  book/bare {book_s / bare_s:5.1f}x", flush=True)
    return out


if __name__ == "__main__":
    run()
