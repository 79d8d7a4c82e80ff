"""Hostile inputs for recsys_helpers.lm, checked without loading any language model.

Loading the encoders takes seconds and the generator tens of seconds, so every test here
runs with the loaders replaced by functions that fail the test if they are called: each
invalid argument must be refused with a ``ValueError`` naming it *before* any model is
loaded. Where a valid call is needed, a tiny fake encoder stands in for the model.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import lm

FAST = settings(max_examples=50, deadline=None, derandomize=True)


class ModelLoaded(AssertionError):
    """A model was loaded although the arguments were invalid."""


def _no_model(*args, **kwargs):
    raise ModelLoaded("a language model was loaded before the arguments were validated")


@pytest.fixture(autouse=True)
def no_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(lm, "_load_encoder", _no_model)
    monkeypatch.setattr(lm, "_encode_minilm", _no_model)
    monkeypatch.setattr(lm, "_encode_use", _no_model)
    monkeypatch.setattr(lm, "load_generator", _no_model)
    monkeypatch.setenv("RECSYS_CACHE_DIR", str(tmp_path / "cache"))


def _fake_vectors(texts: list[str], batch_size: int, show: bool) -> np.ndarray:
    """Deterministic unit vectors from the SHA-256 of each text (dim 384, like minilm)."""
    out = np.empty((len(texts), lm.ENCODERS["minilm"].dim), dtype=np.float32)
    for i, t in enumerate(texts):
        seed = int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)
        v = np.random.default_rng(seed).normal(size=out.shape[1])
        out[i] = v / np.linalg.norm(v)
    return out


class _Explodes:
    """Stands in for a model or tokenizer: touching it fails the test."""

    def __getattr__(self, name):
        raise ModelLoaded(f"the model was used (.{name}) before the arguments were validated")

    def __call__(self, *args, **kwargs):
        raise ModelLoaded("the model was called before the arguments were validated")


@pytest.fixture
def gen() -> lm.Generator:
    return lm.Generator(model=_Explodes(), tokenizer=_Explodes())


# --------------------------------------------------------------------------- encode
@pytest.mark.parametrize("texts, match", [
    (None, "texts: .*None"),
    ("one string", "texts: .*single string"),
    (b"bytes", "texts: .*single string"),
    (42, "texts: .*int"),
    (3.5, "texts: .*float"),
    (True, "texts: .*bool"),
    ([], "texts: .*empty"),
    ((), "texts: .*empty"),
    ([None], "texts: .*element 0"),
    (["ok", 1], "texts: .*element 1 is int"),
    (["ok", b"x"], "texts: .*element 1 is bytes"),
    (["ok", ["nested"]], "texts: .*element 1 is list"),
    ({"a": "b"}, "texts: .*dict"),
    (pd.Series(["ok", np.nan]), "texts: .*element 1 is float"),
    (np.array([1, 2]), "texts: .*element 0"),
    (pd.DataFrame({"t": ["a"]}), "texts: .*DataFrame"),   # iterating a frame yields column names
], ids=repr)
def test_encode_rejects_bad_texts_before_loading(texts, match):
    with pytest.raises(ValueError, match=match):
        lm.encode(texts)


@pytest.mark.parametrize("bad", ["bert", "MiniLM", None, True, 1, ["minilm"], ""], ids=repr)
def test_model_name_is_checked_before_loading(bad):
    with pytest.raises(ValueError, match="model: expected one of"):
        lm.encode(["a text"], model=bad)
    with pytest.raises(ValueError, match="model"):
        lm.load_encoder(bad)
    if bad is not None:                                   # clear_cache(None) clears every model
        with pytest.raises(ValueError, match="model"):
            lm.clear_cache(bad)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, False, "8", None, float("nan"), [8]], ids=repr)
def test_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size"):
        lm.encode(["a text"], batch_size=bad)


@pytest.mark.parametrize("bad", ["yes", 1, 0, None, [True]], ids=repr)
def test_cache_flag(bad):
    with pytest.raises(ValueError, match="cache: expected True or False"):
        lm.encode(["a text"], cache=bad)


@pytest.mark.parametrize("bad", ["yes", 1, 0, [False]], ids=repr)
def test_show_progress_flag(bad):
    with pytest.raises(ValueError, match="show_progress"):
        lm.encode(["a text"], show_progress=bad)


@pytest.mark.parametrize("bad", [123, ["dir"], "", "   ", b"dir", True], ids=repr)
def test_cache_dir(bad):
    with pytest.raises(ValueError, match="cache_dir"):
        lm.encode(["a text"], cache_dir=bad)
    with pytest.raises(ValueError, match="cache_dir"):
        lm.clear_cache("minilm", cache_dir=bad)


@FAST
@given(st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), st.text(max_size=3)))
def test_batch_size_property(bad):
    with pytest.raises(ValueError, match="batch_size"):
        lm.encode(["a text"], batch_size=bad)


def test_valid_call_with_fake_encoder_does_not_modify_inputs(monkeypatch, tmp_path):
    calls = []

    def fake(texts, batch_size, show):
        calls.append(list(texts))
        return _fake_vectors(texts, batch_size, show)

    monkeypatch.setattr(lm, "_encode_minilm", fake)
    texts = ["b", "a", "b", ""]
    before = list(texts)
    x = lm.encode(texts, batch_size=np.int64(2), cache_dir=tmp_path / "c", show_progress=np.bool_(False))
    assert texts == before
    assert x.shape == (4, 384) and x.dtype == np.float32
    assert np.array_equal(x[0], x[2])                       # duplicates encoded once
    assert calls == [["b", "a", ""]]                        # an empty string is a valid text
    y = lm.encode(pd.Series(texts), cache_dir=tmp_path / "c")  # second call: served from the cache
    assert np.array_equal(x, y) and len(calls) == 1
    assert lm.clear_cache("minilm", cache_dir=str(tmp_path / "c")) == 1
    assert lm.clear_cache(cache_dir=tmp_path / "empty") == 0


# --------------------------------------------------------------------------- mean_pool
@pytest.mark.parametrize("h, m, arg", [
    (np.ones((2, 3, 4)), torch.ones(2, 3), "last_hidden_state"),
    (torch.ones(2, 3), torch.ones(2, 3), "last_hidden_state"),
    (torch.ones(1, 2, 3, 4), torch.ones(1, 2), "last_hidden_state"),
    (torch.ones(2, 3, 4, dtype=torch.long), torch.ones(2, 3), "last_hidden_state"),
    (None, torch.ones(2, 3), "last_hidden_state"),
    (torch.ones(2, 3, 4), torch.ones(3, 2), "attention_mask"),
    (torch.ones(2, 3, 4), torch.ones(2, 3, 1), "attention_mask"),
    (torch.ones(2, 3, 4), np.ones((2, 3)), "attention_mask"),
    (torch.ones(2, 3, 4), None, "attention_mask"),
    (torch.ones(2, 3, 4), torch.full((2, 3), 2), "attention_mask: expected 0/1"),
    (torch.ones(2, 3, 4), torch.full((2, 3), 0.5), "attention_mask: expected 0/1"),
], ids=repr)
def test_mean_pool_rejects(h, m, arg):
    with pytest.raises(ValueError, match=arg):
        lm.mean_pool(h, m)


def test_mean_pool_documented_forms():
    h = torch.arange(12, dtype=torch.float32).reshape(1, 3, 4)
    bool_mask = torch.tensor([[True, True, False]])
    assert torch.equal(lm.mean_pool(h, bool_mask), lm.mean_pool(h, bool_mask.long()))
    assert lm.mean_pool(torch.ones(0, 3, 4), torch.ones(0, 3)).shape == (0, 4)   # empty batch
    h0, m0 = h.clone(), bool_mask.clone()
    lm.mean_pool(h, bool_mask)
    assert torch.equal(h, h0) and torch.equal(bool_mask, m0)


@FAST
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_mean_pool_property_matches_masked_mean(batch, tokens, dim, seed):
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(batch, tokens, dim, generator=g)
    m = torch.randint(0, 2, (batch, tokens), generator=g)
    out = lm.mean_pool(h, m)
    for b in range(batch):
        keep = m[b].bool()
        want = h[b, keep].mean(dim=0) if keep.any() else torch.zeros(dim)
        assert torch.allclose(out[b], want, atol=1e-5)


# --------------------------------------------------------------------------- generator
@pytest.mark.parametrize("prompt", [None, "", "   ", 3, ["a prompt"], b"bytes", float("nan")], ids=repr)
def test_generator_prompt(gen, prompt):
    for call in (lambda: gen.chat_prompt(prompt), lambda: gen.generate(prompt),
                 lambda: gen.score_options(prompt, ["yes", "no"])):
        with pytest.raises(ValueError, match="prompt"):
            call()


@pytest.mark.parametrize("system", [3, ["be brief"], b"x", True], ids=repr)
def test_generator_system(gen, system):
    with pytest.raises(ValueError, match="system"):
        gen.chat_prompt("Pick one.", system=system)
    with pytest.raises(ValueError, match="system"):
        gen.score_options("Pick one.", ["yes", "no"], system=system)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "5", None], ids=repr)
def test_generate_max_new_tokens(gen, bad):
    with pytest.raises(ValueError, match="max_new_tokens"):
        gen.generate("Name one fruit.", max_new_tokens=bad)


@pytest.mark.parametrize("options, match", [
    (None, "options: .*None"),
    ("blue", "options: .*single string"),
    ([], "options: .*empty"),
    (["blue", ""], "options: element 1 is an empty string"),
    (["blue", "  "], "options: element 1"),
    (["blue", 1], "options: .*element 1 is int"),
    (["blue", None], "options: .*element 1"),
    (["blue", "blue"], "options: expected distinct"),
    ({"blue": 1}, "options: .*dict"),
    (7, "options: .*int"),
], ids=repr)
def test_score_options_options(gen, options, match):
    with pytest.raises(ValueError, match=match):
        gen.score_options("Pick one.", options)


@pytest.mark.parametrize("kwargs, match", [
    ({"by": "max"}, "by"), ({"by": None}, "by"), ({"by": True}, "by"),
    ({"answer_prefix": None}, "answer_prefix"), ({"answer_prefix": 3}, "answer_prefix"),
    ({"details": "yes"}, "details"), ({"details": 1}, "details"),
], ids=repr)
def test_score_options_flags_and_modes(gen, kwargs, match):
    with pytest.raises(ValueError, match=match):
        gen.score_options("Pick one.", ["yes", "no"], **kwargs)


def test_device_rule_and_encoders_table():
    assert lm.device().type in ("cuda", "cpu")
    assert set(lm.ENCODERS) == {"minilm", "use-multilingual"}
    assert all(spec.dim > 0 for spec in lm.ENCODERS.values())
    assert math.isnan(lm.Generator(model=None, tokenizer=None).load_seconds)
