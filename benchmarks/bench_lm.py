"""Speed of the language-model helpers: loading, the multilingual encoder, the generator.

Figures are wall seconds or texts per second on this machine. MiniLM's encoding speed
(against sentence-transformers, and with the cache) is measured in ``bench_encode``. The
cache used here is a fresh temporary folder, so "cold" really is cold; model loads are
timed from scratch even when another benchmark loaded the model earlier in the process.
"""

from __future__ import annotations

import tempfile

from benchmarks import timed
from recsys_helpers import data, lm

N_REVIEWS = 1000


def run() -> dict:
    """Measure the LM helpers; returns {figure name: value}."""
    reviews = data.load_clothing_reviews().reviews.sample(N_REVIEWS, random_state=0)
    texts = [f"{t}. {x}" if t else x for t, x in zip(reviews["title"], reviews["text"])]
    out: dict[str, float] = {}
    lm._load_encoder.cache_clear()  # time a real load, not the process's memoised model
    _, wall, _ = timed(lambda: lm.load_encoder("minilm"))
    out["minilm load s"] = round(wall, 2)
    with tempfile.TemporaryDirectory() as cache_dir:
        _, wall, _ = timed(lambda: lm.encode(texts[:300], model="use-multilingual", cache_dir=cache_dir))
        out["use-multilingual cold encode texts/s (incl. load)"] = round(300 / wall, 1)
    lm.load_generator.cache_clear()
    _, wall, _ = timed(lm.load_generator)
    out["smollm2 load s"] = round(wall, 1)
    gen = lm.load_generator()
    _, wall, _ = timed(lambda: gen.score_options("What colour is the sky on a clear day?",
                                                  ["green", "blue", "red"], answer_prefix="The sky is"))
    out["smollm2 score_options (3 options) s"] = round(wall, 2)
    _, wall, _ = timed(lambda: gen.generate("Name one fruit.", max_new_tokens=20))
    out["smollm2 generate 20 tokens s"] = round(wall, 2)
    for k, v in out.items():
        print(f"{k:50s} {v}", flush=True)
    return out


if __name__ == "__main__":
    run()
