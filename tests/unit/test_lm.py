"""Tests of recsys_helpers.lm: pooling, encoding, the disk cache, validation, the generator.

The models are real (loaded offline from installed packages); the generator takes ~20 s
to load, so its tests share one module-scoped fixture and are few.
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from recsys_helpers import lm

SHORT = "A soft cotton summer dress with pockets."
LONG = ("This sweater runs large, so I sized down; the wool is warm but a little itchy "
        "around the neck, and the colour is a deep forest green. ") * 4


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "emb-cache"
    monkeypatch.setenv("RECSYS_CACHE_DIR", str(d))
    return d


def _shards(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.rglob("shard-*.npz"))


# --------------------------------------------------------------------------- pooling
def test_mean_pool_on_hand_built_tensor_ignores_masked_positions():
    h = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, -100.0]],
                      [[2.0, 0.0], [0.0, 2.0], [4.0, 4.0]]])
    m = torch.tensor([[1, 1, 0], [1, 1, 1]])
    out = lm.mean_pool(h, m)
    expected = torch.tensor([[2.0, 3.0], [2.0, 2.0]])
    assert torch.allclose(out, expected)
    # the naive mean over all positions counts the padding and is different
    assert not torch.allclose(h.mean(dim=1), expected)


def test_mean_pool_all_padding_row_gives_zero_vector():
    out = lm.mean_pool(torch.ones(1, 2, 3), torch.zeros(1, 2, dtype=torch.long))
    assert torch.equal(out, torch.zeros(1, 3))


@pytest.mark.parametrize("h, m, arg", [
    (torch.ones(2, 3), torch.ones(2, 3), "last_hidden_state"),
    (torch.ones(2, 3, 4), torch.ones(2, 4), "attention_mask"),
    (torch.ones(2, 3, 4), np.ones((2, 3)), "attention_mask"),
])
def test_mean_pool_rejects_bad_shapes(h, m, arg):
    with pytest.raises(ValueError, match=arg):
        lm.mean_pool(h, m)


def test_padding_does_not_change_the_vector():
    alone = lm.encode([SHORT], cache=False)
    # batched with a much longer text, SHORT is padded with many [PAD] tokens
    tokenizer, _ = lm.load_encoder("minilm")
    batch = tokenizer([SHORT, LONG], padding=True, return_tensors="pt")
    assert int(batch["attention_mask"][0].sum()) < batch["attention_mask"].shape[1] // 2
    padded = lm.encode([SHORT, LONG], cache=False, batch_size=2)
    np.testing.assert_allclose(padded[0], alone[0], atol=1e-5)


def test_encode_returns_unit_norm_float32_rows_in_input_order():
    texts = [LONG, SHORT, "red shoes", SHORT]
    x = lm.encode(texts, cache=False, batch_size=2)
    assert x.shape == (4, 384) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(x[1], x[3], atol=1e-6)          # same text, same vector
    one_by_one = np.vstack([lm.encode([t], cache=False) for t in texts])
    np.testing.assert_allclose(x, one_by_one, atol=1e-5)        # sorting by length restores order


def test_similar_texts_are_closer_than_unrelated_ones():
    x = lm.encode(["a red summer dress", "a crimson sundress", "a tax return form"], cache=False)
    assert x[0] @ x[1] > x[0] @ x[2]


def test_multilingual_encoder_unit_norm_and_cross_lingual():
    x = lm.encode(["我喜欢这条红色的连衣裙", "I love this red dress", "The train was late today"],
                  model="use-multilingual", cache=False)
    assert x.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert x[0] @ x[1] > x[0] @ x[2]


def test_long_text_is_truncated_with_a_warning_naming_the_count():
    very_long = "word " * 600
    with pytest.warns(UserWarning, match=r"1 of 2 texts .*truncated"):
        x = lm.encode([very_long, SHORT], cache=False)
    assert np.isfinite(x).all()


# --------------------------------------------------------------------------- cache
def test_cache_second_call_identical_and_served_from_disk(cache_dir, monkeypatch):
    texts = [SHORT, LONG, "linen trousers"]
    first = lm.encode(texts)
    assert _shards(cache_dir), "nothing was written to the cache"

    def boom(*args, **kwargs):
        raise AssertionError("the model was called although every text is cached")

    monkeypatch.setattr(lm, "_encode_minilm", boom)
    second = lm.encode(texts)
    assert np.array_equal(first, second)


def test_cache_never_serves_a_vector_for_a_different_text(cache_dir):
    a = lm.encode(["linen trousers"])
    b = lm.encode(["linen trousers "])  # one trailing space: a different exact text
    c = lm.encode(["wool coat"])
    np.testing.assert_allclose(b, lm.encode(["linen trousers "], cache=False), atol=1e-6)
    np.testing.assert_allclose(c, lm.encode(["wool coat"], cache=False), atol=1e-6)
    assert not np.allclose(a, c)


def test_cache_is_keyed_by_model(cache_dir):
    x = lm.encode([SHORT])
    y = lm.encode([SHORT], model="use-multilingual")
    assert x.shape == (1, 384) and y.shape == (1, 512)
    assert len({p.parent for p in _shards(cache_dir)}) == 2


def test_mismatched_cache_entry_is_detected_and_recomputed(cache_dir):
    texts = ["linen trousers", "wool coat"]
    truth = lm.encode(texts)
    (shard,) = _shards(cache_dir)
    with np.load(shard) as z:
        keys, vecs, sums = z["text_sha256"], z["vectors"].copy(), z["checksum"]
    vecs[[0, 1]] = vecs[[1, 0]]  # swap the vectors: each key now points at the other text's vector
    with open(shard, "wb") as fh:
        np.savez(fh, text_sha256=keys, vectors=vecs, checksum=sums)
    with pytest.warns(UserWarning, match="2 corrupted or mismatched"):
        again = lm.encode(texts)
    np.testing.assert_allclose(again, truth, atol=1e-6)
    with warnings.catch_warnings():  # the repaired cache is clean now
        warnings.simplefilter("error")
        np.testing.assert_allclose(lm.encode(texts), truth, atol=1e-6)


def test_unreadable_cache_shard_is_detected_and_recomputed(cache_dir):
    truth = lm.encode(["wool coat"])
    (shard,) = _shards(cache_dir)
    shard.write_bytes(b"not an npz file")
    with pytest.warns(UserWarning, match="corrupted"):
        again = lm.encode(["wool coat"])
    np.testing.assert_allclose(again, truth, atol=1e-6)


def test_cache_false_writes_nothing(cache_dir):
    lm.encode([SHORT], cache=False)
    assert not _shards(cache_dir)


def test_default_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RECSYS_CACHE_DIR", str(tmp_path / "x"))
    assert lm.default_cache_dir() == tmp_path / "x"
    monkeypatch.delenv("RECSYS_CACHE_DIR")
    assert lm.default_cache_dir().name == "embeddings"


def test_clear_cache_removes_shards(cache_dir):
    lm.encode([SHORT])
    assert lm.clear_cache("minilm") == 1
    assert not _shards(cache_dir)


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("texts, match", [
    (None, "texts: .*None"),
    ([], "texts: .*empty"),
    ("just one string", "texts: .*single string"),
    ([SHORT, None], "texts: .*element 1"),
    ([SHORT, 3.5], "texts: .*element 1 is float"),
    (pd.Series([SHORT, np.nan]), "texts: .*element 1"),
    (42, "texts: .*int"),
])
def test_encode_rejects_bad_texts(texts, match):
    with pytest.raises(ValueError, match=match):
        lm.encode(texts, cache=False)


def test_unknown_model_lists_valid_names():
    with pytest.raises(ValueError, match=r"model: .*minilm.*use-multilingual.*'bert'"):
        lm.encode([SHORT], model="bert")
    with pytest.raises(ValueError, match="model"):
        lm.load_encoder("bert")


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_batch_size_must_be_positive_int(bad):
    with pytest.raises(ValueError, match="batch_size"):
        lm.encode([SHORT], batch_size=bad, cache=False)


def test_device_is_cuda_or_cpu():
    assert lm.device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_no_hub_model_id_in_source():
    src = inspect.getsource(lm)
    for hub_id in ("sentence-transformers/", "HuggingFaceTB", "huggingface.co"):
        assert hub_id not in src


# --------------------------------------------------------------------------- generator
@pytest.fixture(scope="module")
def gen() -> lm.Generator:
    return lm.load_generator()


def test_generator_is_loaded_once_and_loading_patches_are_undone(gen):
    import gguf
    import transformers.modeling_gguf_pytorch_utils as gguf_utils
    from tqdm.auto import tqdm

    assert lm.load_generator() is gen
    assert gen.load_seconds > 0
    assert isinstance(gguf.GGUFReader, type)                 # the memoised reader was removed again
    assert gguf_utils.tqdm is tqdm                           # progress bars restored


SKY = "What colour is the sky on a clear day?"


def test_score_options_picks_the_obvious_answer(gen):
    scores = gen.score_options(SKY, ["green", "blue", "red"], answer_prefix="The sky is")
    assert isinstance(scores, pd.Series)
    assert scores.index[0] == "blue"
    assert scores.is_monotonic_decreasing
    table = gen.score_options(SKY, ["green", "blue", "red"], answer_prefix="The sky is", details=True)
    assert list(table.columns) == ["mean_logprob", "sum_logprob", "n_tokens"]
    assert (table["n_tokens"] >= 1).all() and (table["sum_logprob"] < 0).all()
    np.testing.assert_allclose(table["mean_logprob"], table["sum_logprob"] / table["n_tokens"])
    by_sum = gen.score_options(SKY, ["green", "blue", "red"], answer_prefix="The sky is", by="sum")
    assert by_sum.is_monotonic_decreasing and set(by_sum.index) == {"green", "blue", "red"}


def test_score_options_padding_in_the_batch_does_not_change_scores(gen):
    options = ["blue", "a very pale shade of grey-blue with white clouds"]
    batched = gen.score_options(SKY, options, answer_prefix="The sky is", details=True)
    alone = gen.score_options(SKY, ["blue"], answer_prefix="The sky is", details=True)
    assert batched.loc["blue", "n_tokens"] == alone.loc["blue", "n_tokens"]
    np.testing.assert_allclose(batched.loc["blue", "sum_logprob"], alone.loc["blue", "sum_logprob"], atol=1e-3)


def test_score_options_with_a_shared_cache_equals_one_full_pass_per_option(gen):
    """The context's key/value cache is reused; the scores equal a plain forward of c + o."""
    import torch

    options = ["blue", "grey with white clouds", "green"]
    table = gen.score_options(SKY, options, answer_prefix="The sky is", details=True)
    tok = gen.tokenizer
    context = gen.chat_prompt(SKY) + "The sky is"
    prefix = tok(context, add_special_tokens=False)["input_ids"]
    for o in options:
        full = tok(context + " " + o, add_special_tokens=False)["input_ids"]
        assert full[:len(prefix)] == prefix
        with torch.inference_mode():
            lp = torch.log_softmax(gen.model(input_ids=torch.tensor([full])).logits[0].float(), -1)
        want = sum(lp[t - 1, full[t]].item() for t in range(len(prefix), len(full)))
        assert table.loc[o, "n_tokens"] == len(full) - len(prefix)
        np.testing.assert_allclose(table.loc[o, "sum_logprob"], want, atol=1e-3)


def test_generate_is_deterministic_text(gen):
    a = gen.generate("Name one fruit.", max_new_tokens=8)
    b = gen.generate("Name one fruit.", max_new_tokens=8)
    assert isinstance(a, str) and a and a == b
    assert "<|im_end|>" not in a


@pytest.mark.parametrize("prompt, options, match", [
    ("Pick one.", [], "options"),
    ("Pick one.", "blue", "options"),
    ("Pick one.", ["blue", "blue"], "options: .*distinct"),
    ("Pick one.", ["blue", ""], "options: .*element 1"),
    ("", ["blue"], "prompt"),
    ("Pick one.", None, "options"),
])
def test_score_options_validation(gen, prompt, options, match):
    with pytest.raises(ValueError, match=match):
        gen.score_options(prompt, options)


def test_score_options_rejects_bad_by_and_prefix(gen):
    with pytest.raises(ValueError, match="by"):
        gen.score_options("Pick one.", ["a", "b"], by="max")
    with pytest.raises(ValueError, match="answer_prefix"):
        gen.score_options("Pick one.", ["a", "b"], answer_prefix=None)
