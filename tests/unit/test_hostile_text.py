"""Hostile inputs for recsys_helpers.text: every public function, fed what it should refuse.

Each case ends in a ``ValueError`` whose message names the argument, or in a documented
result that the test checks. Inputs are never modified.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

from recsys_helpers import text as T

FAST = settings(max_examples=50, deadline=None, derandomize=True)
CORPUS = ["The cat sat on the mat.", "The dog sat on the log.", "A cat and a dog."]

BAD_TEXTS = [None, 3, 2.5, True, float("nan"), "", "   \n", ["a text"], b"bytes", {"text": "x"}]
TEXT_FUNCS = {
    "tokenize_en": T.tokenize_en,
    "tokenize_zh": T.tokenize_zh,
    "tokenize": T.tokenize,
    "sentiment_en": T.sentiment_en,
    "sentiment_zh": T.sentiment_zh,
    "sentiment": T.sentiment,
    "zh_sentiment_breakdown": T.zh_sentiment_breakdown,
}


# --------------------------------------------------------------------------- text arguments
@pytest.mark.parametrize("bad", BAD_TEXTS, ids=repr)
@pytest.mark.parametrize("fn", list(TEXT_FUNCS), ids=str)
def test_text_functions_reject_non_text(fn, bad):
    with pytest.raises(ValueError, match="text: expected a non-empty string"):
        TEXT_FUNCS[fn](bad)


@pytest.mark.parametrize("fn", [T.tokenize_en, T.tokenize_zh])
@pytest.mark.parametrize("bad", ["the", 1, [1, "a"], {"the": 1}, b"the", 2.5], ids=repr)
def test_stop_words_must_be_a_flag_or_a_list_of_words(fn, bad):
    with pytest.raises(ValueError, match="stop_words"):
        fn("the cat and the dog", stop_words=bad)


def test_stop_words_documented_forms():
    assert T.tokenize_en("The cat", stop_words=None) == T.tokenize_en("The cat") == ["the", "cat"]
    assert T.tokenize_en("The cat", stop_words=[]) == ["the", "cat"]
    assert T.tokenize_en("The cat", stop_words={"THE"}) == ["cat"]           # case-insensitive
    assert T.tokenize_en("The cat", stop_words=("the",)) == ["cat"]
    assert T.tokenize_en("The cat", stop_words=np.bool_(True)) == ["cat"]
    words = ["the"]
    T.tokenize_en("The cat", stop_words=words)
    assert words == ["the"]                                                   # not modified


@pytest.mark.parametrize("bad", ["fr", "EN", None, True, ["en"], 0], ids=repr)
def test_lang_must_be_en_or_zh(bad):
    with pytest.raises(ValueError, match="lang"):
        T.tokenize("hello", bad)
    with pytest.raises(ValueError, match="lang"):
        T.sentiment("hello", bad)
    with pytest.raises(ValueError, match="lang"):
        T.TfIdf(lang=bad).fit(CORPUS)


def test_text_without_words_gives_documented_empty_results():
    assert T.tokenize_en("!!! ?") == []
    assert T.tokenize_zh("，。！") == []
    assert T.sentiment_zh("今天星期三") == 0.0
    assert T.zh_sentiment_breakdown("。。").empty


# --------------------------------------------------------------------------- term frequency / idf
@pytest.mark.parametrize("bad", [None, "abc", 5, [1, 2], ["a", None], {"a": 1}, [["a"]]], ids=repr)
def test_term_frequency_rejects_non_token_lists(bad):
    with pytest.raises(ValueError, match="tokens"):
        T.term_frequency(bad)


@pytest.mark.parametrize("bad", [[], (), np.array([], dtype=str)], ids=repr)
def test_term_frequency_rejects_empty(bad):
    with pytest.raises(ValueError, match="tokens: expected at least one token"):
        T.term_frequency(bad)


@pytest.mark.parametrize("docs, match", [
    (None, "documents"),
    ("a b c", "documents"),
    (["abc", "def"], r"documents\[0\]"),          # strings, not token lists
    ([["a"], "b"], r"documents\[1\]"),
    ([["a"], [1]], r"documents\[1\]"),
    ([], "documents: expected at least one document"),
    ({"a": ["b"]}, "documents"),
    (pd.DataFrame({"a": [["b"]]}), "documents"),
    (7, "documents"),
], ids=repr)
def test_idf_rejects_bad_corpus(docs, match):
    with pytest.raises(ValueError, match=match):
        T.inverse_document_frequency(docs)


@pytest.mark.parametrize("bad", ["bm25", None, True, "BOOK", ["book"]], ids=repr)
def test_idf_rejects_bad_convention(bad):
    with pytest.raises(ValueError, match="convention"):
        T.inverse_document_frequency([["a"]], convention=bad)


def test_idf_empty_document_counts_in_n():
    idf = T.inverse_document_frequency([["a"], []])
    assert idf == {"a": 1.0}                      # log2(2 / 1): the empty document counts in N


# --------------------------------------------------------------------------- TF-IDF
@pytest.mark.parametrize("docs, match", [
    (None, "documents"),
    ("one string", "documents"),
    (b"bytes", "documents"),
    ([], "documents: expected at least one document"),
    ([None], r"documents\[0\]"),
    (["ok", 1], r"documents\[1\]"),
    (["ok", b"x"], r"documents\[1\]"),
    (["ok", float("nan")], r"documents\[1\].*NaN"),
    (["ok", "  "], r"documents\[1\]"),
    ({"a": "text"}, "documents"),
    (pd.DataFrame({"text": ["a cat"]}), "documents: .*DataFrame"),   # would fit on the column names
    (["ok", ["tok", 3]], r"documents\[1\]"),
    (["the", "a"], "documents: every document is empty"),
    (42, "documents"),
], ids=repr)
def test_tfidf_fit_rejects_bad_documents(docs, match):
    with pytest.raises(ValueError, match=match):
        T.TfIdf(stop_words=True).fit(docs)


@pytest.mark.parametrize("params, match", [
    ({"convention": "bm25"}, "convention"),
    ({"convention": None}, "convention"),
    ({"norm": "l1"}, "norm"),
    ({"norm": True}, "norm"),
    ({"sparse": "yes"}, "sparse"),
    ({"sparse": 1}, "sparse"),
    ({"tokenizer": "split"}, "tokenizer"),
    ({"stop_words": "the"}, "stop_words"),
    ({"lang": "de"}, "lang"),
], ids=repr)
def test_tfidf_bad_params_fail_at_fit_not_init(params, match):
    m = T.TfIdf(**params)                          # scikit-learn contract: __init__ only stores
    assert m.get_params()[next(iter(params))] is next(iter(params.values()))
    with pytest.raises(ValueError, match=match):
        m.fit(CORPUS)


def test_tfidf_bad_tokenizer_output_is_named():
    with pytest.raises(ValueError, match=r"tokenizer\(documents\[0\]\)"):
        T.TfIdf(tokenizer=lambda s: s.upper()).fit(CORPUS)
    with pytest.raises(ValueError, match=r"tokenizer\(documents\[0\]\)"):
        T.TfIdf(tokenizer=lambda s: [len(s)]).fit(CORPUS)


def test_tfidf_unfitted_and_bad_transform_input():
    with pytest.raises(NotFittedError):
        T.TfIdf().transform(CORPUS)
    assert issubclass(NotFittedError, ValueError)
    m = T.TfIdf().fit(CORPUS)
    with pytest.raises(ValueError, match="documents"):
        m.transform("The cat")
    with pytest.raises(ValueError, match=r"documents\[0\]"):
        m.transform([None])
    m.set_params(convention="bm25")               # changed after fit: checked again in transform
    with pytest.raises(ValueError, match="convention"):
        m.transform(CORPUS)


def test_tfidf_documented_edge_results():
    m = T.TfIdf().fit(CORPUS)
    unknown = m.transform(["zebra zebra", "!!"])
    assert unknown.shape == (2, len(m.vocabulary_)) and not unknown.any()   # unseen terms: zero rows
    assert np.allclose(m.transform(pd.Series(CORPUS)), m.transform(CORPUS))
    gen = (d for d in CORPUS)
    assert T.TfIdf().fit_transform(gen).shape[0] == len(CORPUS)            # a one-shot iterator is read once


def test_tfidf_does_not_modify_inputs():
    docs = [["the", "cat"], ["a", "dog"]]
    before = copy.deepcopy(docs)
    series = pd.Series(CORPUS)
    series_before = series.copy()
    T.TfIdf().fit_transform(docs)
    T.TfIdf().fit(series).transform(series)
    assert docs == before
    pd.testing.assert_series_equal(series, series_before)


# --------------------------------------------------------------------------- sentiment parameters
@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), True, "1", None, [1]], ids=repr)
def test_sentiment_zh_alpha(bad):
    with pytest.raises(ValueError, match="alpha"):
        T.sentiment_zh("这本书有用", alpha=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", None, float("nan")], ids=repr)
def test_zh_breakdown_window(bad):
    with pytest.raises(ValueError, match="window"):
        T.zh_sentiment_breakdown("这本书非常有用", window=bad)


@pytest.mark.parametrize("arg, bad", [
    ("lexicon", ["有用"]),
    ("lexicon", {"有用": "good"}),
    ("lexicon", {"有用": True}),
    ("lexicon", {"有用": float("nan")}),
    ("lexicon", {1: 0.5}),
    ("negations", "不"),
    ("intensifiers", {"非常": None}),
], ids=repr)
def test_zh_breakdown_word_tables(arg, bad):
    with pytest.raises(ValueError, match=arg):
        T.zh_sentiment_breakdown("这本书非常有用", **{arg: bad})


def test_zh_breakdown_window_zero_ignores_modifiers():
    br = T.zh_sentiment_breakdown("这本书非常有用", window=0)
    assert br["modifiers"].tolist() == [""] and br["multiplier"].tolist() == [1.0]


# --------------------------------------------------------------------------- cosine similarity
@pytest.mark.parametrize("bad, match", [
    (None, "numeric array"),
    ("abc", "string"),
    (["1", "2", "3"], "strings"),
    ([True, False, True], "boolean"),
    ([[1, 2, 3], [4, 5, 6]], "1-D"),
    ([], "at least one value"),
    ([1.0, float("nan"), 2.0], "NaN"),
    ([1.0, float("inf"), 2.0], "finite"),
    ({"a": 1}, "numeric"),
    ([0.0, 0.0, 0.0], "zero vector"),
], ids=repr)
@pytest.mark.parametrize("position", ["a", "b"])
def test_cosine_similarity_rejects(bad, match, position):
    good = [1.0, 2.0, 3.0]
    args = (bad, good) if position == "a" else (good, bad)
    with pytest.raises(ValueError, match=f"{position}: .*{match}"):
        T.cosine_similarity(*args)


def test_cosine_similarity_mismatched_shapes():
    with pytest.raises(ValueError, match="b: expected the same shape as a"):
        T.cosine_similarity([1.0, 2.0, 3.0], [1.0, 2.0])


def test_cosine_similarity_documented_forms_and_no_mutation():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([[3.0, 2.0, 1.0]])                           # a 1 x n row is a vector
    a0, b0 = a.copy(), b.copy()
    c = T.cosine_similarity(a, b)
    assert math.isclose(c, T.cosine_similarity(sp.csr_matrix(a), b[0]))
    assert math.isclose(T.cosine_similarity(np.array([1, 2, 3], dtype=np.int64), b[0]), c)
    assert np.array_equal(a, a0) and np.array_equal(b, b0)
    with pytest.raises(ValueError, match="a: .*sparse row"):
        T.cosine_similarity(sp.csr_matrix(np.ones((2, 3))), a)


@FAST
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=6), st.floats(0.01, 100.0))
def test_cosine_property_scale_invariant_and_bounded(xs, k):
    a = np.array(xs)
    b = np.arange(1.0, len(xs) + 1.0)
    if not np.any(a):
        with pytest.raises(ValueError, match="a: .*zero"):
            T.cosine_similarity(a, b)
        return
    c = T.cosine_similarity(a, b)
    assert -1.0 <= c <= 1.0                       # never NaN: huge or tiny entries are rescaled first
    with np.errstate(over="ignore"):
        ka = k * a
    if np.all(np.isfinite(ka)) and np.any(ka):
        assert math.isclose(T.cosine_similarity(ka, b), c, rel_tol=1e-9, abs_tol=1e-9)


# --------------------------------------------------------------------------- sentiment weight
@pytest.mark.parametrize("bad, match", [
    ("0.5", "s: .*string"),
    (["0.5", "1"], "s: .*strings"),
    ([True, False], "s: .*boolean"),
    (None, "s: "),
    (float("nan"), "s: .*NaN"),
    (float("inf"), "s: "),
    (1.5, r"s: expected sentiment scores in \[-1, 1\]"),
    ([-1.01, 0.0], r"s: expected sentiment scores in \[-1, 1\]"),
    ({"a": 0.5}, "s: "),
], ids=repr)
def test_sentiment_weight_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        T.sentiment_weight(bad)


@pytest.mark.parametrize("bad", ["squared", None, True, "AFFINE", ["affine"]], ids=repr)
def test_sentiment_weight_scheme(bad):
    with pytest.raises(ValueError, match="scheme"):
        T.sentiment_weight(0.0, bad)


def test_sentiment_weight_documented_results_and_no_mutation():
    assert T.sentiment_weight([]).shape == (0,)                   # no reviews: no weights
    assert isinstance(T.sentiment_weight(np.float32(0.5)), float)
    s = np.array([-1.0, 0.0, 1.0])
    s0 = s.copy()
    w = T.sentiment_weight(s, "signed")
    w[0] = 99.0
    assert np.array_equal(s, s0)                                # the result is a copy
    assert np.allclose(T.sentiment_weight(pd.Series([0.0, 1.0])), [0.5, 1.0])
    assert T.sentiment_weight(np.array([[0.0, 1.0]])).shape == (1, 2)


@FAST
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.integers(-5, 5)))
def test_sentiment_weight_property(s):
    ok = not isinstance(s, bool) and math.isfinite(s) and -1.0 <= s <= 1.0
    if ok:
        w = T.sentiment_weight(s)
        assert 0.0 <= w <= 1.0 and math.isclose(w, (1.0 + s) / 2.0)
    else:
        with pytest.raises(ValueError, match="s: "):
            T.sentiment_weight(s)


@FAST
@given(st.one_of(st.floats(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=3), st.none()))
def test_alpha_property(alpha):
    ok = not isinstance(alpha, (bool, str)) and alpha is not None and math.isfinite(alpha) and alpha > 0
    if ok:
        assert -1.0 <= T.sentiment_zh("这本书有用", alpha=alpha) <= 1.0   # (-1, 1), rounded for tiny alpha
    else:
        with pytest.raises(ValueError, match="alpha"):
            T.sentiment_zh("这本书有用", alpha=alpha)
